// tests/conformance: a small JSON reader for the conformance vectors (spec.jsonl, one object per
// line).
//
// It reads what JSON Lines need and nothing more: objects (member order kept, as the vectors'
// readers see it), arrays, strings with every escape (\uXXXX, surrogate pairs joined into one
// code point, written as UTF-8), numbers, true, false and null. Malformed input is an error with
// its byte offset, never a guess: a vector file that does not parse must fail the test loudly.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace lona::json {

struct Value;
using Array = std::vector<Value>;
using Object = std::vector<std::pair<std::string, Value>>;  // in the order written

struct Value {
  // Arrays and objects are held through pointers so that Value can contain itself.
  std::variant<std::nullptr_t, bool, double, std::string, std::shared_ptr<Array>,
               std::shared_ptr<Object>>
      data = nullptr;

  bool is_null() const { return std::holds_alternative<std::nullptr_t>(data); }
  bool is_bool() const { return std::holds_alternative<bool>(data); }
  bool is_number() const { return std::holds_alternative<double>(data); }
  bool is_string() const { return std::holds_alternative<std::string>(data); }
  bool is_array() const { return std::holds_alternative<std::shared_ptr<Array>>(data); }
  bool is_object() const { return std::holds_alternative<std::shared_ptr<Object>>(data); }

  // The accessors assume the kind (check with is_*() first); a wrong kind throws
  // std::bad_variant_access.
  bool as_bool() const { return std::get<bool>(data); }
  double as_number() const { return std::get<double>(data); }
  const std::string& as_string() const { return std::get<std::string>(data); }
  const Array& as_array() const { return *std::get<std::shared_ptr<Array>>(data); }
  const Object& as_object() const { return *std::get<std::shared_ptr<Object>>(data); }

  // The member `key` of an object, or nullptr when absent or when this is not an object. If a key
  // is repeated, the last one wins (as in Python's json module, which run.py uses).
  const Value* find(std::string_view key) const;
};

// Parses exactly one JSON value; surrounding whitespace is allowed, anything else after the value
// is an error. Returns false and sets *error (a message with the byte offset) on malformed input.
bool parse(std::string_view text, Value* out, std::string* error);

}  // namespace lona::json
