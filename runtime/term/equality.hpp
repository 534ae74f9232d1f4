// runtime/term: structural equality (the language's `=`) and the hash that agrees with it.
//
// Rules (lonala-reference sections 3 and 8): integers are equal by value whatever their
// representation (42 = 42N); floats follow IEEE (NaN is not equal to itself, 0.0 = -0.0) and are
// never equal to integers or ratios; fixed-width integers are equal only to the same kind and
// value; lists, tuples and vectors are equal only to their own kind, element by element; maps
// and sets compare as unordered collections; metadata is ignored everywhere.
#pragma once

#include <cstdint>

#include "runtime/term/term.hpp"

namespace lona {

bool equal(Term a, Term b);
uint64_t hash(Term t);

}  // namespace lona
