// runtime/term: the 64-bit tagged word that every module of Lona passes around.
//
// A Term is one machine word, BEAM style. The low two bits say what the word is:
//
//   ..00  header      first word of a boxed object (never a value by itself; see object.hpp)
//   ..01  list cell   pointer to a headerless two-word cons [head, tail]
//   ..10  boxed       pointer to a header word
//   ..11  immediate   the value is in the word itself
//
// Immediates use the low byte (or, for small integers, the low nibble) as a sub-tag:
//
//   xxxx_0011  small integer, 60-bit two's complement in bits 63..4
//   0000_0111  symbol    (intern table index in bits 63..8)
//   0001_0111  keyword   (intern table index in bits 63..8)
//   0010_0111  char      (Unicode scalar value in bits 63..8)
//   0011_0111  native function (intrinsic id in bits 63..8)
//   0100_0111  var       (index into the realm's var table)
//   0101_0111  namespace (index into the realm's namespace table)
//   xxxx_1011  constants: nil, true, false, unbound, the empty list
//
// Symbols and keywords are realm-global and never move, so they are immediates. Everything on a
// heap is reached through a list-cell or boxed pointer, so a copying collector finds every
// reference by looking at the low two bits of a word.
#pragma once

#include <cstdint>

namespace lona {

using Word = uint64_t;

class Term {
 public:
  // Small integers: 60 bits, the rest of int64 is boxed (see number.hpp).
  static constexpr int64_t kFixnumMax = (int64_t{1} << 59) - 1;
  static constexpr int64_t kFixnumMin = -(int64_t{1} << 59);

  constexpr Term() : w_(kNilWord) {}  // nil

  static constexpr Term from_raw(Word w) { return Term(w); }
  constexpr Word raw() const { return w_; }
  constexpr bool operator==(const Term&) const =
      default;  // identity, not equality (see equality.hpp)

  // --- primary tag -------------------------------------------------------------------------------
  constexpr bool is_cons() const { return (w_ & 3) == 1; }
  constexpr bool is_boxed() const { return (w_ & 3) == 2; }
  constexpr bool is_immediate() const { return (w_ & 3) == 3; }
  constexpr bool is_pointer() const { return (w_ & 1) != (w_ >> 1 & 1); }  // 01 or 10

  static Term cons_ptr(Word* cell) { return Term(reinterpret_cast<Word>(cell) | 1); }
  static Term boxed_ptr(Word* header) { return Term(reinterpret_cast<Word>(header) | 2); }
  Word* cons_cell() const { return reinterpret_cast<Word*>(w_ - 1); }
  Word* boxed_object() const { return reinterpret_cast<Word*>(w_ - 2); }

  // --- small integers
  // ------------------------------------------------------------------------------
  static constexpr bool fits_fixnum(int64_t v) { return v >= kFixnumMin && v <= kFixnumMax; }
  static constexpr Term fixnum(int64_t v) { return Term((static_cast<Word>(v) << 4) | kFixnumTag); }
  constexpr bool is_fixnum() const { return (w_ & 0xF) == kFixnumTag; }
  constexpr int64_t fixnum_value() const { return static_cast<int64_t>(w_) >> 4; }

  // --- interned names and chars ----------------------------------------------------------------
  static constexpr Term symbol(uint32_t index) { return Term(Word{index} << 8 | kSymbolTag); }
  static constexpr Term keyword(uint32_t index) { return Term(Word{index} << 8 | kKeywordTag); }
  static constexpr Term character(uint32_t code_point) {
    return Term(Word{code_point} << 8 | kCharTag);
  }
  constexpr bool is_symbol() const { return (w_ & 0xFF) == kSymbolTag; }
  constexpr bool is_keyword() const { return (w_ & 0xFF) == kKeywordTag; }
  constexpr bool is_char() const { return (w_ & 0xFF) == kCharTag; }

  // --- realm-global entities: intrinsics, vars, namespaces (never on a heap) -------------------
  static constexpr Term native_fn(uint32_t id) { return Term(Word{id} << 8 | kNativeFnTag); }
  static constexpr Term var(uint32_t index) { return Term(Word{index} << 8 | kVarTag); }
  static constexpr Term ns(uint32_t index) { return Term(Word{index} << 8 | kNsTag); }
  constexpr bool is_native_fn() const { return (w_ & 0xFF) == kNativeFnTag; }
  constexpr bool is_var() const { return (w_ & 0xFF) == kVarTag; }
  constexpr bool is_ns() const { return (w_ & 0xFF) == kNsTag; }
  constexpr uint32_t index() const { return static_cast<uint32_t>(w_ >> 8); }
  constexpr uint32_t name_index() const { return static_cast<uint32_t>(w_ >> 8); }
  constexpr uint32_t char_value() const { return static_cast<uint32_t>(w_ >> 8); }

  // --- constants
  // -----------------------------------------------------------------------------------
  static constexpr Term nil() { return Term(kNilWord); }
  static constexpr Term boolean(bool b) { return Term(b ? kTrueWord : kFalseWord); }
  static constexpr Term unbound() { return Term(kUnboundWord); }
  static constexpr Term empty_list() { return Term(kEmptyListWord); }
  constexpr bool is_nil() const { return w_ == kNilWord; }
  constexpr bool is_true() const { return w_ == kTrueWord; }
  constexpr bool is_false() const { return w_ == kFalseWord; }
  constexpr bool is_boolean() const { return w_ == kTrueWord || w_ == kFalseWord; }
  constexpr bool is_unbound() const { return w_ == kUnboundWord; }
  constexpr bool is_empty_list() const { return w_ == kEmptyListWord; }
  constexpr bool is_list() const { return is_cons() || is_empty_list(); }
  // Only nil and false are falsy.
  constexpr bool truthy() const { return w_ != kNilWord && w_ != kFalseWord; }

 private:
  constexpr explicit Term(Word w) : w_(w) {}

  static constexpr Word kFixnumTag = 0x3;
  static constexpr Word kSymbolTag = 0x07;
  static constexpr Word kKeywordTag = 0x17;
  static constexpr Word kCharTag = 0x27;
  static constexpr Word kNativeFnTag = 0x37;
  static constexpr Word kVarTag = 0x47;
  static constexpr Word kNsTag = 0x57;
  static constexpr Word kNilWord = 0x0B;
  static constexpr Word kTrueWord = 0x1B;
  static constexpr Word kFalseWord = 0x2B;
  static constexpr Word kUnboundWord = 0x3B;
  static constexpr Word kEmptyListWord = 0x4B;

  Word w_;
};

static_assert(sizeof(Term) == sizeof(Word));

// Unicode scalar values: what a char term may hold.
constexpr bool is_scalar_value(uint32_t cp) {
  return cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
}

}  // namespace lona
