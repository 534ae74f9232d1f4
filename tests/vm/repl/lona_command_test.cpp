// The `lona` binary as a user runs it: a real process, its exit codes, stdout and stderr, and the
// interactive REPL on a real pseudo-terminal.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

struct Result {
  int exit_code;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

class LonaCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("lona-cmd-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result run(const std::string& args, const std::string& input = "") {
    std::ofstream(dir_ / "in", std::ios::binary) << input;
    std::string cmd = std::string(LONA_BINARY) + " " + args + " < " + (dir_ / "in").string() +
                      " > " + (dir_ / "out").string() + " 2> " + (dir_ / "err").string();
    int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(dir_ / "out"), slurp(dir_ / "err")};
  }

  // Writes `source` to `file` in the test's directory and runs it: `lona OPTIONS run FILE`.
  Result run_program(const std::string& file, const std::string& source,
                     const std::string& options) {
    std::ofstream(dir_ / file) << source;
    return run(options + " run " + (dir_ / file).string());
  }

  fs::path dir_;
};

TEST_F(LonaCommand, BatchReplPrintsOneLinePerForm) {
  Result r = run("repl --batch", "42\n'(1 2)\n)\n\"s\"\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.substr(0, 10), "42\n(1 2)\nE");
  EXPECT_NE(r.out.find("ERROR :unmatched-delimiter"), std::string::npos);
  EXPECT_EQ(r.out.substr(r.out.size() - 4), "\"s\"\n");
}

TEST_F(LonaCommand, ReplWithoutATerminalIsBatch) {
  Result r = run("repl", "[1 2]\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "[1 2]\n");
}

TEST_F(LonaCommand, WorkersOption) {
  Result r =
      run("--workers 1 eval \"(def me (self)) (spawn (fn* [] (send me :hi)))"
          " (receive m m :after 5000 :timeout)\"");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, ":hi\n");
  for (const char* bad : {"0", "x", "2000", "-1"}) {
    Result e = run(std::string("--workers ") + bad + " eval 1");
    EXPECT_EQ(e.exit_code, 2) << bad;
    EXPECT_NE(e.err.find("--workers takes a number from 1 to 1024"), std::string::npos) << e.err;
  }
}

// One worker, so that no other one can steal what waits. A worker takes its newest process first
// (depth first); a chain that always spawns the next process, and two processes that never stop
// computing, must still leave the queued ones their turn: the process spawned before the chain
// (oldest in the queue, behind a stream of newer ones) and the counter that the slice preempts
// many times (behind the two hogs, which have had their turn too). Without the every-61st take of
// the oldest both starve, and so they do when that take always looks at the hogs' queue first.
TEST_F(LonaCommand, NewestFirstSchedulingStarvesNothing) {
  Result r = run_program("fair.lona", R"((defn spin [k] (if (= k 0) k (spin (- k 1))))
(defn hog [] (hog))
(defn chain [] (spawn chain))
(defn main [& _]
  (let [me (self)]
    (spawn hog)
    (spawn hog)
    (spawn (fn [] (send me [:counted (spin 100000)])))
    (spawn (fn [] (send me :queued)))
    (spawn chain)
    (println (receive :queued :queued :after 10000 :starved))
    (println (receive [:counted x] [:counted x] :after 10000 :starved))))
)",
                         "--workers 1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, ":queued\n[:counted 0]\n");
}

// Low priority is served every 8th take while other work waits; there it must be oldest first,
// or a low-priority chain that always spawns the next process keeps the older low-priority
// counter from ever running (it starved when low priority was taken newest first).
TEST_F(LonaCommand, LowPrioritySchedulingStarvesNothing) {
  Result r = run_program("low.lona", R"((defn spin [k] (if (= k 0) k (spin (- k 1))))
(defn hog [] (hog))
(defn chain [] (spawn chain %{:priority 50}))
(defn main [& _]
  (let [me (self)]
    (spawn hog)
    (spawn (fn [] (send me [:counted (spin 100000)])) %{:priority 50})
    (spawn chain %{:priority 50})
    (println (receive [:counted x] [:counted x] :after 10000 :starved))))
)",
                         "--workers 1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "[:counted 0]\n");
}

TEST_F(LonaCommand, TraceToAPathThatCannotBeWrittenIsRefusedBeforeRunning) {
  // Found out at once, not when lona ends and the trace is lost with the run's work.
  Result r = run("--trace /nonexistent-lona-dir/trace.json eval \"(println :ran)\"");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("--trace: cannot write to '/nonexistent-lona-dir/trace.json'"),
            std::string::npos)
      << r.err;
}

TEST_F(LonaCommand, EvalPrintsTheLastValue) {
  Result r = run("eval \"1 %{:a 'b}\"");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "%{:a b}\n");
}

TEST_F(LonaCommand, EvalErrorsGoToStderrWithStatusOne) {
  Result r = run("eval \"(1 2\"");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(":unexpected-eof"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("at line 1, column"), std::string::npos) << r.err;
  // An error while evaluating, after a form that succeeded: no value printed.
  Result e = run("eval \"(def x 1) (/ x 0)\"");
  EXPECT_EQ(e.exit_code, 1);
  EXPECT_EQ(e.out, "");
  EXPECT_NE(e.err.find("(:division-by-zero)"), std::string::npos) << e.err;
}

TEST_F(LonaCommand, RunLoadsRequiredNamespacesAndCallsMain) {
  fs::create_directories(dir_ / "lib" / "cmdtest");
  std::ofstream(dir_ / "lib" / "cmdtest" / "util.lona")
      << "(ns cmdtest.util)\n(defn twice [x] (* 2 x))\n";
  std::ofstream(dir_ / "app.lona")
      << "(ns cmdtest.app (:require [cmdtest.util :as u]))\n"
         "(defn main [& args] (println (count args) (first args) (u/twice 21)))\n";
  Result r = run("--lib " + (dir_ / "lib").string() + " run " + (dir_ / "app.lona").string() +
                 " hello world");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "2 hello 42\n");  // program output goes to stdout in run mode

  Result missing = run("run " + (dir_ / "app.lona").string());  // no --lib: util is not found
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find(":file-not-found"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("cmdtest/util.lona"), std::string::npos) << missing.err;

  Result nofile = run("run " + (dir_ / "nope.lona").string());
  EXPECT_EQ(nofile.exit_code, 1);
  EXPECT_NE(nofile.err.find("cannot open"), std::string::npos) << nofile.err;

  // A library file that does not define the namespace its path names.
  std::ofstream(dir_ / "lib" / "cmdtest" / "wrong.lona") << "(ns cmdtest.other)\n";
  std::ofstream(dir_ / "wrong.lona") << "(require 'cmdtest.wrong)\n";
  Result wrong = run("--lib " + (dir_ / "lib").string() + " run " + (dir_ / "wrong.lona").string());
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find(":undefined"), std::string::npos) << wrong.err;
  EXPECT_NE(wrong.err.find("did not define namespace cmdtest.wrong"), std::string::npos)
      << wrong.err;
}

TEST_F(LonaCommand, RunWithoutMainOrWithAFailingMain) {
  // No main: the file's top-level forms are the program.
  std::ofstream(dir_ / "script.lona") << "(println :top)\n";
  Result script = run("run " + (dir_ / "script.lona").string() + " ignored");
  EXPECT_EQ(script.exit_code, 0) << script.err;
  EXPECT_EQ(script.out, ":top\n");
  // A main that fails makes the command fail, with the reason.
  std::ofstream(dir_ / "fails.lona") << "(defn main [& args] (/ 1 (count args)))\n";
  Result fails = run("run " + (dir_ / "fails.lona").string());
  EXPECT_EQ(fails.exit_code, 1);
  EXPECT_NE(fails.err.find("(:division-by-zero)"), std::string::npos) << fails.err;
  EXPECT_EQ(run("run " + (dir_ / "fails.lona").string() + " x").exit_code, 0);
  // A main that is not a function.
  std::ofstream(dir_ / "notfn.lona") << "(def main 5)\n";
  Result notfn = run("run " + (dir_ / "notfn.lona").string());
  EXPECT_EQ(notfn.exit_code, 1);
  EXPECT_NE(notfn.err.find("(:not-callable)"), std::string::npos) << notfn.err;
}

TEST_F(LonaCommand, RunReportsErrorsWithTheirPlace) {
  std::ofstream(dir_ / "bad.lona") << "(def x 1)\n\n(undefined-thing)\n";
  Result r = run("run " + (dir_ / "bad.lona").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(":undefined"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("bad.lona:3: "), std::string::npos) << r.err;  // file:line: message

  // A file that cannot be read names the line and column where reading failed; nothing after
  // the failing form runs.
  std::ofstream(dir_ / "unread.lona") << "(println :first)\n  ]\n(println :never)\n";
  Result unread = run("run " + (dir_ / "unread.lona").string());
  EXPECT_EQ(unread.exit_code, 1);
  EXPECT_EQ(unread.out, ":first\n");
  EXPECT_NE(unread.err.find("unread.lona:2:3: "), std::string::npos) << unread.err;
  EXPECT_NE(unread.err.find(":unmatched-delimiter"), std::string::npos) << unread.err;
}

TEST_F(LonaCommand, KprintWritesToTheConsole) {
  Result r = run("eval '(do (kprint \"x=\") (kprintln 1 \"b\" :c) 7)'");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "x=1 b :c\n");
  EXPECT_EQ(r.out, "7\n");
}

TEST_F(LonaCommand, HelpAndUnknownCommands) {
  Result help = run("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("repl --batch"), std::string::npos);
  Result bad = run("frobnicate");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("unknown command"), std::string::npos);
  EXPECT_NE(bad.err.find("usage:"), std::string::npos);
}

// Reads from the pty into *seen until `want` appears at or after offset `from`, or 10 s pass.
// (The line editor may redraw the prompt with each key, so callers pass where to look from.)
std::string read_until(int fd, const std::string& want, std::string* seen, size_t from = 0) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  char buf[4096];
  while (seen->find(want, from) == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    seen->append(buf, static_cast<size_t>(n));
  }
  return *seen;
}

TEST_F(LonaCommand, InteractiveReplOnATerminal) {
  int master = -1;
  pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setenv("HOME", dir_.c_str(), 1);
    setenv("TERM", "dumb", 1);
    execl(LONA_BINARY, LONA_BINARY, "repl", static_cast<char*>(nullptr));
    _exit(127);
  }
  std::string seen;
  read_until(master, "lona> ", &seen);
  ASSERT_NE(seen.find("lona> "), std::string::npos) << seen;

  const char first[] = "[1\n";  // an open form: the continuation prompt appears
  ASSERT_EQ(write(master, first, sizeof first - 1), static_cast<ssize_t>(sizeof first - 1));
  read_until(master, "... ", &seen);
  EXPECT_NE(seen.find("... "), std::string::npos) << seen;

  const char second[] = "2]\n)\n";
  ASSERT_EQ(write(master, second, sizeof second - 1), static_cast<ssize_t>(sizeof second - 1));
  read_until(master, "unmatched", &seen);
  EXPECT_NE(seen.find("[1 2]"), std::string::npos) << seen;
  EXPECT_NE(seen.find("error: unmatched delimiter )"), std::string::npos) << seen;

  // Ctrl-C drops the open form: what follows is read afresh.
  read_until(master, "lona> ", &seen, seen.find("unmatched"));
  usleep(200000);
  const char open_form[] = "[5\n";
  ASSERT_EQ(write(master, open_form, 3), 3);
  size_t from = seen.size();
  read_until(master, "... ", &seen, from);
  size_t continuation = seen.find("... ", from);
  ASSERT_NE(continuation, std::string::npos) << seen;
  ASSERT_EQ(write(master, "\x03", 1), 1);
  read_until(master, "lona> ", &seen, continuation);
  size_t fresh_prompt = seen.find("lona> ", continuation);
  ASSERT_NE(fresh_prompt, std::string::npos) << seen;
  usleep(200000);  // the prompt is drawn just before the editor reads
  const char fresh[] = "[6]\n";
  ASSERT_EQ(write(master, fresh, 4), 4);
  read_until(master, "[6]\r\n[6]", &seen, fresh_prompt);
  EXPECT_NE(seen.find("[6]\r\n[6]", fresh_prompt), std::string::npos) << seen;
  EXPECT_EQ(seen.find("[5 6]"), std::string::npos) << seen;

  // Ctrl-D at the next prompt ends the REPL. Like a person, wait for that prompt first: a Ctrl-D
  // typed while the line editor is not reading reaches the terminal in cooked mode instead.
  size_t last_output = seen.rfind("[6]");
  read_until(master, "lona> ", &seen, last_output);
  ASSERT_NE(seen.find("lona> ", last_output), std::string::npos) << seen;
  usleep(200000);  // the prompt is drawn just before the editor reads
  const char eof[] = "\x04";
  ASSERT_EQ(write(master, eof, 1), 1);
  int status = 0;
  pid_t done = 0;
  for (int i = 0; i < 200 && done == 0; ++i) {
    usleep(50000);
    done = waitpid(pid, &status, WNOHANG);
    pollfd p{master, POLLIN, 0};  // drain the output so the pty never fills up
    char buf[256];
    for (ssize_t n; poll(&p, 1, 0) > 0 && (n = read(master, buf, sizeof buf)) > 0;) {
      seen.append(buf, static_cast<size_t>(n));
    }
  }
  if (done == 0) {  // still running after 10 s: the test fails below
    ADD_FAILURE() << "the REPL did not exit on Ctrl-D; terminal output:\n"
                  << seen << "\nwchan: " << slurp("/proc/" + std::to_string(pid) + "/wchan");
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  close(master);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // The line-editing library kept a history file.
  EXPECT_NE(slurp(dir_ / ".lona_history").find("[1"), std::string::npos);
}

}  // namespace
