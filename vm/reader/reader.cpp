#include "vm/reader/reader.hpp"

#include <algorithm>
#include <atomic>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "runtime/support/str_cat.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/kind.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/text.hpp"
#include "runtime/term/utf8.hpp"
#include "vm/reader/number_literal.hpp"

namespace lona {
namespace {

constexpr int kEof = -1;

bool is_whitespace(int c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == ',';
}
bool is_closer(int c) { return c == ')' || c == ']' || c == '}'; }
// Characters that end a token (besides whitespace).
bool is_terminator(int c) {
  switch (c) {
    case '(':
    case ')':
    case '[':
    case ']':
    case '{':
    case '}':
    case '"':
    case ';':
    case '`':
    case '~':
    case '^':
    case '@':
    case '\\':
      return true;
    default:
      return false;
  }
}
bool is_digit(int c) { return c >= '0' && c <= '9'; }
bool is_control(int c) { return (c >= 0 && c < 0x20 && !is_whitespace(c)) || c == 0x7F; }
bool is_symbol_start(unsigned char c) {
  if (c >= 0x80) return true;  // non-ASCII letters (validated as UTF-8 separately)
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '*':
    case '+':
    case '!':
    case '-':
    case '_':
    case '?':
    case '<':
    case '>':
    case '=':
    case '&':
    case '.':
    case '/':
    case '$':
    case '%':
      return true;
    default:
      return false;
  }
}
bool is_symbol_char(unsigned char c) {
  return is_symbol_start(c) || is_digit(c) || c == '\'' || c == ':' || c == '#';
}

std::atomic<uint64_t> gensym_counter{0};

Term sym(std::string_view name) { return make_symbol(name); }

}  // namespace

// One call of Reader::next: the recursive-descent reader over the reader's source and position.
// Every form it reads is pushed on the heap's term stack, so allocation never loses one.
class ReadPass {
 public:
  explicit ReadPass(Reader& r)
      : r_(r), heap_(r.heap_), st_(r.heap_.stack()), src_(r.src_), pos_(r.pos_) {}

  // Skips whitespace, comments and #_ forms. False on error.
  bool skip_ignored(int depth) {
    for (;;) {
      skip_whitespace_and_comments();
      if (peek() == '#' && peek(1) == '_') {
        size_t at = pos_;
        pos_ += 2;
        if (!read(depth + 1)) {
          if (r_.error_.reason == "unmatched-delimiter" || at_end()) {
            return fail_at(at, r_.error_.reason, "#_ needs a form to discard");
          }
          return false;
        }
        st_.pop_back();
        continue;
      }
      return true;
    }
  }

  bool at_end() const { return pos_ >= src_.size(); }
  int peek(size_t ahead = 0) const {
    return pos_ + ahead < src_.size() ? static_cast<unsigned char>(src_[pos_ + ahead]) : kEof;
  }

  // Reads one form and pushes it. False on error (the stack may then hold partial results).
  bool read(int depth) {
    if (depth > r_.options_.max_depth) return nesting_too_deep();
    if (!skip_ignored(depth)) return false;
    int c = peek();
    size_t start = pos_;
    switch (c) {
      case kEof:
        return fail("unexpected-eof", "unexpected end of input: expected a form");
      case '(':
        return read_collection(depth, start, ')', [this](size_t n) {
          push(list_from_stack(heap_, n));
          return true;
        });
      case '[':
        return read_collection(depth, start, ']', [this](size_t n) {
          push(tuple_from_stack(heap_, n));
          return true;
        });
      case '{':
        return read_collection(depth, start, '}', [this](size_t n) {
          push(vector_from_stack(heap_, n));
          return true;
        });
      case ')':
      case ']':
      case '}':
        return fail_unmatched(c);
      case '"':
        return read_string_form();
      case '\\':
        return read_char();
      case '\'':
        ++pos_;
        return read_prefixed(depth, "quote", start);
      case '`': {
        // Each level of syntax-quote multiplies the size of what it quotes (as in Clojure), so
        // nesting is bounded to keep the expansion linear in the size of the source.
        if (syntax_quote_nesting_ >= kMaxSyntaxQuoteNesting) {
          return fail("nesting-too-deep",
                      str_cat("syntax-quote nested more than ", kMaxSyntaxQuoteNesting, " deep"));
        }
        ++pos_;
        ++syntax_quote_nesting_;
        bool ok = read_operand(depth, start, "`");
        gensyms_.clear();  // foo# names a fresh symbol in each syntax-quote
        ok = ok && syntax_quote(depth);
        --syntax_quote_nesting_;
        return ok;
      }
      case '~':
        ++pos_;
        if (peek() == '@') {
          ++pos_;
          return read_prefixed(depth, "unquote-splicing", start);
        }
        return read_prefixed(depth, "unquote", start);
      case '^':
        return read_meta(depth);
      case '@':
        return fail("invalid-character", "@ is reserved");
      case '%':
        if (peek(1) == '{') {
          ++pos_;
          return read_collection(depth, start, '}', [this, start](size_t n) {
            if (n % 2 != 0) {
              return fail_at(start, "invalid-map-literal",
                             "a map literal needs an even number of forms");
            }
            push(map_from_stack(heap_, n / 2));
            return true;
          });
        }
        return read_token_form(false);
      case '#':
        return read_dispatch(depth);
      default:
        if (is_control(c)) return fail_control_character(c);
        return read_token_form(false);
    }
  }

  // Cold paths of read() and read_collection(), kept out of line: those two recurse once per
  // level of nesting, so their frames bound how deep max_depth can go on a given stack
  // (sanitizer builds give every local its own slot).
  [[gnu::noinline]] bool fail_unmatched(int c) {
    return fail("unmatched-delimiter",
                str_cat("unmatched delimiter ", std::string(1, static_cast<char>(c))));
  }
  [[gnu::noinline]] bool fail_mismatched(int c, char closer) {
    return fail("unmatched-delimiter",
                str_cat("unmatched delimiter ", std::string(1, static_cast<char>(c)), ": expected ",
                        std::string(1, closer)));
  }
  [[gnu::noinline]] bool fail_unclosed(size_t open, char opener) {
    auto [line, column] = position(open);
    return fail("unexpected-eof",
                str_cat("unexpected end of input: ", std::string(1, opener), " opened at line ",
                        line, ", column ", column, " is not closed"));
  }
  [[gnu::noinline]] bool fail_control_character(int c) {
    return fail("invalid-character",
                str_cat("invalid character ", utf8::code_point_name(static_cast<uint32_t>(c))));
  }
  [[gnu::noinline]] bool read_string_form() {
    std::string text;
    if (!read_string_body(&text)) return false;
    push(make_string(heap_, text));
    return true;
  }

  bool fail(std::string_view reason, std::string_view message) {
    return fail_at(pos_, reason, message);
  }

  bool nesting_too_deep() {
    return fail("nesting-too-deep",
                str_cat("forms nested deeper than ", r_.options_.max_depth, " levels"));
  }

  bool fail_at(size_t offset, std::string_view reason, std::string_view message) {
    ReadError& e = r_.error_;
    e.reason = std::string(reason);
    e.message = std::string(message);
    e.offset = offset;
    std::tie(e.line, e.column) = position(offset);
    return false;
  }

  // Line and column (1-based, columns in characters) of a byte offset.
  std::pair<int, int> position(size_t offset) const {
    int line = r_.options_.first_line, column = 1;
    for (size_t i = 0; i < offset && i < src_.size(); ++i) {
      if (src_[i] == '\n') {
        ++line;
        column = 1;
      } else if ((static_cast<unsigned char>(src_[i]) & 0xC0) != 0x80) {
        ++column;
      }
    }
    return {line, column};
  }

 private:
  struct AnonFn {
    int max_index = 0;
    bool bare = false;      // %
    bool numbered = false;  // %1, %2, ...
    bool rest = false;      // %&
  };

  void push(Term t) { st_.push_back(t); }

  void skip_whitespace_and_comments() {
    for (;;) {
      int c = peek();
      if (is_whitespace(c)) {
        ++pos_;
      } else if (c == ';' || (c == '#' && peek(1) == '!')) {
        while (!at_end() && src_[pos_] != '\n') ++pos_;
      } else {
        return;
      }
    }
  }

  // Reads elements up to `closer` (pos_ is on the opening bracket; `open` is where the form
  // starts, for messages), then lets `build` turn the n pushed elements into one form.
  template <typename Build>
  bool read_collection(int depth, size_t open, char closer, Build build) {
    if (depth + 1 > r_.options_.max_depth) return nesting_too_deep();
    char opener = src_[pos_];
    ++pos_;
    size_t n = 0;
    for (;;) {
      if (!skip_ignored(depth)) return false;
      int c = peek();
      if (c == kEof) return fail_unclosed(open, opener);
      if (c == closer) {
        ++pos_;
        return build(n);
      }
      if (is_closer(c)) return fail_mismatched(c, closer);
      if (!read(depth + 1)) return false;
      ++n;
    }
  }

  // The form after a prefix character (', `, ~, ~@, #', ^): missing is an error at the prefix.
  bool read_operand(int depth, size_t prefix_at, std::string_view prefix) {
    if (!read(depth + 1)) {
      if (r_.error_.reason == "unmatched-delimiter") {
        return fail_at(prefix_at, "unmatched-delimiter",
                       str_cat(prefix, " must be followed by a form"));
      }
      return false;
    }
    return true;
  }

  // 'x -> (quote x) and the like.
  bool read_prefixed(int depth, std::string_view head, size_t prefix_at) {
    if (!read_operand(depth, prefix_at, head)) return false;
    wrap(sym(head));
    return true;
  }

  // Replaces the top of the stack x by (head x).
  void wrap(Term head) {
    Term x = st_.back();
    st_.back() = head;
    push(x);
    push(list_from_stack(heap_, 2));
  }

  bool read_string_body(std::string* out) {
    size_t start = pos_;
    ++pos_;  // the opening quote
    for (;;) {
      if (at_end()) {
        return fail_at(start, "unexpected-eof", "unexpected end of input: unterminated string");
      }
      unsigned char c = static_cast<unsigned char>(src_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\\') {
        if (!read_escape(out)) return false;
        continue;
      }
      if (c >= 0x80) {
        uint32_t cp;
        size_t n = utf8::decode(src_, pos_, &cp);
        if (n == 0) return fail("invalid-utf8", "invalid UTF-8 in string");
        out->append(src_.substr(pos_, n));
        pos_ += n;
        continue;
      }
      out->push_back(static_cast<char>(c));
      ++pos_;
    }
  }

  bool read_hex4(uint32_t* v) {
    *v = 0;
    for (int i = 0; i < 4; ++i) {
      int c = peek();
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return false;
      *v = *v << 4 | static_cast<uint32_t>(d);
      ++pos_;
    }
    return true;
  }

  bool read_escape(std::string* out) {
    size_t at = pos_;
    ++pos_;  // the backslash
    int c = peek();
    switch (c) {
      case kEof:
        return fail_at(at, "unexpected-eof", "unexpected end of input: unterminated string");
      case 'n':
        out->push_back('\n');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case '\\':
        out->push_back('\\');
        break;
      case '"':
        out->push_back('"');
        break;
      case 'u': {
        ++pos_;
        uint32_t cp;
        if (!read_hex4(&cp)) {
          return fail_at(at, "invalid-escape", "\\u must be followed by four hex digits");
        }
        // A UTF-16 surrogate pair written as two escapes is one character.
        if (cp >= 0xD800 && cp <= 0xDBFF && peek() == '\\' && peek(1) == 'u') {
          size_t save = pos_;
          pos_ += 2;
          uint32_t low;
          if (read_hex4(&low) && low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else {
            pos_ = save;
          }
        }
        if (!is_scalar_value(cp)) {
          return fail_at(at, "invalid-escape", "\\u escape of a lone surrogate");
        }
        utf8::encode(cp, out);
        return true;
      }
      default: {
        std::string shown = c < 0x80 && !is_control(c) ? std::string(1, static_cast<char>(c)) : "";
        return fail_at(at, "invalid-escape", str_cat("invalid escape \\", shown, " in string"));
      }
    }
    ++pos_;
    return true;
  }

  // The text of a token starting at pos_; `stop_at_colon` inside #bits segments.
  bool read_token_text(bool stop_at_colon, std::string_view* out) {
    size_t start = pos_;
    while (!at_end()) {
      int c = peek();
      if (is_whitespace(c) || is_terminator(c) || (stop_at_colon && c == ':')) break;
      if (is_control(c)) {
        return fail("invalid-character",
                    str_cat("invalid character ", utf8::code_point_name(static_cast<uint32_t>(c))));
      }
      if (c >= 0x80) {
        uint32_t cp;
        size_t n = utf8::decode(src_, pos_, &cp);
        if (n == 0) return fail("invalid-utf8", "invalid UTF-8 in source");
        pos_ += n;
        continue;
      }
      ++pos_;
    }
    *out = src_.substr(start, pos_ - start);
    return true;
  }

  bool valid_name(std::string_view name) {
    if (name.empty() || !is_symbol_start(static_cast<unsigned char>(name[0]))) return false;
    for (unsigned char c : name) {
      if (!is_symbol_char(c)) return false;
    }
    if (name == "/") return true;
    size_t slash = name.find('/');
    if (slash == std::string_view::npos) return true;
    // ns/name: both parts present; the name may itself be "/" (lona.core//).
    std::string_view ns = name.substr(0, slash), rest = name.substr(slash + 1);
    if (ns.empty() || rest.empty()) return false;
    return rest == "/" || rest.back() != '/';
  }

  bool read_token_form(bool stop_at_colon) {
    size_t start = pos_;
    std::string_view tok;
    if (!read_token_text(stop_at_colon, &tok)) return false;
    if (tok.empty()) return fail("invalid-token", "expected a form");
    char c0 = tok[0];
    if (is_digit(c0) || ((c0 == '+' || c0 == '-') && tok.size() > 1 && is_digit(tok[1]))) {
      NumberResult n = parse_number(heap_, tok);
      if (!n.ok) return fail_at(start, n.reason, n.message);
      push(n.value);
      return true;
    }
    if (c0 == ':') {
      std::string_view name = tok.substr(1);
      if (!valid_name(name)) {
        return fail_at(start, "invalid-token", str_cat("invalid keyword ", tok));
      }
      push(make_keyword(name));
      return true;
    }
    if (tok == "nil") {
      push(Term::nil());
    } else if (tok == "true") {
      push(Term::boolean(true));
    } else if (tok == "false") {
      push(Term::boolean(false));
    } else {
      if (!valid_name(tok)) {
        return fail_at(start, "invalid-token", str_cat("invalid symbol ", tok));
      }
      note_placeholder(tok);
      push(make_symbol(tok));
    }
    return true;
  }

  void note_placeholder(std::string_view tok) {
    if (anon_ == nullptr || tok[0] != '%') return;
    if (tok == "%") {
      anon_->bare = true;
      anon_->max_index = std::max(anon_->max_index, 1);
    } else if (tok == "%&") {
      anon_->rest = true;
    } else if (tok.size() <= 4 &&
               std::all_of(tok.begin() + 1, tok.end(), [](char c) { return is_digit(c); })) {
      anon_->numbered = true;
      anon_->max_index = std::max(anon_->max_index, std::stoi(std::string(tok.substr(1))));
    }
  }

  bool read_char() {
    size_t start = pos_;
    ++pos_;
    if (at_end()) return fail_at(start, "unexpected-eof", "unexpected end of input after \\");
    uint32_t first;
    size_t n = utf8::decode(src_, pos_, &first);
    if (n == 0) return fail("invalid-utf8", "invalid UTF-8 in character literal");
    // \, is the comma (whitespace elsewhere); the printer writes the comma that way.
    if ((is_whitespace(static_cast<int>(first)) && first != ',') ||
        is_control(static_cast<int>(first))) {
      return fail_at(start, "invalid-character", "\\ must be followed by a character");
    }
    pos_ += n;
    if (is_terminator(static_cast<int>(first))) {
      push(Term::character(first));
      return true;
    }
    std::string_view rest;
    if (!read_token_text(false, &rest)) return false;
    std::string_view tok = src_.substr(start + 1, pos_ - start - 1);
    if (rest.empty()) {
      push(Term::character(first));
      return true;
    }
    static constexpr struct {
      std::string_view name;
      uint32_t cp;
    } kNamed[] = {{"newline", '\n'}, {"space", ' '},      {"tab", '\t'},
                  {"return", '\r'},  {"backspace", '\b'}, {"formfeed", '\f'}};
    for (const auto& named : kNamed) {
      if (tok == named.name) {
        push(Term::character(named.cp));
        return true;
      }
    }
    if (tok.size() == 5 && tok[0] == 'u') {
      size_t save = pos_;
      pos_ = start + 2;
      uint32_t cp;
      bool ok = read_hex4(&cp);
      pos_ = save;
      if (ok) {
        if (!is_scalar_value(cp)) {
          return fail_at(start, "invalid-character", "\\u of a surrogate is not a character");
        }
        push(Term::character(cp));
        return true;
      }
    }
    return fail_at(start, "invalid-character", str_cat("unknown character \\", tok));
  }

  bool read_meta(int depth) {
    size_t start = pos_;
    ++pos_;
    if (!read_operand(depth, start, "^")) return false;
    Term m = st_.back();
    if (m.is_keyword()) {
      push(Term::boolean(true));
      push(map_from_stack(heap_, 1));
    } else if (is_any_symbol(m) || is_string(m)) {
      st_.back() = make_keyword("tag");
      push(m);
      push(map_from_stack(heap_, 1));
    } else if (!is_map(m)) {
      return fail_at(start, "invalid-metadata",
                     "metadata must be a map, a keyword, a symbol or a string");
    }
    // The stack now holds the metadata map; below it goes nothing else of ours.
    if (!read_operand(depth, start, "^")) return false;
    Term target = st_.back();
    if (!can_carry_meta(target)) {
      return fail_at(start, "invalid-metadata",
                     "metadata can be attached to symbols, tuples, vectors, maps and sets only");
    }
    // Merge: the metadata already on the target (written later, closer to it) wins.
    Term outer = st_[st_.size() - 2];
    Term inner = meta_of(target);
    if (!inner.is_nil()) {
      size_t n = 0;
      for (Term mm : {outer, inner}) {
        for (size_t i = 0; i < map_count(mm); ++i, ++n) {
          push(map_key(mm, i));
          push(map_value(mm, i));
        }
      }
      Term merged = map_from_stack(heap_, n);
      st_[st_.size() - 2] = merged;
    }
    Term result = with_meta(heap_, st_.back(), st_[st_.size() - 2]);
    st_.pop_back();
    st_.back() = result;
    return true;
  }

  bool read_dispatch(int depth) {
    size_t start = pos_;
    int c = peek(1);
    switch (c) {
      case '{':
        ++pos_;
        return read_collection(depth, start, '}', [this](size_t n) {
          push(set_from_stack(heap_, n));
          return true;
        });
      case '(':
        return read_anon_fn(depth);
      case '\'':
        pos_ += 2;
        return read_prefixed(depth, "var", start);
      case '#':
        return read_special_float();
      case kEof:
        return fail("unexpected-eof", "unexpected end of input after #");
      default:
        break;
    }
    if (src_.substr(pos_).starts_with("#bytes")) {
      pos_ += 6;
      return read_bytes(depth, start);
    }
    if (src_.substr(pos_).starts_with("#bits[")) {
      pos_ += 5;
      return read_bits(depth);
    }
    std::string_view tok;
    ++pos_;
    if (!read_token_text(false, &tok)) return false;
    return fail_at(start, "invalid-dispatch", str_cat("unknown dispatch #", tok));
  }

  bool read_special_float() {
    size_t start = pos_;
    pos_ += 2;
    std::string_view tok;
    if (!read_token_text(false, &tok)) return false;
    double v;
    if (tok == "Inf") {
      v = std::numeric_limits<double>::infinity();
    } else if (tok == "-Inf") {
      v = -std::numeric_limits<double>::infinity();
    } else if (tok == "NaN") {
      v = std::numeric_limits<double>::quiet_NaN();
    } else {
      return fail_at(start, "invalid-token", str_cat("unknown special value ##", tok));
    }
    push(make_float(heap_, v));
    return true;
  }

  bool read_anon_fn(int depth) {
    size_t start = pos_;
    if (anon_ != nullptr) {
      return fail("nested-anon-fn", "#(...) cannot be nested inside another #(...)");
    }
    AnonFn fn;
    anon_ = &fn;
    ++pos_;  // '#'; read_collection consumes '('
    bool ok = read_collection(depth, start, ')', [this](size_t n) {
      push(list_from_stack(heap_, n));
      return true;
    });
    anon_ = nullptr;
    if (!ok) return false;
    if (fn.bare && fn.numbered) {
      return fail_at(start, "mixed-placeholders", "#(...) uses both % and %1-style placeholders");
    }
    size_t params = 0;
    if (fn.bare) {
      push(sym("%"));
      ++params;
    } else {
      for (int i = 1; i <= fn.max_index; ++i, ++params) push(make_symbol(str_cat("%", i)));
    }
    if (fn.rest) {
      push(sym("&"));
      push(sym("%&"));
      params += 2;
    }
    push(tuple_from_stack(heap_, params));
    // The stack holds [body params]; make it [fn* params body] without allocating in between.
    Term param_tuple = st_.back();
    st_.pop_back();
    Term body = st_.back();
    st_.back() = sym("fn*");
    push(param_tuple);
    push(body);
    push(list_from_stack(heap_, 3));
    return true;
  }

  // #bytes[...], #bytes"...", #bytes/ascii"...", #bytes/latin1"..."
  bool read_bytes(int depth, size_t start) {
    int c = peek();
    if (c == '[') {
      size_t base = st_.size();
      return read_collection(depth, start, ']', [this, base, start](size_t n) {
        bool literal = true;
        std::string bytes;
        for (size_t i = base; i < base + n; ++i) {
          Term e = st_[i];
          if (!is_integer(e)) {
            literal = false;
            continue;
          }
          std::optional<int64_t> v = integer_as_int64(e);
          if (!v || *v < 0 || *v > 255) {
            return fail_at(start, "invalid-byte", "#bytes elements must be from 0 to 255");
          }
          bytes.push_back(static_cast<char>(*v));
        }
        if (literal) {
          st_.resize(base);
          push(make_binary(heap_, bytes));
        } else {  // a pattern or a constructor call: (lona.core/bytes e...)
          st_.insert(st_.begin() + static_cast<std::ptrdiff_t>(base), sym("lona.core/bytes"));
          push(list_from_stack(heap_, n + 1));
        }
        return true;
      });
    }
    std::string encoding = "utf-8";
    if (c == '/') {
      ++pos_;
      std::string_view enc;
      size_t at = pos_;
      while (!at_end() && peek() != '"' && !is_whitespace(peek()) && !is_terminator(peek())) {
        ++pos_;
      }
      enc = src_.substr(at, pos_ - at);
      if (enc != "ascii" && enc != "latin1") {
        return fail_at(start, "invalid-dispatch",
                       str_cat("unknown #bytes encoding ", enc, " (ascii or latin1)"));
      }
      encoding = std::string(enc);
    }
    if (peek() != '"') {
      if (at_end()) return fail("unexpected-eof", "unexpected end of input after #bytes");
      return fail_at(start, "invalid-dispatch", "#bytes must be followed by [ or a string");
    }
    std::string text;
    if (!read_string_body(&text)) return false;
    std::string bytes;
    if (encoding == "utf-8") {
      bytes = std::move(text);
    } else {
      uint32_t limit = encoding == "ascii" ? 0x7F : 0xFF;
      for (size_t i = 0; i < text.size();) {
        uint32_t cp = 0;  // text came from read_string_body: valid UTF-8
        size_t n = utf8::decode(text, i, &cp);
        if (cp > limit) {
          return fail_at(
              start, "invalid-byte",
              str_cat("character ", utf8::code_point_name(cp), " has no ", encoding, " encoding"));
        }
        bytes.push_back(static_cast<char>(cp));
        i += n;
      }
    }
    push(make_binary(heap_, bytes));
    return true;
  }

  // #bits[seg ...]: seg = value[:size[/mod...]] or & rest.
  bool read_bits(int depth) {
    if (depth + 1 > r_.options_.max_depth) return nesting_too_deep();
    size_t open = pos_ - 5;
    ++pos_;  // '['
    size_t n = 0;
    push(sym("lona.core/bits"));
    for (;;) {
      if (!skip_ignored(depth)) return false;
      int c = peek();
      if (c == kEof) {
        return fail_at(open, "unexpected-eof", "unexpected end of input: #bits[ is not closed");
      }
      if (c == ']') {
        ++pos_;
        break;
      }
      if (is_closer(c)) return fail("unmatched-delimiter", "unmatched delimiter: expected ]");
      if (c == '&' && (is_whitespace(peek(1)) || peek(1) == kEof)) {
        ++pos_;
        push(sym("&"));
        if (!read(depth + 1)) return false;
        n += 2;
        continue;
      }
      if (!read_bits_segment(depth)) return false;
      ++n;
    }
    push(list_from_stack(heap_, n + 1));
    return true;
  }

  bool read_bits_segment(int depth) {
    size_t start = pos_;
    int c = peek();
    bool plain_token = c != '(' && c != '[' && c != '{' && c != '"' && c != '\\' && c != '\'' &&
                       c != '#' && c != '^' && c != '~' && c != '`' && c != '%';
    if (plain_token ? !read_token_form(true) : !read(depth + 1)) return false;
    size_t parts = 1;
    if (peek() == ':') {
      ++pos_;
      std::string_view spec;
      if (!read_token_text(false, &spec)) return false;
      size_t slash = spec.find('/');
      std::string_view size = spec.substr(0, slash);
      if (size.empty()) return fail_at(start, "invalid-bits", "#bits segment without a size");
      if (is_digit(size[0]) ||
          ((size[0] == '+' || size[0] == '-') && size.size() > 1 && is_digit(size[1]))) {
        NumberResult num = parse_number(heap_, size);
        if (!num.ok || !num.value.is_fixnum() || num.value.fixnum_value() < 0) {
          return fail_at(start, "invalid-bits", str_cat("bad #bits segment size ", size));
        }
        push(num.value);
      } else if (valid_name(size)) {
        push(make_symbol(size));
      } else {
        return fail_at(start, "invalid-bits", str_cat("bad #bits segment size ", size));
      }
      ++parts;
      while (slash != std::string_view::npos) {
        spec = spec.substr(slash + 1);
        slash = spec.find('/');
        std::string_view mod = spec.substr(0, slash);
        if (mod != "be" && mod != "le" && mod != "native" && mod != "signed" && mod != "unsigned" &&
            mod != "bytes") {
          return fail_at(
              start, "invalid-bits",
              str_cat("unknown #bits modifier ", mod, " (be le native signed unsigned bytes)"));
        }
        push(make_keyword(mod));
        ++parts;
      }
    }
    push(tuple_from_stack(heap_, parts));
    return true;
  }

  // --- syntax-quote ------------------------------------------------------------------------------

  bool is_special_form(std::string_view name) {
    for (std::string_view s : {"def", "fn*", "match", "do", "quote", "var", "receive", "&", "_"}) {
      if (name == s) return true;
    }
    return false;
  }

  // Replaces the form on top of the stack by its syntax-quote expansion.
  bool syntax_quote(int depth) {
    if (depth > r_.options_.max_depth) {
      return fail("nesting-too-deep", "syntax-quote nested too deeply");
    }
    Term form = st_.back();
    if (is_any_symbol(form)) {
      st_.back() = qualify(bare_symbol(form));
      wrap(sym("quote"));
      return true;
    }
    if (form.is_cons()) {
      Term head = list_head(form);
      if (head == sym("unquote") && list_tail(form).is_cons()) {
        st_.back() = list_head(list_tail(form));
        return true;
      }
      if (head == sym("unquote-splicing")) {
        return fail("syntax-error", "~@ can only be used inside a collection");
      }
    }
    Kind k = kind_of(form);
    if (k != Kind::kList && k != Kind::kTuple && k != Kind::kVector && k != Kind::kMap &&
        k != Kind::kSet) {
      return true;  // self-evaluating
    }
    if (form.is_empty_list()) return true;
    size_t at = st_.size() - 1;  // the form stays here while its parts are built above it
    push(sym("lona.core/concat"));
    size_t parts = 0;
    auto add_part = [&](Term element) {
      if (element.is_cons() && list_head(element) == sym("unquote-splicing") &&
          list_tail(element).is_cons()) {
        push(list_head(list_tail(element)));
        return true;
      }
      push(sym("lona.core/list"));
      push(element);
      if (!syntax_quote(depth + 1)) return false;
      push(list_from_stack(heap_, 2));
      return true;
    };
    if (k == Kind::kList) {
      push(form);  // the cursor; re-read after every step since objects move
      size_t cursor = st_.size() - 1;
      while (st_[cursor].is_cons()) {
        Term element = list_head(st_[cursor]);
        // Move the cursor below the part being built: parts stack above it in order.
        if (!add_part(element)) return false;
        Term part = st_.back();
        st_.pop_back();
        Term next = list_tail(st_[cursor]);
        st_[cursor] = part;
        push(next);
        cursor = st_.size() - 1;
        ++parts;
      }
      st_.pop_back();  // the spent cursor
    } else {
      size_t count = k == Kind::kMap   ? 2 * map_count(form)
                     : k == Kind::kSet ? set_count(form)
                                       : array_count(form);
      for (size_t i = 0; i < count; ++i) {
        Term f = st_[at];
        Term element = k == Kind::kMap   ? (i % 2 == 0 ? map_key(f, i / 2) : map_value(f, i / 2))
                       : k == Kind::kSet ? set_at(f, i)
                                         : array_at(f, i);
        if (!add_part(element)) return false;
        ++parts;
      }
    }
    push(list_from_stack(heap_, parts + 1));  // (lona.core/concat parts...)
    if (k != Kind::kList) {
      Term concat = st_.back();
      st_.back() = sym("lona.core/apply");
      push(sym(k == Kind::kTuple    ? "lona.core/tuple"
               : k == Kind::kVector ? "lona.core/vector"
               : k == Kind::kMap    ? "lona.core/hash-map"
                                    : "lona.core/hash-set"));
      push(concat);
      push(list_from_stack(heap_, 3));
    }
    Term meta = meta_of(st_[at]);
    if (!meta.is_nil()) {
      Term expansion = st_.back();
      st_.back() = sym("lona.core/with-meta");
      push(expansion);
      push(meta);
      if (!syntax_quote(depth + 1)) return false;
      push(list_from_stack(heap_, 3));
    }
    Term result = st_.back();
    st_.resize(at);
    push(result);
    return true;
  }

  Term qualify(Term s) {
    const SymbolTable::Entry& e = name_entry(s);
    std::string_view name = e.full;
    if (e.ns_length != 0 || is_special_form(name)) return s;
    if (name.size() > 1 && name.back() == '#') {  // foo# -> one fresh symbol per syntax-quote
      for (auto& [from, to] : gensyms_) {
        if (from == s) return to;
      }
      Term fresh = make_symbol(str_cat(name.substr(0, name.size() - 1), "__",
                                       gensym_counter.fetch_add(1) + 1, "__auto__"));
      gensyms_.emplace_back(s, fresh);
      return fresh;
    }
    return r_.options_.resolve_symbol ? r_.options_.resolve_symbol(s) : s;
  }

  Reader& r_;
  Heap& heap_;
  std::vector<Term>& st_;
  std::string_view src_;
  size_t& pos_;
  static constexpr int kMaxSyntaxQuoteNesting = 4;

  AnonFn* anon_ = nullptr;
  int syntax_quote_nesting_ = 0;
  std::vector<std::pair<Term, Term>> gensyms_;
};

Reader::Reader(Heap& heap, std::string_view source, ReaderOptions options)
    : heap_(heap), src_(source), options_(std::move(options)), counted_line_(options_.first_line) {}

Reader::Status Reader::next(Term* form) {
  std::vector<Term>& st = heap_.stack();
  size_t base = st.size();
  error_ = ReadError{};
  error_was_stray_closer_ = false;
  ReadPass pass(*this);
  bool ok = pass.skip_ignored(0);
  if (ok && pass.at_end()) return Status::kEnd;
  if (ok) form_start_ = pos_;
  if (ok && is_closer(pass.peek())) error_was_stray_closer_ = true;
  if (ok) ok = pass.read(0);
  if (!ok) {
    st.resize(base);
    return Status::kError;
  }
  *form = st.back();
  st.pop_back();
  return Status::kForm;
}

int Reader::form_line() {
  // Counted on from where the previous call stopped: forms come in order, so reading a file
  // and asking for every form's line is linear.
  if (form_start_ < counted_to_) {
    counted_to_ = 0;
    counted_line_ = options_.first_line;
  }
  for (; counted_to_ < form_start_ && counted_to_ < src_.size(); ++counted_to_) {
    if (src_[counted_to_] == '\n') ++counted_line_;
  }
  return counted_line_;
}

void Reader::recover() {
  if (error_was_stray_closer_) {
    pos_ = error_.offset + 1;
    return;
  }
  size_t nl = src_.find('\n', error_.offset);
  pos_ = nl == std::string_view::npos ? src_.size() : nl + 1;
}

Reader::Status read_one(Heap& heap, std::string_view source, Term* form, ReadError* error,
                        const ReaderOptions& options) {
  Reader reader(heap, source, options);
  Reader::Status s = reader.next(form);
  if (s == Reader::Status::kError) *error = reader.error();
  if (s != Reader::Status::kForm) return s;
  Rooted keep(heap, *form);
  // Where trailing text starts (after whitespace, comments and #_ forms), for the error.
  size_t extra_at;
  std::pair<int, int> extra_position;
  {
    std::vector<Term>& st = heap.stack();
    size_t base = st.size();
    ReadPass pass(reader);
    bool skipped = pass.skip_ignored(0);
    st.resize(base);
    extra_at = reader.offset();
    extra_position = pass.position(extra_at);
    if (!skipped) {
      *error = reader.error();
      return Reader::Status::kError;
    }
  }
  Term extra;
  Reader::Status after = reader.next(&extra);
  if (after == Reader::Status::kEnd) {
    *form = keep.get();
    return Reader::Status::kForm;
  }
  if (after == Reader::Status::kError) {
    *error = reader.error();
  } else {
    *error = ReadError{"syntax-error", "read-string takes one form; more text follows it", extra_at,
                       extra_position.first, extra_position.second};
  }
  return Reader::Status::kError;
}

}  // namespace lona
