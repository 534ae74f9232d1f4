#include "vm/reader/number_literal.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#include "runtime/support/str_cat.hpp"
#include "runtime/term/number.hpp"

namespace lona {
namespace {

NumberResult fail(std::string_view token, std::string_view why,
                  std::string_view reason = "invalid-number") {
  NumberResult r;
  r.reason = std::string(reason);
  r.message = str_cat("invalid number ", token, ": ", why);
  return r;
}

NumberResult success(Term t) {
  NumberResult r;
  r.ok = true;
  r.value = t;
  return r;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string strip_separators(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c != '_') out.push_back(c);
  }
  return out;
}

bool all_decimal(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The fixed-width suffix of `body`, if any: "u8" ... "i64".
std::optional<FixedKind> take_fixed_suffix(std::string_view* body) {
  for (std::string_view suffix : {"u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"}) {
    if (ends_with(*body, suffix)) {
      std::optional<FixedKind> kind = fixed_kind_from_suffix(suffix);
      body->remove_suffix(suffix.size());
      return kind;
    }
  }
  return std::nullopt;
}

// digits (already without separators and sign) in radix -> integer term, fixed or bigint.
NumberResult integer_result(Heap& heap, std::string_view token, std::string_view digits, int radix,
                            bool negative, std::optional<FixedKind> fixed, bool explicit_big) {
  std::optional<BigInt> v = BigInt::parse(digits, radix);
  if (!v) return fail(token, str_cat("bad digits for base ", radix));
  if (negative) *v = -*v;
  if (fixed) {
    std::optional<Term> t = make_fixed(heap, *fixed, *v);
    if (!t) {
      return fail(token, str_cat("out of range for ", fixed_info(*fixed).suffix));
    }
    return success(*t);
  }
  return success(make_integer(heap, *v, explicit_big));
}

// Decimal float grammar: digits [. digits*] [(e|E) [+-] digits]; at least a '.' or an exponent
// unless `allow_integer` (for 1f32).
bool valid_float_syntax(std::string_view s, bool allow_integer) {
  size_t i = 0;
  while (i < s.size() && is_digit(s[i])) ++i;
  if (i == 0) return false;
  bool fraction_or_exponent = false;
  if (i < s.size() && s[i] == '.') {
    fraction_or_exponent = true;
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    fraction_or_exponent = true;
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == start) return false;
  }
  return i == s.size() && (fraction_or_exponent || allow_integer);
}

NumberResult float_result(Heap& heap, std::string_view token, std::string_view body, bool negative,
                          bool f32) {
  double d = 0;
  float f = 0;
  std::from_chars_result r = f32 ? std::from_chars(body.data(), body.data() + body.size(), f)
                                 : std::from_chars(body.data(), body.data() + body.size(), d);
  if (r.ec == std::errc::result_out_of_range) {
    // Too small rounds toward zero (as strtod and Clojure do); too large is an error.
    std::string text(body);
    d = f32 ? std::strtof(text.c_str(), nullptr) : std::strtod(text.c_str(), nullptr);
    if (std::isinf(d))
      return fail(token, f32 ? "out of range for f32" : "out of range for a float");
    f = static_cast<float>(d);
    r.ec = std::errc();
    r.ptr = body.data() + body.size();
  }
  if (r.ec != std::errc() || r.ptr != body.data() + body.size()) return fail(token, "bad float");
  if (f32) return success(make_f32(heap, negative ? -f : f));
  return success(make_float(heap, negative ? -d : d));
}

}  // namespace

NumberResult parse_number(Heap& heap, std::string_view token) {
  std::string_view s = token;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || !is_digit(s[0])) return fail(token, "expected a digit");

  // 0x 0o 0b prefixes, with an optional fixed-width or N suffix.
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
    int radix = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
    std::string_view body = s.substr(2);
    std::optional<FixedKind> fixed = take_fixed_suffix(&body);
    bool explicit_big = !fixed && ends_with(body, "N");
    if (explicit_big) body.remove_suffix(1);
    std::string digits = strip_separators(body);
    if (digits.empty()) return fail(token, "no digits after the base prefix");
    return integer_result(heap, token, digits, radix, negative, fixed, explicit_big);
  }

  // NNrDIGITS: any radix from 2 to 36.
  size_t r = s.find_first_of("rR");
  if (r != std::string_view::npos && all_decimal(s.substr(0, r))) {
    std::string_view radix_text = s.substr(0, r);
    int radix = 0;
    auto [ptr, ec] =
        std::from_chars(radix_text.data(), radix_text.data() + radix_text.size(), radix);
    if (ec != std::errc() || radix < 2 || radix > 36) {
      return fail(token, "the radix must be from 2 to 36", "invalid-radix");
    }
    std::string digits = strip_separators(s.substr(r + 1));
    if (digits.empty()) return fail(token, "no digits after the radix");
    return integer_result(heap, token, digits, radix, negative, std::nullopt, false);
  }

  std::string body = strip_separators(s);
  std::string_view b = body;

  // Ratio: N/D.
  if (size_t slash = b.find('/'); slash != std::string_view::npos) {
    std::string_view num = b.substr(0, slash), den = b.substr(slash + 1);
    if (!all_decimal(num) || !all_decimal(den)) return fail(token, "a ratio is digits/digits");
    std::optional<BigInt> n = BigInt::parse(num, 10), d = BigInt::parse(den, 10);
    if (d->is_zero()) return fail(token, "zero denominator", "division-by-zero");
    if (negative) *n = -*n;
    return success(make_ratio(heap, *n, *d));
  }

  if (std::optional<FixedKind> fixed = take_fixed_suffix(&b)) {
    if (!all_decimal(b)) return fail(token, "a fixed-width integer takes integer digits");
    return integer_result(heap, token, b, 10, negative, fixed, false);
  }
  if (ends_with(b, "f32") || ends_with(b, "f64")) {
    bool f32 = b.back() == '2';
    b.remove_suffix(3);
    if (!valid_float_syntax(b, true)) return fail(token, "bad float");
    return float_result(heap, token, b, negative, f32);
  }
  if (ends_with(b, "N")) {
    b.remove_suffix(1);
    if (!all_decimal(b)) return fail(token, "a bigint takes integer digits");
    return integer_result(heap, token, b, 10, negative, std::nullopt, true);
  }
  if (all_decimal(b)) return integer_result(heap, token, b, 10, negative, std::nullopt, false);
  if (valid_float_syntax(b, false)) return float_result(heap, token, b, negative, false);
  return fail(token, "not a number");
}

}  // namespace lona
