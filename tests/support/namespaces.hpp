// tests/support: a namespace of its own for what a test evaluates, set up as `user` is at boot.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/term/symbol_table.hpp"
#include "vm/eval/evaluator.hpp"
#include "vm/namespace/namespaces.hpp"

namespace lona {

// The namespace `name` (created if new), referring lona.core, lona.process and lona.time as
// `user` does, so that what a test defines there never meets what other tests define in `user`
// (vars are global to the realm). Boots the namespaces first: they must exist to be referred.
inline uint32_t namespace_like_user(const std::string& name) {
  boot_namespaces();
  Namespaces& namespaces = Namespaces::global();
  uint32_t ns = namespaces.find_or_create(make_symbol(name));
  namespaces.refer_defaults(ns);
  return ns;
}

}  // namespace lona
