#include "vm/loader/namespace_source.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <fstream>
#include <sstream>

#include "runtime/support/str_cat.hpp"

namespace lona {

extern const unsigned char kStdlibArchive[];
extern const size_t kStdlibArchiveSize;

std::string namespace_path(std::string_view ns) {
  std::string path(ns);
  for (char& c : path) {
    if (c == '.') c = '/';
  }
  return path + ".lona";
}

std::unique_ptr<TarSource> TarSource::from_memory(const void* data, size_t size, std::string name,
                                                  std::string* error) {
  auto source = std::unique_ptr<TarSource>(new TarSource());
  source->name_ = std::move(name);
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  if (archive_read_open_memory(a, data, size) != ARCHIVE_OK) {
    *error = str_cat(source->name_, ": ", archive_error_string(a));
    archive_read_free(a);
    return nullptr;
  }
  struct archive_entry* entry;
  int rc;
  while ((rc = archive_read_next_header(a, &entry)) == ARCHIVE_OK) {
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    std::string path = archive_entry_pathname(entry);
    if (path.rfind("./", 0) == 0) path.erase(0, 2);
    std::string text;
    char buf[16384];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0)
      text.append(buf, static_cast<size_t>(n));
    if (n < 0) {
      *error = str_cat(source->name_, ": ", archive_error_string(a));
      archive_read_free(a);
      return nullptr;
    }
    source->files_.emplace(std::move(path), std::move(text));
  }
  if (rc != ARCHIVE_EOF) {
    *error = str_cat(source->name_, ": ", archive_error_string(a));
    archive_read_free(a);
    return nullptr;
  }
  archive_read_free(a);
  return source;
}

std::unique_ptr<TarSource> TarSource::from_file(const std::string& path, std::string* error) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    *error = str_cat(path, ": cannot open");
    return nullptr;
  }
  std::stringstream s;
  s << f.rdbuf();
  std::string bytes = s.str();
  return from_memory(bytes.data(), bytes.size(), path, error);
}

std::unique_ptr<TarSource> TarSource::embedded_stdlib() {
  std::string error;
  auto source = from_memory(kStdlibArchive, kStdlibArchiveSize, "<embedded stdlib>", &error);
  return source;  // the archive is built with the binary; a failure here is a build defect
}

std::optional<std::string> TarSource::read(std::string_view path) {
  auto it = files_.find(path);
  if (it == files_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> DirSource::read(std::string_view path) {
  std::ifstream f(str_cat(root_, "/", path), std::ios::binary);
  if (!f) return std::nullopt;
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::optional<std::string> ChainedSource::read(std::string_view path) {
  for (auto& source : sources_) {
    if (auto text = source->read(path)) return text;
  }
  return std::nullopt;
}

std::string ChainedSource::describe() const {
  std::string out;
  for (size_t i = 0; i < sources_.size(); ++i) {
    if (i > 0) out += ", ";
    out += sources_[i]->describe();
  }
  return out;
}

}  // namespace lona
