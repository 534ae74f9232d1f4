// lona-idlc: the stub generator of Lona's typed IPC. Reads the binary schema flatc emits
// (flatc -b --schema) and writes the C++ clients, server interfaces and dispatch routes and the
// Python clients; or checks that a schema only extends a frozen one.
//
//   lona-idlc --cpp DIR --include-dir PREFIX [--python DIR] SCHEMA.bfbs
//   lona-idlc --check-evolution FROZEN.bfbs CURRENT.bfbs
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gen/cpp_generator.hpp"
#include "gen/evolution.hpp"
#include "gen/protocol.hpp"
#include "gen/python_generator.hpp"

namespace {

int usage() {
  std::fputs(
      "usage: lona-idlc --cpp DIR --include-dir PREFIX [--python DIR] SCHEMA.bfbs\n"
      "       lona-idlc --check-evolution FROZEN.bfbs CURRENT.bfbs\n",
      stderr);
  return 2;
}

// Writes `text` to `path` unless it already holds exactly that (so that a regeneration that
// changes nothing does not rebuild what includes it).
bool write_if_changed(const std::filesystem::path& path, const std::string& text) {
  {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::string old((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (old == text) return true;
    }
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::fprintf(stderr, "lona-idlc: cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

const reflection::Schema* schema_of(const std::string& bytes) {
  return reflection::GetSchema(bytes.data());
}

int check_evolution(const std::string& frozen_path, const std::string& current_path) {
  auto frozen = lona::idlc::read_binary_schema(frozen_path);
  auto current = lona::idlc::read_binary_schema(current_path);
  for (const auto* read : {&frozen, &current}) {
    if (!read->ok()) {
      std::fprintf(stderr, "lona-idlc: %s\n", std::string(read->status().message()).c_str());
      return 1;
    }
  }
  std::vector<std::string> problems =
      lona::idlc::check_evolution(*schema_of(*frozen), *schema_of(*current));
  for (const std::string& problem : problems) {
    std::fprintf(stderr, "lona-idlc: %s is not compatible with %s: %s\n", current_path.c_str(),
                 frozen_path.c_str(), problem.c_str());
  }
  return problems.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 3 && args[0] == "--check-evolution") return check_evolution(args[1], args[2]);

  std::string cpp_dir;
  std::string include_dir;
  std::string python_dir;
  std::string schema_path;
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto value = [&](std::string& into) {
      if (i + 1 >= args.size()) return false;
      into = args[++i];
      return true;
    };
    if (args[i] == "--cpp") {
      if (!value(cpp_dir)) return usage();
    } else if (args[i] == "--include-dir") {
      if (!value(include_dir)) return usage();
    } else if (args[i] == "--python") {
      if (!value(python_dir)) return usage();
    } else if (!args[i].starts_with("-") && schema_path.empty()) {
      schema_path = args[i];
    } else {
      return usage();
    }
  }
  if (schema_path.empty() || (cpp_dir.empty() && python_dir.empty())) return usage();

  auto bytes = lona::idlc::read_binary_schema(schema_path);
  if (!bytes.ok()) {
    std::fprintf(stderr, "lona-idlc: %s\n", std::string(bytes.status().message()).c_str());
    return 1;
  }
  auto protocol = lona::idlc::load_protocol(*schema_of(*bytes));
  if (!protocol.ok()) {
    std::fprintf(stderr, "lona-idlc: %s: %s\n", schema_path.c_str(),
                 std::string(protocol.status().message()).c_str());
    return 1;
  }
  std::string base = std::filesystem::path(schema_path).stem().string();
  bool ok = true;
  if (!cpp_dir.empty()) {
    lona::idlc::CppOutput cpp = lona::idlc::generate_cpp(*protocol, base, include_dir);
    std::filesystem::create_directories(cpp_dir);
    ok &= write_if_changed(std::filesystem::path(cpp_dir) / absl::StrCat(base, "_services.hpp"),
                           cpp.header);
    ok &= write_if_changed(std::filesystem::path(cpp_dir) / absl::StrCat(base, "_services.cpp"),
                           cpp.source);
  }
  if (!python_dir.empty()) {
    std::filesystem::create_directories(python_dir);
    ok &= write_if_changed(std::filesystem::path(python_dir) / absl::StrCat(base, "_clients.py"),
                           lona::idlc::generate_python(*protocol, base));
  }
  return ok ? 0 : 1;
}
