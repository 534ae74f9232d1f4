// runtime/term/bigint: see bigint.hpp. The magnitude routines work on limb spans so that they do
// not care where the limbs live; BigInt only adds the sign.
#include "runtime/term/bigint.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <utility>

namespace lona {

namespace {

using Limb = BigInt::Limb;
using Mag = std::vector<Limb>;
__extension__ typedef unsigned __int128 Wide;

constexpr int kLimbBits = 64;

void trim(Mag& m) {
  while (!m.empty() && m.back() == 0) m.pop_back();
}

int cmp_mag(std::span<const Limb> a, std::span<const Limb> b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  for (size_t i = a.size(); i-- > 0;) {
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

Mag add_mag(std::span<const Limb> a, std::span<const Limb> b) {
  if (a.size() < b.size()) std::swap(a, b);
  Mag r(a.size() + 1);
  Limb carry = 0;
  for (size_t i = 0; i < a.size(); i++) {
    Wide t = Wide{a[i]} + (i < b.size() ? b[i] : 0) + carry;
    r[i] = static_cast<Limb>(t);
    carry = static_cast<Limb>(t >> kLimbBits);
  }
  r[a.size()] = carry;
  trim(r);
  return r;
}

// a - b; requires |a| >= |b|.
Mag sub_mag(std::span<const Limb> a, std::span<const Limb> b) {
  Mag r(a.size());
  Limb borrow = 0;
  for (size_t i = 0; i < a.size(); i++) {
    Limb bi = i < b.size() ? b[i] : 0;
    Limb d = a[i] - bi;
    Limb out = a[i] < bi;
    r[i] = d - borrow;
    borrow = out | (d < borrow);
  }
  trim(r);
  return r;
}

Mag mul_mag(std::span<const Limb> a, std::span<const Limb> b) {
  if (a.empty() || b.empty()) return {};
  Mag r(a.size() + b.size());
  for (size_t i = 0; i < a.size(); i++) {
    Limb carry = 0;
    // (2^64-1)^2 + 2 * (2^64-1) = 2^128 - 1: the sum below never overflows.
    for (size_t j = 0; j < b.size(); j++) {
      Wide t = Wide{a[i]} * b[j] + r[i + j] + carry;
      r[i + j] = static_cast<Limb>(t);
      carry = static_cast<Limb>(t >> kLimbBits);
    }
    r[i + b.size()] = carry;
  }
  trim(r);
  return r;
}

// m = m * f + add, in place.
void mul_add_small(Mag& m, Limb f, Limb add) {
  Limb carry = add;
  for (Limb& x : m) {
    Wide t = Wide{x} * f + carry;
    x = static_cast<Limb>(t);
    carry = static_cast<Limb>(t >> kLimbBits);
  }
  if (carry != 0) m.push_back(carry);
}

// floor((B^2 - 1) / d) - B for a normalized d (high bit set), B = 2^64.
Limb reciprocal(Limb d) { return static_cast<Limb>(~Wide{0} / d); }

// <u1, u0> / d for a normalized d and u1 < d, with v = reciprocal(d): two multiplies instead of a
// 128-bit division (Moller and Granlund, "Improved division by invariant integers", 2011, alg. 4).
Limb div_2by1(Limb u1, Limb u0, Limb d, Limb v, Limb* r) {
  Wide p = Wide{v} * u1 + ((Wide{u1} << kLimbBits) | u0);
  Limb q1 = static_cast<Limb>(p >> kLimbBits) + 1, q0 = static_cast<Limb>(p);
  Limb rem = u0 - q1 * d;
  if (rem > q0) {
    q1--;
    rem += d;
  }
  if (rem >= d) {
    q1++;
    rem -= d;
  }
  *r = rem;
  return q1;
}

// m = m / d in place (not trimmed); returns m % d. d != 0. Divides m * 2^s by d * 2^s, with s
// making the divisor normalized; the shifted limbs of m are formed on the fly.
Limb divmod_small(std::span<Limb> m, Limb d) {
  if (m.empty()) return 0;
  const int s = std::countl_zero(d);
  d <<= s;
  const Limb v = reciprocal(d);
  const size_t n = m.size();
  Limb r = s ? m[n - 1] >> (kLimbBits - s) : 0;
  for (size_t i = n; i-- > 0;) {
    Limb u0 = m[i] << s;
    if (s && i > 0) u0 |= m[i - 1] >> (kLimbBits - s);
    m[i] = div_2by1(r, u0, d, v, &r);
  }
  return r >> s;
}

// dst = src << s for 0 <= s < 64; when dst is one limb longer, the top limb takes the carry-out.
void shift_into(std::span<const Limb> src, int s, std::span<Limb> dst) {
  Limb carry = 0;
  for (size_t i = 0; i < src.size(); i++) {
    dst[i] = (src[i] << s) | carry;
    carry = s ? src[i] >> (kLimbBits - s) : 0;
  }
  if (dst.size() > src.size()) dst[src.size()] = carry;
}

// Knuth, TAOCP vol. 2, 4.3.1, algorithm D: u / v with v.size() >= 2 and u.size() >= v.size().
void divmod_knuth(std::span<const Limb> u, std::span<const Limb> v, Mag* q, Mag* r) {
  const size_t n = v.size();
  const size_t m = u.size() - n;
  // D1: shift so the top limb of v has its high bit set; then each estimated quotient limb is at
  // most two too large.
  const int s = std::countl_zero(v[n - 1]);
  Mag vn(n), un(u.size() + 1);
  shift_into(v, s, vn);
  shift_into(u, s, un);

  const Limb v1 = vn[n - 1], v2 = vn[n - 2], inv = reciprocal(v1);
  const Wide base = Wide{1} << kLimbBits;
  Mag qq(m + 1);
  for (size_t j = m + 1; j-- > 0;) {
    // D3: estimate qhat from the top two limbs of the remainder and v1, then refine with v2.
    // un[j+n] <= v1 always; when equal, the true quotient limb is at most base - 1.
    Wide qhat, rhat;
    if (un[j + n] >= v1) {
      qhat = base - 1;
      rhat = Wide{un[j + n - 1]} + v1;  // <v1, u> - (base - 1) * v1, which may exceed a limb
    } else {
      Limb rl;
      qhat = div_2by1(un[j + n], un[j + n - 1], v1, inv, &rl);
      rhat = rl;
    }
    while (rhat < base && qhat * v2 > ((rhat << kLimbBits) | un[j + n - 2])) {
      qhat--;
      rhat += v1;
    }
    // D4: un[j..j+n] -= qhat * vn.
    const Limb qh = static_cast<Limb>(qhat);
    Limb carry = 0, borrow = 0;
    for (size_t i = 0; i < n; i++) {
      Wide p = Wide{qh} * vn[i] + carry;
      carry = static_cast<Limb>(p >> kLimbBits);
      Limb lo = static_cast<Limb>(p);
      Limb d = un[i + j] - lo;
      Limb out = un[i + j] < lo;
      un[i + j] = d - borrow;
      borrow = out | (d < borrow);
    }
    Wide top = Wide{carry} + borrow;
    bool negative = Wide{un[j + n]} < top;
    un[j + n] = static_cast<Limb>(Wide{un[j + n]} - top);
    // D6: qhat was still one too large (rare, probability about 2/base): add vn back once.
    if (negative) {
      qq[j] = qh - 1;
      Limb c = 0;
      for (size_t i = 0; i < n; i++) {
        Wide t = Wide{un[i + j]} + vn[i] + c;
        un[i + j] = static_cast<Limb>(t);
        c = static_cast<Limb>(t >> kLimbBits);
      }
      un[j + n] += c;  // wraps back to the (non-negative) top limb
    } else {
      qq[j] = qh;
    }
  }
  if (q) {
    trim(qq);
    *q = std::move(qq);
  }
  if (r) {
    // D8: unnormalize.
    Mag rr(n);
    for (size_t i = 0; i < n; i++) {
      rr[i] = s ? (un[i] >> s) | (un[i + 1] << (kLimbBits - s)) : un[i];
    }
    trim(rr);
    *r = std::move(rr);
  }
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// The largest power of radix that fits in a limb, and its exponent.
struct Chunk {
  Limb power;
  int digits;
};

Chunk chunk_for(int radix) {
  Limb p = static_cast<Limb>(radix);
  int k = 1;
  while (p <= UINT64_MAX / static_cast<Limb>(radix)) {
    p *= static_cast<Limb>(radix);
    k++;
  }
  return {p, k};
}

}  // namespace

BigInt BigInt::make(bool negative, std::vector<Limb> mag) {
  trim(mag);
  BigInt r;
  r.negative_ = negative && !mag.empty();
  r.mag_ = std::move(mag);
  return r;
}

BigInt BigInt::from_uint64(uint64_t v) {
  BigInt r;
  if (v != 0) r.mag_.push_back(v);
  return r;
}

BigInt BigInt::from_int64(int64_t v) {
  // 0 - u is well defined for unsigned and gives |INT64_MIN| = 2^63 correctly.
  uint64_t u = static_cast<uint64_t>(v);
  BigInt r = from_uint64(v < 0 ? 0 - u : u);
  r.negative_ = v < 0;
  return r;
}

BigInt BigInt::from_limbs(bool negative, std::span<const Limb> limbs) {
  return make(negative, Mag(limbs.begin(), limbs.end()));
}

std::optional<BigInt> BigInt::parse(std::string_view digits, int radix) {
  if (radix < 2 || radix > 36 || digits.empty()) return std::nullopt;
  for (char c : digits) {
    if (digit_value(c) >= radix) return std::nullopt;
  }
  Mag mag;
  if (std::has_single_bit(static_cast<unsigned>(radix))) {
    // Pack bits from the least significant digit up: linear time.
    const int bits = std::countr_zero(static_cast<unsigned>(radix));
    mag.assign((digits.size() * bits + kLimbBits - 1) / kLimbBits, 0);
    size_t pos = 0;
    for (size_t i = digits.size(); i-- > 0; pos += bits) {
      Limb d = static_cast<Limb>(digit_value(digits[i]));
      size_t limb = pos / kLimbBits, off = pos % kLimbBits;
      mag[limb] |= d << off;
      if (off != 0 && off + bits > kLimbBits) mag[limb + 1] |= d >> (kLimbBits - off);
    }
  } else {
    // One multiply-add over the magnitude per limb-sized chunk of digits. The first chunk takes
    // the odd digits so the rest are full.
    const Chunk ch = chunk_for(radix);
    mag.reserve(digits.size() / ch.digits + 1);
    size_t i = 0, len = digits.size() % ch.digits;
    if (len == 0) len = ch.digits;
    while (i < digits.size()) {
      Limb v = 0;
      for (size_t e = i + len; i < e; i++) v = v * radix + digit_value(digits[i]);
      mul_add_small(mag, ch.power, v);
      len = ch.digits;
    }
  }
  return make(false, std::move(mag));
}

bool BigInt::fits_int64() const {
  if (mag_.size() > 1) return false;
  if (mag_.empty()) return true;
  return mag_[0] <= (negative_ ? Limb{1} << 63 : Limb{INT64_MAX});
}

int64_t BigInt::to_int64() const {
  if (mag_.empty()) return 0;
  // Conversion to a signed type is modular in C++20, so 0 - 2^63 becomes INT64_MIN.
  return static_cast<int64_t>(negative_ ? 0 - mag_[0] : mag_[0]);
}

std::optional<uint64_t> BigInt::to_uint64() const {
  if (negative_ || mag_.size() > 1) return std::nullopt;
  return mag_.empty() ? 0 : mag_[0];
}

double BigInt::to_double() const {
  size_t bl = bit_length();
  double d;
  if (bl <= kLimbBits) {
    d = mag_.empty() ? 0.0 : static_cast<double>(mag_[0]);
  } else {
    // Take the top 64 bits and fold every lower bit into bit 0 (sticky): the conversion to double
    // drops 11 bits, so it then rounds exactly as the full value would. ldexp is exact below
    // overflow and returns inf above it; the cap only keeps the exponent an int.
    size_t shift = bl - kLimbBits, limb = shift / kLimbBits, off = shift % kLimbBits;
    Limb top = mag_[limb] >> off;
    if (off != 0) top |= mag_[limb + 1] << (kLimbBits - off);
    bool sticky = off != 0 && (mag_[limb] << (kLimbBits - off)) != 0;
    for (size_t i = 0; i < limb && !sticky; i++) sticky = mag_[i] != 0;
    int e = static_cast<int>(std::min<size_t>(shift, 4096));
    d = std::ldexp(static_cast<double>(top | (sticky ? 1 : 0)), e);
  }
  return negative_ ? -d : d;
}

size_t BigInt::bit_length() const {
  if (mag_.empty()) return 0;
  return (mag_.size() - 1) * kLimbBits + std::bit_width(mag_.back());
}

std::string BigInt::to_string(int radix) const {
  if (radix < 2 || radix > 36) return "";
  if (mag_.empty()) return "0";
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string s;  // built least significant digit first
  if (std::has_single_bit(static_cast<unsigned>(radix))) {
    const int bits = std::countr_zero(static_cast<unsigned>(radix));
    const size_t n = (bit_length() + bits - 1) / bits;
    s.reserve(n + 1);
    for (size_t i = 0, pos = 0; i < n; i++, pos += bits) {
      size_t limb = pos / kLimbBits, off = pos % kLimbBits;
      Limb v = mag_[limb] >> off;
      bool straddles = off + bits > kLimbBits && limb + 1 < mag_.size();
      if (straddles) v |= mag_[limb + 1] << (kLimbBits - off);
      s.push_back(kDigits[v & (radix - 1)]);
    }
  } else {
    // Each pass divides by the chunk power and yields a full chunk of digits, except the last,
    // which stops at its most significant non-zero digit.
    const Chunk ch = chunk_for(radix);
    s.reserve(bit_length() / std::bit_width(static_cast<unsigned>(radix) - 1) + ch.digits + 1);
    Mag work = mag_;
    while (!work.empty()) {
      Limb r = divmod_small(work, ch.power);
      trim(work);
      for (int k = 0; k < ch.digits && (r != 0 || !work.empty()); k++) {
        s.push_back(kDigits[r % radix]);
        r /= radix;
      }
    }
  }
  if (negative_) s.push_back('-');
  std::reverse(s.begin(), s.end());
  return s;
}

int compare(const BigInt& a, const BigInt& b) {
  if (a.negative_ != b.negative_) return a.negative_ ? -1 : 1;
  int c = cmp_mag(a.mag_, b.mag_);
  return a.negative_ ? -c : c;
}

BigInt BigInt::operator-() const {
  BigInt r = *this;
  r.negative_ = !negative_ && !mag_.empty();
  return r;
}

BigInt operator+(const BigInt& a, const BigInt& b) {
  if (a.negative_ == b.negative_) return BigInt::make(a.negative_, add_mag(a.mag_, b.mag_));
  // Opposite signs: subtract the smaller magnitude from the larger, whose sign wins.
  if (cmp_mag(a.mag_, b.mag_) >= 0) return BigInt::make(a.negative_, sub_mag(a.mag_, b.mag_));
  return BigInt::make(b.negative_, sub_mag(b.mag_, a.mag_));
}

BigInt operator-(const BigInt& a, const BigInt& b) { return a + -b; }

BigInt operator*(const BigInt& a, const BigInt& b) {
  return BigInt::make(a.negative_ != b.negative_, mul_mag(a.mag_, b.mag_));
}

void BigInt::divmod(const BigInt& a, const BigInt& b, BigInt* quotient, BigInt* remainder) {
  const bool qneg = a.negative_ != b.negative_, rneg = a.negative_;
  Mag q, r;
  if (cmp_mag(a.mag_, b.mag_) < 0) {
    r = a.mag_;
  } else if (b.mag_.size() == 1) {
    q = a.mag_;
    Limb rem = divmod_small(q, b.mag_[0]);
    if (rem != 0) r.push_back(rem);
  } else {
    divmod_knuth(a.mag_, b.mag_, &q, &r);
  }
  // Write outputs only now: they may alias a or b.
  if (quotient) *quotient = make(qneg, std::move(q));
  if (remainder) *remainder = make(rneg, std::move(r));
}

BigInt BigInt::gcd(BigInt a, BigInt b) {
  a.negative_ = b.negative_ = false;
  while (!b.is_zero()) {
    BigInt r;
    divmod(a, b, nullptr, &r);
    a = std::move(b);
    b = std::move(r);
  }
  return a;
}

BigInt BigInt::shifted_left(size_t bits) const {
  if (mag_.empty()) return {};
  const size_t limbs = bits / kLimbBits;
  const int off = static_cast<int>(bits % kLimbBits);
  Mag r(mag_.size() + limbs + 1);
  shift_into(mag_, off, std::span<Limb>(r).subspan(limbs));
  return make(negative_, std::move(r));
}

BigInt BigInt::shifted_right(size_t bits) const {
  const size_t limbs = bits / kLimbBits;
  if (limbs >= mag_.size()) return {};
  const int off = static_cast<int>(bits % kLimbBits);
  Mag r(mag_.size() - limbs);
  for (size_t i = 0; i < r.size(); i++) {
    r[i] = mag_[i + limbs] >> off;
    if (off != 0 && i + limbs + 1 < mag_.size()) r[i] |= mag_[i + limbs + 1] << (kLimbBits - off);
  }
  return make(negative_, std::move(r));
}

}  // namespace lona
