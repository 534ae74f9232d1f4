// libFuzzer target for the serialized-term decoder (runtime/term/term_codec).
//
// Oracle, beyond "no crash, no sanitizer report": an input is either rejected with a known reason
// and a message, leaving nothing on the term stack, or it decodes to a term that encodes again;
// that encoding decodes to an equal term (NaN aside, which equals nothing), and encoding that
// term gives the same bytes (the encoder's output is a fixed point of decode-then-encode).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/term/collections.hpp"
#include "runtime/term/equality.hpp"
#include "runtime/term/heap.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/term_codec.hpp"

namespace {

constexpr uint64_t kRealm = 1;

[[noreturn]] void die(std::string_view what, std::string_view detail = "") {
  std::cerr << "term_decoder_fuzz: " << what << ": " << detail << "\n";
  std::abort();
}

// True when t holds a NaN, which makes equal() false however faithful the copy. Iterative: the
// decoder accepts terms 1,000 collections deep.
bool contains_nan(lona::Term t) {
  std::vector<lona::Term> work{t};
  while (!work.empty()) {
    lona::Term x = work.back();
    work.pop_back();
    if (lona::is_float(x)) {
      double d = lona::float_value(x);
      if (std::isnan(d)) return true;
    } else if (x.is_cons()) {
      work.push_back(lona::list_head(x));
      work.push_back(lona::list_tail(x));
    } else if (lona::is_tuple(x) || lona::is_vector(x)) {
      for (size_t i = 0; i < lona::array_count(x); ++i) work.push_back(lona::array_at(x, i));
    } else if (lona::is_map(x)) {
      for (size_t i = 0; i < lona::map_count(x); ++i) {
        work.push_back(lona::map_key(x, i));
        work.push_back(lona::map_value(x, i));
      }
    } else if (lona::is_set(x)) {
      for (size_t i = 0; i < lona::set_count(x); ++i) work.push_back(lona::set_at(x, i));
    }
  }
  return false;
}

std::vector<uint8_t> encode_or_die(lona::Term t, std::string_view what) {
  std::vector<uint8_t> out;
  std::string error;
  if (!lona::encode_term(t, kRealm, &out, &error)) die(what, error);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lona::Heap heap;
  // Collect every few allocations, so a term held unrooted across one shows up at once.
  heap.set_stress(true, 64);
  lona::TermDecodeResult first = lona::decode_term(heap, std::span(data, size), kRealm);
  if (!heap.stack().empty()) die("the decoder left terms on the stack");
  if (!first.ok) {
    if (first.reason != "malformed" && first.reason != "unsupported") die("reason", first.reason);
    if (!first.message.starts_with("serialized term: ")) die("message", first.message);
    return 0;
  }
  std::vector<uint8_t> bytes = encode_or_die(first.value, "a decoded term does not encode");
  heap.push(first.value);
  lona::TermDecodeResult second = lona::decode_term(heap, bytes, kRealm);
  if (!second.ok) die("an encoded term does not decode", second.message);
  lona::Term original = heap.pop();
  if (!contains_nan(original) && !lona::equal(original, second.value)) {
    die("the round trip changed the value");
  }
  if (encode_or_die(second.value, "a decoded term does not encode") != bytes) {
    die("encoding is not a fixed point");
  }
  return 0;
}
