// examples/native: the complete example of docs/native-actors.md. A class actor and a coroutine
// actor, a native function, and Lonala code talking to them both ways. Built by CMake and run by
// ctest (native_actor_example), which compares what it prints with echo_actor.expected.
#include <chrono>
#include <cstdio>
#include <span>
#include <string>

#include "runtime/native/actor.hpp"
#include "runtime/native/coroutine.hpp"
#include "runtime/native/scoped_actor.hpp"
#include "runtime/sched/runtime.hpp"
#include "vm/eval/evaluator.hpp"
#include "vm/native/lonala_spawn.hpp"
#include "vm/native/native_function.hpp"
#include "vm/printer/printer.hpp"
#include "vm/reader/reader.hpp"

using lona::Term;
namespace native = lona::native;

// A class actor: answers [from x] with [:echo x].
class Echo : public native::Actor {
  void on_message(Term m) override {
    if (!lona::is_tuple(m) || lona::array_count(m) != 2) return;  // not for us: dropped
    std::optional<native::Pid> from = native::pid_of(native::at(m, 0));
    if (!from) return;
    send(*from, native::tuple(heap(), native::keyword("echo"), native::at(m, 1)));
  }
};

// A coroutine actor: adds up the integers it gets until :total, then answers [:total sum] to
// the pid that came with :total, then ends.
native::Task summer(native::Self& self) {
  int64_t sum = 0;
  for (;;) {
    Term m = co_await self.receive();
    if (std::optional<int64_t> n = native::int_of(m)) {
      sum += *n;
      self.charge(1);
    } else if (native::is_tagged(m, native::keyword("total"), 2)) {
      native::Pid to = *native::pid_of(native::at(m, 1));
      self.send(to, native::tuple(self.heap(), native::keyword("total"), sum));
      co_return;
    }
  }
}

// A coroutine actor that starts the Lonala function user/worker, monitored, hands it a job and
// reports the answer and how the worker ended to `report`.
native::Task overseer(native::Self& self, native::Pid report) {
  auto [worker, ref] = self.start_monitor(native::make_lonala("user/worker"));
  self.send(worker, native::tuple(self.heap(), native::PidOf{self.self()}, 20));
  Term answer = co_await self.receive();
  int64_t value = native::int_of(answer).value_or(-1);
  for (;;) {
    Term m = co_await self.receive();
    if (std::optional<native::Down> down = native::down_of(m); down && down->ref == ref) {
      self.send(report, native::tuple(self.heap(), value, down->reason));
      co_return;
    }
  }
}

// Reads and evaluates Lonala source; returns the printed value of its last form.
std::string eval(lona::CompilingEvaluator& evaluator, lona::Heap& heap, const std::string& src) {
  lona::Reader reader(heap, src, evaluator.reader_options());
  std::string last;
  Term form;
  while (reader.next(&form) == lona::Reader::Status::kForm) {
    lona::EvalResult r = evaluator.eval(heap, form);
    if (!r.ok) return "ERROR :" + r.error.reason + " " + r.error.message;
    last = lona::print(r.value);
  }
  return last;
}

int main() {
  lona::Runtime::set_worker_count(2);  // before the runtime's first use

  // A native function, callable from Lonala as (demo/greet "name").
  native::define_function("demo", "greet", 1, 1,
                          [](lona::NativeContext& ctx, std::span<Term> args, Term* out) {
                            std::optional<std::string_view> name = native::text_of(args[0]);
                            if (!name) return ctx.fail("type-error", "greet takes a string");
                            *out = native::string(ctx.heap, "hello, " + std::string(*name));
                            return true;
                          });

  // The class actor, under a name Lonala can look up.
  native::spawn_opt<Echo>({.name = "echo"});

  // This thread evaluates Lonala (as a process of its own).
  lona::Heap heap;
  lona::CompilingEvaluator evaluator;
  std::printf("lonala <- echo: %s\n", eval(evaluator, heap,
                                           "(send (whereis 'echo) [(self) {1 \"two\" :three}])"
                                           "(receive [:echo v] v :after 5000 :timeout)")
                                          .c_str());
  std::printf("lonala calls demo/greet: %s\n",
              eval(evaluator, heap, "(demo/greet \"lona\")").c_str());

  // A C++ thread of its own talks to the coroutine actor.
  {
    native::ScopedActor me;
    native::Pid s = native::spawn_coroutine(summer);
    for (int i = 1; i <= 10; ++i) me.send(s, Term::fixnum(i));
    me.send(s, native::tuple(me.heap(), native::keyword("total"), me.self_pid()));
    std::optional<Term> total = me.receive(std::chrono::seconds(5));
    std::printf("main <- summer: %s\n", total ? lona::print(*total).c_str() : "timeout");
  }

  // A native actor runs a Lonala function and watches it end.
  eval(evaluator, heap,
       "(def worker (fn* [] (receive [from n] (send from (* n 2))) (exit :done)))");
  std::string me = eval(evaluator, heap, "(pid-local (self))");
  native::spawn_coroutine(overseer, native::Pid{std::stoull(me)});
  std::printf("lonala <- overseer: %s\n",
              eval(evaluator, heap, "(receive m m :after 5000 :timeout)").c_str());
  return 0;
}
