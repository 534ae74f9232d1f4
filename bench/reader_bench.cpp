// Reader and printer throughput on a mixed corpus of Lonala source (make bench).
#include <benchmark/benchmark.h>

#include <string>

#include "runtime/term/heap.hpp"
#include "vm/printer/printer.hpp"
#include "vm/reader/reader.hpp"

namespace {

std::string corpus(int copies) {
  std::string one =
      "(defn fib [n] (match n 0 0 1 1 n (+ (fib (- n 1)) (fib (- n 2)))))\n"
      "%{:name \"Alice\" :age 30 :tags #{:a :b :c} :scores {1 2 3 4 5}}\n"
      "[0xFF 2r1010 36rZZ 1_000_000 3.14 6.022e23 22/7 42N 255u8 \\a \\newline]\n"
      "'(quote (a b c)) `(a ~x ~@xs) #(+ % 1) #bytes[1 2 3] ^:private foo\n";
  std::string s;
  for (int i = 0; i < copies; ++i) s += one;
  return s;
}

void BM_Read(benchmark::State& state) {
  std::string src = corpus(100);
  lona::Heap heap;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop
    lona::Reader reader(heap, src);
    lona::Term form;
    int forms = 0;
    while (reader.next(&form) == lona::Reader::Status::kForm) ++forms;
    benchmark::DoNotOptimize(forms);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * src.size()));
}
BENCHMARK(BM_Read);

void BM_ReadPrint(benchmark::State& state) {
  std::string src = corpus(100);
  lona::Heap heap;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop
    lona::Reader reader(heap, src);
    lona::Term form;
    size_t out = 0;
    while (reader.next(&form) == lona::Reader::Status::kForm) out += lona::print(form).size();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * src.size()));
}
BENCHMARK(BM_ReadPrint);

}  // namespace

BENCHMARK_MAIN();
