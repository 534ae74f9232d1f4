#include "vm/repl/form_stream.hpp"

#include <algorithm>

namespace lona {

void FormStream::feed(std::string_view text, const OnForm& on_form, const OnError& on_error) {
  buffer_.append(text);
  drain(false, on_form, on_error);
}

void FormStream::finish(const OnForm& on_form, const OnError& on_error) {
  drain(true, on_form, on_error);
  reset();
}

bool FormStream::pending() const {
  return std::any_of(buffer_.begin(), buffer_.end(), [](char c) {
    return c != ' ' && c != '\n' && c != '\t' && c != '\r' && c != ',';
  });
}

void FormStream::reset() {
  first_line_ += static_cast<int>(std::count(buffer_.begin(), buffer_.end(), '\n'));
  buffer_.clear();
}

void FormStream::drain(bool at_end, const OnForm& on_form, const OnError& on_error) {
  ReaderOptions options = options_;
  options.first_line = first_line_;
  Reader reader(heap_, buffer_, options);
  size_t consumed;  // how much of buffer_ is done with, set where the loop ends
  for (;;) {
    size_t before = reader.offset();
    Term form;
    Reader::Status status = reader.next(&form);
    if (status == Reader::Status::kForm) {
      on_form(form);
      continue;
    }
    if (status == Reader::Status::kEnd) {
      consumed = buffer_.size();
      break;
    }
    if (reader.incomplete() && !at_end) {  // wait for the rest of the form
      consumed = before;
      break;
    }
    on_error(reader.error());
    reader.recover();
  }
  first_line_ += static_cast<int>(std::count(buffer_.begin(), buffer_.begin() + consumed, '\n'));
  buffer_.erase(0, consumed);
}

}  // namespace lona
