#include "runtime/term/term_codec.hpp"

#include <bit>
#include <optional>
#include <string_view>
#include <utility>

#include "runtime/support/str_cat.hpp"
#include "runtime/term/bigint.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/kind.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/pid.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/text.hpp"
#include "runtime/term/utf8.hpp"

namespace lona {
namespace {

// The tags of format version 1 (docs/protocol.md). Their values are the format: never renumber.
enum Tag : uint8_t {
  kTagNil = 0x00,
  kTagFalse = 0x01,
  kTagTrue = 0x02,
  kTagEmptyList = 0x03,
  kTagInteger = 0x04,
  kTagBigInt = 0x05,
  kTagFloat = 0x06,
  kTagRatio = 0x07,
  kTagChar = 0x08,
  kTagString = 0x09,
  kTagKeyword = 0x0A,
  kTagSymbol = 0x0B,
  kTagBinary = 0x0C,
  kTagTuple = 0x0D,
  kTagVector = 0x0E,
  kTagList = 0x0F,
  kTagMap = 0x10,
  kTagSet = 0x11,
  kTagPid = 0x12,
  kTagRef = 0x13,
  kTagFixed = 0x14,
  kTagRealmId = 0x15,
};

constexpr std::string_view kPrefix = "serialized term: ";

uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t unzigzag(uint64_t u) { return static_cast<int64_t>((u >> 1) ^ (0 - (u & 1))); }

// Hex digits of v, at least `min_digits` of them.
std::string hex(uint64_t v, int min_digits, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (int i = 0; i < min_digits || v != 0; ++i, v >>= 4) out.insert(out.begin(), digits[v & 0xF]);
  return out;
}

// --- encoding ------------------------------------------------------------------------------------

class Encoder {
 public:
  Encoder(uint64_t realm, std::vector<uint8_t>* out) : realm_(realm), out_(out) {}

  bool run(Term t, std::string* error) {
    size_t mark = out_->size();
    out_->push_back(kTermFormatVersion);
    bool ok = put(t);
    while (ok && !frames_.empty()) {
      Frame& f = frames_.back();
      if (f.next == f.count) {
        frames_.pop_back();
        continue;
      }
      ok = put(next_child(f));  // may push a frame: f is not used after this
    }
    if (!ok) {
      out_->resize(mark);
      *error = std::move(error_);
    }
    return ok;
  }

 private:
  // A collection whose children are being written.
  struct Frame {
    Term collection;
    Term cursor;  // lists: the cell whose head comes next
    size_t next = 0;
    size_t count = 0;  // children: elements, or 2 per map entry
    Kind kind = Kind::kList;
  };

  Term next_child(Frame& f) {
    size_t i = f.next++;
    switch (f.kind) {
      case Kind::kList: {
        Term head = list_head(f.cursor);
        f.cursor = list_tail(f.cursor);
        return head;
      }
      case Kind::kMap:
        return i % 2 == 0 ? map_key(f.collection, i / 2) : map_value(f.collection, i / 2);
      case Kind::kSet:
        return set_at(f.collection, i);
      default:
        return array_at(f.collection, i);
    }
  }

  void byte(uint8_t b) { out_->push_back(b); }
  void uvarint(uint64_t v) {
    for (; v >= 0x80; v >>= 7) byte(static_cast<uint8_t>(v | 0x80));
    byte(static_cast<uint8_t>(v));
  }
  void svarint(int64_t v) { uvarint(zigzag(v)); }
  void counted(uint8_t tag, std::string_view bytes) {
    byte(tag);
    uvarint(bytes.size());
    out_->insert(out_->end(), bytes.begin(), bytes.end());
  }

  // An integer, small or big: 0x04 whenever the value fits 64 bits, whatever the representation.
  void integer(Term t) {
    if (t.is_fixnum()) {
      byte(kTagInteger);
      svarint(t.fixnum_value());
      return;
    }
    BigInt v = integer_value(t);
    if (v.fits_int64()) {
      byte(kTagInteger);
      svarint(v.to_int64());
      return;
    }
    std::span<const BigInt::Limb> limbs = v.limbs();  // no leading zero limb: not empty here
    size_t bytes =
        (limbs.size() - 1) * 8 + (static_cast<size_t>(std::bit_width(limbs.back())) + 7) / 8;
    byte(kTagBigInt);
    byte(v.is_negative() ? 1 : 0);
    uvarint(bytes);
    for (size_t i = 0; i < bytes; ++i) byte(static_cast<uint8_t>(limbs[i / 8] >> (8 * (i % 8))));
  }

  // Writes a leaf, or the tag and count of a collection and opens a frame for its children.
  bool put(Term t) {
    Kind kind = kind_of(t);
    switch (kind) {
      case Kind::kNil:
        byte(kTagNil);
        return true;
      case Kind::kBoolean:
        byte(t.is_true() ? kTagTrue : kTagFalse);
        return true;
      case Kind::kInteger:
        integer(t);
        return true;
      case Kind::kFloat: {
        auto bits = std::bit_cast<uint64_t>(float_value(t));
        byte(kTagFloat);
        for (int i = 0; i < 8; ++i) byte(static_cast<uint8_t>(bits >> (8 * i)));
        return true;
      }
      case Kind::kRatio:
        byte(kTagRatio);
        integer(ratio_numerator(t));
        integer(ratio_denominator(t));
        return true;
      case Kind::kFixed:
        byte(kTagFixed);
        byte(static_cast<uint8_t>(fixed_kind(t)));
        // A u64 past INT64_MAX travels as the int64 of the same bits (the svarint has 64 bits).
        svarint(static_cast<int64_t>(fixed_bits(t)));
        return true;
      case Kind::kChar:
        byte(kTagChar);
        uvarint(t.char_value());
        return true;
      case Kind::kString:
        counted(kTagString, byte_view(t));
        return true;
      case Kind::kKeyword:
        counted(kTagKeyword, name_entry(t).full);
        return true;
      case Kind::kSymbol:
        counted(kTagSymbol, name_entry(bare_symbol(t)).full);
        return true;
      case Kind::kBinary:
        counted(kTagBinary, byte_view(t));
        return true;
      case Kind::kPid:
        byte(kTagPid);
        uvarint(pid_realm(t));
        uvarint(pid_local(t));
        return true;
      case Kind::kRef:
        byte(kTagRef);
        uvarint(realm_);
        uvarint(ref_id(t));
        return true;
      case Kind::kRealmId:
        byte(kTagRealmId);
        uvarint(realm_id_value(t));
        return true;
      case Kind::kList: {
        if (t.is_empty_list()) {
          byte(kTagEmptyList);
          return true;
        }
        size_t n = 0;
        Term rest = t;
        for (; rest.is_cons(); rest = list_tail(rest)) ++n;
        if (!rest.is_empty_list()) return cannot("an improper list");
        return open(kTagList, t, n, kind);
      }
      case Kind::kTuple:
        return open(kTagTuple, t, array_count(t), kind);
      case Kind::kVector:
        return open(kTagVector, t, array_count(t), kind);
      case Kind::kMap:
        return open(kTagMap, t, map_count(t), kind);
      case Kind::kSet:
        return open(kTagSet, t, set_count(t), kind);
      case Kind::kFunction:
        return cannot("a function");
      case Kind::kVar:
        return cannot("a var");
      case Kind::kNamespace:
        return cannot("a namespace");
      case Kind::kBytebuf:
        return cannot("a bytebuf");
      case Kind::kPaddr:
        return cannot("a paddr");
      case Kind::kVaddr:
        return cannot("a vaddr");
      case Kind::kCapability:
        return cannot("a capability");
      case Kind::kMsgInfo:
        return cannot("a msg-info");
      case Kind::kUnbound:
      case Kind::kInternal:
        break;
    }
    return cannot("an internal value");
  }

  bool open(uint8_t tag, Term t, size_t count, Kind kind) {
    // The receiver refuses deeper terms; saying so here names the sender's mistake.
    if (frames_.size() >= kMaxTermDepth) {
      error_ = str_cat(kPrefix, "cannot send a term nested deeper than ", kMaxTermDepth,
                       " collections to another realm");
      return false;
    }
    byte(tag);
    uvarint(count);
    if (count == 0) return true;
    Frame& f = frames_.emplace_back();
    f.collection = t;
    f.cursor = t;
    f.count = kind == Kind::kMap ? 2 * count : count;
    f.kind = kind;
    return true;
  }

  bool cannot(std::string_view what) {
    error_ = str_cat(kPrefix, "cannot send ", what, " to another realm");
    return false;
  }

  uint64_t realm_;
  std::vector<uint8_t>* out_;
  std::vector<Frame> frames_;
  std::string error_;
};

// --- decoding ------------------------------------------------------------------------------------

class Decoder {
 public:
  Decoder(Heap& heap, std::span<const uint8_t> in, uint64_t realm)
      : heap_(heap), in_(in), realm_(realm) {}

  TermDecodeResult run() {
    size_t base = heap_.stack().size();
    if (!read_all()) {
      heap_.stack().resize(base);  // the parts made so far become garbage
      return std::move(result_);
    }
    result_.ok = true;
    result_.value = heap_.pop();
    return std::move(result_);
  }

 private:
  // A collection whose children are being read; they go on the heap's term stack as they are
  // made, so that no allocation loses one, and the collection is made from there.
  struct Frame {
    uint8_t tag;
    size_t offset;
    size_t count;      // elements, or map entries
    size_t remaining;  // children still to read (2 per map entry)
  };
  enum class Step { kTerm, kOpened, kFailed };

  bool read_all() {
    if (in_.empty()) return fail(str_cat(kPrefix, "empty input"));
    if (in_[0] != kTermFormatVersion) {
      return fail(str_cat(kPrefix, "unknown format version ", in_[0], " (version ",
                          kTermFormatVersion, " expected)"));
    }
    pos_ = 1;
    for (;;) {
      Step step = read_term();
      if (step == Step::kFailed) return false;
      if (step == Step::kOpened) continue;
      // A finished term is on the stack: close the collections it completes.
      for (;;) {
        if (frames_.empty()) {
          if (pos_ != in_.size()) {
            return fail(
                str_cat(kPrefix, in_.size() - pos_, " bytes left after the term at offset ", pos_));
          }
          return true;
        }
        Frame& f = frames_.back();
        if (--f.remaining > 0) break;
        if (!close(f)) return false;
        frames_.pop_back();
      }
    }
  }

  Step read_term() {
    size_t at = pos_;
    if (pos_ >= in_.size()) return failed(truncated("term", at));
    uint8_t tag = in_[pos_++];
    switch (tag) {
      case kTagNil:
        return done(Term::nil());
      case kTagFalse:
        return done(Term::boolean(false));
      case kTagTrue:
        return done(Term::boolean(true));
      case kTagEmptyList:
        return done(Term::empty_list());
      case kTagInteger: {
        int64_t v;
        if (!svarint(&v)) return Step::kFailed;
        return done(make_integer(heap_, v));
      }
      case kTagBigInt: {
        std::optional<BigInt> v = read_integer(tag, at);
        if (!v) return Step::kFailed;
        return done(make_integer(heap_, *v));
      }
      case kTagFloat: {
        if (in_.size() - pos_ < 8) return failed(truncated("float", at));
        uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits |= uint64_t{in_[pos_++]} << (8 * i);
        return done(make_float(heap_, std::bit_cast<double>(bits)));
      }
      case kTagRatio:
        return read_ratio(at);
      case kTagChar: {
        uint64_t cp;
        if (!uvarint(&cp)) return Step::kFailed;
        if (cp > 0x10FFFF || !is_scalar_value(static_cast<uint32_t>(cp))) {
          return failed(str_cat(kPrefix, "char U+", hex(cp, 4, true), " at offset ", at,
                                " is not a Unicode scalar value"));
        }
        return done(Term::character(static_cast<uint32_t>(cp)));
      }
      case kTagString:
      case kTagKeyword:
      case kTagSymbol:
      case kTagBinary:
        return read_bytes(tag, at);
      case kTagTuple:
      case kTagVector:
      case kTagList:
      case kTagMap:
      case kTagSet:
        return open(tag, at);
      case kTagPid: {
        uint64_t realm, local;
        if (!uvarint(&realm) || !uvarint(&local)) return Step::kFailed;
        if (realm == 0) return failed(never_a_realm("pid", at));
        return done(make_pid(heap_, realm, local));
      }
      case kTagRef:
        return read_ref(at);
      case kTagFixed:
        return read_fixed(at);
      case kTagRealmId: {
        uint64_t id;
        if (!uvarint(&id)) return Step::kFailed;
        if (id == 0) return failed(never_a_realm("realm id", at));
        return done(make_realm_id(heap_, id));
      }
      default:
        return failed(str_cat(kPrefix, "unknown tag 0x", hex(tag, 2, false), " at offset ", at));
    }
  }

  Step done(Term t) {
    heap_.push(t);
    return Step::kTerm;
  }

  // After tag 0x04 or 0x05 at `at`: the value.
  std::optional<BigInt> read_integer(uint8_t tag, size_t at) {
    if (tag == kTagInteger) {
      int64_t v;
      if (!svarint(&v)) return std::nullopt;
      return BigInt::from_int64(v);
    }
    if (pos_ >= in_.size()) return failure(truncated("big integer", at));
    uint8_t sign = in_[pos_++];
    if (sign > 1) {
      return failure(
          str_cat(kPrefix, "big integer sign ", sign, " at offset ", at, " is not 0 or 1"));
    }
    size_t n;
    if (!count(1, &n)) return std::nullopt;
    std::vector<BigInt::Limb> limbs((n + 7) / 8, 0);
    for (size_t i = 0; i < n; ++i) limbs[i / 8] |= BigInt::Limb{in_[pos_++]} << (8 * (i % 8));
    // Leading zero bytes, a negative zero and values that fit 64 bits are accepted and normalised
    // (from_limbs, then make_integer), as the runtime's own constructors do.
    return BigInt::from_limbs(sign == 1, limbs);
  }

  Step read_ratio(size_t at) {
    BigInt parts[2];
    for (BigInt& part : parts) {
      size_t part_at = pos_;
      if (pos_ >= in_.size()) return failed(truncated("ratio part", part_at));
      uint8_t tag = in_[pos_++];
      if (tag != kTagInteger && tag != kTagBigInt) {
        return failed(str_cat(kPrefix, "ratio part at offset ", part_at,
                              " is not an integer (tag 0x", hex(tag, 2, false), ")"));
      }
      std::optional<BigInt> v = read_integer(tag, part_at);
      if (!v) return Step::kFailed;
      part = std::move(*v);
    }
    if (parts[1].is_zero()) {
      return failed(str_cat(kPrefix, "ratio at offset ", at, " has a zero denominator"));
    }
    // Reduced as the reader reduces 4/2 to 2: the sender's runtime never makes such a ratio.
    return done(make_ratio(heap_, parts[0], parts[1]));
  }

  Step read_bytes(uint8_t tag, size_t at) {
    size_t n;
    if (!count(1, &n)) return Step::kFailed;
    std::string_view bytes(reinterpret_cast<const char*>(in_.data() + pos_), n);
    size_t start = pos_;
    pos_ += n;
    if (tag == kTagBinary) return done(make_binary(heap_, bytes));
    if (size_t bad = utf8::first_invalid(bytes, 0); bad != std::string_view::npos) {
      const char* what = tag == kTagString ? "string" : tag == kTagKeyword ? "keyword" : "symbol";
      return failed(str_cat(kPrefix, "invalid UTF-8 at offset ", start + bad, " in the ", what,
                            " at offset ", at));
    }
    if (tag == kTagString) return done(make_string(heap_, bytes));
    return done(tag == kTagKeyword ? make_keyword(bytes) : make_symbol(bytes));
  }

  Step read_ref(size_t at) {
    uint64_t realm, number;
    if (!uvarint(&realm) || !uvarint(&number)) return Step::kFailed;
    if (realm == 0) return failed(never_a_realm("reference", at));
    if (number == 0) {
      return failed(
          str_cat(kPrefix, "reference at offset ", at, " has number 0, which no realm makes"));
    }
    if (realm != realm_) {
      // A ref holds only its number, unique within its own realm: a foreign one would be
      // confused with this realm's ref of the same number.
      result_.reason = "unsupported";
      result_.message = str_cat(kPrefix, "reference at offset ", at, " was made in realm ", realm,
                                ", and this realm (", realm_, ") can hold only its own references");
      return Step::kFailed;
    }
    return done(make_ref(heap_, number));
  }

  Step read_fixed(size_t at) {
    if (pos_ >= in_.size()) return failed(truncated("fixed-width integer", at));
    uint8_t kind = in_[pos_++];
    if (kind > static_cast<uint8_t>(FixedKind::kI64)) {
      return failed(
          str_cat(kPrefix, "fixed-width kind ", kind, " at offset ", at, " is unknown (0 to 7)"));
    }
    int64_t v;
    if (!svarint(&v)) return Step::kFailed;
    auto fixed = static_cast<FixedKind>(kind);
    BigInt value = fixed == FixedKind::kU64 ? BigInt::from_uint64(static_cast<uint64_t>(v))
                                            : BigInt::from_int64(v);
    std::optional<Term> t = make_fixed(heap_, fixed, value);
    if (!t) {
      return failed(str_cat(kPrefix, "value ", v, " at offset ", at, " is out of range for ",
                            fixed_info(fixed).suffix));
    }
    return done(*t);
  }

  // A collection tag at `at`: its count, then a frame (or the empty collection at once).
  Step open(uint8_t tag, size_t at) {
    if (frames_.size() >= kMaxTermDepth) {
      return failed(str_cat(kPrefix, "collection at offset ", at, " is nested deeper than ",
                            kMaxTermDepth, " levels"));
    }
    size_t n;
    if (!count(tag == kTagMap ? 2 : 1, &n)) return Step::kFailed;
    Frame f{tag, at, n, tag == kTagMap ? 2 * n : n};
    if (n == 0) return close(f) ? Step::kTerm : Step::kFailed;
    frames_.push_back(f);
    return Step::kOpened;
  }

  // Makes the collection of frame f from the stack and pushes it.
  bool close(const Frame& f) {
    Term t;
    switch (f.tag) {
      case kTagTuple:
        t = tuple_from_stack(heap_, f.count);
        break;
      case kTagVector:
        t = vector_from_stack(heap_, f.count);
        break;
      case kTagList:
        t = list_from_stack(heap_, f.count);
        break;
      case kTagMap:
        t = map_from_stack(heap_, f.count);
        // The constructor would keep one entry per key; a sender never writes a repeated key,
        // so the message is damaged and which entry survives should not be guessed.
        if (map_count(t) != f.count) {
          return fail(str_cat(kPrefix, "map at offset ", f.offset, " repeats a key"));
        }
        break;
      default:
        t = set_from_stack(heap_, f.count);
        if (set_count(t) != f.count) {
          return fail(str_cat(kPrefix, "set at offset ", f.offset, " repeats an element"));
        }
        break;
    }
    heap_.push(t);
    return true;
  }

  // A count, checked against the bytes left: each of the n items takes at least `item_bytes`.
  bool count(size_t item_bytes, size_t* n) {
    size_t at = pos_;
    uint64_t v;
    if (!uvarint(&v)) return false;
    size_t left = in_.size() - pos_;
    if (v > left / item_bytes) {
      return fail(str_cat(kPrefix, "count ", v, " at offset ", at, " is more than the ", left,
                          " bytes left can hold"));
    }
    *n = static_cast<size_t>(v);
    return true;
  }

  bool uvarint(uint64_t* v) {
    size_t at = pos_;
    uint64_t value = 0;
    for (int i = 0;; ++i) {
      if (pos_ >= in_.size()) return fail(truncated("varint", at));
      uint8_t b = in_[pos_++];
      // The tenth byte holds bit 63 only; anything more (a continuation included) is too long.
      if (i == 9 && b > 1) {
        return fail(str_cat(kPrefix, "varint at offset ", at, " is longer than 64 bits"));
      }
      value |= uint64_t{b & 0x7Fu} << (7 * i);
      if ((b & 0x80) == 0) break;
    }
    *v = value;
    return true;
  }

  bool svarint(int64_t* v) {
    uint64_t u;
    if (!uvarint(&u)) return false;
    *v = unzigzag(u);
    return true;
  }

  static std::string truncated(std::string_view what, size_t at) {
    return str_cat(kPrefix, what, " at offset ", at, " runs past the end of the input");
  }
  static std::string never_a_realm(std::string_view what, size_t at) {
    return str_cat(kPrefix, what, " at offset ", at, " names realm 0, which is never a realm");
  }

  bool fail(std::string message) {
    result_.reason = "malformed";
    result_.message = std::move(message);
    return false;
  }
  Step failed(std::string message) {
    fail(std::move(message));
    return Step::kFailed;
  }
  std::nullopt_t failure(std::string message) {
    fail(std::move(message));
    return std::nullopt;
  }

  Heap& heap_;
  std::span<const uint8_t> in_;
  uint64_t realm_;
  size_t pos_ = 0;
  std::vector<Frame> frames_;
  TermDecodeResult result_;
};

}  // namespace

bool encode_term(Term t, uint64_t realm, std::vector<uint8_t>* out, std::string* error) {
  return Encoder(realm, out).run(t, error);
}

TermDecodeResult decode_term(Heap& heap, std::span<const uint8_t> bytes, uint64_t realm) {
  return Decoder(heap, bytes, realm).run();
}

}  // namespace lona
