// vm/reader: what the reader reports when source text is malformed.
#pragma once

#include <cstddef>
#include <string>

namespace lona {

// `reason` is the language-level error keyword without its colon ("unexpected-eof",
// "unmatched-delimiter", "invalid-escape", "invalid-radix", "nested-anon-fn",
// "mixed-placeholders", "invalid-number", "invalid-token", "invalid-character", "invalid-utf8",
// "invalid-dispatch", "invalid-metadata", "invalid-map-literal", "invalid-byte",
// "invalid-bits", "division-by-zero", "nesting-too-deep", "syntax-error").
struct ReadError {
  std::string reason;
  std::string message;
  size_t offset = 0;  // byte offset into the source
  int line = 1;       // 1-based
  int column = 1;     // 1-based, in characters
};

}  // namespace lona
