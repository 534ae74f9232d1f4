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

// Passes when `message` contains `part`, and shows the whole message when it does not: for error
// messages, checked for the words that tell one failure from another, not for their prose.
inline ::testing::AssertionResult Mentions(const std::string& message, const std::string& part) {
  if (message.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "\"" << message << "\" does not mention \"" << part << "\"";
}

class EvalTest : public ::testing::Test {
 protected:
  // Reads and evaluates every form of `src` in order on one heap. Returns the printed value of the
  // last form, or "ERROR :reason" for the first form that fails (the rest are not evaluated).
  std::string eval(const std::string& src) { return eval_forms(src, nullptr); }

  // The message of the error that ends `src` ("" when every form succeeds), for a test that must
  // tell apart failures with the same reason (which limit was met, which place is named).
  std::string eval_message(const std::string& src) {
    std::string message;
    eval_forms(src, &message);
    return message;
  }

  Heap heap_;  // before the evaluator: its interpreter unregisters its roots from the heap
  CompilingEvaluator evaluator_;

 private:
  std::string eval_forms(const std::string& src, std::string* message) {
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
      if (!r.ok) {
        if (message != nullptr) *message = r.error.message;
        return "ERROR :" + r.error.reason;
      }
      last = print(r.value);
    }
  }
};

}  // namespace lona
