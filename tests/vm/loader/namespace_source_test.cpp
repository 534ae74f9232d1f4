// Namespace sources: real tar archives (written here with libarchive), directories, chains.
#include "vm/loader/namespace_source.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace lona {
namespace {

namespace fs = std::filesystem;

class NamespaceSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("lona-ns-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A USTAR archive with these files.
  std::string write_tar(const std::vector<std::pair<std::string, std::string>>& files) {
    std::string path = (dir_ / "lib.tar").string();
    struct archive* a = archive_write_new();
    archive_write_set_format_ustar(a);
    EXPECT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
    for (const auto& [name, data] : files) {
      struct archive_entry* e = archive_entry_new();
      archive_entry_set_pathname(e, name.c_str());
      archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_perm(e, 0644);
      EXPECT_EQ(archive_write_header(a, e), ARCHIVE_OK);
      EXPECT_EQ(archive_write_data(a, data.data(), data.size()),
                static_cast<la_ssize_t>(data.size()));
      archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    return path;
  }

  void write_file(const std::string& rel, const std::string& text) {
    fs::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel, std::ios::binary) << text;
  }

  fs::path dir_;
};

TEST(NamespacePath, DotsBecomeDirectories) {
  EXPECT_EQ(namespace_path("lona.core"), "lona/core.lona");
  EXPECT_EQ(namespace_path("my.app.main-thing"), "my/app/main-thing.lona");
  EXPECT_EQ(namespace_path("single"), "single.lona");
}

TEST(EmbeddedStdlib, HoldsTheCoreLibrary) {
  std::unique_ptr<TarSource> stdlib = TarSource::embedded_stdlib();
  ASSERT_NE(stdlib, nullptr);
  std::optional<std::string> core = stdlib->read("lona/core.lona");
  ASSERT_TRUE(core.has_value());
  EXPECT_NE(core->find("defmacro"), std::string::npos);
  EXPECT_FALSE(stdlib->read("lona/nope.lona").has_value());
}

TEST_F(NamespaceSourceTest, TarFileEntriesReadBack) {
  std::string big(200000, 'x');
  std::string path = write_tar({{"a/b.lona", "(ns a.b)"}, {"big.lona", big}, {"c.lona", ""}});
  std::string error;
  std::unique_ptr<TarSource> tar = TarSource::from_file(path, &error);
  ASSERT_NE(tar, nullptr) << error;
  EXPECT_EQ(tar->file_count(), 3u);
  EXPECT_EQ(tar->read("a/b.lona"), "(ns a.b)");
  EXPECT_EQ(tar->read("big.lona"), big);
  EXPECT_EQ(tar->read("c.lona"), "");
  EXPECT_FALSE(tar->read("a/missing.lona").has_value());
  EXPECT_EQ(tar->describe(), path);
}

TEST_F(NamespaceSourceTest, NotATarIsAClearError) {
  std::string garbage = "this is not a tar archive at all, just some text that is long enough" +
                        std::string(600, 'z');
  std::string error;
  EXPECT_EQ(TarSource::from_memory(garbage.data(), garbage.size(), "garbage", &error), nullptr);
  EXPECT_NE(error.find("garbage"), std::string::npos) << error;
  error.clear();
  EXPECT_EQ(TarSource::from_file((dir_ / "missing.tar").string(), &error), nullptr);
  EXPECT_NE(error.find("cannot open"), std::string::npos) << error;
}

TEST_F(NamespaceSourceTest, TruncatedTarIsAClearError) {
  std::string path = write_tar({{"a.lona", std::string(5000, 'a')}});
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string half = bytes.substr(0, 2048);  // header and part of the data
  std::string error;
  EXPECT_EQ(TarSource::from_memory(half.data(), half.size(), "half", &error), nullptr);
  EXPECT_FALSE(error.empty());
}

TEST_F(NamespaceSourceTest, DirectoryAndChainFirstMatchWins) {
  write_file("over/lona/core.lona", "(ns lona.core) ; overridden");
  write_file("over/my/lib.lona", "(ns my.lib)");
  auto chain = std::make_unique<ChainedSource>();
  chain->add(std::make_unique<DirSource>((dir_ / "over").string()));
  chain->add(TarSource::embedded_stdlib());
  EXPECT_EQ(chain->read("lona/core.lona"), "(ns lona.core) ; overridden");
  EXPECT_EQ(chain->read("my/lib.lona"), "(ns my.lib)");
  EXPECT_FALSE(chain->read("nowhere.lona").has_value());
  EXPECT_NE(chain->describe().find("embedded"), std::string::npos);
}

}  // namespace
}  // namespace lona
