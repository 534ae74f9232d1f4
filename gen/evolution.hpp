// gen (lona-idlc): the evolution check. A new schema may only extend a frozen one: no table,
// field, enum value, union member, service or call removed, renamed or retyped; no default
// changed; no field made required; enum values and union members only appended. flatc --conform
// checks part of this (it allows removing a field); this is the rest, on the binary schemas.
#pragma once

#include <string>
#include <vector>

#include "flatbuffers/reflection.h"

namespace lona::idlc {

/// Every way `current` breaks compatibility with `frozen`, one line each; empty when none.
std::vector<std::string> check_evolution(const reflection::Schema& frozen,
                                         const reflection::Schema& current);

}  // namespace lona::idlc
