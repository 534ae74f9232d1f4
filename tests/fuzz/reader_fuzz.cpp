// libFuzzer target for the reader and printer.
//
// Oracle, beyond "no crash, no sanitizer report": every form the reader accepts prints as text
// that reads back as exactly one form equal to it (reference section 1.6), and printing that is
// a fixed point. Errors must carry a reason and a position inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string_view>

#include "runtime/term/equality.hpp"
#include "runtime/term/heap.hpp"
#include "vm/printer/printer.hpp"
#include "vm/reader/reader.hpp"

namespace {

[[noreturn]] void die(std::string_view what, std::string_view text) {
  std::cerr << "reader_fuzz: " << what << ": " << text << "\n";
  std::abort();
}

bool contains_nan(std::string_view printed) {
  return printed.find("##NaN") != std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view src(reinterpret_cast<const char*>(data), size);
  lona::Heap heap;
  // Collect every few allocations, so a term held unrooted across one shows up at once.
  heap.set_stress(true, 64);
  lona::Reader reader(heap, src);
  for (int forms = 0; forms < 1000; ++forms) {
    lona::Term form;
    size_t before = reader.offset();
    lona::Reader::Status s = reader.next(&form);
    if (s == lona::Reader::Status::kEnd) break;
    if (s == lona::Reader::Status::kError) {
      const lona::ReadError& e = reader.error();
      if (e.reason.empty() || e.message.empty() || e.line < 1 || e.column < 1) {
        die("error without reason or position", e.message);
      }
      reader.recover();
      if (reader.offset() <= before && reader.offset() < src.size())
        die("recover made no progress", "");
      continue;
    }
    std::string printed = lona::print(form);
    heap.push(form);
    lona::Term again;
    lona::ReadError error;
    heap.set_stress(false);  // the printed text can be much larger than the input
    lona::Reader::Status status = lona::read_one(heap, printed, &again, &error);
    heap.set_stress(true, 64);
    if (status != lona::Reader::Status::kForm) {
      die("printed form does not read back",
          printed + "  (" + error.reason + ": " + error.message + ")");
    }
    form = heap.pop();
    if (!contains_nan(printed) && !lona::equal(form, again))
      die("round trip changed the value", printed);
    if (lona::print(again) != printed) die("printing is not a fixed point", printed);
  }
  return 0;
}
