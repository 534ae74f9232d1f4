// runtime/term/bigint: arbitrary-precision integers (sign + 64-bit limbs) for the numeric tower.
//
// A BigInt is a value type: a sign and a little-endian vector of 64-bit limbs with no leading zero
// limbs (zero is the empty vector and is never negative). Heap objects store limbs on their own,
// so from_limbs() and limbs() convert between the two without going through strings.
//
// Costs: parse and to_string move one limb-sized chunk of digits per pass over the magnitude
// (bits are moved directly for radices that are powers of two); multiplication is schoolbook;
// division is Knuth's algorithm D with a single-limb fast path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lona {

class BigInt {
 public:
  using Limb = uint64_t;

  BigInt() = default;  // zero

  static BigInt from_int64(int64_t v);  // INT64_MIN included
  static BigInt from_uint64(uint64_t v);
  // Sign + little-endian limbs. Leading zero limbs are dropped; a zero magnitude is never negative.
  static BigInt from_limbs(bool negative, std::span<const Limb> limbs);
  // Digits 0-9, a-z, A-Z (10..35) in radix 2..36; no sign, prefix or separators. nullopt for an
  // empty string, a digit out of range for the radix, or a radix outside 2..36.
  static std::optional<BigInt> parse(std::string_view digits, int radix);

  bool is_zero() const { return mag_.empty(); }
  bool is_negative() const { return negative_; }
  // Little-endian magnitude without leading zero limbs; empty for zero.
  std::span<const Limb> limbs() const { return mag_; }

  bool fits_int64() const;
  int64_t to_int64() const;                   // only meaningful when fits_int64()
  std::optional<uint64_t> to_uint64() const;  // nullopt when negative or wider than 64 bits
  double to_double() const;   // correctly rounded (to nearest, ties to even); huge -> +-inf
  size_t bit_length() const;  // of the magnitude; 0 for zero
  // Radix 2..36, lowercase digits, leading '-' when negative. Radix out of range yields "".
  std::string to_string(int radix = 10) const;

  friend int compare(const BigInt& a, const BigInt& b);  // -1, 0, 1
  friend bool operator==(const BigInt& a, const BigInt& b) {
    return a.negative_ == b.negative_ && a.mag_ == b.mag_;
  }

  BigInt operator-() const;
  friend BigInt operator+(const BigInt& a, const BigInt& b);
  friend BigInt operator-(const BigInt& a, const BigInt& b);
  friend BigInt operator*(const BigInt& a, const BigInt& b);

  // Truncated division (like C++ / and %): the quotient rounds toward zero and the remainder takes
  // the dividend's sign. Precondition: b is not zero (callers raise :division-by-zero). Either
  // output may be null; the outputs may alias the inputs.
  static void divmod(const BigInt& a, const BigInt& b, BigInt* quotient, BigInt* remainder);
  static BigInt gcd(BigInt a, BigInt b);  // non-negative; gcd(0, 0) = 0

  // Shift the magnitude and keep the sign, so shifted_right rounds toward zero (-5 >> 1 = -2),
  // unlike an arithmetic shift of a two's complement value.
  BigInt shifted_left(size_t bits) const;
  BigInt shifted_right(size_t bits) const;

 private:
  static BigInt make(bool negative, std::vector<Limb> mag);  // normalizes

  bool negative_ = false;  // never true for zero
  std::vector<Limb> mag_;  // normalized
};

int compare(const BigInt& a, const BigInt& b);  // also visible to qualified lookup (lona::compare)

}  // namespace lona
