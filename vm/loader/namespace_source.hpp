// vm/loader: where namespaces' source text comes from.
//
// Namespace a.b.c lives at a/b/c.lona in a source. TarSource reads a USTAR archive (the stdlib
// archive embedded in the binary, or a file) through libarchive; DirSource reads a directory
// tree; ChainedSource asks several in order, first match wins (LONA_PATH and --lib put working
// directories before the embedded library).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lona {

class NamespaceSource {
 public:
  virtual ~NamespaceSource() = default;
  // The text at `path` (e.g. "lona/core.lona"), or nullopt when this source has no such file.
  virtual std::optional<std::string> read(std::string_view path) = 0;
  virtual std::string describe() const = 0;
};

// "a.b.c" -> "a/b/c.lona" (a '-' in a segment stays a '-').
std::string namespace_path(std::string_view ns);

class TarSource final : public NamespaceSource {
 public:
  // nullptr and *error when the bytes are not a readable tar archive.
  static std::unique_ptr<TarSource> from_memory(const void* data, size_t size, std::string name,
                                                std::string* error);
  static std::unique_ptr<TarSource> from_file(const std::string& path, std::string* error);
  // The archive compiled into the binary (stdlib/).
  static std::unique_ptr<TarSource> embedded_stdlib();

  std::optional<std::string> read(std::string_view path) override;
  std::string describe() const override { return name_; }
  size_t file_count() const { return files_.size(); }

 private:
  std::string name_;
  std::map<std::string, std::string, std::less<>> files_;
};

class DirSource final : public NamespaceSource {
 public:
  explicit DirSource(std::string root) : root_(std::move(root)) {}
  std::optional<std::string> read(std::string_view path) override;
  std::string describe() const override { return root_; }

 private:
  std::string root_;
};

class ChainedSource final : public NamespaceSource {
 public:
  void add(std::unique_ptr<NamespaceSource> source) { sources_.push_back(std::move(source)); }
  std::optional<std::string> read(std::string_view path) override;
  std::string describe() const override;

 private:
  std::vector<std::unique_ptr<NamespaceSource>> sources_;
};

}  // namespace lona
