// vm/printer: the printed form of every term (lonala-reference section 1.6).
//
// Whatever has a literal prints as that literal, so reading the text back gives an equal value:
// floats in shortest round-trip form, bigints with N, f32 and fixed-width integers with their
// suffix, strings re-escaped (UTF-8 verbatim), binaries as #bytes[0xHH ...]. Metadata is never
// printed; quote forms are printed as lists ((quote foo), not 'foo).
#pragma once

#include <string>

#include "runtime/term/term.hpp"

namespace lona {

std::string print(Term t);
void print_to(std::string* out, Term t);

// For messages: at most about `max_chars` of the printed form, then "...". Stops early, so a
// huge term (or a DAG of 2^60 paths) costs no more than its first max_chars.
std::string print_bounded(Term t, size_t max_chars = 1000);

}  // namespace lona
