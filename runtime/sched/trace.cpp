#include "runtime/sched/trace.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "runtime/process/process.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/symbol_table.hpp"

namespace lona {
namespace {

// Writes the JSON through a buffer of its own: a trace holds millions of events.
class JsonOut {
 public:
  explicit JsonOut(std::FILE* f) : f_(f) { buf_.reserve(kFlushAt + 1024); }
  ~JsonOut() { flush(); }
  JsonOut(const JsonOut&) = delete;
  JsonOut& operator=(const JsonOut&) = delete;

  JsonOut& raw(std::string_view s) {
    buf_.append(s);
    if (buf_.size() >= kFlushAt) flush();
    return *this;
  }
  // Numbers through to_chars, not printf: a trace holds millions of them.
  JsonOut& num(uint64_t v) {
    char tmp[24];
    return raw(std::string_view(
        tmp, static_cast<size_t>(std::to_chars(tmp, tmp + sizeof tmp, v).ptr - tmp)));
  }
  // Nanoseconds as the microseconds Chrome's format counts in, to the nanosecond.
  JsonOut& micros(uint64_t ns) {
    num(ns / 1000);
    char frac[4] = {'.', static_cast<char>('0' + ns / 100 % 10),
                    static_cast<char>('0' + ns / 10 % 10), static_cast<char>('0' + ns % 10)};
    return raw(std::string_view(frac, 4));
  }
  // A pid as Lonala prints it, as a JSON string: "#pid<realm.local>" (nothing to escape).
  JsonOut& pid(uint64_t realm, uint64_t local) {
    raw("\"#pid<").num(realm).raw(".").num(local);
    return raw(">\"");
  }
  JsonOut& str(std::string_view s) {
    buf_.push_back('"');
    for (char c : s) {
      auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        buf_.push_back('\\');
        buf_.push_back(c);
      } else if (u < 0x20) {
        char tmp[8];
        std::snprintf(tmp, sizeof tmp, "\\u%04x", u);
        buf_.append(tmp);
      } else {
        buf_.push_back(c);  // UTF-8 passes through: JSON text is UTF-8
      }
    }
    buf_.push_back('"');
    return raw("");
  }
  void flush() {
    if (!buf_.empty()) std::fwrite(buf_.data(), 1, buf_.size(), f_);
    buf_.clear();
  }

 private:
  static constexpr size_t kFlushAt = 1 << 16;
  std::FILE* f_;
  std::string buf_;
};

// A keyword's text with its colon; "" for a word that is not a keyword (0: none recorded).
std::string keyword_text(uint64_t raw) {
  Term t = Term::from_raw(raw);
  if (raw == 0 || !t.is_keyword()) return "";
  return ":" + name_entry(t).full;
}

const char* slice_end_name(uint64_t status) {
  switch (static_cast<RunStatus>(status)) {
    case RunStatus::kYield:
      return "yield";
    case RunStatus::kWait:
      return "wait";
    case RunStatus::kExit:
      return "exit";
  }
  return "?";
}

const char* instant_name(TraceEventKind kind) {
  switch (kind) {
    case TraceEventKind::kSpawn:
      return "spawn";
    case TraceEventKind::kExit:
      return "exit";
    case TraceEventKind::kSteal:
      return "steal";
    case TraceEventKind::kPark:
      return "park";
    case TraceEventKind::kUnpark:
      return "unpark";
    case TraceEventKind::kSlice:
      break;
  }
  return "?";
}

}  // namespace

void TraceBuffer::record_in_new_chunk(const TraceEvent& e) {
  size_t recorded = size();
  if (recorded >= max_events_) {
    ++dropped_;
    return;
  }
  last_limit_ = std::min(kChunkEvents, max_events_ - recorded);
  chunks_.push_back(std::make_unique<TraceEvent[]>(last_limit_));
  in_last_ = 0;
  chunks_.back()[in_last_++] = e;
}

Tracer::Tracer(TraceOptions options, unsigned workers, uint64_t realm)
    : options_(std::move(options)), realm_(realm), other_(options_.max_events) {
  workers_.reserve(workers);
  for (unsigned i = 0; i < workers; ++i) workers_.emplace_back(options_.max_events);
}

void Tracer::record_other(const TraceEvent& e) {
  std::lock_guard<std::mutex> lock(other_mutex_);
  if (!written_) other_.record(e);
}

TraceEvent Tracer::exit_event(uint64_t now_ns, uint64_t process, Term reason) {
  TraceEvent e{.start_ns = now_ns, .process = process, .kind = TraceEventKind::kExit};
  if (reason.is_keyword()) {
    e.detail = reason.raw();
  } else if (is_tuple(reason) && array_count(reason) >= 1 && array_at(reason, 0).is_keyword()) {
    // [:error kind info], [:shutdown x], an OTP-style [kind context]: the kind is what a trace
    // reader filters on; the rest may be large, and stays out of the file.
    e.detail = array_at(reason, 0).raw();
    if (array_count(reason) >= 2 && array_at(reason, 1).is_keyword()) {
      e.detail2 = array_at(reason, 1).raw();
    }
  }
  return e;
}

bool Tracer::write(std::string* error) {
  std::lock_guard<std::mutex> lock(other_mutex_);
  written_ = true;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(options_.path.c_str(), "w"),
                                                    &std::fclose);
  if (!f) {
    *error = "cannot open " + options_.path + ": " + std::strerror(errno);
    return false;
  }
  const uint64_t os_pid = static_cast<uint64_t>(::getpid());
  const unsigned other_tid = static_cast<unsigned>(workers_.size());
  uint64_t dropped = other_.dropped();
  for (const TraceBuffer& b : workers_) dropped += b.dropped();
  {
    JsonOut out(f.get());
    out.raw("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"producer\":\"lona\",\"workers\":")
        .num(workers_.size())
        .raw(",\"max_events_per_buffer\":")
        .num(options_.max_events)
        .raw(",\"dropped_events\":")
        .num(dropped)
        .raw("},\n\"traceEvents\":[\n");
    auto metadata = [&](const char* what, uint64_t tid, std::string_view name) {
      out.raw("{\"ph\":\"M\",\"name\":\"")
          .raw(what)
          .raw("\",\"pid\":")
          .num(os_pid)
          .raw(",\"tid\":")
          .num(tid)
          .raw(",\"args\":{\"name\":")
          .str(name)
          .raw("}}");
    };
    metadata("process_name", 0, "lona realm " + std::to_string(realm_));
    for (unsigned i = 0; i < workers_.size(); ++i) {
      out.raw(",\n");
      metadata("thread_name", i, "worker " + std::to_string(i));
    }
    out.raw(",\n");
    metadata("thread_name", other_tid, "other threads");
    auto events = [&](const TraceBuffer& b, unsigned tid) {
      b.for_each([&](const TraceEvent& e) {
        out.raw(",\n{\"ph\":\"");
        if (e.kind == TraceEventKind::kSlice) {
          out.raw("X\",\"name\":")
              .pid(realm_, e.process)
              .raw(",\"cat\":\"slice\",\"ts\":")
              .micros(e.start_ns)
              .raw(",\"dur\":")
              .micros(e.duration_ns)
              .raw(",\"pid\":")
              .num(os_pid)
              .raw(",\"tid\":")
              .num(tid)
              .raw(",\"args\":{\"pid\":")
              .pid(realm_, e.process)
              .raw(",\"reductions\":")
              .num(e.detail)
              .raw(",\"end\":\"")
              .raw(slice_end_name(e.detail2))
              .raw("\"}}");
          return;
        }
        out.raw("i\",\"s\":\"t\",\"name\":\"")
            .raw(instant_name(e.kind))
            .raw("\",\"cat\":\"sched\",\"ts\":")
            .micros(e.start_ns)
            .raw(",\"pid\":")
            .num(os_pid)
            .raw(",\"tid\":")
            .num(tid)
            .raw(",\"args\":{");
        switch (e.kind) {
          case TraceEventKind::kSpawn:
            out.raw("\"pid\":").pid(realm_, e.process);
            if (e.detail != 0) out.raw(",\"bound\":true");
            break;
          case TraceEventKind::kExit: {
            std::string reason = keyword_text(e.detail);
            std::string kind = keyword_text(e.detail2);
            if (reason.empty()) reason = "other";
            if (!kind.empty()) reason += " " + kind;
            out.raw("\"pid\":").pid(realm_, e.process).raw(",\"reason\":").str(reason);
            break;
          }
          case TraceEventKind::kSteal:
            out.raw("\"pid\":").pid(realm_, e.process).raw(",\"from_worker\":").num(e.detail);
            break;
          case TraceEventKind::kPark:
          case TraceEventKind::kUnpark:
          case TraceEventKind::kSlice:
            break;
        }
        out.raw("}}");
      });
    };
    for (unsigned i = 0; i < workers_.size(); ++i) events(workers_[i], i);
    events(other_, other_tid);
    out.raw("\n]}\n");
  }
  if (std::ferror(f.get()) != 0 || std::fflush(f.get()) != 0) {
    *error = "cannot write " + options_.path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace lona
