// vm/repl: turns text that arrives a line at a time into complete top-level forms.
//
// Lines are appended as they arrive; a form that is still open at the end of the text waits for
// more lines instead of being an error. Shared by the batch and the interactive REPL.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "runtime/term/heap.hpp"
#include "vm/reader/reader.hpp"

namespace lona {

class FormStream {
 public:
  using OnForm = std::function<void(Term form)>;
  using OnError = std::function<void(const ReadError& error)>;

  // `options` configure the reader (the syntax-quote resolver); first_line is managed here.
  explicit FormStream(Heap& heap, ReaderOptions options = {})
      : heap_(heap), options_(std::move(options)) {}

  // Adds text (normally one line with its newline) and delivers every form it completes.
  void feed(std::string_view text, const OnForm& on_form, const OnError& on_error);
  // End of input: whatever is left is complete or an error.
  void finish(const OnForm& on_form, const OnError& on_error);
  // True when a form has begun and is not complete yet.
  bool pending() const;
  // Drops any partial form (e.g. the user pressed Ctrl-C).
  void reset();

 private:
  void drain(bool at_end, const OnForm& on_form, const OnError& on_error);

  Heap& heap_;
  ReaderOptions options_;
  std::string buffer_;
  int first_line_ = 1;  // line number of buffer_'s first line
};

}  // namespace lona
