// The Chrome trace of scheduling events (runtime/sched/trace.hpp): what a Tracer writes, read
// back with a real JSON parser, and a traced run of Lonala processes through the Runtime.
//
// The runtime is one per OS process and starts once: only RuntimeWorkloadIsTraced starts it,
// with tracing on, and stops it to get the file. ctest runs each test in a process of its own.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/sched/runtime.hpp"
#include "runtime/sched/trace.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/heap.hpp"
#include "runtime/term/symbol_table.hpp"
#include "tests/conformance/json.hpp"
#include "vm/eval/evaluator.hpp"
#include "vm/printer/printer.hpp"
#include "vm/reader/reader.hpp"

namespace lona {
namespace {

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name + "." +
         std::to_string(::getpid()) + ".json";
}

// The file parsed; a failed parse fails the test with the parser's message.
json::Value read_json(const std::string& path) {
  std::ifstream f(path);
  std::stringstream text;
  text << f.rdbuf();
  json::Value v;
  std::string error;
  EXPECT_TRUE(json::parse(text.str(), &v, &error)) << error << "\n" << text.str().substr(0, 2000);
  return v;
}

std::string str_of(const json::Value& v, std::string_view key) {
  const json::Value* m = v.find(key);
  return m != nullptr && m->is_string() ? m->as_string() : "";
}
double num_of(const json::Value& v, std::string_view key) {
  const json::Value* m = v.find(key);
  return m != nullptr && m->is_number() ? m->as_number() : -1;
}
std::string arg_of(const json::Value& event, std::string_view key) {
  const json::Value* args = event.find("args");
  return args != nullptr ? str_of(*args, key) : "";
}
double num_arg_of(const json::Value& event, std::string_view key) {
  const json::Value* args = event.find("args");
  return args != nullptr ? num_of(*args, key) : -1;
}

const json::Array& events_of(const json::Value& trace) {
  static const json::Array kNone;
  const json::Value* events = trace.find("traceEvents");
  EXPECT_TRUE(events != nullptr && events->is_array());
  return events != nullptr && events->is_array() ? events->as_array() : kNone;
}

TEST(Tracer, WritesEachKindOfEventAndCountsWhatItDropped) {
  TraceOptions options{.path = temp_path("lona-tracer"), .max_events = 4};
  Tracer tracer(options, 2, 1);
  TraceBuffer& w0 = tracer.worker(0);
  w0.record({.start_ns = 1500,
             .duration_ns = 2250,
             .process = 7,
             .detail = 4000,
             .detail2 = static_cast<uint64_t>(RunStatus::kYield),
             .kind = TraceEventKind::kSlice});
  w0.record({.start_ns = 5000, .process = 8, .detail = 1, .kind = TraceEventKind::kSteal});
  w0.record({.start_ns = 6000, .kind = TraceEventKind::kPark});
  w0.record({.start_ns = 7000, .kind = TraceEventKind::kUnpark});
  w0.record({.start_ns = 8000, .kind = TraceEventKind::kPark});  // past the cap: dropped
  w0.record({.start_ns = 9000, .kind = TraceEventKind::kPark});  // dropped
  Heap heap;
  heap.push(make_keyword("error"));
  heap.push(make_keyword("badarith"));
  heap.push(make_keyword("message"));
  heap.push(make_keyword("x"));
  heap.push(map_from_stack(heap, 1));
  Term error = tuple_from_stack(heap, 3);
  tracer.worker(1).record(Tracer::exit_event(10000, 9, error));
  tracer.record_other({.start_ns = 11000, .process = 10, .kind = TraceEventKind::kSpawn});
  tracer.record_other(Tracer::exit_event(12000, 10, make_keyword("normal")));
  std::string write_error;
  ASSERT_TRUE(tracer.write(&write_error)) << write_error;
  tracer.record_other({.start_ns = 13000, .kind = TraceEventKind::kSpawn});  // after: ignored

  json::Value trace = read_json(options.path);
  const json::Value* other = trace.find("otherData");
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(num_of(*other, "dropped_events"), 2);
  EXPECT_EQ(num_of(*other, "max_events_per_buffer"), 4);
  EXPECT_EQ(num_of(*other, "workers"), 2);

  std::map<double, std::string> thread_names;
  std::vector<std::string> seen;  // "ph name tid" of each event that is not metadata
  for (const json::Value& e : events_of(trace)) {
    std::string ph = str_of(e, "ph");
    EXPECT_EQ(num_of(e, "pid"), static_cast<double>(::getpid()));
    if (ph == "M") {
      if (str_of(e, "name") == "thread_name") thread_names[num_of(e, "tid")] = arg_of(e, "name");
      continue;
    }
    seen.push_back(ph + " " + str_of(e, "name") + " " + std::to_string(int(num_of(e, "tid"))));
    if (ph == "X") {
      EXPECT_EQ(num_of(e, "ts"), 1.5);  // microseconds
      EXPECT_EQ(num_of(e, "dur"), 2.25);
      EXPECT_EQ(arg_of(e, "pid"), "#pid<1.7>");
      EXPECT_EQ(num_arg_of(e, "reductions"), 4000);
      EXPECT_EQ(arg_of(e, "end"), "yield");
    } else {
      EXPECT_EQ(ph, "i");
      EXPECT_EQ(str_of(e, "s"), "t");
    }
    if (str_of(e, "name") == "steal") {
      EXPECT_EQ(arg_of(e, "pid"), "#pid<1.8>");
      EXPECT_EQ(num_arg_of(e, "from_worker"), 1);
    }
    if (str_of(e, "name") == "exit" && num_of(e, "tid") == 1) {
      EXPECT_EQ(arg_of(e, "reason"), ":error :badarith");
    }
    if (str_of(e, "name") == "exit" && num_of(e, "tid") == 2) {
      EXPECT_EQ(arg_of(e, "reason"), ":normal");
      EXPECT_EQ(arg_of(e, "pid"), "#pid<1.10>");
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"X #pid<1.7> 0", "i steal 0", "i park 0", "i unpark 0",
                                            "i exit 1", "i spawn 2", "i exit 2"}));
  EXPECT_EQ(thread_names, (std::map<double, std::string>{
                              {0, "worker 0"}, {1, "worker 1"}, {2, "other threads"}}));
  std::remove(options.path.c_str());
}

// Past a chunk's end the events go on in a new chunk, in order, up to the cap exactly.
TEST(Tracer, ABufferKeepsItsEventsInOrderUpToItsCap) {
  const size_t cap = TraceBuffer::kChunkEvents + 904;
  TraceBuffer b(cap);
  for (uint64_t i = 0; i < 3 * TraceBuffer::kChunkEvents; ++i) {
    b.record({.start_ns = i, .kind = TraceEventKind::kPark});
  }
  EXPECT_EQ(b.size(), cap);
  EXPECT_EQ(b.dropped(), 3 * TraceBuffer::kChunkEvents - cap);
  uint64_t next = 0;
  bool in_order = true;
  b.for_each([&](const TraceEvent& e) { in_order = in_order && e.start_ns == next++; });
  EXPECT_TRUE(in_order);
  EXPECT_EQ(next, cap);
}

TEST(Tracer, AFileThatCannotBeWrittenIsAnError) {
  Tracer tracer({.path = "/nonexistent-dir/trace.json"}, 1, 1);
  std::string error;
  EXPECT_FALSE(tracer.write(&error));
  EXPECT_NE(error.find("/nonexistent-dir/trace.json"), std::string::npos) << error;
}

// Reads and evaluates the forms of src; the printed value of the last, or "ERROR :reason".
std::string eval(CompilingEvaluator& evaluator, Heap& heap, const std::string& src) {
  Reader reader(heap, src, evaluator.reader_options());
  std::string last;
  Term form;
  while (reader.next(&form) == Reader::Status::kForm) {
    EvalResult r = evaluator.eval(heap, form);
    if (!r.ok) return "ERROR :" + r.error.reason + " " + r.error.message;
    last = print(r.value);
  }
  return last;
}

// Processes that run, message each other and end, on two workers with tracing on: each has run
// slices on a worker's track, with the reductions it used, and a spawn and an :normal exit.
TEST(Tracer, RuntimeWorkloadIsTraced) {
  std::string path = temp_path("lona-runtime-trace");
  Runtime::set_worker_count(2);
  Runtime::set_trace({.path = path});
  std::vector<std::string> pids;
  {
    Heap heap(Heap::kProgramInitialWords);
    CompilingEvaluator evaluator;
    ASSERT_EQ(eval(evaluator, heap,
                   "(def me (self))"
                   "(def work (fn* [] (let [lp (fn* lp [n] (if (= n 0) :done (lp (- n 1))))]"
                   "  (lp 20000) (send me [:done (self)]))))"
                   "(def ps [(spawn work) (spawn work) (spawn work) (spawn work)])"
                   "(def wait-all (fn* wa [k] (if (= k 0) :all (receive [:done _] (wa (- k 1))"
                   "  :after 10000 :timeout))))"
                   "(wait-all 4)"),
              ":all");
    for (int i = 0; i < 4; ++i) {
      pids.push_back(eval(evaluator, heap, "(nth ps " + std::to_string(i) + ")"));
    }
    // Their exits are recorded before :DOWN reaches anyone: once each is seen gone, it is in.
    ASSERT_EQ(eval(evaluator, heap,
                   "(def gone (fn* [p] (let [r (monitor p)] (receive [:DOWN r2 _ _] when (= r r2)"
                   "  :gone :after 10000 :timeout))))"
                   "[(gone (nth ps 0)) (gone (nth ps 1)) (gone (nth ps 2)) (gone (nth ps 3))]"),
              "[:gone :gone :gone :gone]");
  }
  Runtime::shutdown();

  json::Value trace = read_json(path);
  std::map<std::string, double> reductions;  // by pid
  std::map<std::string, int> spawns, normal_exits;
  std::set<double> named_workers;
  for (const json::Value& e : events_of(trace)) {
    std::string ph = str_of(e, "ph"), name = str_of(e, "name");
    double tid = num_of(e, "tid");
    if (ph == "M" && name == "thread_name" && arg_of(e, "name").starts_with("worker ")) {
      named_workers.insert(tid);
    }
    if (ph == "X") {
      EXPECT_TRUE(tid == 0 || tid == 1) << "a slice on worker " << tid;
      EXPECT_GE(num_of(e, "ts"), 0);
      EXPECT_GE(num_of(e, "dur"), 0);
      reductions[arg_of(e, "pid")] += num_arg_of(e, "reductions");
    }
    if (ph == "i" && name == "spawn") ++spawns[arg_of(e, "pid")];
    if (ph == "i" && name == "exit" && arg_of(e, "reason") == ":normal") {
      ++normal_exits[arg_of(e, "pid")];
    }
  }
  EXPECT_EQ(named_workers, (std::set<double>{0, 1}));
  for (const std::string& pid : pids) {
    EXPECT_GT(reductions[pid], 20000) << pid << " ran 20,000 calls in its slices";
    EXPECT_EQ(spawns[pid], 1) << pid;
    EXPECT_EQ(normal_exits[pid], 1) << pid;
  }
  const json::Value* other = trace.find("otherData");
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(num_of(*other, "dropped_events"), 0);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace lona
