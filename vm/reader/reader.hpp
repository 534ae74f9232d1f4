// vm/reader: turns Lonala source text into forms (terms), one top-level form at a time.
//
// Covers all of lonala-reference section 1: atoms in every numeric form, chars, strings,
// symbols, keywords, the five collections, #bytes and #bits, quote, syntax-quote, unquote,
// unquote-splicing, metadata, #', #_, #(...), comments. Errors carry the spec keyword and the
// line and column where they were found; a bad form never affects the forms read before it, and
// recover() skips past it so the next form can be read.
//
// Forms that have no literal value are read as calls the compiler understands:
//   #(...)          (fn* [%1 ... & %&] (...))
//   #'x             (var x)
//   `form           the expansion into lona.core/concat, lona.core/list, lona.core/apply ...
//   ~x, ~@x         (unquote x), (unquote-splicing x)
//   #bytes[a b & r] (lona.core/bytes a b & r)   when not every element is a byte literal
//   #bits[v:4/be]   (lona.core/bits [v 4 :be] ...)  one tuple per segment: value, size?, mods
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "runtime/term/heap.hpp"
#include "vm/reader/read_error.hpp"

namespace lona {

struct ReaderOptions {
  // Inside syntax-quote: the namespace-qualified form of an unqualified symbol, or the symbol
  // itself when it names no var. Unset: symbols stay as written.
  std::function<Term(Term symbol)> resolve_symbol;
  // Collections nested deeper than this are rejected with :nesting-too-deep.
  // 1024 is far beyond any real source and keeps reading, syntax-quote expansion, printing and
  // equality within an 8 MiB stack even in sanitizer builds.
  int max_depth = 1024;
  // Line number of the first line of the source (for text that continues a longer input).
  int first_line = 1;
};

class Reader {
 public:
  enum class Status { kForm, kEnd, kError };

  // `source` must outlive the reader; it is not copied.
  Reader(Heap& heap, std::string_view source, ReaderOptions options = {});

  // Reads the next top-level form. kForm: *form is set (the caller roots it before allocating).
  // kEnd: only whitespace and comments remained. kError: see error().
  Status next(Term* form);

  const ReadError& error() const { return error_; }
  // True when the last error was running out of input inside a form: more text could complete it.
  bool incomplete() const { return error_.reason == "unexpected-eof"; }
  // After an error: skips the offending closing delimiter, or else to the end of the error's line.
  void recover();
  // Byte offset just past what has been consumed.
  size_t offset() const { return pos_; }
  // The line (counted from options.first_line) on which the last form read begins.
  int form_line();

 private:
  friend class ReadPass;
  Heap& heap_;
  std::string_view src_;
  ReaderOptions options_;
  size_t pos_ = 0;
  size_t form_start_ = 0;  // where the last form read begins
  size_t counted_to_ = 0;  // form_line() has counted the newlines before this offset
  int counted_line_ = 0;
  ReadError error_;
  bool error_was_stray_closer_ = false;
};

// Reads exactly one form from `source` (what read-string does): trailing text other than
// whitespace and comments is an error.
Reader::Status read_one(Heap& heap, std::string_view source, Term* form, ReadError* error,
                        const ReaderOptions& options = {});

}  // namespace lona
