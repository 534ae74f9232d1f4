// lona-pack: packs the .lona files of a directory into a USTAR archive (a build tool: the stdlib
// archive embedded in lona is made with it). Entries are sorted, with fixed owner, mode and time,
// so the archive depends only on the files' names and contents.
#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: lona-pack OUT.tar DIR\n";
    return 2;
  }
  namespace fs = std::filesystem;
  fs::path root = argv[2];
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && e.path().extension() == ".lona") {
      files.push_back(fs::relative(e.path(), root).generic_string());
    }
  }
  std::sort(files.begin(), files.end());

  struct archive* a = archive_write_new();
  archive_write_set_format_ustar(a);
  if (archive_write_open_filename(a, argv[1]) != ARCHIVE_OK) {
    std::cerr << "lona-pack: " << argv[1] << ": " << archive_error_string(a) << "\n";
    return 1;
  }
  for (const std::string& name : files) {
    std::ifstream f(root / name, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    std::string data = s.str();
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, name.c_str());
    archive_entry_set_size(entry, static_cast<la_int64_t>(data.size()));
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_mtime(entry, 0, 0);
    if (archive_write_header(a, entry) != ARCHIVE_OK ||
        archive_write_data(a, data.data(), data.size()) != static_cast<la_ssize_t>(data.size())) {
      std::cerr << "lona-pack: " << name << ": " << archive_error_string(a) << "\n";
      return 1;
    }
    archive_entry_free(entry);
  }
  if (archive_write_close(a) != ARCHIVE_OK) {
    std::cerr << "lona-pack: " << archive_error_string(a) << "\n";
    return 1;
  }
  archive_write_free(a);
  return 0;
}
