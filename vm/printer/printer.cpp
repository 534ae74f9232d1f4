#include "vm/printer/printer.hpp"

#include <charconv>
#include <cmath>

#include "runtime/support/str_cat.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/kernel_object.hpp"
#include "runtime/term/kind.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/pid.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/text.hpp"
#include "runtime/term/utf8.hpp"
#include "vm/bytecode/code.hpp"
#include "vm/intrinsics/native_context.hpp"
#include "vm/namespace/namespaces.hpp"

namespace lona {
namespace {

// Deeper structures than this print as #<...>: they could not be read back anyway (the reader
// stops at 1024 levels by default) and the printer must not exhaust the C++ stack. (An ASan debug
// build spends about 1 KiB of stack per level of lists, so 10000 levels did not fit in 8 MiB.)
constexpr int kMaxPrintDepth = 5000;

void print_float(std::string* out, Term t) {
  double d = float_value(t);
  bool f32 = float_is_f32(t);
  if (std::isnan(d)) {
    out->append("##NaN");
    return;
  }
  if (std::isinf(d)) {
    out->append(d > 0 ? "##Inf" : "##-Inf");
    return;
  }
  char buf[64];
  std::to_chars_result r = f32 ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(d))
                               : std::to_chars(buf, buf + sizeof buf, d);
  std::string_view text(buf, static_cast<size_t>(r.ptr - buf));
  // Shortest round-trip text, made unmistakably a float: "1" -> "1.0", "1e+21" -> "1.0e21".
  size_t e = text.find('e');
  std::string_view mantissa = text.substr(0, e);
  out->append(mantissa);
  if (mantissa.find('.') == std::string_view::npos) out->append(".0");
  if (e != std::string_view::npos) {
    std::string_view exponent = text.substr(e + 1);
    // to_chars writes at least two exponent digits ("1e+05"); print "1.0e5".
    bool negative = !exponent.empty() && exponent[0] == '-';
    if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) exponent.remove_prefix(1);
    while (exponent.size() > 1 && exponent[0] == '0') exponent.remove_prefix(1);
    out->push_back('e');
    if (negative) out->push_back('-');
    out->append(exponent);
  }
  if (f32) out->append("f32");
}

// Uppercase hex, zero-padded to `digits`.
void append_hex(std::string* out, uint32_t v, int digits) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4)
    out->push_back(kDigits[(v >> shift) & 0xF]);
}

void print_escaped_code_point(std::string* out, uint32_t cp) {
  out->append("\\u");
  append_hex(out, cp, 4);
}

bool is_invisible(uint32_t cp) { return cp < 0x20 || cp == 0x7F; }

void print_string(std::string* out, std::string_view s) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\r':
        out->append("\\r");
        break;
      default:
        if (is_invisible(static_cast<unsigned char>(c))) {
          print_escaped_code_point(out, static_cast<unsigned char>(c));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

void print_char(std::string* out, uint32_t cp) {
  switch (cp) {
    case '\n':
      out->append("\\newline");
      return;
    case ' ':
      out->append("\\space");
      return;
    case '\t':
      out->append("\\tab");
      return;
    case '\r':
      out->append("\\return");
      return;
    case '\b':
      out->append("\\backspace");
      return;
    case '\f':
      out->append("\\formfeed");
      return;
    default:
      break;
  }
  if (is_invisible(cp)) {
    print_escaped_code_point(out, cp);
  } else {
    out->push_back('\\');
    utf8::encode(cp, out);
  }
}

// `with_n`: mark explicit and beyond-int64 bigints with N (not inside a ratio, whose literal
// syntax has no N).
// Functions have no literal: #<fn name>.
void print_function(std::string* out, Term t) {
  out->append("#<fn ");
  if (t.is_native_fn()) {
    out->append(intrinsic(t.index()).name);
  } else {
    Term name = code_of(payload_term(t, 0))->name;
    out->append(name.is_nil() ? "anonymous" : name_entry(name).full);
  }
  out->push_back('>');
}

void print_integer(std::string* out, Term t, bool with_n = true) {
  if (t.is_fixnum()) {
    out->append(std::to_string(t.fixnum_value()));
    return;
  }
  BigInt v = integer_value(t);
  out->append(v.to_string());
  if (with_n && (bigint_explicit(t) || !v.fits_int64())) out->push_back('N');
}

class Printer {
 public:
  explicit Printer(std::string* out, size_t limit = SIZE_MAX) : out_(out), limit_(limit) {}

  void print(Term t, int depth) {
    if (out_->size() >= limit_) return;  // print_bounded: enough
    if (depth > kMaxPrintDepth) {
      out_->append("#<nested too deep>");
      return;
    }
    // The recursion goes through here and the collection printers only; everything else is out
    // of line so that these frames stay small (sanitizer builds give every temporary its own
    // slot, and the depth limit must fit the stack there too).
    switch (kind_of(t)) {
      case Kind::kList:
        print_list(t, depth);
        return;
      case Kind::kTuple:
        print_array(t, '[', ']', depth);
        return;
      case Kind::kVector:
        print_array(t, '{', '}', depth);
        return;
      case Kind::kMap:
        print_map(t, depth);
        return;
      case Kind::kSet:
        print_set(t, depth);
        return;
      default:
        print_atom(t);
        return;
    }
  }

 private:
  [[gnu::noinline]] void print_atom(Term t) {
    switch (kind_of(t)) {
      case Kind::kNil:
        out_->append("nil");
        return;
      case Kind::kBoolean:
        out_->append(t.is_true() ? "true" : "false");
        return;
      case Kind::kInteger:
        print_integer(out_, t);
        return;
      case Kind::kFloat:
        print_float(out_, t);
        return;
      case Kind::kRatio:
        print_integer(out_, ratio_numerator(t), false);
        out_->push_back('/');
        print_integer(out_, ratio_denominator(t), false);
        return;
      case Kind::kFixed:
        out_->append(fixed_value(t).to_string());
        out_->append(fixed_info(fixed_kind(t)).suffix);
        return;
      case Kind::kChar:
        print_char(out_, t.char_value());
        return;
      case Kind::kString:
        print_string(out_, byte_view(t));
        return;
      case Kind::kSymbol:
        out_->append(name_entry(bare_symbol(t)).full);
        return;
      case Kind::kKeyword:
        out_->push_back(':');
        out_->append(name_entry(t).full);
        return;
      case Kind::kBytebuf:
        out_->append(str_cat("#<bytebuf ", bytebuf_size(t), " bytes>"));
        return;
      case Kind::kPaddr:
      case Kind::kVaddr: {
        out_->append(kind_of(t) == Kind::kPaddr ? "#paddr<0x" : "#vaddr<0x");
        uint64_t v = address_value(t);
        int digits = 1;
        while (digits < 16 && (v >> (4 * digits)) != 0) ++digits;
        for (int d = digits - 1; d >= 0; --d)
          out_->push_back("0123456789ABCDEF"[(v >> (4 * d)) & 0xF]);
        out_->push_back('>');
        return;
      }
      case Kind::kCapability:  // not readable back: a capability cannot be made from text
        out_->append(
            str_cat("#cap<", cap_type_name(capability_type(t)), " ", capability_id(t), ">"));
        return;
      case Kind::kPid:  // not readable back, as in Erlang
        out_->append(str_cat("#pid<", pid_realm(t), ".", pid_local(t), ">"));
        return;
      case Kind::kRef:
        out_->append(str_cat("#ref<", ref_id(t), ">"));
        return;
      case Kind::kRealmId:
        out_->append(str_cat("#realm-id<", realm_id_value(t), ">"));
        return;
      case Kind::kMsgInfo:
        out_->append(str_cat("#msg-info<label=", msg_info_label(t), " length=", msg_info_length(t),
                             " caps=", msg_info_caps(t), ">"));
        return;
      case Kind::kBinary:
        print_binary(byte_view(t));
        return;
      case Kind::kUnbound:
        out_->append("#<unbound>");
        return;
      case Kind::kFunction:
        print_function(out_, t);
        return;
      case Kind::kVar: {
        const Var& v = Namespaces::global().var(t.index());
        out_->append("#'");
        out_->append(name_entry(Namespaces::global().ns_name(v.ns)).full);
        out_->push_back('/');
        out_->append(name_entry(v.name).full);
        return;
      }
      case Kind::kNamespace:
        out_->append("#<ns ");
        out_->append(name_entry(Namespaces::global().ns_name(t.index())).full);
        out_->push_back('>');
        return;
      case Kind::kList:
      case Kind::kTuple:
      case Kind::kVector:
      case Kind::kMap:
      case Kind::kSet:
      case Kind::kInternal:
        out_->append("#<internal>");
        return;
    }
  }

  void print_set(Term t, int depth) {
    out_->append("#{");
    for (size_t i = 0, n = set_count(t); i < n; ++i) {
      if (i > 0) out_->push_back(' ');
      print(set_at(t, i), depth + 1);
    }
    out_->push_back('}');
  }

  void print_list(Term t, int depth) {
    out_->push_back('(');
    bool first = true;
    for (; t.is_cons(); t = list_tail(t), first = false) {
      if (!first) out_->push_back(' ');
      print(list_head(t), depth + 1);
    }
    if (!t.is_empty_list()) {  // an improper tail
      out_->append(" . ");
      print(t, depth + 1);
    }
    out_->push_back(')');
  }

  void print_array(Term t, char open, char close, int depth) {
    out_->push_back(open);
    for (size_t i = 0, n = array_count(t); i < n; ++i) {
      if (i > 0) out_->push_back(' ');
      print(array_at(t, i), depth + 1);
    }
    out_->push_back(close);
  }

  void print_map(Term t, int depth) {
    out_->append("%{");
    for (size_t i = 0, n = map_count(t); i < n; ++i) {
      if (i > 0) out_->push_back(' ');
      print(map_key(t, i), depth + 1);
      out_->push_back(' ');
      print(map_value(t, i), depth + 1);
    }
    out_->push_back('}');
  }

  void print_binary(std::string_view bytes) {
    out_->append("#bytes[");
    for (size_t i = 0; i < bytes.size(); ++i) {
      if (i > 0) out_->push_back(' ');
      out_->append("0x");
      append_hex(out_, static_cast<unsigned char>(bytes[i]), 2);
    }
    out_->push_back(']');
  }

  std::string* out_;
  size_t limit_;
};

}  // namespace

void print_to(std::string* out, Term t) { Printer(out).print(t, 0); }

std::string print(Term t) {
  std::string out;
  print_to(&out, t);
  return out;
}

std::string print_bounded(Term t, size_t max_chars) {
  std::string out;
  Printer(&out, max_chars).print(t, 0);
  if (out.size() > max_chars) {
    out.resize(max_chars);
    out.append("...");
  }
  return out;
}

}  // namespace lona
