#include "tests/conformance/json.hpp"

#include <charconv>
#include <cstdint>
#include <string>
#include <system_error>

#include "runtime/term/utf8.hpp"

namespace lona::json {

const Value* Value::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  const Value* found = nullptr;
  for (const auto& [k, v] : as_object()) {
    if (k == key) found = &v;
  }
  return found;
}

namespace {

// Deeper nesting than any vector needs; the limit keeps the recursion off the end of the stack.
constexpr int kMaxDepth = 512;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  bool parse_document(Value* out, std::string* error) {
    skip_ws();
    bool ok = parse_value(out, 0);
    if (ok) {
      skip_ws();
      if (pos_ != text_.size()) ok = fail("unexpected text after the value");
    }
    if (!ok) *error = error_ + " at byte " + std::to_string(error_pos_);
    return ok;
  }

 private:
  bool fail(std::string message) {
    error_ = std::move(message);
    error_pos_ = pos_;
    return false;
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }

  void skip_ws() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) {
      ++pos_;
    }
  }

  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return fail("invalid literal");
    pos_ += word.size();
    return true;
  }

  bool parse_value(Value* out, int depth) {
    if (depth > kMaxDepth) return fail("nesting too deep");
    if (at_end()) return fail("unexpected end of input");
    switch (peek()) {
      case '{':
        return parse_object(out, depth);
      case '[':
        return parse_array(out, depth);
      case '"': {
        std::string s;
        if (!parse_string(&s)) return false;
        out->data = std::move(s);
        return true;
      }
      case 't':
        out->data = true;
        return literal("true");
      case 'f':
        out->data = false;
        return literal("false");
      case 'n':
        out->data = nullptr;
        return literal("null");
      default:
        return parse_number(out);
    }
  }

  bool parse_object(Value* out, int depth) {
    auto object = std::make_shared<Object>();
    ++pos_;  // {
    skip_ws();
    if (!at_end() && peek() == '}') {
      ++pos_;
      out->data = std::move(object);
      return true;
    }
    for (;;) {
      skip_ws();
      if (at_end() || peek() != '"') return fail("expected a string key");
      std::string key;
      if (!parse_string(&key)) return false;
      skip_ws();
      if (at_end() || peek() != ':') return fail("expected ':'");
      ++pos_;
      skip_ws();
      Value v;
      if (!parse_value(&v, depth + 1)) return false;
      object->emplace_back(std::move(key), std::move(v));
      skip_ws();
      if (at_end()) return fail("unterminated object");
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == '}') {
        ++pos_;
        out->data = std::move(object);
        return true;
      }
      return fail("expected ',' or '}'");
    }
  }

  bool parse_array(Value* out, int depth) {
    auto array = std::make_shared<Array>();
    ++pos_;  // [
    skip_ws();
    if (!at_end() && peek() == ']') {
      ++pos_;
      out->data = std::move(array);
      return true;
    }
    for (;;) {
      skip_ws();
      Value v;
      if (!parse_value(&v, depth + 1)) return false;
      array->push_back(std::move(v));
      skip_ws();
      if (at_end()) return fail("unterminated array");
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        out->data = std::move(array);
        return true;
      }
      return fail("expected ',' or ']'");
    }
  }

  // Four hex digits of a \u escape.
  bool hex4(uint32_t* out) {
    if (text_.size() - pos_ < 4) return fail("truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        --pos_;
        return fail("invalid hex digit in \\u escape");
      }
    }
    *out = v;
    return true;
  }

  // One UTF-8 sequence copied from the input, checked strictly (no overlongs, no surrogates).
  bool copy_utf8(std::string* s) {
    auto b0 = static_cast<unsigned char>(peek());
    size_t n;
    uint32_t cp;
    if (b0 < 0x80) {
      n = 1;
      cp = b0;
    } else if ((b0 & 0xE0) == 0xC0) {
      n = 2;
      cp = b0 & 0x1F;
    } else if ((b0 & 0xF0) == 0xE0) {
      n = 3;
      cp = b0 & 0x0F;
    } else if ((b0 & 0xF8) == 0xF0) {
      n = 4;
      cp = b0 & 0x07;
    } else {
      return fail("invalid UTF-8");
    }
    if (text_.size() - pos_ < n) return fail("truncated UTF-8 sequence");
    for (size_t i = 1; i < n; ++i) {
      auto b = static_cast<unsigned char>(text_[pos_ + i]);
      if ((b & 0xC0) != 0x80) return fail("invalid UTF-8");
      cp = (cp << 6) | (b & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return fail("invalid UTF-8");
    }
    s->append(text_.substr(pos_, n));
    pos_ += n;
    return true;
  }

  bool parse_string(std::string* s) {
    ++pos_;  // "
    for (;;) {
      if (at_end()) return fail("unterminated string");
      char c = peek();
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character in string");
      if (c != '\\') {
        if (!copy_utf8(s)) return false;
        continue;
      }
      ++pos_;
      if (at_end()) return fail("unterminated escape");
      char e = text_[pos_++];
      switch (e) {
        case '"':
          s->push_back('"');
          break;
        case '\\':
          s->push_back('\\');
          break;
        case '/':
          s->push_back('/');
          break;
        case 'b':
          s->push_back('\b');
          break;
        case 'f':
          s->push_back('\f');
          break;
        case 'n':
          s->push_back('\n');
          break;
        case 'r':
          s->push_back('\r');
          break;
        case 't':
          s->push_back('\t');
          break;
        case 'u': {
          uint32_t cp;
          if (!hex4(&cp)) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("lone low surrogate");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            // A high surrogate must be followed by an escaped low one; together they are one
            // code point (UTF-8 has no encoding for a surrogate on its own).
            if (text_.substr(pos_, 2) != "\\u") return fail("lone high surrogate");
            pos_ += 2;
            uint32_t low;
            if (!hex4(&low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return fail("high surrogate without a low one");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          utf8::encode(cp, s);
          break;
        }
        default:
          --pos_;
          return fail("invalid escape");
      }
    }
  }

  // JSON's grammar exactly: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool parse_number(Value* out) {
    size_t start = pos_;
    auto digits = [&] {
      size_t from = pos_;
      while (!at_end() && peek() >= '0' && peek() <= '9') ++pos_;
      return pos_ - from;
    };
    if (!at_end() && peek() == '-') ++pos_;
    if (at_end() || peek() < '0' || peek() > '9') return fail("invalid value");
    if (peek() == '0') {
      ++pos_;
    } else {
      digits();
    }
    if (!at_end() && peek() == '.') {
      ++pos_;
      if (digits() == 0) return fail("digits expected after '.'");
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      ++pos_;
      if (!at_end() && (peek() == '+' || peek() == '-')) ++pos_;
      if (digits() == 0) return fail("digits expected in the exponent");
    }
    double v = 0;
    auto [end, ec] = std::from_chars(text_.data() + start, text_.data() + pos_, v);
    if (ec != std::errc() || end != text_.data() + pos_) {
      pos_ = start;
      return fail("number out of range");
    }
    out->data = v;
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
  size_t error_pos_ = 0;
};

}  // namespace

bool parse(std::string_view text, Value* out, std::string* error) {
  Parser parser(text);
  return parser.parse_document(out, error);
}

}  // namespace lona::json
