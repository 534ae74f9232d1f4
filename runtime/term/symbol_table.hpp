// runtime/term: the realm-global intern table behind symbol and keyword terms.
//
// A symbol or keyword term holds an index into this table, so equal names are equal words and
// names never move. Symbols and keywords share entries (`foo` and `:foo` have the same index).
// Lookups by index are lock-free (entries live in fixed chunks that are never reallocated);
// interning a new name takes a mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "runtime/term/term.hpp"

namespace lona {

class SymbolTable {
 public:
  struct Entry {
    std::string full;    // "ns/name" or "name"
    uint32_t ns_length;  // 0 when unqualified, else the length of the namespace part
    uint64_t hash;       // hash of the full name, stable across runs and realms

    std::string_view ns() const { return std::string_view(full).substr(0, ns_length); }
    std::string_view name() const {
      return ns_length == 0 ? std::string_view(full) : std::string_view(full).substr(ns_length + 1);
    }
  };

  // The table of this realm (one per OS process).
  static SymbolTable& global();

  SymbolTable();
  ~SymbolTable();

  // Returns the index of `full`, adding it if new. A name is qualified when it has a '/' that is
  // neither its first nor its last character ("a/b" is qualified; "/" and "a/" are not).
  uint32_t intern(std::string_view full);
  const Entry& entry(uint32_t index) const;
  uint32_t size() const { return count_.load(std::memory_order_acquire); }

  static constexpr uint32_t kChunkBits = 12;
  static constexpr uint32_t kChunkSize = 1u << kChunkBits;
  static constexpr uint32_t kMaxChunks = 1u << 12;  // 16M names

 private:
  std::mutex mutex_;
  absl::flat_hash_map<std::string, uint32_t> by_name_;  // guarded by mutex_
  std::unique_ptr<std::atomic<Entry*>[]> chunks_;
  std::atomic<uint32_t> count_{0};
};

// Convenience: intern and wrap.
Term make_symbol(std::string_view full);
Term make_keyword(std::string_view full);
const SymbolTable::Entry& name_entry(Term symbol_or_keyword);

}  // namespace lona
