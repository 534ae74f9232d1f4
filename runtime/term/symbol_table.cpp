#include "runtime/term/symbol_table.hpp"

#include <cstdlib>

#include "runtime/term/hash.hpp"

namespace lona {
namespace {
constexpr uint64_t kNameSeed = 0x6e616d6573ULL;
}

SymbolTable& SymbolTable::global() {
  static SymbolTable* table = new SymbolTable();  // never destroyed: names outlive everything
  return *table;
}

SymbolTable::SymbolTable() : chunks_(std::make_unique<std::atomic<Entry*>[]>(kMaxChunks)) {
  for (uint32_t i = 0; i < kMaxChunks; ++i) chunks_[i].store(nullptr, std::memory_order_relaxed);
}

SymbolTable::~SymbolTable() {
  for (uint32_t i = 0; i < kMaxChunks; ++i) delete[] chunks_[i].load(std::memory_order_relaxed);
}

uint32_t SymbolTable::intern(std::string_view full) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = by_name_.find(absl::string_view(full.data(), full.size())); it != by_name_.end()) {
    return it->second;
  }

  uint32_t index = count_.load(std::memory_order_relaxed);
  uint32_t chunk = index >> kChunkBits;
  if (chunk >= kMaxChunks) std::abort();  // 16M distinct names: a runaway program, not a use
  Entry* entries = chunks_[chunk].load(std::memory_order_relaxed);
  if (entries == nullptr) {
    entries = new Entry[kChunkSize];
    chunks_[chunk].store(entries, std::memory_order_release);
  }
  Entry& e = entries[index & (kChunkSize - 1)];
  e.full = std::string(full);
  size_t slash = full.find('/');
  e.ns_length = (slash != std::string_view::npos && slash != 0 && slash + 1 < full.size())
                    ? static_cast<uint32_t>(slash)
                    : 0;
  e.hash = hashing::bytes(full, kNameSeed);
  by_name_.emplace(e.full, index);
  count_.store(index + 1, std::memory_order_release);
  return index;
}

const SymbolTable::Entry& SymbolTable::entry(uint32_t index) const {
  Entry* entries = chunks_[index >> kChunkBits].load(std::memory_order_acquire);
  return entries[index & (kChunkSize - 1)];
}

Term make_symbol(std::string_view full) { return Term::symbol(SymbolTable::global().intern(full)); }
Term make_keyword(std::string_view full) {
  return Term::keyword(SymbolTable::global().intern(full));
}
const SymbolTable::Entry& name_entry(Term t) { return SymbolTable::global().entry(t.name_index()); }

}  // namespace lona
