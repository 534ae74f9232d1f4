#include "runtime/term/refc_binary.hpp"

#include <cstring>
#include <new>

namespace lona {
namespace {

std::atomic<size_t> blobs{0};
std::atomic<size_t> blob_bytes{0};

}  // namespace

RefcBlob* make_refc_blob(std::string_view bytes) {
  void* mem = ::operator new(sizeof(RefcBlob) + bytes.size());
  auto* blob = new (mem) RefcBlob;
  blob->refs.store(1, std::memory_order_relaxed);
  blob->size = bytes.size();
  if (!bytes.empty()) std::memcpy(blob->data(), bytes.data(), bytes.size());
  blobs.fetch_add(1, std::memory_order_relaxed);
  blob_bytes.fetch_add(bytes.size(), std::memory_order_relaxed);
  return blob;
}

void release_refc(const Word* obj) {
  RefcBlob* blob = refc_blob_of(obj);
  if (blob->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  blobs.fetch_sub(1, std::memory_order_relaxed);
  blob_bytes.fetch_sub(blob->size, std::memory_order_relaxed);
  blob->~RefcBlob();
  ::operator delete(blob);
}

size_t live_refc_blobs() { return blobs.load(std::memory_order_relaxed); }
size_t live_refc_bytes() { return blob_bytes.load(std::memory_order_relaxed); }

}  // namespace lona
