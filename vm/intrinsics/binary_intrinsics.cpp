// lona.core intrinsics over bytes: binaries, bytebufs, strings as text, physical and virtual
// addresses, byte order, sets and maps (set-add set-remove dissoc) (reference 4.1).
//
// Conventions shared by every function here:
// - Offsets, indices and lengths are integers (plain or fixed-width). A position outside the
//   object, a negative one included, is :out-of-bounds (resolutions #4 and #27: binary-slice and
//   bytebuf->binary take an offset and a length).
// - A value written into bytes must fit the width either as a signed or as an unsigned number
//   (bytebuf-write8! takes 255 and -1 alike); anything else is :badarg. The constructors of
//   #bytes[...] and #bits[...] (`bytes`, `bits`) are stricter, as the syntax says which kind of
//   number a field holds: a value outside its field's range is :out-of-bounds.
// - Address arithmetic is u64 arithmetic and wraps, as fixed-width arithmetic does (#9).
// - Encodings are :utf-8 (the default), :ascii and :latin1. Bytes that are not valid in the
//   encoding are :invalid-utf8 / :invalid-ascii; a character that the encoding cannot hold is
//   :invalid-ascii / :invalid-latin1. Another encoding keyword is :badarg.
//
// GC: args[] are roots that collections keep up to date; views into heap bytes (byte_view,
// bytebuf_data) are only used before the allocation that makes the result.
#include <bit>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/support/str_cat.hpp"
#include "runtime/term/bigint.hpp"
#include "runtime/term/bit_field.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/equality.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/text.hpp"
#include "runtime/term/utf8.hpp"
#include "vm/intrinsics/intrinsic_support.hpp"

namespace lona {
namespace {

// The largest bytebuf bytebuf-alloc makes (larger requests are :oom).
constexpr int64_t kMaxBytebufSize = int64_t{1} << 30;

// --- argument helpers ----------------------------------------------------------------------------

// An integer argument (plain or fixed-width) as an int64. Values beyond int64 read as -1 or
// INT64_MAX: every caller rejects them as out of its range.
bool int64_arg(NativeContext& ctx, Term t, const char* fn, const char* what, int64_t* out) {
  if (t.is_fixnum()) {
    *out = t.fixnum_value();
    return true;
  }
  BigInt v;
  if (!integer_arg(ctx, t, fn, what, &v)) return false;
  if (v.fits_int64()) {
    *out = v.to_int64();
  } else {
    *out = v.is_negative() ? -1 : INT64_MAX;
  }
  return true;
}

// An offset, index or length.
bool position_arg(NativeContext& ctx, Term t, const char* fn, int64_t* out) {
  return int64_arg(ctx, t, fn, "an integer offset", out);
}

// A byte of (binary coll) or (bytes b...): an integer from 0 to 255. Outside that range it is
// `range_error` (binary: :badarg; bytes, as #bytes[...] says its elements are bytes:
// :out-of-bounds).
bool byte_arg(NativeContext& ctx, Term t, const char* fn, const char* range_error, char* out) {
  int64_t v = 0;
  if (!int64_arg(ctx, t, fn, "integers from 0 to 255", &v)) return false;
  if (v < 0 || v > 255) {
    return ctx.fail(range_error, str_cat(fn, ": ", print(t), " is not a byte (0 to 255)"));
  }
  *out = static_cast<char>(v);
  return true;
}

// True when [offset, offset + length) lies within `size` bytes (or code points).
bool within(int64_t offset, int64_t length, size_t size) {
  return offset >= 0 && length >= 0 && static_cast<uint64_t>(offset) <= size &&
         static_cast<uint64_t>(length) <= size - static_cast<uint64_t>(offset);
}

bool out_of_bounds(NativeContext& ctx, const char* fn, int64_t offset, int64_t length,
                   size_t size) {
  return ctx.fail("out-of-bounds", str_cat(fn, ": ", length, " byte(s) at offset ", offset,
                                           " out of bounds for ", size, " bytes"));
}

// The two's complement bits of v when it fits `nbits` (1..64) bits as a signed or an unsigned
// number.
std::optional<uint64_t> fit_bits(const BigInt& v, uint32_t nbits) {
  if (v.is_negative()) {
    if (!v.fits_int64()) return std::nullopt;
    uint64_t x = static_cast<uint64_t>(v.to_int64());
    if (bits::sign_extend(x, nbits) != x) return std::nullopt;  // below -2^(nbits - 1)
    return bits::low_bits(x, nbits);
  }
  std::optional<uint64_t> x = v.to_uint64();
  if (!x || bits::low_bits(*x, nbits) != *x) return std::nullopt;
  return x;
}

// An integer argument that must fit `nbits` bits (signed or unsigned): its bits.
bool bits_arg(NativeContext& ctx, Term t, const char* fn, uint32_t nbits, uint64_t* out) {
  BigInt v;
  if (!integer_arg(ctx, t, fn, "an integer", &v)) return false;
  std::optional<uint64_t> b = fit_bits(v, nbits);
  if (!b) {
    return ctx.fail("badarg", str_cat(fn, ": ", print(t), " does not fit in ", nbits, " bits"));
  }
  *out = *b;
  return true;
}

enum class Encoding { kUtf8, kAscii, kLatin1 };

// Byte order: of a bytebuf access, and of a #bits segment (whose :native must still be whole
// bytes on every host).
enum class Order { kBig, kLittle, kNative };

bool little(Order order) {
  return order == Order::kLittle ||
         (order == Order::kNative && std::endian::native == std::endian::little);
}

bool encoding_arg(NativeContext& ctx, Args a, size_t i, const char* fn, Encoding* out) {
  *out = Encoding::kUtf8;
  if (a.size() <= i) return true;
  Term t = a[i];
  if (!t.is_keyword()) return type_error(ctx, fn, "an encoding keyword", t);
  std::string_view name = name_entry(t).full;
  if (name == "utf-8") {
    *out = Encoding::kUtf8;
  } else if (name == "ascii") {
    *out = Encoding::kAscii;
  } else if (name == "latin1") {
    *out = Encoding::kLatin1;
  } else {
    return ctx.fail("badarg", str_cat(fn, ": unknown encoding ", print(t),
                                      " (expected :utf-8, :ascii or :latin1)"));
  }
  return true;
}

// --- binaries ------------------------------------------------------------------------------------

// (binary coll): a binary of the integers (0 to 255) of a list, tuple or vector.
bool binary(NativeContext& ctx, Args a, Term* o) {
  Term coll = a[0];
  std::string bytes;
  auto add = [&](Term x) {
    char b = 0;
    if (!byte_arg(ctx, x, "binary", "badarg", &b)) return false;
    bytes.push_back(b);
    return true;
  };
  if (coll.is_nil() || coll.is_list()) {
    for (; coll.is_cons(); coll = list_tail(coll)) {
      if (!add(list_head(coll))) return false;
    }
  } else if (is_tuple(coll) || is_vector(coll)) {
    for (size_t i = 0; i < array_count(coll); ++i) {
      if (!add(array_at(coll, i))) return false;
    }
  } else if (is_binary(coll)) {
    *o = coll;
    return true;
  } else {
    return type_error(ctx, "binary", "a list, tuple or vector of bytes", coll);
  }
  *o = make_binary(ctx.heap, bytes);
  return true;
}

bool binary_size(NativeContext& ctx, Args a, Term* o) {
  if (!is_binary(a[0])) return type_error(ctx, "binary-size", "a binary", a[0]);
  *o = Term::fixnum(static_cast<int64_t>(byte_view(a[0]).size()));
  return true;
}

bool binary_ref(NativeContext& ctx, Args a, Term* o) {
  if (!is_binary(a[0])) return type_error(ctx, "binary-ref", "a binary", a[0]);
  int64_t i = 0;
  if (!position_arg(ctx, a[1], "binary-ref", &i)) return false;
  std::string_view b = byte_view(a[0]);
  if (!within(i, 1, b.size())) {
    return ctx.fail("out-of-bounds",
                    str_cat("binary-ref: index ", i, " out of bounds for ", b.size(), " bytes"));
  }
  *o = Term::fixnum(static_cast<uint8_t>(b[static_cast<size_t>(i)]));
  return true;
}

// (binary-slice bin offset length)
bool binary_slice(NativeContext& ctx, Args a, Term* o) {
  if (!is_binary(a[0])) return type_error(ctx, "binary-slice", "a binary", a[0]);
  int64_t off = 0, len = 0;
  if (!position_arg(ctx, a[1], "binary-slice", &off)) return false;
  if (!position_arg(ctx, a[2], "binary-slice", &len)) return false;
  size_t size = byte_view(a[0]).size();
  if (!within(off, len, size)) return out_of_bounds(ctx, "binary-slice", off, len, size);
  *o = binary_part(ctx.heap, a[0], static_cast<size_t>(off), static_cast<size_t>(len));
  return true;
}

bool binary_concat(NativeContext& ctx, Args a, Term* o) {
  std::string all;
  for (Term t : a) {
    if (!is_binary(t)) return type_error(ctx, "binary-concat", "binaries", t);
    all.append(byte_view(t));
  }
  *o = make_binary(ctx.heap, all);
  return true;
}

// (binary->string bin [encoding])
bool binary_to_string(NativeContext& ctx, Args a, Term* o) {
  if (!is_binary(a[0])) return type_error(ctx, "binary->string", "a binary", a[0]);
  Encoding enc = Encoding::kUtf8;
  if (!encoding_arg(ctx, a, 1, "binary->string", &enc)) return false;
  std::string_view bytes = byte_view(a[0]);
  std::string text;
  switch (enc) {
    case Encoding::kUtf8: {
      size_t bad = utf8::first_invalid(bytes, 0);
      if (bad != std::string_view::npos) {
        return ctx.fail("invalid-utf8", str_cat("binary->string: invalid UTF-8 at byte ", bad));
      }
      text.assign(bytes);
      break;
    }
    case Encoding::kAscii:
      for (size_t i = 0; i < bytes.size(); ++i) {
        if (static_cast<uint8_t>(bytes[i]) > 0x7F) {
          return ctx.fail("invalid-ascii",
                          str_cat("binary->string: byte ", static_cast<uint8_t>(bytes[i]),
                                  " at offset ", i, " is not ASCII"));
        }
      }
      text.assign(bytes);
      break;
    case Encoding::kLatin1:
      for (char c : bytes) utf8::encode(static_cast<uint8_t>(c), &text);
      break;
  }
  *o = make_string(ctx.heap, text);
  return true;
}

// (string->binary str [encoding])
bool string_to_binary(NativeContext& ctx, Args a, Term* o) {
  if (!is_string(a[0])) return type_error(ctx, "string->binary", "a string", a[0]);
  Encoding enc = Encoding::kUtf8;
  if (!encoding_arg(ctx, a, 1, "string->binary", &enc)) return false;
  std::string_view text = byte_view(a[0]);
  std::string bytes;
  if (enc == Encoding::kUtf8) {
    bytes.assign(text);
  } else {
    uint32_t limit = enc == Encoding::kAscii ? 0x7F : 0xFF;
    for (size_t i = 0; i < text.size();) {
      uint32_t cp = 0;
      size_t n = utf8::decode(text, i, &cp);
      if (n == 0) {  // not reached: strings hold valid UTF-8
        n = 1;
        cp = static_cast<uint8_t>(text[i]);
      }
      if (cp > limit) {
        bool ascii = enc == Encoding::kAscii;
        return ctx.fail(ascii ? "invalid-ascii" : "invalid-latin1",
                        str_cat("string->binary: ", utf8::code_point_name(cp), " is not ",
                                ascii ? "ASCII" : "Latin-1"));
      }
      bytes.push_back(static_cast<char>(cp));
      i += n;
    }
  }
  *o = make_binary(ctx.heap, bytes);
  return true;
}

// --- construction: #bytes[...] and #bits[...] ----------------------------------------------------

// (bytes b...): what `#bytes[...]` reads as when an element is not a literal byte. Each b is an
// integer from 0 to 255, plain or fixed-width.
bool bytes(NativeContext& ctx, Args a, Term* o) {
  std::string out;
  out.reserve(a.size());
  for (Term t : a) {
    char b = 0;
    if (!byte_arg(ctx, t, "bytes", "out-of-bounds", &b)) return false;
    out.push_back(b);
  }
  *o = make_binary(ctx.heap, out);
  return true;
}

// The largest binary `bits` builds, in bytes (as for bytebuf-alloc, larger is :oom).
constexpr uint64_t kMaxBitsBytes = uint64_t{1} << 30;

// One checked segment of (bits ...), kept until every segment is checked and the total is known.
struct BitSegment {
  size_t arg = 0;  // its tuple in args (a binary value is read from there when it is copied)
  uint64_t nbits = 0;
  bool binary = false;
  bool little = false;
  // An integer value v is kept as a magnitude: v itself, or for a negative v the non-negative ~v
  // (-v - 1) with `invert` set, since the n-bit two's complement of v is the inverted low n bits
  // of ~v. No width is needed to store it, so a value can be checked before the total is known.
  bool invert = false;
  bool wide = false;  // the magnitude needs more than 64 bits: in `big`, else in `small`
  uint64_t small = 0;
  BigInt big;

  // Limb i (64 bits, least significant first) of the value's two's complement.
  uint64_t limb(size_t i) const {
    uint64_t m = 0;
    if (wide) {
      if (i < big.limbs().size()) m = big.limbs()[i];
    } else if (i == 0) {
      m = small;
    }
    return invert ? ~m : m;
  }
};

// Reads a segment tuple [value size modifier...] (size and modifiers optional) into *s.
bool bits_segment(NativeContext& ctx, Args a, size_t i, BitSegment* s) {
  Term seg = a[i];
  if (!is_tuple(seg) || array_count(seg) == 0) {
    return type_error(ctx, "bits", "segments [value size modifier...]", seg);
  }
  size_t n = array_count(seg);
  Term value = array_at(seg, 0);
  s->arg = i;

  std::optional<Order> order;   // big-endian when not given
  std::optional<bool> signed_;  // unsigned when not given
  bool in_bytes = false;
  for (size_t k = 2; k < n; ++k) {
    Term m = array_at(seg, k);
    if (!m.is_keyword()) return type_error(ctx, "bits", "modifier keywords", m);
    std::string_view name = name_entry(m).full;
    std::optional<Order> o;
    std::optional<bool> sg;
    if (name == "be") {
      o = Order::kBig;
    } else if (name == "le") {
      o = Order::kLittle;
    } else if (name == "native") {
      o = Order::kNative;
    } else if (name == "unsigned") {
      sg = false;
    } else if (name == "signed") {
      sg = true;
    } else if (name == "bytes") {
      in_bytes = true;
    } else {
      return ctx.fail("badarg", str_cat("bits: unknown modifier ", print(m),
                                        " (:be :le :native :signed :unsigned :bytes)"));
    }
    if ((o && order && *o != *order) || (sg && signed_ && *sg != *signed_)) {
      return ctx.fail("badarg", str_cat("bits: conflicting modifiers in ", print(seg)));
    }
    if (o) order = o;
    if (sg) signed_ = sg;
  }
  s->little = order && little(*order);
  bool is_signed = signed_.value_or(false);

  s->binary = is_binary(value);
  if (n >= 2) {
    Term size = array_at(seg, 1);
    BigInt v;
    if (!integer_arg(ctx, size, "bits", "an integer segment size", &v)) return false;
    if (v.is_negative()) {
      return ctx.fail("badarg", str_cat("bits: negative segment size ", print(size)));
    }
    std::optional<uint64_t> units = v.to_uint64();
    if (!units || *units > kMaxBitsBytes * (in_bytes ? 1 : 8)) {
      return ctx.fail("oom",
                      str_cat("bits: a segment of ", print(size), in_bytes ? " bytes" : " bits",
                              " is larger than the limit of ", kMaxBitsBytes, " bytes"));
    }
    s->nbits = in_bytes ? *units * 8 : *units;
  } else {  // [value]: a binary is all of its bytes, an integer one byte (as in Erlang)
    s->nbits = s->binary ? 8 * byte_view(value).size() : 8;
  }
  // :native is decided by the host, but a :native segment must be whole bytes on every host.
  if (order && *order != Order::kBig && s->nbits % 8 != 0) {
    return ctx.fail("badarg", str_cat("bits: a ", *order == Order::kLittle ? ":le" : ":native",
                                      " segment must be whole bytes, not ", s->nbits, " bits"));
  }

  if (s->binary) {
    if (s->little || is_signed) {
      return ctx.fail("badarg", str_cat("bits: byte order and sign apply to integers, not to the "
                                        "binary segment ",
                                        print(seg)));
    }
    size_t have = byte_view(value).size();
    if (s->nbits != 8 * static_cast<uint64_t>(have)) {
      return ctx.fail("out-of-bounds",
                      str_cat("bits: a binary of ", have, " byte(s) does not fill a ", s->nbits,
                              "-bit segment"));
    }
    return true;
  }

  bool negative = false;
  size_t magnitude_bits = 0;
  if (value.is_fixnum()) {
    int64_t x = value.fixnum_value();
    negative = x < 0;
    s->small = static_cast<uint64_t>(negative ? ~x : x);
    magnitude_bits = static_cast<size_t>(std::bit_width(s->small));
  } else if (is_any_integer(value)) {
    BigInt x = any_integer_value(value);
    negative = x.is_negative();
    if (negative) x = -x - BigInt::from_int64(1);
    magnitude_bits = x.bit_length();
    if (magnitude_bits <= 64) {
      s->small = x.to_uint64().value_or(0);
    } else {
      s->wide = true;
      s->big = std::move(x);
    }
  } else {
    return type_error(ctx, "bits", "integer or binary segment values", value);
  }
  s->invert = negative;
  // Unsigned n bits hold 0 .. 2^n - 1; signed ones -2^(n-1) .. 2^(n-1) - 1, whose magnitudes (v or
  // ~v) have at most n - 1 bits. A segment of 0 bits holds only 0.
  bool fits = s->nbits == 0 ? !negative && magnitude_bits == 0
              : is_signed   ? magnitude_bits <= s->nbits - 1
                            : !negative && magnitude_bits <= s->nbits;
  if (!fits) {
    return ctx.fail("out-of-bounds",
                    str_cat("bits: ", print(value), " does not fit in ",
                            is_signed ? "a signed " : "an unsigned ", s->nbits, "-bit segment"));
  }
  return true;
}

// Writes a checked segment at bit `offset` of `out` (zeroed, large enough).
void put_segment(uint8_t* out, uint64_t offset, const BitSegment& s, Args a) {
  if (s.binary) {
    std::string_view b = byte_view(array_at(a[s.arg], 0));
    if (offset % 8 == 0) {
      if (!b.empty()) std::memcpy(out + offset / 8, b.data(), b.size());
    } else {
      for (size_t j = 0; j < b.size(); ++j) {
        bits::put_bits(out, offset + 8 * j, 8, static_cast<uint8_t>(b[j]));
      }
    }
    return;
  }
  if (s.little) {
    if (s.nbits <= 64) {
      uint32_t n = static_cast<uint32_t>(s.nbits);
      bits::put_bits(out, offset, n, bits::reverse_bytes(s.limb(0), n / 8));
    } else {  // byte j of the field is byte j of the value, counting from its low end
      for (uint64_t j = 0; j < s.nbits / 8; ++j) {
        bits::put_bits(out, offset + 8 * j, 8, s.limb(j / 8) >> (8 * (j % 8)));
      }
    }
    return;
  }
  // Big-endian: the most significant limb first, holding what is left over from whole limbs.
  uint64_t limbs = (s.nbits + 63) / 64;
  for (uint64_t i = limbs; i-- > 0;) {
    uint32_t width = i == limbs - 1 ? static_cast<uint32_t>(s.nbits - 64 * i) : 64;
    bits::put_bits(out, offset, width, s.limb(i));
    offset += width;
  }
}

// (bits [value size modifier...] ...): what `#bits[...]` reads as. Fields are packed most
// significant bit first, big-endian unless :le or :native says otherwise; a size counts bits, or
// bytes with :bytes. Integers of any size must fit the field (unsigned by default, or :signed);
// :le and :native fields are whole bytes. A binary value is copied verbatim and must fill its
// field exactly. Without a size, an integer takes 8 bits and a binary all of its bytes. The total
// must be a whole number of bytes.
bool bits(NativeContext& ctx, Args a, Term* o) {
  std::vector<BitSegment> segs(a.size());
  uint64_t total = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!bits_segment(ctx, a, i, &segs[i])) return false;
    total += segs[i].nbits;  // each is at most 2^33 bits and total is checked: no overflow
    if (total > kMaxBitsBytes * 8) {
      return ctx.fail("oom", str_cat("bits: ", total, " bits is larger than the limit of ",
                                     kMaxBitsBytes, " bytes"));
    }
  }
  if (total % 8 != 0) {
    return ctx.fail("badarg", str_cat("#bits of ", total, " bits is not a whole number of bytes"));
  }
  // No allocation on the heap until make_binary: the binaries in args stay where they are.
  std::string out(total / 8, '\0');
  uint8_t* p = reinterpret_cast<uint8_t*>(out.data());
  uint64_t offset = 0;
  for (const BitSegment& s : segs) {
    put_segment(p, offset, s, a);
    offset += s.nbits;
  }
  *o = make_binary(ctx.heap, out);
  return true;
}

// --- bytebufs ------------------------------------------------------------------------------------

bool bytebuf_p(NativeContext&, Args a, Term* o) {
  *o = Term::boolean(is_bytebuf(a[0]));
  return true;
}

bool bytebuf_alloc(NativeContext& ctx, Args a, Term* o) {
  int64_t n = 0;
  if (!position_arg(ctx, a[0], "bytebuf-alloc", &n)) return false;
  if (n < 0) return ctx.fail("badarg", str_cat("bytebuf-alloc: negative size ", n));
  if (n > kMaxBytebufSize) {
    return ctx.fail(
        "oom", str_cat("bytebuf-alloc: ", n, " bytes is more than the limit of ", kMaxBytebufSize));
  }
  *o = make_bytebuf(ctx.heap, static_cast<size_t>(n));
  return true;
}

bool bytebuf_size_(NativeContext& ctx, Args a, Term* o) {
  if (!is_bytebuf(a[0])) return type_error(ctx, "bytebuf-size", "a bytebuf", a[0]);
  *o = Term::fixnum(static_cast<int64_t>(bytebuf_size(a[0])));
  return true;
}

// (bytebuf->binary buf [offset [length]]): a copy of the bytes (all, from offset, or a range).
bool bytebuf_to_binary(NativeContext& ctx, Args a, Term* o) {
  if (!is_bytebuf(a[0])) return type_error(ctx, "bytebuf->binary", "a bytebuf", a[0]);
  size_t size = bytebuf_size(a[0]);
  int64_t off = 0;
  int64_t len = static_cast<int64_t>(size);
  if (a.size() >= 2 && !position_arg(ctx, a[1], "bytebuf->binary", &off)) return false;
  if (a.size() == 2) len = off >= 0 ? static_cast<int64_t>(size) - off : 0;
  if (a.size() == 3 && !position_arg(ctx, a[2], "bytebuf->binary", &len)) return false;
  if (!within(off, len, size)) return out_of_bounds(ctx, "bytebuf->binary", off, len, size);
  std::string copy(bytebuf_data(a[0]) + off, static_cast<size_t>(len));
  *o = make_binary(ctx.heap, copy);
  return true;
}

// Checks the bytebuf and the range [offset, offset + width); returns the bytes to access.
bool bytebuf_range(NativeContext& ctx, Args a, const char* fn, size_t width, unsigned char** at) {
  if (!is_bytebuf(a[0])) return type_error(ctx, fn, "a bytebuf", a[0]);
  int64_t off = 0;
  if (!position_arg(ctx, a[1], fn, &off)) return false;
  size_t size = bytebuf_size(a[0]);
  if (!within(off, static_cast<int64_t>(width), size)) {
    return out_of_bounds(ctx, fn, off, static_cast<int64_t>(width), size);
  }
  *at = reinterpret_cast<unsigned char*>(bytebuf_data(a[0])) + off;
  return true;
}

// The `width` (1..8) bytes at p as an unsigned number, in `order`.
uint64_t load(const unsigned char* p, uint32_t width, Order order) {
  uint64_t v = bits::get_bits(p, 0, 8 * width);
  return little(order) ? bits::reverse_bytes(v, width) : v;
}

// Writes the low `width` (1..8) bytes of v at p, in `order`.
void store(unsigned char* p, uint32_t width, Order order, uint64_t v) {
  bits::put_bits(p, 0, 8 * width, little(order) ? bits::reverse_bytes(v, width) : v);
}

// A read of `kWidth` bytes: read8 gives a plain integer, the others the fixed-width kind.
template <uint32_t kWidth, Order kOrder, FixedKind kKind, bool kPlain>
bool bytebuf_read(NativeContext& ctx, Args a, Term* o, const char* fn) {
  unsigned char* at = nullptr;
  if (!bytebuf_range(ctx, a, fn, kWidth, &at)) return false;
  uint64_t v = load(at, kWidth, kOrder);
  *o = kPlain ? Term::fixnum(static_cast<int64_t>(v)) : make_fixed_bits(ctx.heap, kKind, v);
  return true;
}

template <uint32_t kWidth, Order kOrder>
bool bytebuf_write(NativeContext& ctx, Args a, Term* o, const char* fn) {
  unsigned char* at = nullptr;
  if (!bytebuf_range(ctx, a, fn, kWidth, &at)) return false;
  uint64_t v = 0;
  if (!bits_arg(ctx, a[2], fn, 8 * kWidth, &v)) return false;
  store(at, kWidth, kOrder, v);
  *o = ok_keyword();
  return true;
}

#define LONA_BYTEBUF_READ(cname, lname, width, order, kind, plain)  \
  bool cname(NativeContext& c, Args a, Term* o) {                   \
    return bytebuf_read<width, order, kind, plain>(c, a, o, lname); \
  }
LONA_BYTEBUF_READ(read8, "bytebuf-read8", 1, Order::kLittle, FixedKind::kU8, true)
LONA_BYTEBUF_READ(read_i8, "bytebuf-read-i8", 1, Order::kLittle, FixedKind::kI8, false)
LONA_BYTEBUF_READ(read16, "bytebuf-read16", 2, Order::kNative, FixedKind::kU16, false)
LONA_BYTEBUF_READ(read16_le, "bytebuf-read16-le", 2, Order::kLittle, FixedKind::kU16, false)
LONA_BYTEBUF_READ(read16_be, "bytebuf-read16-be", 2, Order::kBig, FixedKind::kU16, false)
LONA_BYTEBUF_READ(read32, "bytebuf-read32", 4, Order::kNative, FixedKind::kU32, false)
LONA_BYTEBUF_READ(read32_le, "bytebuf-read32-le", 4, Order::kLittle, FixedKind::kU32, false)
LONA_BYTEBUF_READ(read32_be, "bytebuf-read32-be", 4, Order::kBig, FixedKind::kU32, false)
LONA_BYTEBUF_READ(read64, "bytebuf-read64", 8, Order::kNative, FixedKind::kU64, false)
LONA_BYTEBUF_READ(read64_le, "bytebuf-read64-le", 8, Order::kLittle, FixedKind::kU64, false)
LONA_BYTEBUF_READ(read64_be, "bytebuf-read64-be", 8, Order::kBig, FixedKind::kU64, false)
#undef LONA_BYTEBUF_READ

#define LONA_BYTEBUF_WRITE(cname, lname, width, order)  \
  bool cname(NativeContext& c, Args a, Term* o) {       \
    return bytebuf_write<width, order>(c, a, o, lname); \
  }
LONA_BYTEBUF_WRITE(write8, "bytebuf-write8!", 1, Order::kLittle)
LONA_BYTEBUF_WRITE(write16, "bytebuf-write16!", 2, Order::kNative)
LONA_BYTEBUF_WRITE(write16_le, "bytebuf-write16-le!", 2, Order::kLittle)
LONA_BYTEBUF_WRITE(write16_be, "bytebuf-write16-be!", 2, Order::kBig)
LONA_BYTEBUF_WRITE(write32, "bytebuf-write32!", 4, Order::kNative)
LONA_BYTEBUF_WRITE(write32_le, "bytebuf-write32-le!", 4, Order::kLittle)
LONA_BYTEBUF_WRITE(write32_be, "bytebuf-write32-be!", 4, Order::kBig)
LONA_BYTEBUF_WRITE(write64, "bytebuf-write64!", 8, Order::kNative)
LONA_BYTEBUF_WRITE(write64_le, "bytebuf-write64-le!", 8, Order::kLittle)
LONA_BYTEBUF_WRITE(write64_be, "bytebuf-write64-be!", 8, Order::kBig)
#undef LONA_BYTEBUF_WRITE

// (bytebuf-copy! dst dst-offset src src-offset length): src is a bytebuf (dst itself included;
// overlapping ranges copy as if through a temporary) or a binary.
bool bytebuf_copy(NativeContext& ctx, Args a, Term* o) {
  const char* fn = "bytebuf-copy!";
  if (!is_bytebuf(a[0])) return type_error(ctx, fn, "a bytebuf destination", a[0]);
  if (!is_bytebuf(a[2]) && !is_binary(a[2])) {
    return type_error(ctx, fn, "a bytebuf or binary source", a[2]);
  }
  int64_t doff = 0, soff = 0, len = 0;
  if (!position_arg(ctx, a[1], fn, &doff) || !position_arg(ctx, a[3], fn, &soff) ||
      !position_arg(ctx, a[4], fn, &len)) {
    return false;
  }
  size_t dsize = bytebuf_size(a[0]);
  const char* src = is_bytebuf(a[2]) ? bytebuf_data(a[2]) : byte_view(a[2]).data();
  size_t ssize = is_bytebuf(a[2]) ? bytebuf_size(a[2]) : byte_view(a[2]).size();
  if (!within(soff, len, ssize)) return out_of_bounds(ctx, fn, soff, len, ssize);
  if (!within(doff, len, dsize)) return out_of_bounds(ctx, fn, doff, len, dsize);
  if (len > 0) std::memmove(bytebuf_data(a[0]) + doff, src + soff, static_cast<size_t>(len));
  *o = ok_keyword();
  return true;
}

// (bytebuf-fill! buf offset length byte)
bool bytebuf_fill(NativeContext& ctx, Args a, Term* o) {
  const char* fn = "bytebuf-fill!";
  if (!is_bytebuf(a[0])) return type_error(ctx, fn, "a bytebuf", a[0]);
  int64_t off = 0, len = 0;
  if (!position_arg(ctx, a[1], fn, &off) || !position_arg(ctx, a[2], fn, &len)) return false;
  uint64_t byte = 0;
  if (!bits_arg(ctx, a[3], fn, 8, &byte)) return false;
  size_t size = bytebuf_size(a[0]);
  if (!within(off, len, size)) return out_of_bounds(ctx, fn, off, len, size);
  if (len > 0)
    std::memset(bytebuf_data(a[0]) + off, static_cast<int>(byte), static_cast<size_t>(len));
  *o = ok_keyword();
  return true;
}

// --- byte order ----------------------------------------------------------------------------------

bool native_endian(NativeContext&, Args, Term* o) {
  *o = make_keyword(std::endian::native == std::endian::little ? "little" : "big");
  return true;
}

// Swaps the two bytes of a u16 when the target order differs from the host's.
template <std::endian kTarget>
bool convert16(NativeContext& ctx, Args a, Term* o, const char* fn) {
  uint64_t v = 0;
  if (!bits_arg(ctx, a[0], fn, 16, &v)) return false;
  if constexpr (kTarget != std::endian::native) v = bits::reverse_bytes(v, 2);
  *o = make_fixed_bits(ctx.heap, FixedKind::kU16, v);
  return true;
}
bool native_to_be16(NativeContext& c, Args a, Term* o) {
  return convert16<std::endian::big>(c, a, o, "native->be16");
}
bool be_to_native16(NativeContext& c, Args a, Term* o) {
  return convert16<std::endian::big>(c, a, o, "be->native16");
}
bool native_to_le16(NativeContext& c, Args a, Term* o) {
  return convert16<std::endian::little>(c, a, o, "native->le16");
}
bool le_to_native16(NativeContext& c, Args a, Term* o) {
  return convert16<std::endian::little>(c, a, o, "le->native16");
}

// --- physical and virtual addresses --------------------------------------------------------------

constexpr ObjTag kP = ObjTag::kPaddr;
constexpr ObjTag kV = ObjTag::kVaddr;

template <ObjTag kTag>
bool address_arg(NativeContext& ctx, Term t, const char* fn, uint64_t* out) {
  if (!is_object(t, kTag)) return type_error(ctx, fn, kTag == kP ? "a paddr" : "a vaddr", t);
  *out = address_value(t);
  return true;
}

// An alignment: a power of two.
bool alignment_arg(NativeContext& ctx, Term t, const char* fn, uint64_t* out) {
  BigInt v;
  if (!integer_arg(ctx, t, fn, "an alignment", &v)) return false;
  std::optional<uint64_t> x = v.to_uint64();
  if (!x || !std::has_single_bit(*x)) {
    return ctx.fail("badarg", str_cat(fn, ": alignment ", print(t), " is not a power of two"));
  }
  *out = *x;
  return true;
}

template <ObjTag kTag>
bool address_new(NativeContext& ctx, Args a, Term* o, const char* fn) {
  BigInt v;
  if (!integer_arg(ctx, a[0], fn, "a u64 address", &v)) return false;
  std::optional<uint64_t> x = v.to_uint64();
  if (!x) return ctx.fail("badarg", str_cat(fn, ": ", print(a[0]), " is not a u64 address"));
  *o = make_address(ctx.heap, kTag, *x);
  return true;
}

template <ObjTag kTag>
bool address_p(NativeContext&, Args a, Term* o) {
  *o = Term::boolean(is_object(a[0], kTag));
  return true;
}

template <ObjTag kTag>
bool address_to_u64(NativeContext& ctx, Args a, Term* o, const char* fn) {
  uint64_t v = 0;
  if (!address_arg<kTag>(ctx, a[0], fn, &v)) return false;
  *o = make_fixed_bits(ctx.heap, FixedKind::kU64, v);
  return true;
}

// (paddr+ p offset): offset is a u64 (or a negative integer, which moves down); wraps.
template <ObjTag kTag>
bool address_add(NativeContext& ctx, Args a, Term* o, const char* fn) {
  uint64_t base = 0, offset = 0;
  if (!address_arg<kTag>(ctx, a[0], fn, &base)) return false;
  if (!bits_arg(ctx, a[1], fn, 64, &offset)) return false;
  *o = make_address(ctx.heap, kTag, base + offset);
  return true;
}

// (paddr- a b): the distance a - b as a u64 (wraps when b is above a).
template <ObjTag kTag>
bool address_sub(NativeContext& ctx, Args a, Term* o, const char* fn) {
  uint64_t x = 0, y = 0;
  if (!address_arg<kTag>(ctx, a[0], fn, &x) || !address_arg<kTag>(ctx, a[1], fn, &y)) return false;
  *o = make_fixed_bits(ctx.heap, FixedKind::kU64, x - y);
  return true;
}

template <ObjTag kTag, bool kLess>
bool address_compare(NativeContext& ctx, Args a, Term* o, const char* fn) {
  uint64_t x = 0, y = 0;
  if (!address_arg<kTag>(ctx, a[0], fn, &x) || !address_arg<kTag>(ctx, a[1], fn, &y)) return false;
  *o = Term::boolean(kLess ? x < y : x == y);
  return true;
}

enum class Align { kUp, kDown, kTest };

template <ObjTag kTag, Align kMode>
bool address_align(NativeContext& ctx, Args a, Term* o, const char* fn) {
  uint64_t v = 0, align = 0;
  if (!address_arg<kTag>(ctx, a[0], fn, &v) || !alignment_arg(ctx, a[1], fn, &align)) {
    return false;
  }
  uint64_t mask = align - 1;
  switch (kMode) {
    case Align::kUp:
      *o = make_address(ctx.heap, kTag, (v + mask) & ~mask);
      break;
    case Align::kDown:
      *o = make_address(ctx.heap, kTag, v & ~mask);
      break;
    case Align::kTest:
      *o = Term::boolean((v & mask) == 0);
      break;
  }
  return true;
}

#define LONA_ADDRESS_FN(cname, lname, call) \
  bool cname(NativeContext& c, Args a, Term* o) { return call(c, a, o, lname); }
LONA_ADDRESS_FN(paddr_new, "paddr", address_new<kP>)
LONA_ADDRESS_FN(vaddr_new, "vaddr", address_new<kV>)
LONA_ADDRESS_FN(paddr_to_u64, "paddr->u64", address_to_u64<kP>)
LONA_ADDRESS_FN(vaddr_to_u64, "vaddr->u64", address_to_u64<kV>)
LONA_ADDRESS_FN(paddr_add, "paddr+", address_add<kP>)
LONA_ADDRESS_FN(vaddr_add, "vaddr+", address_add<kV>)
LONA_ADDRESS_FN(paddr_sub, "paddr-", address_sub<kP>)
LONA_ADDRESS_FN(vaddr_sub, "vaddr-", address_sub<kV>)
LONA_ADDRESS_FN(paddr_eq, "paddr=", (address_compare<kP, false>))
LONA_ADDRESS_FN(vaddr_eq, "vaddr=", (address_compare<kV, false>))
LONA_ADDRESS_FN(paddr_lt, "paddr<", (address_compare<kP, true>))
LONA_ADDRESS_FN(vaddr_lt, "vaddr<", (address_compare<kV, true>))
LONA_ADDRESS_FN(paddr_align, "paddr-align", (address_align<kP, Align::kUp>))
LONA_ADDRESS_FN(vaddr_align, "vaddr-align", (address_align<kV, Align::kUp>))
LONA_ADDRESS_FN(paddr_align_down, "paddr-align-down", (address_align<kP, Align::kDown>))
LONA_ADDRESS_FN(vaddr_align_down, "vaddr-align-down", (address_align<kV, Align::kDown>))
LONA_ADDRESS_FN(paddr_aligned_p, "paddr-aligned?", (address_align<kP, Align::kTest>))
LONA_ADDRESS_FN(vaddr_aligned_p, "vaddr-aligned?", (address_align<kV, Align::kTest>))
#undef LONA_ADDRESS_FN

// --- strings -------------------------------------------------------------------------------------

// (subs s start [end]): the code points [start, end) of s; end defaults to the length.
bool subs(NativeContext& ctx, Args a, Term* o) {
  if (!is_string(a[0])) return type_error(ctx, "subs", "a string", a[0]);
  std::string_view s = byte_view(a[0]);
  size_t count = code_point_count(s);
  int64_t start = 0, end = static_cast<int64_t>(count);
  if (!position_arg(ctx, a[1], "subs", &start)) return false;
  if (a.size() == 3 && !position_arg(ctx, a[2], "subs", &end)) return false;
  if (start < 0 || end < start || static_cast<uint64_t>(end) > count) {
    return ctx.fail("out-of-bounds", str_cat("subs: range ", start, " to ", end,
                                             " out of bounds for ", count, " characters"));
  }
  size_t from = code_point_offset(s, static_cast<size_t>(start));
  size_t to = code_point_offset(s, static_cast<size_t>(end));
  std::string part(s.substr(from, to - from));
  *o = make_string(ctx.heap, part);
  return true;
}

// --- sets and maps -------------------------------------------------------------------------------

// `built` is a copy of args[0] made by a collection constructor: it gets args[0]'s metadata back.
Term keep_meta(NativeContext& ctx, Args a, Term built) {
  Term m = meta_of(a[0]);
  return m.is_nil() ? built : with_meta(ctx.heap, built, m);
}

// (set-add s x...): s with the elements added (at the end, in order); nil acts as #{}.
bool set_add(NativeContext& ctx, Args a, Term* o) {
  if (!a[0].is_nil() && !is_set(a[0])) return type_error(ctx, "set-add", "a set", a[0]);
  bool changed = a[0].is_nil();
  for (size_t i = 1; i < a.size() && !changed; ++i) changed = !set_contains(a[0], a[i]);
  if (!changed) {
    *o = a[0];
    return true;
  }
  size_t n = a[0].is_nil() ? 0 : set_count(a[0]);
  for (size_t i = 0; i < n; ++i) ctx.heap.push(set_at(a[0], i));
  for (size_t i = 1; i < a.size(); ++i) ctx.heap.push(a[i]);
  Term built = set_from_stack(ctx.heap, n + a.size() - 1);
  *o = a[0].is_nil() ? built : keep_meta(ctx, a, built);
  return true;
}

// Whether x equals one of a[1..].
bool among_rest(Args a, Term x) {
  for (size_t i = 1; i < a.size(); ++i) {
    if (equal(x, a[i])) return true;
  }
  return false;
}

// (set-remove s x...): s without the elements (absent ones are fine).
bool set_remove(NativeContext& ctx, Args a, Term* o) {
  if (a[0].is_nil()) {
    *o = Term::nil();
    return true;
  }
  if (!is_set(a[0])) return type_error(ctx, "set-remove", "a set", a[0]);
  bool present = false;
  for (size_t i = 1; i < a.size() && !present; ++i) present = set_contains(a[0], a[i]);
  if (!present) {
    *o = a[0];
    return true;
  }
  size_t n = set_count(a[0]), kept = 0;
  for (size_t i = 0; i < n; ++i) {
    Term x = set_at(a[0], i);
    if (among_rest(a, x)) continue;
    ctx.heap.push(x);
    ++kept;
  }
  *o = keep_meta(ctx, a, set_from_stack(ctx.heap, kept));
  return true;
}

// (dissoc m k...): m without the keys (absent ones are fine); nil stays nil.
bool dissoc(NativeContext& ctx, Args a, Term* o) {
  if (a[0].is_nil()) {
    *o = Term::nil();
    return true;
  }
  if (!is_map(a[0])) return type_error(ctx, "dissoc", "a map", a[0]);
  bool present = false;
  for (size_t i = 1; i < a.size() && !present; ++i) present = map_get(a[0], a[i]).has_value();
  if (!present) {
    *o = a[0];
    return true;
  }
  size_t n = map_count(a[0]), kept = 0;
  for (size_t i = 0; i < n; ++i) {
    if (among_rest(a, map_key(a[0], i))) continue;
    ctx.heap.push(map_key(a[0], i));
    ctx.heap.push(map_value(a[0], i));
    ++kept;
  }
  *o = keep_meta(ctx, a, map_from_stack(ctx.heap, kept));
  return true;
}

const Intrinsic kBinary[] = {
    // binaries (binary? is a core predicate)
    {"binary", binary, 1, 1},
    {"binary-size", binary_size, 1, 1},
    {"binary-ref", binary_ref, 2, 2},
    {"binary-slice", binary_slice, 3, 3},
    {"binary-concat", binary_concat, 0, -1},
    {"binary->string", binary_to_string, 1, 2},
    {"string->binary", string_to_binary, 1, 2},
    // bytebufs
    {"bytebuf?", bytebuf_p, 1, 1},
    {"bytebuf-alloc", bytebuf_alloc, 1, 1},
    {"bytebuf-alloc-unsafe", bytebuf_alloc, 1, 1},  // zeroed all the same
    {"bytebuf-size", bytebuf_size_, 1, 1},
    {"bytebuf->binary", bytebuf_to_binary, 1, 3},
    {"bytebuf-read8", read8, 2, 2},
    {"bytebuf-read-i8", read_i8, 2, 2},
    {"bytebuf-read16", read16, 2, 2},
    {"bytebuf-read16-le", read16_le, 2, 2},
    {"bytebuf-read16-be", read16_be, 2, 2},
    {"bytebuf-read32", read32, 2, 2},
    {"bytebuf-read32-le", read32_le, 2, 2},
    {"bytebuf-read32-be", read32_be, 2, 2},
    {"bytebuf-read64", read64, 2, 2},
    {"bytebuf-read64-le", read64_le, 2, 2},
    {"bytebuf-read64-be", read64_be, 2, 2},
    {"bytebuf-write8!", write8, 3, 3},
    {"bytebuf-write16!", write16, 3, 3},
    {"bytebuf-write16-le!", write16_le, 3, 3},
    {"bytebuf-write16-be!", write16_be, 3, 3},
    {"bytebuf-write32!", write32, 3, 3},
    {"bytebuf-write32-le!", write32_le, 3, 3},
    {"bytebuf-write32-be!", write32_be, 3, 3},
    {"bytebuf-write64!", write64, 3, 3},
    {"bytebuf-write64-le!", write64_le, 3, 3},
    {"bytebuf-write64-be!", write64_be, 3, 3},
    {"bytebuf-copy!", bytebuf_copy, 5, 5},
    {"bytebuf-fill!", bytebuf_fill, 4, 4},
    // byte order
    {"native-endian", native_endian, 0, 0},
    {"native->be16", native_to_be16, 1, 1},
    {"be->native16", be_to_native16, 1, 1},
    {"native->le16", native_to_le16, 1, 1},
    {"le->native16", le_to_native16, 1, 1},
    // addresses
    {"paddr", paddr_new, 1, 1},
    {"vaddr", vaddr_new, 1, 1},
    {"paddr?", address_p<kP>, 1, 1},
    {"vaddr?", address_p<kV>, 1, 1},
    {"paddr->u64", paddr_to_u64, 1, 1},
    {"vaddr->u64", vaddr_to_u64, 1, 1},
    {"paddr+", paddr_add, 2, 2},
    {"vaddr+", vaddr_add, 2, 2},
    {"paddr-", paddr_sub, 2, 2},
    {"vaddr-", vaddr_sub, 2, 2},
    {"paddr=", paddr_eq, 2, 2},
    {"vaddr=", vaddr_eq, 2, 2},
    {"paddr<", paddr_lt, 2, 2},
    {"vaddr<", vaddr_lt, 2, 2},
    {"paddr-align", paddr_align, 2, 2},
    {"vaddr-align", vaddr_align, 2, 2},
    {"paddr-align-down", paddr_align_down, 2, 2},
    {"vaddr-align-down", vaddr_align_down, 2, 2},
    {"paddr-aligned?", paddr_aligned_p, 2, 2},
    {"vaddr-aligned?", vaddr_aligned_p, 2, 2},
    // strings
    {"subs", subs, 2, 3},
    // sets and maps
    {"set-add", set_add, 2, -1},
    {"set-remove", set_remove, 2, -1},
    {"dissoc", dissoc, 2, -1},
    // construction of #bytes[...] and #bits[...] with non-literal parts
    {"bytes", bytes, 0, -1},
    {"bits", bits, 0, -1},
};

}  // namespace

std::span<const Intrinsic> binary_intrinsic_table() { return kBinary; }

}  // namespace lona
