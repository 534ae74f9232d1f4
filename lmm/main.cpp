// lmm: the `lona` command. It boots the LMM, which starts the init realm (lona-vm) with the
// command given here, and ends with it: `lona` opens the REPL, `lona run FILE`, `lona eval EXPR`
// and `lona repl --batch` do what lona-vm does standalone, inside the init realm.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lmm/launcher.hpp"
#include "lmm/lmm.hpp"

namespace {

constexpr std::string_view kUsage =
    "usage: lona [options] [command]\n"
    "\n"
    "Boots the memory manager (LMM) and the init realm, and runs the command in it.\n"
    "\n"
    "commands:\n"
    "  repl            interactive REPL (the default)\n"
    "  repl --batch    read forms from stdin, print one result line per form:\n"
    "                  the value, or ERROR :reason message (program output: stderr)\n"
    "  run FILE [ARG]...  evaluate FILE, then call its main with the ARGs (strings)\n"
    "  eval EXPR       evaluate the forms in EXPR, print the value of the last\n"
    "  --help          this text\n"
    "  --version       the version\n"
    "\n"
    "options of the init realm (every realm gets --lib):\n"
    "  --lib DIR       look for namespaces in DIR before the built-in library\n"
    "                  (LONA_PATH=DIR:DIR... does the same)\n"
    "  --workers N     run processes on N worker threads (1 to 1024; default: one per core)\n"
    "  --trace FILE    write a Chrome trace of the init realm's scheduling to FILE\n"
    "\n"
    "options of the LMM:\n"
    "  --memory SIZE   what all realms together may hold (bytes, or with K, M, G; default:\n"
    "                  the machine's memory)\n"
    "  --control PATH  serve the control socket (lonactl) at PATH (default:\n"
    "                  $XDG_RUNTIME_DIR/lona/PID.sock, or /tmp/lona-UID/PID.sock;\n"
    "                  LONA_CONTROL=PATH does the same); --control none: no control socket\n"
    "  --rate N        requests per second a realm may send the LMM (default 200000)\n"
    "  --burst N       requests a realm may send at once (default 20000)\n"
    "  --suspend-after SECONDS\n"
    "                  suspend a realm held up by the rate limit this long (default 2)\n"
    "  --max-realms N  realms alive at once (default 1024)\n"
    "  --spare-realms N\n"
    "                  booted lona-vm processes kept ready for realm-create once it has been\n"
    "                  called (default 1; 0: start every realm afresh)\n"
    "  --vm PATH       the realm executable (default: lona-vm beside lona)\n";

// "512M" -> 536870912; false when it is not a size.
bool parse_size(std::string_view text, std::uint64_t* bytes) {
  std::uint64_t scale = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'K':
      case 'k':
        scale = std::uint64_t{1} << 10;
        break;
      case 'M':
      case 'm':
        scale = std::uint64_t{1} << 20;
        break;
      case 'G':
      case 'g':
        scale = std::uint64_t{1} << 30;
        break;
      default:
        break;
    }
    if (scale != 1) text.remove_suffix(1);
  }
  std::uint64_t n = 0;
  if (!absl::SimpleAtoi(absl::string_view(text.data(), text.size()), &n) || n == 0 ||
      n > (~std::uint64_t{0}) / scale)
    return false;
  *bytes = n * scale;
  return true;
}

std::string default_control_path() {
  const char* runtime_dir = std::getenv("XDG_RUNTIME_DIR");
  std::string dir = runtime_dir != nullptr && *runtime_dir != '\0'
                        ? absl::StrCat(runtime_dir, "/lona")
                        : absl::StrCat("/tmp/lona-", ::getuid());
  ::mkdir(dir.c_str(), 0700);
  return absl::StrCat(dir, "/", ::getpid(), ".sock");
}

std::uint64_t machine_memory() {
  long pages = ::sysconf(_SC_PHYS_PAGES);
  long page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return lona::lmm::QuotaTree::kUnlimited;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
}

int usage_error(const std::string& message) {
  std::cerr << "lona: " << message << "\n\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  lona::lmm::LmmOptions options;
  options.vm_path = lona::lmm::default_vm_path();
  options.memory_limit = machine_memory();
  const char* env_control = std::getenv("LONA_CONTROL");
  options.control_path =
      env_control != nullptr && *env_control != '\0' ? env_control : default_control_path();
  std::vector<std::string> init_options;
  std::size_t i = 0;
  for (; i + 1 < args.size() && args[i].starts_with("--") && args[i] != "--batch"; i += 2) {
    const std::string& flag = args[i];
    const std::string& value = args[i + 1];
    std::uint64_t n = 0;
    if (flag == "--lib") {
      options.realm_args.insert(options.realm_args.end(), {flag, value});
    } else if (flag == "--trace") {
      init_options.insert(init_options.end(), {flag, value});
    } else if (flag == "--workers") {
      if (!absl::SimpleAtoi(value, &n) || n < 1 || n > 1024) {
        return usage_error("--workers takes a number from 1 to 1024, not " + value);
      }
      options.init_workers = static_cast<std::uint32_t>(n);
    } else if (flag == "--memory") {
      if (!parse_size(value, &options.memory_limit)) {
        return usage_error("--memory takes a size such as 512M or 2G, not " + value);
      }
    } else if (flag == "--control") {
      options.control_path = value == "none" ? "" : value;
    } else if (flag == "--rate" || flag == "--burst" || flag == "--max-realms") {
      if (!absl::SimpleAtoi(value, &n) || n < 1) {
        return usage_error(flag + " takes a positive number, not " + value);
      }
      if (flag == "--rate") options.rate.rate = static_cast<double>(n);
      if (flag == "--burst") options.rate.burst = static_cast<double>(n);
      if (flag == "--max-realms") options.max_realms = n;
    } else if (flag == "--spare-realms") {
      if (!absl::SimpleAtoi(value, &n) || n > 64) {
        return usage_error("--spare-realms takes a number from 0 to 64, not " + value);
      }
      options.spare_realms = n;
    } else if (flag == "--suspend-after") {
      double seconds = 0;
      if (!absl::SimpleAtod(value, &seconds) || seconds <= 0) {
        return usage_error("--suspend-after takes a number of seconds, not " + value);
      }
      options.rate.suspend_after = absl::Seconds(seconds);
    } else if (flag == "--vm") {
      options.vm_path = value;
    } else {
      break;
    }
  }
  std::vector<std::string> command(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  if (command.size() == 1 && (command[0] == "--help" || command[0] == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  if (command.size() == 1 && command[0] == "--version") {
    std::cout << "lona 0.1.0\n";
    return 0;
  }
  bool known = command.empty() || (command.size() == 1 && command[0] == "repl") ||
               (command.size() == 2 && command[0] == "repl" && command[1] == "--batch") ||
               (command.size() == 2 && command[0] == "eval") ||
               (command.size() >= 2 && command[0] == "run");
  if (!known) {
    std::string line = "unknown command line:";
    for (const std::string& a : command) line += " " + a;
    return usage_error(line);
  }
  options.init_args = init_options;
  options.init_args.insert(options.init_args.end(), command.begin(), command.end());
  if (!options.control_path.empty()) ::setenv("LONA_CONTROL", options.control_path.c_str(), 1);

  lona::lmm::Lmm lmm(std::move(options));
  absl::StatusOr<int> status = lmm.run();
  if (!status.ok()) {
    std::cerr << "lona: " << status.status().message() << "\n";
    return 1;
  }
  return *status;
}
