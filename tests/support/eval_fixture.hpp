// tests/support: a GoogleTest fixture that reads and evaluates Lonala source with the real
// reader, compiler and interpreter, for the tests of the language and its intrinsics.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "runtime/term/heap.hpp"
#include "vm/eval/evaluator.hpp"
#include "vm/printer/printer.hpp"
#include "vm/reader/reader.hpp"

namespace lona {

class EvalTest : public ::testing::Test {
 protected:
  // Reads and evaluates every form of `src` in order on one heap. Returns the printed value of the
  // last form, or "ERROR :reason" for the first form that fails (the rest are not evaluated).
  std::string eval(const std::string& src) {
    Reader reader(heap_, src, evaluator_.reader_options());
    std::string last = "<no form>";
    for (;;) {
      Term form;
      Reader::Status s = reader.next(&form);
      if (s == Reader::Status::kEnd) return last;
      if (s == Reader::Status::kError) {
        ADD_FAILURE() << "reading " << src << ": :" << reader.error().reason << " "
                      << reader.error().message;
        return "READ-ERROR :" + reader.error().reason;
      }
      EvalResult r = evaluator_.eval(heap_, form);
      if (!r.ok) return "ERROR :" + r.error.reason;
      last = print(r.value);
    }
  }

  Heap heap_;  // before the evaluator: its interpreter unregisters its roots from the heap
  CompilingEvaluator evaluator_;
};

}  // namespace lona
