// vm/intrinsics: format, a small printf (see string_format.hpp). Nothing here allocates on the
// Lonala heap before the result string, so the argument terms stay valid throughout.
#include "vm/intrinsics/string_format.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/support/str_cat.hpp"
#include "runtime/term/bigint.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/text.hpp"
#include "runtime/term/utf8.hpp"
#include "vm/intrinsics/intrinsic_support.hpp"
#include "vm/printer/printer.hpp"

namespace lona::string_format {
namespace {

struct Directive {
  std::string_view text;  // as written ("%-5d"), for messages
  bool left = false;      // -: pad on the right
  bool zero = false;      // 0: pad a number with zeros after its sign
  bool plus = false;      // +: a sign on non-negative numbers too
  size_t width = 0;       // in characters
  std::optional<size_t> precision;
  char conversion = 0;
};

// Widths count characters (code points), as count does, not bytes.
void append_padded(const Directive& d, std::string_view s, bool numeric, std::string* out) {
  size_t n = code_point_count(s);
  size_t fill = d.width > n ? d.width - n : 0;
  if (d.left) {
    out->append(s);
    out->append(fill, ' ');
  } else if (d.zero && numeric) {
    size_t sign = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
    out->append(s.substr(0, sign));
    out->append(fill, '0');
    out->append(s.substr(sign));
  } else {
    out->append(fill, ' ');
    out->append(s);
  }
}

BigInt power_of_ten(size_t n) {
  BigInt r = BigInt::from_int64(1);
  const BigInt ten19 = BigInt::from_uint64(10'000'000'000'000'000'000ULL);
  for (; n >= 19; n -= 19) r = r * ten19;
  int64_t small = 1;
  for (; n > 0; --n) small *= 10;
  return r * BigInt::from_int64(small);
}

// num/den (den > 0) with `precision` decimals, rounded to nearest with ties to even, as the C
// library rounds the exact value of a double (so 1/8 and 0.125 both give "0.12" under %.2f).
// Exact: a double would lose the digits of a bigint, and of most ratios.
std::string exact_fixed(const BigInt& num, const BigInt& den, size_t precision) {
  BigInt q, r;
  BigInt::divmod((num.is_negative() ? -num : num) * power_of_ten(precision), den, &q, &r);
  int half = compare(r + r, den);
  bool odd = !q.limbs().empty() && (q.limbs()[0] & 1) != 0;
  if (half > 0 || (half == 0 && odd)) q = q + BigInt::from_int64(1);
  std::string digits = q.to_string(10);
  if (digits.size() <= precision) digits.insert(0, precision + 1 - digits.size(), '0');
  if (precision > 0) digits.insert(digits.size() - precision, 1, '.');
  return num.is_negative() ? "-" + digits : digits;
}

// Any number as a double, for %e (and %f of a float).
std::optional<double> double_of(Term t) {
  if (is_float(t)) return float_value(t);
  if (is_any_integer(t)) return any_integer_value(t).to_double();
  if (is_ratio(t)) {
    BigInt num = integer_value(ratio_numerator(t)), den = integer_value(ratio_denominator(t));
    // Parts too wide for a double would divide inf by inf; dropping the same low bits of both
    // keeps the quotient to well within a double's precision.
    size_t bits = std::max(num.bit_length(), den.bit_length());
    if (bits > 1000) {
      num = num.shifted_right(bits - 1000);
      den = den.shifted_right(bits - 1000);
      if (den.is_zero()) return num.is_negative() ? -HUGE_VAL : HUGE_VAL;
    }
    return num.to_double() / den.to_double();
  }
  return std::nullopt;
}

// %f or %e of a double by the C library (correctly rounded from the exact binary value); the
// non-finite ones are spelled as Clojure (Java) does.
std::string format_double(char conversion, size_t precision, double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v < 0 ? "-Infinity" : "Infinity";
  int p = static_cast<int>(precision);
  auto write = [&](char* buf, size_t size) {
    return conversion == 'f' ? std::snprintf(buf, size, "%.*f", p, v)
                             : std::snprintf(buf, size, "%.*e", p, v);
  };
  std::string s(static_cast<size_t>(write(nullptr, 0)) + 1, '\0');
  write(s.data(), s.size());
  s.pop_back();
  return s;
}

bool badarg(NativeContext& ctx, std::string_view message) {
  return ctx.fail("badarg", str_cat("format: ", message));
}

// The text of one directive applied to its argument, appended to out.
bool append_directive(NativeContext& ctx, const Directive& d, Term arg, std::string* out) {
  std::string s;
  bool numeric = true;  // padded with zeros under the flag 0, signed under +
  switch (d.conversion) {
    case 's':  // as str: nil as nothing, strings and chars as they are, the rest printed
      numeric = false;
      if (is_string(arg)) {
        s = byte_view(arg);
      } else if (arg.is_char()) {
        utf8::encode(arg.char_value(), &s);
      } else if (!arg.is_nil()) {
        s = print(arg);
      }
      if (d.precision) s.resize(code_point_offset(s, *d.precision));
      break;
    case 'c':
      numeric = false;
      if (!arg.is_char()) return type_error(ctx, "format", "a char for %c", arg);
      utf8::encode(arg.char_value(), &s);
      break;
    case 'd': {
      BigInt v;
      if (!integer_arg(ctx, arg, "format", "an integer for %d", &v)) return false;
      s = v.to_string(10);
      break;
    }
    case 'x':
    case 'X':
    case 'o': {
      BigInt v;
      if (!integer_arg(ctx, arg, "format", str_cat("an integer for ", d.text), &v)) return false;
      if (v.is_negative()) {
        // A fixed-width integer shows its bits (two's complement in its width), as in C; a plain
        // integer has no width to take them in (as with bit-count).
        if (!is_fixed(arg)) {
          return badarg(ctx, str_cat(d.text, " needs a non-negative or a fixed-width integer, got ",
                                     print(arg)));
        }
        v = BigInt::from_uint64(fixed_unsigned_bits(arg));
      }
      s = v.to_string(d.conversion == 'o' ? 8 : 16);
      if (d.conversion == 'X') {
        for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      break;
    }
    case 'f': {
      size_t precision = d.precision.value_or(6);
      if (is_any_integer(arg)) {
        s = exact_fixed(any_integer_value(arg), BigInt::from_int64(1), precision);
      } else if (is_ratio(arg)) {
        s = exact_fixed(integer_value(ratio_numerator(arg)), integer_value(ratio_denominator(arg)),
                        precision);
      } else if (is_float(arg)) {
        double x = float_value(arg);
        numeric = std::isfinite(x);
        s = format_double('f', precision, x);
      } else {
        return type_error(ctx, "format", "a number for %f", arg);
      }
      break;
    }
    case 'e': {
      std::optional<double> v = double_of(arg);
      if (!v) return type_error(ctx, "format", "a number for %e", arg);
      numeric = std::isfinite(*v);
      s = format_double('e', d.precision.value_or(6), *v);
      break;
    }
  }
  if (d.plus && !s.empty() && s[0] != '-' && s != "NaN") s.insert(0, 1, '+');
  append_padded(d, s, numeric, out);
  return true;
}

// Reads the digits at fmt[*i] into *value. False when the number is over kMaxFieldSize.
bool parse_size(std::string_view fmt, size_t* i, size_t* value) {
  *value = 0;
  for (; *i < fmt.size() && fmt[*i] >= '0' && fmt[*i] <= '9'; ++*i) {
    *value = *value * 10 + static_cast<size_t>(fmt[*i] - '0');
    if (*value > kMaxFieldSize) return false;
  }
  return true;
}

// Which flags and precision a conversion takes; a directive that asks for more is :badarg
// rather than ignored, since it shows a mistaken expectation.
bool check_directive(NativeContext& ctx, const Directive& d) {
  auto one_of = [&](std::string_view conversions) {
    return conversions.find(d.conversion) != std::string_view::npos;
  };
  if (!one_of("sdxXofec")) {
    return badarg(ctx, str_cat(d.text, " is not a directive (%% writes a percent sign)"));
  }
  if (d.left && d.zero) {
    return badarg(ctx, str_cat(d.text, ": the flags - and 0 exclude each other"));
  }
  if (d.zero && one_of("sc")) {
    return badarg(ctx, str_cat(d.text, ": the flag 0 is for numbers"));
  }
  if (d.plus && !one_of("dfe")) {
    return badarg(ctx, str_cat(d.text, ": the flag + is for %d, %f and %e"));
  }
  if (d.precision && !one_of("sfe")) {
    return badarg(ctx, str_cat(d.text, ": a precision is for %s, %f and %e"));
  }
  return true;
}

}  // namespace

bool format(NativeContext& ctx, std::span<Term> args, Term* out) {
  if (!is_string(args[0])) return type_error(ctx, "format", "a format string", args[0]);
  std::string_view fmt = byte_view(args[0]);
  std::string result;
  size_t next = 1;  // the next argument
  for (size_t i = 0; i < fmt.size();) {
    if (fmt[i] != '%') {
      result.push_back(fmt[i++]);
      continue;
    }
    size_t start = i++;
    if (i < fmt.size() && fmt[i] == '%') {
      result.push_back('%');
      ++i;
      continue;
    }
    Directive d;
    for (; i < fmt.size(); ++i) {
      if (fmt[i] == '-') {
        d.left = true;
      } else if (fmt[i] == '0') {
        d.zero = true;
      } else if (fmt[i] == '+') {
        d.plus = true;
      } else {
        break;
      }
    }
    bool small = parse_size(fmt, &i, &d.width);
    if (small && i < fmt.size() && fmt[i] == '.') {
      size_t precision;
      small = parse_size(fmt, &++i, &precision);
      d.precision = precision;
    }
    if (!small) {
      return badarg(ctx, str_cat("a width or precision over ", kMaxFieldSize, " in \"", fmt, "\""));
    }
    if (i >= fmt.size()) {
      return badarg(ctx, str_cat("the directive ", fmt.substr(start), " at the end is incomplete"));
    }
    uint32_t cp;
    size_t len = utf8::decode(fmt, i, &cp);  // a whole character, for the message
    i += len == 0 ? 1 : len;
    d.text = fmt.substr(start, i - start);
    d.conversion = len == 1 ? fmt[i - 1] : '?';
    if (!check_directive(ctx, d)) return false;
    if (next >= args.size()) {
      return badarg(ctx, str_cat(d.text, " has no argument (", args.size() - 1, " given)"));
    }
    if (!append_directive(ctx, d, args[next++], &result)) return false;
  }
  if (next < args.size()) {
    return badarg(ctx,
                  str_cat(args.size() - 1, " arguments, but the format string takes ", next - 1));
  }
  *out = make_string(ctx.heap, result);
  return true;
}

}  // namespace lona::string_format
