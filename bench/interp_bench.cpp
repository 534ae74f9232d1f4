// Interpreter micro benchmarks: calls, tail loops, closures, lists, collections and patterns,
// keyword lookup, intrinsics, apply, strings and allocation (make bench).
//
// Run them with `make bench` (a release build in build/release, then every *_bench binary), or
// one at a time afterwards:
//   build/release/bin/interp_bench
//   build/release/bin/interp_bench --benchmark_filter='Fib|Match'
//
// Each benchmark loads kProgram once through CompilingEvaluator (the REPL's path: reader,
// compiler, interpreter) and then times Interpreter::call of one of its functions, so compiling
// is not measured. items_per_second counts the unit each benchmark names (calls, loop iterations,
// list elements, matches...). Every call's result is checked against the value computed here, so
// a benchmark that fails or computes the wrong thing stops with an error instead of timing it.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "runtime/term/heap.hpp"
#include "vm/eval/evaluator.hpp"
#include "vm/interp/interpreter.hpp"
#include "vm/printer/printer.hpp"
#include "vm/reader/reader.hpp"

namespace {

using lona::Term;

// The functions the benchmarks call. Loops are tail calls with an accumulator, so that one call
// does enough work for the cost of entering it from C++ not to count, and the result (an integer
// checksum) shows that the work was done.
constexpr std::string_view kProgram = R"(
(defn fib [n] (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))

(defn countdown [n] (if (= n 0) 0 (countdown (- n 1))))

(defn make-adder [n] (fn [x] (+ x n)))
(defn closures [i acc] (if (= i 0) acc (closures (- i 1) ((make-adder i) acc))))

; Not a tail call: the list is built on the way back from n nested calls.
(defn build [n] (if (= n 0) () (prepend (build (- n 1)) n)))
(defn list-sum [n] (reduce + 0 (map inc (build n))))

(defn shape [x]
  (match x
    [:circle r] (* 3 r)
    [:rect w h] (* w h)
    {a b c} (+ a (+ b c))
    %{:kind :square :side s} (* s s)
    [:tri a & _] a
    _ 1))
(defn shapes [i acc]
  (if (= i 0)
    acc
    (shapes (- i 1)
            (+ (+ (+ acc (shape [:circle i])) (+ (shape [:rect i 2]) (shape {i 1 2})))
               (+ (+ (shape %{:kind :square :side 3}) (shape [:tri i 5 6])) (shape :other))))))

(def small-map %{:a 1 :b 2 :c 3 :d 4 :e 5})
; Past 8 entries a map has a hash index; :c comes last.
(def big-map %{:k0 0 :k1 1 :k2 2 :k3 3 :k4 4 :k5 5 :k6 6 :k7 7 :k8 8 :k9 9 :k10 10 :k11 11 :k12 12
               :k13 13 :k14 14 :k15 15 :k16 16 :k17 17 :k18 18 :k19 19 :k20 20 :k21 21 :k22 22
               :k23 23 :k24 24 :k25 25 :k26 26 :k27 27 :k28 28 :k29 29 :k30 30 :k31 31 :c 3})
(defn kw-loop [m i acc] (if (= i 0) acc (kw-loop m (- i 1) (+ acc (:c m)))))

; + with four arguments is a call of the variadic intrinsic (two arguments compile to one
; instruction).
(defn add4 [i acc] (if (= i 0) acc (add4 (- i 1) (+ acc i i 1))))

(defn pick [a b c] b)
(defn applies [i acc] (if (= i 0) acc (applies (- i 1) (+ acc (apply pick 1 [i 3])))))

(defn strs [i acc] (if (= i 0) acc (strs (- i 1) (+ acc (count (str "k" i ":" :v " " 1.5))))))

; Five short-lived objects per iteration, nothing kept: the collector's fast case.
(defn garbage [i acc]
  (if (= i 0) acc (garbage (- i 1) (+ acc (count [i {i i i} (list i i) %{:k i} (str "s" i)])))))
)";

// Error messages can print whole lists: keep a report to a line.
std::string clip(std::string s) {
  constexpr size_t kMax = 200;
  if (s.size() > kMax) s = s.substr(0, kMax) + "...";
  return s;
}

// A heap, an evaluator that has loaded kProgram, and an interpreter to call its functions with.
class Program {
 public:
  Program() {
    lona::Reader reader(heap_, kProgram, evaluator_.reader_options());
    for (;;) {
      Term form;
      lona::Reader::Status s = reader.next(&form);
      if (s == lona::Reader::Status::kEnd) break;
      if (s == lona::Reader::Status::kError) {
        error_ =
            clip("reading the program: :" + reader.error().reason + " " + reader.error().message);
        return;
      }
      lona::EvalResult r = evaluator_.eval(heap_, form);
      if (!r.ok) {
        error_ = clip("loading the program: :" + r.error.reason + " " + r.error.message);
        return;
      }
    }
    interp_ = std::make_unique<lona::Interpreter>(call_heap_);
    interp_->set_current_ns(evaluator_.current_ns());
  }

  // Empty when the program loaded.
  const std::string& error() const { return error_; }

  // The value of a global: var roots live in the literal area, so the term never moves.
  Term global(std::string_view name) {
    lona::Reader reader(heap_, name, evaluator_.reader_options());
    Term sym;
    if (reader.next(&sym) != lona::Reader::Status::kForm) return Term::nil();
    lona::EvalResult r = evaluator_.eval(heap_, sym);
    return r.ok ? r.value : Term::nil();
  }

  lona::EvalResult call(Term fn, std::span<const Term> args) { return interp_->call(fn, args); }
  // The heap the timed calls allocate on.
  lona::Heap& heap() { return call_heap_; }

 private:
  lona::Heap heap_{
      lona::Heap::kProgramInitialWords};  // as `lona run` has; before the evaluator and the
                                          // interpreter, which unregister their roots
  lona::CompilingEvaluator evaluator_;
  // The calls' own heap: heap_ holds the register stack of the evaluator's interpreter, and a
  // heap has one (their arguments are immediates or globals, which live in the literal area).
  lona::Heap call_heap_{lona::Heap::kProgramInitialWords};
  std::unique_ptr<lona::Interpreter> interp_;
  std::string error_;
};

// True when `r` is the integer `expected`; otherwise stops the benchmark with the reason.
bool check(benchmark::State& state, const lona::EvalResult& r, int64_t expected) {
  if (!r.ok) {
    state.SkipWithError(clip("call failed: :" + r.error.reason + " " + r.error.message).c_str());
    return false;
  }
  if (!r.value.is_fixnum() || r.value.fixnum_value() != expected) {
    state.SkipWithError(
        clip("wrong result " + lona::print(r.value) + ", expected " + std::to_string(expected))
            .c_str());
    return false;
  }
  return true;
}

// Times (fn args...) and checks that it returns `expected`; `items` counts the work of one call.
// make_args(program) gives the arguments, a std::array of terms that do not move (immediates, or
// the values of globals, which live in the literal area).
template <typename MakeArgs>
void run(benchmark::State& state, std::string_view fn_name, MakeArgs make_args, int64_t expected,
         int64_t items) {
  Program program;
  if (!program.error().empty()) {
    state.SkipWithError(program.error().c_str());
    return;
  }
  Term fn = program.global(fn_name);
  auto args = make_args(program);
  uint64_t collections = program.heap().collections();
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop
    lona::EvalResult r = program.call(fn, args);
    if (!check(state, r, expected)) break;
  }
  state.SetItemsProcessed(state.iterations() * items);
  state.counters["gc_per_call"] =
      benchmark::Counter(static_cast<double>(program.heap().collections() - collections),
                         benchmark::Counter::kAvgIterations);
}

Term fixnum(int64_t v) { return Term::fixnum(v); }

int64_t fib(int64_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
int64_t fib_calls(int64_t n) { return n < 2 ? 1 : 1 + fib_calls(n - 1) + fib_calls(n - 2); }

// Items: calls of fib.
void BM_Fib20(benchmark::State& state) {
  run(
      state, "fib", [](Program&) { return std::array{fixnum(20)}; }, fib(20), fib_calls(20));
}
BENCHMARK(BM_Fib20)->Unit(benchmark::kMicrosecond);

// Items: iterations of a self tail call (constant stack).
void BM_TailLoop1M(benchmark::State& state) {
  run(
      state, "countdown", [](Program&) { return std::array{fixnum(1000000)}; }, 0, 1000000);
}
BENCHMARK(BM_TailLoop1M)->Unit(benchmark::kMillisecond);

// Items: closures made and called.
void BM_ClosureMakeAndCall(benchmark::State& state) {
  constexpr int64_t n = 100000;
  run(
      state, "closures",
      [](Program&) {
        return std::array{fixnum(n), fixnum(0)};
      },
      n * (n + 1) / 2, n);
}
BENCHMARK(BM_ClosureMakeAndCall)->Unit(benchmark::kMillisecond);

// Items: list elements, each built by a non-tail call, mapped and reduced (lona.core's map and
// reduce, written in Lonala).
void BM_ListBuildMapReduce(benchmark::State& state) {
  constexpr int64_t n = 10000;
  // (inc 1) + ... + (inc n)
  run(
      state, "list-sum", [](Program&) { return std::array{fixnum(n)}; }, n * (n + 1) / 2 + n, n);
}
BENCHMARK(BM_ListBuildMapReduce)->Unit(benchmark::kMicrosecond);

// Items: matches; each iteration builds a tuple, a vector and a map per clause shape and matches
// six values against the clauses of `shape` (tuple, vector, map, rest and catch-all patterns).
void BM_ConstructAndMatch(benchmark::State& state) {
  constexpr int64_t n = 10000;
  // For each i: 3i + 2i + (i + 3) + 9 + i + 1.
  run(
      state, "shapes",
      [](Program&) {
        return std::array{fixnum(n), fixnum(0)};
      },
      7 * n * (n + 1) / 2 + 13 * n, 6 * n);
}
BENCHMARK(BM_ConstructAndMatch)->Unit(benchmark::kMicrosecond);

// Items: (:c m) lookups in a map of 5 entries (linear scan) and of 33 (hash index).
void BM_KeywordLookupSmallMap(benchmark::State& state) {
  constexpr int64_t n = 100000;
  run(
      state, "kw-loop",
      [](Program& p) {
        return std::array{p.global("small-map"), fixnum(n), fixnum(0)};
      },
      3 * n, n);
}
BENCHMARK(BM_KeywordLookupSmallMap)->Unit(benchmark::kMillisecond);

void BM_KeywordLookupHashedMap(benchmark::State& state) {
  constexpr int64_t n = 100000;
  run(
      state, "kw-loop",
      [](Program& p) {
        return std::array{p.global("big-map"), fixnum(n), fixnum(0)};
      },
      3 * n, n);
}
BENCHMARK(BM_KeywordLookupHashedMap)->Unit(benchmark::kMillisecond);

// Items: calls of the variadic + intrinsic with four arguments.
void BM_VariadicAdd(benchmark::State& state) {
  constexpr int64_t n = 100000;
  run(
      state, "add4",
      [](Program&) {
        return std::array{fixnum(n), fixnum(0)};
      },
      n * (n + 1) + n, n);
}
BENCHMARK(BM_VariadicAdd)->Unit(benchmark::kMillisecond);

// Items: (apply f x [y z]) calls of a closure, tuple construction included.
void BM_Apply(benchmark::State& state) {
  constexpr int64_t n = 100000;
  run(
      state, "applies",
      [](Program&) {
        return std::array{fixnum(n), fixnum(0)};
      },
      n * (n + 1) / 2, n);
}
BENCHMARK(BM_Apply)->Unit(benchmark::kMillisecond);

// Items: strings built by str from six parts (string, integer, keyword, float) and counted.
void BM_StrBuild(benchmark::State& state) {
  constexpr int64_t n = 10000;
  int64_t expected = 0;  // "k" i ":" ":v" " " "1.5": 8 characters and the digits of i
  for (int64_t i = 1; i <= n; ++i) expected += 8 + static_cast<int64_t>(std::to_string(i).size());
  run(
      state, "strs",
      [](Program&) {
        return std::array{fixnum(n), fixnum(0)};
      },
      expected, n);
}
BENCHMARK(BM_StrBuild)->Unit(benchmark::kMicrosecond);

// Items: loop iterations, each allocating a tuple, a vector, a list, a map and a string that die
// at once; gc_per_call shows how often the heap collected.
void BM_GarbageAllocation(benchmark::State& state) {
  constexpr int64_t n = 100000;
  run(
      state, "garbage",
      [](Program&) {
        return std::array{fixnum(n), fixnum(0)};
      },
      5 * n, n);
}
BENCHMARK(BM_GarbageAllocation)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
