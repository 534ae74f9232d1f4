// tests/conformance: the project's conformance runner. It runs the vectors of spec.jsonl (a copy
// of ../shared/conformance/spec.jsonl) in process, judges every assertion exactly as
// ../shared/conformance/run.py does, and fails when an assertion listed in expected_pass.txt no
// longer passes. One test per area, so a failure names the area; assertions that pass without
// being listed are reported, and LONA_CONFORMANCE_UPDATE=1 rewrites the list.
//
// A block runs the way run.py runs it through `lona repl --batch`: its forms (less those skipped
// for another architecture) are joined, one per line, and fed to the batch REPL (run_batch_repl,
// the code behind the binary) on a fresh heap and evaluator; the output lines are matched with
// the forms in order. run.py starts one process per block; here namespaces and vars are global to
// the realm, so each block evaluates in a namespace of its own (referring what `user` refers)
// so that what one block defines cannot change another's results, whatever order or subset
// of areas runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "runtime/term/heap.hpp"
#include "tests/conformance/json.hpp"
#include "tests/support/namespaces.hpp"
#include "vm/eval/evaluator.hpp"
#include "vm/intrinsics/native_context.hpp"
#include "vm/repl/repl.hpp"

namespace lona {
namespace {

#define LONA_CONFORMANCE_FILE(name) LONA_CONFORMANCE_DIR "/" name
constexpr const char* kSpecPath = LONA_CONFORMANCE_FILE("spec.jsonl");
constexpr const char* kPassListPath = LONA_CONFORMANCE_FILE("expected_pass.txt");

// run.py's --arch: forms tagged with the other architecture are skipped (never sent).
#if defined(__aarch64__)
constexpr std::string_view kArch = "aarch64";
#else
constexpr std::string_view kArch = "x86_64";
#endif

// The areas of the vectors (../shared/conformance/README.md), each one test. A block of any other
// area fails the SpecIsWellFormed test, so a new area cannot go unrun.
struct Area {
  const char* name;       // as spec.jsonl writes it
  const char* test_name;  // a gtest parameter name
};
// How gtest names the parameter in messages (instead of dumping its bytes).
void PrintTo(const Area& area, std::ostream* os) { *os << area.name; }
constexpr Area kAreas[] = {
    {"reader", "Reader"},
    {"special forms", "SpecialForms"},
    {"core intrinsics", "CoreIntrinsics"},
    {"collections", "Collections"},
    {"strings", "Strings"},
    {"metadata", "Metadata"},
    {"format examples", "FormatExamples"},
    {"processes", "Processes"},
    {"kernel/io/time", "KernelIoTime"},
};

// Blocks that must not run in process, with the reason. They are counted and reported by their
// area's test, never dropped silently. run.py kills a block after 10 seconds; in process a block
// that never ends can only be stopped with the whole test (see Watchdog), so a block that can
// hang goes here.
struct SkippedBlock {
  const char* id;
  const char* reason;
};
constexpr std::initializer_list<SkippedBlock> kSkippedBlocks = {
    // {"docs/lonala/example.md:10", "why it cannot run in process"},
    {"docs/lonala/lona.process.md:559",
     "races with more than one worker: the spawned process may end before (monitor p), which "
     "then gives [:DOWN ref p :noproc] (as in BEAM) where the vector expects :normal"},
};

// ---------------------------------------------------------------------------------------------
// The vectors

struct Expect {
  bool is_error = false;
  std::optional<std::string> error;  // the reason keyword; none: any error passes
  std::string value;
  std::vector<std::string> alt;
  std::optional<std::string> pattern;
};

struct Form {
  std::string src;
  std::optional<Expect> expect;  // none: a setup form
  std::set<std::string> tags;    // the form's own and its block's
  int line = 0;
};

struct Block {
  std::string id;
  std::string file;
  std::string area;
  int line = 0;
  std::vector<Form> forms;
};

// The id of one assertion in expected_pass.txt: the block id and the index of the form in the
// block (from 0, as run.py's --json writes `form`).
std::string assertion_id(const Block& b, size_t form) { return b.id + "#" + std::to_string(form); }

bool read_file(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::stringstream s;
  s << f.rdbuf();
  *out = s.str();
  return true;
}

// Reads one member, checking its kind; an error names the member.
const json::Value* member(const json::Value& obj, const char* key, bool (json::Value::*is)() const,
                          bool required, std::string* error) {
  const json::Value* v = obj.find(key);
  if (v == nullptr) {
    if (required) *error = std::string("missing member \"") + key + "\"";
    return nullptr;
  }
  if (!(v->*is)()) {
    *error = std::string("member \"") + key + "\" has the wrong type";
    return nullptr;
  }
  return v;
}

bool string_list(const json::Value& obj, const char* key, std::set<std::string>* out,
                 std::string* error) {
  const json::Value* v = member(obj, key, &json::Value::is_array, false, error);
  if (v == nullptr) return error->empty();
  for (const json::Value& t : v->as_array()) {
    if (!t.is_string()) {
      *error = std::string("\"") + key + "\" holds a non-string";
      return false;
    }
    out->insert(t.as_string());
  }
  return true;
}

bool parse_expect(const json::Value& e, Expect* out, std::string* error) {
  if (!e.is_object()) {
    *error = "\"expect\" is neither null nor an object";
    return false;
  }
  // run.py: `"error" in expect` decides, and an error of null accepts any reason.
  if (const json::Value* err = e.find("error")) {
    out->is_error = true;
    if (err->is_string()) {
      out->error = err->as_string();
    } else if (!err->is_null()) {
      *error = "\"error\" is neither a string nor null";
      return false;
    }
  }
  if (const json::Value* v = member(e, "value", &json::Value::is_string, false, error)) {
    out->value = v->as_string();
  }
  if (!error->empty()) return false;
  if (const json::Value* a = member(e, "alt", &json::Value::is_array, false, error)) {
    for (const json::Value& s : a->as_array()) {
      if (!s.is_string()) {
        *error = "\"alt\" holds a non-string";
        return false;
      }
      out->alt.push_back(s.as_string());
    }
  }
  if (!error->empty()) return false;
  // A pattern of "" counts as none, as in run.py (`if pat:`).
  const json::Value* p = e.find("pattern");
  if (p != nullptr && p->is_string() && !p->as_string().empty()) out->pattern = p->as_string();
  return true;
}

bool parse_block(const json::Value& v, Block* b, std::string* error) {
  if (!v.is_object()) {
    *error = "a line is not an object";
    return false;
  }
  const json::Value* id = member(v, "id", &json::Value::is_string, true, error);
  if (id == nullptr) return false;
  b->id = id->as_string();
  if (const json::Value* f = member(v, "file", &json::Value::is_string, false, error)) {
    b->file = f->as_string();
  }
  if (const json::Value* a = member(v, "area", &json::Value::is_string, true, error)) {
    b->area = a->as_string();
  }
  if (const json::Value* l = member(v, "line", &json::Value::is_number, false, error)) {
    b->line = static_cast<int>(l->as_number());
  }
  std::set<std::string> block_tags;
  if (!error->empty() || !string_list(v, "tags", &block_tags, error)) return false;
  const json::Value* forms = member(v, "forms", &json::Value::is_array, true, error);
  if (forms == nullptr) return false;
  for (const json::Value& fv : forms->as_array()) {
    Form f;
    const json::Value* src = member(fv, "src", &json::Value::is_string, true, error);
    if (src == nullptr) return false;
    f.src = src->as_string();
    f.tags = block_tags;
    if (!string_list(fv, "tags", &f.tags, error)) return false;
    if (const json::Value* l = member(fv, "line", &json::Value::is_number, false, error)) {
      f.line = static_cast<int>(l->as_number());
    } else {
      f.line = b->line;
    }
    if (!error->empty()) return false;
    const json::Value* e = fv.find("expect");
    if (e != nullptr && !e->is_null()) {
      Expect expect;
      if (!parse_expect(*e, &expect, error)) return false;
      f.expect = std::move(expect);
    }
    b->forms.push_back(std::move(f));
  }
  return true;
}

struct Spec {
  std::vector<Block> blocks;
  std::string error;  // empty when the file loaded
};

const Spec& spec() {
  static const Spec loaded = [] {
    Spec s;
    std::string text;
    if (!read_file(kSpecPath, &text)) {
      s.error = std::string("cannot read ") + kSpecPath;
      return s;
    }
    std::istringstream lines(text);
    std::string line;
    for (int n = 1; std::getline(lines, line); ++n) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      json::Value v;
      std::string error;
      Block b;
      if (!json::parse(line, &v, &error) || !parse_block(v, &b, &error)) {
        s.error = std::string(kSpecPath) + ":" + std::to_string(n) + ": " + error;
        return s;
      }
      s.blocks.push_back(std::move(b));
    }
    return s;
  }();
  return loaded;
}

// ---------------------------------------------------------------------------------------------
// Judging, as run.py's judge() does it. run.py works on Python strings (code points), so the text
// is decoded first: whitespace is what Python's str.isspace() calls whitespace, and bytes that are
// not UTF-8 become U+FFFD as with decode("utf-8", "replace").

bool py_isspace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

std::u32string decode(std::string_view s) {
  std::u32string out;
  size_t i = 0;
  while (i < s.size()) {
    auto b0 = static_cast<unsigned char>(s[i]);
    size_t n = b0 < 0x80             ? 1
               : (b0 & 0xE0) == 0xC0 ? 2
               : (b0 & 0xF0) == 0xE0 ? 3
               : (b0 & 0xF8) == 0xF0 ? 4
                                     : 0;
    char32_t cp = n == 1 ? b0 : n == 2 ? (b0 & 0x1F) : n == 3 ? (b0 & 0x0F) : (b0 & 0x07);
    bool ok = n != 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) {
      auto b = static_cast<unsigned char>(s[i + k]);
      ok = (b & 0xC0) == 0x80;
      cp = (cp << 6) | (b & 0x3F);
    }
    static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (ok) ok = cp >= kMin[n] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    if (ok) {
      out.push_back(cp);
      i += n;
    } else {
      out.push_back(0xFFFD);
      ++i;
    }
  }
  return out;
}

std::string encode(std::u32string_view s) {
  std::string out;
  for (char32_t cp : s) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

std::u32string strip(std::u32string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && py_isspace(s[b])) ++b;
  while (e > b && py_isspace(s[e - 1])) --e;
  return std::u32string(s.substr(b, e - b));
}

bool is_one_of(char32_t c, std::u32string_view set) {
  return set.find(c) != std::u32string_view::npos;
}

// run.py's normalize_ws: whitespace and commas outside string and character literals collapse to
// one space, dropped next to an opening or before a closing delimiter.
std::u32string normalize_ws(std::u32string_view s) {
  std::vector<std::u32string> out;
  size_t i = 0, n = s.size();
  bool pending_space = false;
  while (i < n) {
    char32_t c = s[i];
    std::u32string tok;
    if (c == U'"') {
      size_t j = i + 1;
      while (j < n && s[j] != U'"') j += s[j] == U'\\' ? 2 : 1;
      tok = std::u32string(s.substr(i, j + 1 - i));  // substr clamps at the end, like s[i:j+1]
      i = j + 1;
    } else if (c == U'\\' && i + 1 < n) {
      size_t j = i + 2;
      while (j < n && !(py_isspace(s[j]) || is_one_of(s[j], U"()[]{},\""))) ++j;
      tok = std::u32string(s.substr(i, j - i));
      i = j;
    } else if (py_isspace(c) || c == U',') {
      pending_space = true;
      ++i;
      continue;
    } else {
      tok = std::u32string(1, c);
      ++i;
    }
    if (pending_space && !out.empty() && !is_one_of(out.back().back(), U"([{") &&
        !is_one_of(tok.front(), U")]}")) {
      out.push_back(U" ");
    }
    pending_space = false;
    out.push_back(std::move(tok));
  }
  std::u32string joined;
  for (const std::u32string& t : out) joined += t;
  return strip(joined);
}

// ERROR_LINE_RE = ^ERROR(?=$|[\s:])
bool is_error_line(std::u32string_view a) {
  if (a.substr(0, 5) != U"ERROR") return false;
  return a.size() == 5 || py_isspace(a[5]) || a[5] == U':';
}

// Python's re.S makes `.` match a newline too; ECMAScript has no such flag, so a `.` outside a
// character class becomes [\s\S].
std::string dot_all(const std::string& pattern) {
  std::string out;
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      out += pattern.substr(i, 2);
      ++i;
    } else if (in_class) {
      out.push_back(c);
      if (c == ']') in_class = false;
    } else if (c == '[') {
      out.push_back(c);
      in_class = true;
      // A ']' right after '[' or '[^' is a member, not the end of the class.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out.push_back(pattern[++i]);
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out.push_back(pattern[++i]);
    } else if (c == '.') {
      out += "[\\s\\S]";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

struct Verdict {
  bool ok = false;
  std::string why;  // when not ok
};

Verdict judge(const Expect& expect, const std::optional<std::string>& actual) {
  if (!actual) return {false, "no output line"};
  std::u32string a = strip(decode(*actual));
  bool is_err = is_error_line(a);
  if (expect.is_error) {
    if (!is_err) return {false, "expected an error, got a value"};
    if (!expect.error) return {true, ""};
    std::u32string rest = a.substr(5);
    // "ERROR: message": the colon is only a separator.
    if (!rest.empty() && rest[0] == U':' && (rest.size() == 1 || py_isspace(rest[1]))) {
      rest = rest.substr(1);
    }
    rest = strip(rest);
    size_t end = 0;
    while (end < rest.size() && !py_isspace(rest[end])) ++end;
    std::string first = encode(rest.substr(0, end));
    if (first == *expect.error) return {true, ""};
    return {false, "error reason " + (first.empty() ? std::string("None") : first) + ", expected " +
                       *expect.error};
  }
  if (is_err) return {false, "unexpected error"};
  std::vector<std::u32string> candidates = {decode(expect.value)};
  for (const std::string& alt : expect.alt) candidates.push_back(decode(alt));
  for (const std::u32string& c : candidates) {
    if (a == c) return {true, ""};
  }
  std::u32string na = normalize_ws(a);
  for (const std::u32string& c : candidates) {
    if (na == normalize_ws(c)) return {true, ""};
  }
  if (expect.pattern) {
    try {
      if (std::regex_match(encode(a), std::regex(dot_all(*expect.pattern)))) return {true, ""};
    } catch (const std::regex_error&) {
      // as run.py: a pattern that does not compile matches nothing
    }
    return {false, "no match for pattern " + *expect.pattern};
  }
  return {false, "value mismatch"};
}

// ---------------------------------------------------------------------------------------------
// Running a block

// In process a block that never ends cannot be stopped on its own (the interpreter has no
// interrupt), so the watchdog ends the whole test with the block's id instead of letting ctest's
// timeout kill it without one. LONA_CONFORMANCE_TIMEOUT (seconds) overrides the limit.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::milliseconds limit = default_limit())
      : limit_(limit), thread_([this] { loop(); }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  void arm(const std::string& block) {
    std::lock_guard<std::mutex> lock(mutex_);
    block_ = block;
    deadline_ = std::chrono::steady_clock::now() + limit_;
    armed_ = true;
    cv_.notify_one();
  }
  void disarm() {
    std::lock_guard<std::mutex> lock(mutex_);
    armed_ = false;
  }

 private:
  // Far above what any block takes even under ASan (the slowest takes milliseconds), far below
  // ctest's own timeout.
  static std::chrono::milliseconds default_limit() {
    const char* s = std::getenv("LONA_CONFORMANCE_TIMEOUT");
    int v = s != nullptr ? std::atoi(s) : 0;
    return std::chrono::seconds(v > 0 ? v : 60);
  }
  void loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop_) {
      if (!armed_) {
        cv_.wait(lock);
        continue;
      }
      if (std::chrono::steady_clock::now() >= deadline_) {
        std::fprintf(
            stderr,
            "conformance: block %s has run for %lld ms and probably never ends; add it "
            "to kSkippedBlocks in tests/conformance/conformance_test.cpp with the reason\n",
            block_.c_str(), static_cast<long long>(limit_.count()));
        std::fflush(stderr);
        std::_Exit(1);
      }
      cv_.wait_until(lock, deadline_);
    }
  }

  const std::chrono::milliseconds limit_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::string block_;
  std::chrono::steady_clock::time_point deadline_;
  bool armed_ = false;
  bool stop_ = false;
  std::thread thread_;  // last: started once the members it uses exist
};

enum class Status { kPass, kFail, kSkip };

struct Outcome {
  size_t form = 0;
  Status status = Status::kSkip;
  std::optional<std::string> actual;
  std::string why;  // failure or skip reason
};

const char* skip_reason(const Block& b) {
  for (const SkippedBlock& s : kSkippedBlocks) {
    if (b.id == s.id) return s.reason;
  }
  return nullptr;
}

// The namespace a block evaluates in: fresh, referring what `user` refers at boot.
uint32_t fresh_namespace() {
  static int counter = 0;
  return namespace_like_user("lona.conformance.block-" + std::to_string(++counter));
}

// The output lines of the batch REPL for `input`, on a fresh heap and evaluator.
std::vector<std::string> run_forms(const std::string& input) {
  std::istringstream in(input);
  std::ostringstream out;
  {
    Heap heap;  // before the evaluator, which uses it until destroyed
    CompilingEvaluator evaluator(fresh_namespace());
    run_batch_repl(in, out, evaluator, heap);
  }
  std::vector<std::string> lines;
  std::istringstream split(out.str());
  for (std::string line; std::getline(split, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

// run.py's plan_block and run_block. A setup form (no expectation) that fails, or prints no line,
// fails every assertion of its block.
std::vector<Outcome> run_block(const Block& b, Watchdog& watchdog, std::string* extra) {
  std::vector<Outcome> outcomes;
  std::vector<size_t> send;
  std::map<size_t, std::string> skipped;
  const char* block_skip = skip_reason(b);
  for (size_t i = 0; i < b.forms.size(); ++i) {
    const Form& f = b.forms[i];
    if (!f.expect) {
      send.push_back(i);
      continue;
    }
    bool tagged_x86 = f.tags.count("x86_64") != 0, tagged_arm = f.tags.count("aarch64") != 0;
    if ((tagged_x86 || tagged_arm) && f.tags.count(std::string(kArch)) == 0) {
      skipped[i] = tagged_x86 ? "arch x86_64" : "arch aarch64";
    } else if (block_skip != nullptr) {
      skipped[i] = block_skip;
    } else {
      send.push_back(i);
    }
  }
  bool any_assertion = std::any_of(send.begin(), send.end(),
                                   [&](size_t i) { return b.forms[i].expect.has_value(); });
  std::vector<std::string> lines;
  if (any_assertion) {
    std::string input;
    for (size_t i : send) input += b.forms[i].src + "\n";
    watchdog.arm(b.id);
    lines = run_forms(input);
    watchdog.disarm();
    if (lines.size() > send.size()) {
      *extra = std::to_string(lines.size() - send.size()) +
               " extra output line(s), first: " + lines[send.size()];
    }
  }
  std::string setup_fail;
  for (size_t k = 0; k < send.size() && any_assertion; ++k) {
    const Form& f = b.forms[send[k]];
    if (f.expect) continue;
    std::string where = "setup form " + std::to_string(send[k] + 1) + " (line " +
                        std::to_string(f.line) + ") " + f.src;
    if (k >= lines.size()) {
      setup_fail = where + " got no output line";
      break;
    }
    if (is_error_line(strip(decode(lines[k])))) {
      setup_fail = where + " failed: " + lines[k].substr(0, 200);
      break;
    }
  }
  for (size_t i = 0, k = 0; i < b.forms.size(); ++i) {
    const Form& f = b.forms[i];
    bool sent = k < send.size() && send[k] == i;
    size_t line_index = k;
    if (sent) ++k;
    if (!f.expect) continue;
    Outcome o;
    o.form = i;
    if (!sent) {
      o.status = Status::kSkip;
      o.why = skipped[i];  // every assertion not sent was skipped for a reason
      outcomes.push_back(o);
      continue;
    }
    if (line_index < lines.size()) o.actual = lines[line_index];
    Verdict v = judge(*f.expect, o.actual);
    if (!setup_fail.empty()) {
      v.why = setup_fail + (v.ok ? " (assertion itself matched)" : "; " + v.why);
      v.ok = false;
    }
    o.status = v.ok ? Status::kPass : Status::kFail;
    o.why = v.why;
    outcomes.push_back(o);
  }
  return outcomes;
}

// ---------------------------------------------------------------------------------------------
// The pass list: one assertion id per line, grouped by area with a comment line per area.

bool load_pass_list(std::set<std::string>* ids) {
  std::string text;
  if (!read_file(kPassListPath, &text)) return false;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    ids->insert(line);
  }
  return true;
}

void write_pass_list(const std::set<std::string>& ids) {
  std::ostringstream out;
  out << "# Conformance assertions expected to pass, grouped by area, one per line:\n"
         "# <block id>#<form index from 0>. conformance_test fails when one no longer passes.\n"
         "# Regenerate after an improvement (review the diff):\n"
         "#   LONA_CONFORMANCE_UPDATE=1 build/default/bin/conformance_test\n";
  for (const Area& area : kAreas) {
    std::vector<std::string> listed;
    size_t total = 0;
    for (const Block& b : spec().blocks) {
      if (b.area != area.name) continue;
      for (size_t i = 0; i < b.forms.size(); ++i) {
        if (!b.forms[i].expect) continue;
        ++total;
        if (ids.count(assertion_id(b, i)) != 0) listed.push_back(assertion_id(b, i));
      }
    }
    out << "\n# " << area.name << ": " << listed.size() << " of " << total << "\n";
    for (const std::string& id : listed) out << id << "\n";
  }
  std::ofstream f(kPassListPath, std::ios::binary | std::ios::trunc);
  f << out.str();
  ASSERT_TRUE(f.good()) << "cannot write " << kPassListPath;
}

bool update_mode() {
  const char* v = std::getenv("LONA_CONFORMANCE_UPDATE");
  return v != nullptr && *v != '\0' && std::string_view(v) != "0";
}

std::string describe(const Expect& e) {
  if (e.is_error) return "ERROR" + (e.error ? " " + *e.error : std::string());
  std::string s = e.value;
  for (const std::string& alt : e.alt) s += "  |  " + alt;
  if (e.pattern) s += "  (pattern " + *e.pattern + ")";
  return s;
}

// Silences println and friends while blocks run; the batch REPL would send them to stderr.
class ProgramOutputToNull {
 public:
  ProgramOutputToNull() : previous_(program_output()), null_(std::fopen("/dev/null", "w")) {
    if (null_ != nullptr) set_program_output(null_);
  }
  ~ProgramOutputToNull() {
    set_program_output(previous_);
    if (null_ != nullptr) std::fclose(null_);
  }

 private:
  std::FILE* previous_;
  std::FILE* null_;
};

// ---------------------------------------------------------------------------------------------

TEST(ConformanceSpec, IsWellFormed) {
  const Spec& s = spec();
  ASSERT_EQ(s.error, "");
  EXPECT_GT(s.blocks.size(), 0u);
  std::set<std::string> ids;
  for (const Block& b : s.blocks) {
    EXPECT_TRUE(ids.insert(b.id).second) << "duplicate block id " << b.id;
    EXPECT_TRUE(std::any_of(std::begin(kAreas), std::end(kAreas),
                            [&](const Area& a) { return b.area == a.name; }))
        << b.id << " has area \"" << b.area << "\", which kAreas does not list";
  }
  for (const SkippedBlock& skip : kSkippedBlocks) {
    EXPECT_EQ(ids.count(skip.id), 1u) << "kSkippedBlocks names " << skip.id << ", not in the spec";
  }
}

TEST(ConformanceSpec, PassListNamesOnlyAssertions) {
  ASSERT_EQ(spec().error, "");
  std::set<std::string> listed;
  ASSERT_TRUE(load_pass_list(&listed)) << "cannot read " << kPassListPath;
  std::set<std::string> known;
  for (const Block& b : spec().blocks) {
    for (size_t i = 0; i < b.forms.size(); ++i) {
      if (b.forms[i].expect) known.insert(assertion_id(b, i));
    }
  }
  EXPECT_FALSE(listed.empty()) << kPassListPath << " lists nothing: every area test would pass";
  for (const std::string& id : listed) {
    EXPECT_EQ(known.count(id), 1u) << kPassListPath << " lists " << id
                                   << ", which is not an assertion of spec.jsonl (regenerate the "
                                      "list: LONA_CONFORMANCE_UPDATE=1 conformance_test)";
  }
}

// The judge itself, on the cases that decide run.py's verdicts.
TEST(ConformanceJudge, ComparesAsRunPyDoes) {
  Expect v;
  v.value = "[1 2 3]";
  EXPECT_TRUE(judge(v, std::string("[1 2 3]")).ok);
  EXPECT_TRUE(judge(v, std::string("  [ 1,  2 3 ] ")).ok);  // whitespace and commas normalised
  EXPECT_FALSE(judge(v, std::string("[1 2 4]")).ok);
  EXPECT_FALSE(judge(v, std::nullopt).ok);
  EXPECT_FALSE(judge(v, std::string("ERROR :type-error")).ok);
  Expect s;
  s.value = "\"a  b\"";  // whitespace inside a string literal is kept
  EXPECT_FALSE(judge(s, std::string("\"a b\"")).ok);
  Expect c;
  c.value = "[\\space \\a]";
  EXPECT_TRUE(judge(c, std::string("[\\space, \\a]")).ok);
  v.alt = {"(1 2 3)"};
  EXPECT_TRUE(judge(v, std::string("(1 2 3)")).ok);
  Expect p;
  p.value = "#realm-id<...>";
  p.pattern = "#realm-id<.+>";
  EXPECT_TRUE(judge(p, std::string("#realm-id<7>")).ok);
  EXPECT_FALSE(judge(p, std::string("#realm-id<>")).ok);
  Expect e;
  e.is_error = true;
  e.error = ":division-by-zero";
  EXPECT_TRUE(judge(e, std::string("ERROR :division-by-zero divide by zero")).ok);
  EXPECT_TRUE(judge(e, std::string("ERROR: :division-by-zero")).ok);
  EXPECT_FALSE(judge(e, std::string("ERROR :type-error x")).ok);
  EXPECT_FALSE(judge(e, std::string("42")).ok);
  EXPECT_FALSE(judge(e, std::string("ERRORS :division-by-zero")).ok);
  Expect any;
  any.is_error = true;
  EXPECT_TRUE(judge(any, std::string("ERROR")).ok);
}

// The runner itself, as run.py's run_block: output lines pair with the forms sent, in order;
// forms tagged for the other architecture are not sent (an expectation that would fail, or a line
// too many, would show if they were); a setup form that fails fails every assertion of its block,
// even one whose own line matched.
TEST(ConformanceRunner, PairsLinesSkipsOtherArchitecturesAndFailsBlocksWithBrokenSetup) {
  auto value = [](std::string v) {
    Expect e;
    e.value = std::move(v);
    return e;
  };
  const std::string other_arch = kArch == "x86_64" ? "aarch64" : "x86_64";
  ProgramOutputToNull quiet;
  Watchdog watchdog;
  std::string extra;

  Block good{"runner-test.md:1", "runner-test.md", "special forms", 1, {}};
  good.forms.push_back({"(def rt-x 40)", std::nullopt, {}, 1});
  good.forms.push_back({"(+ rt-x 2)", value("42"), {}, 2});
  good.forms.push_back({"(+ rt-x 1)", value("never sent"), {other_arch}, 3});
  good.forms.push_back({"(+ rt-x 3)", value("44"), {std::string(kArch)}, 4});  // a mismatch
  good.forms.push_back({"(/ rt-x 0)", Expect{true, ":division-by-zero", "", {}, {}}, {}, 5});
  std::vector<Outcome> o = run_block(good, watchdog, &extra);
  EXPECT_EQ(extra, "");
  ASSERT_EQ(o.size(), 4u);
  EXPECT_EQ(o[0].form, 1u);
  EXPECT_EQ(o[0].status, Status::kPass) << o[0].why;
  EXPECT_EQ(o[1].form, 2u);
  EXPECT_EQ(o[1].status, Status::kSkip);
  EXPECT_EQ(o[1].why, "arch " + other_arch);
  EXPECT_EQ(o[2].status, Status::kFail);
  EXPECT_EQ(o[2].actual, std::optional<std::string>("43"));  // the line of (+ rt-x 3), not 41
  EXPECT_EQ(o[3].status, Status::kPass) << o[3].why;

  Block broken{"runner-test.md:10", "runner-test.md", "special forms", 10, {}};
  broken.forms.push_back({"(def rt-y (/ 1 0))", std::nullopt, {}, 10});
  broken.forms.push_back({"(+ 1 1)", value("2"), {}, 11});
  o = run_block(broken, watchdog, &extra);
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0].status, Status::kFail);
  EXPECT_NE(o[0].why.find("setup form 1 (line 10)"), std::string::npos) << o[0].why;
  EXPECT_NE(o[0].why.find("(assertion itself matched)"), std::string::npos) << o[0].why;
}

// A block that never ends stops the test with its id (in a child process: a death test).
TEST(ConformanceWatchdogDeathTest, EndsTheTestNamingTheBlock) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        Watchdog watchdog(std::chrono::milliseconds(50));
        watchdog.arm("docs/example.md:1");
        std::this_thread::sleep_for(std::chrono::seconds(10));
      },
      ::testing::ExitedWithCode(1), "block docs/example.md:1 has run for 50 ms");
  // Disarmed in time, it stays quiet: the child gets to exit on its own, with 0.
  EXPECT_EXIT(
      {
        Watchdog watchdog(std::chrono::milliseconds(50));
        watchdog.arm("docs/example.md:1");
        watchdog.disarm();
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

class ConformanceArea : public ::testing::TestWithParam<Area> {};

TEST_P(ConformanceArea, ListedAssertionsPass) {
  const Area& area = GetParam();
  const Spec& s = spec();
  ASSERT_EQ(s.error, "");
  std::set<std::string> listed;
  ASSERT_TRUE(load_pass_list(&listed)) << "cannot read " << kPassListPath;

  ProgramOutputToNull quiet;
  Watchdog watchdog;
  size_t total = 0, passed = 0, skipped = 0, regressions = 0, skipped_blocks = 0;
  std::vector<std::string> newly_passing;
  std::map<std::string, size_t> skip_reasons;
  std::set<std::string> passing;
  for (const Block& b : s.blocks) {
    if (b.area != area.name) continue;
    std::string extra;
    std::vector<Outcome> outcomes = run_block(b, watchdog, &extra);
    if (!extra.empty()) std::cout << "[ WARN ] " << b.id << ": " << extra << "\n";
    if (skip_reason(b) != nullptr) ++skipped_blocks;
    for (const Outcome& o : outcomes) {
      const Form& f = b.forms[o.form];
      std::string id = assertion_id(b, o.form);
      ++total;
      bool is_listed = listed.count(id) != 0;
      if (o.status == Status::kSkip) {
        ++skipped;
        ++skip_reasons[o.why];
      } else if (o.status == Status::kPass) {
        ++passed;
        passing.insert(id);
        if (!is_listed) newly_passing.push_back(id + "  " + f.src);
      }
      if (is_listed && o.status != Status::kPass) {
        ++regressions;
        std::string report = "regression: " + id + " (" + b.file + ":" + std::to_string(f.line) +
                             ")\n  source:   " + f.src + "\n  expected: " + describe(*f.expect) +
                             "\n  actual:   " + (o.actual ? *o.actual : "(no line)") +
                             "\n  reason:   " + o.why;
        if (update_mode()) {
          std::cout << "[ DROP ] " << report << "\n";
        } else {
          ADD_FAILURE() << report;
        }
      }
    }
  }

  EXPECT_GT(total, 0u) << "spec.jsonl has no assertion of area " << area.name;
  std::cout << "[ AREA ] " << area.name << ": " << passed << "/" << total << " pass, " << skipped
            << " skipped";
  if (skipped_blocks != 0) std::cout << " (" << skipped_blocks << " block(s) not run in process)";
  std::cout << ", " << regressions << " regression(s), " << newly_passing.size()
            << " passing but not listed\n";
  for (const auto& [reason, count] : skip_reasons) {
    std::cout << "[ SKIP ] " << count << " assertion(s): " << reason << "\n";
  }
  RecordProperty("passed", static_cast<int>(passed));
  RecordProperty("total", static_cast<int>(total));

  if (update_mode()) {
    // Rewrite this area's part of the list; the other areas' entries are kept as they are.
    std::set<std::string> ids;
    for (const std::string& id : listed) {
      auto hash = id.rfind('#');
      std::string block = hash == std::string::npos ? id : id.substr(0, hash);
      auto it = std::find_if(s.blocks.begin(), s.blocks.end(),
                             [&](const Block& b) { return b.id == block; });
      if (it != s.blocks.end() && it->area != area.name) ids.insert(id);
    }
    ids.insert(passing.begin(), passing.end());
    write_pass_list(ids);
    std::cout << "[ UPDATE ] " << kPassListPath << ": " << area.name << " now lists "
              << passing.size() << " assertion(s)\n";
  } else if (!newly_passing.empty()) {
    std::cout << "[ NEW  ] " << newly_passing.size() << " assertion(s) of " << area.name
              << " pass but are not in expected_pass.txt; to add them (and drop any that no "
                 "longer pass), run\n"
                 "           LONA_CONFORMANCE_UPDATE=1 build/default/bin/conformance_test\n"
                 "         and review the diff of tests/conformance/expected_pass.txt:\n";
    for (const std::string& n : newly_passing) std::cout << "           " << n << "\n";
  }
  std::cout.flush();
}

INSTANTIATE_TEST_SUITE_P(Areas, ConformanceArea, ::testing::ValuesIn(kAreas),
                         [](const ::testing::TestParamInfo<Area>& param_info) {
                           return std::string(param_info.param.test_name);
                         });

}  // namespace
}  // namespace lona
