#include "storage/volumes/atomic_writer.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace kite::storage {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/kite-volumes-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string path;
};

TEST(AtomicWriter, WritesThroughDataSymlinkAndSwapsOnChange) {
  TempDir tmp;
  std::string dir = tmp.path + "/vol";
  ASSERT_TRUE(*write_payload_atomically(dir, {{"a.txt", {"one", 0644}}, {"sub/b.txt", {"two", 0600}}}));
  EXPECT_TRUE(fs::is_symlink(dir + "/..data"));
  EXPECT_TRUE(fs::is_symlink(dir + "/a.txt"));
  EXPECT_EQ(fs::read_symlink(dir + "/a.txt"), "..data/a.txt");
  EXPECT_EQ(read(dir + "/a.txt"), "one");
  EXPECT_EQ(read(dir + "/sub/b.txt"), "two");
  struct stat st{};
  ASSERT_EQ(::stat((dir + "/sub/b.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto first_target = fs::read_symlink(dir + "/..data");

  // Same content: nothing changes.
  EXPECT_FALSE(*write_payload_atomically(dir, {{"a.txt", {"one", 0644}}, {"sub/b.txt", {"two", 0600}}}));
  EXPECT_EQ(fs::read_symlink(dir + "/..data"), first_target);

  // New content: swapped, stale names and the old payload dir removed.
  ASSERT_TRUE(*write_payload_atomically(dir, {{"a.txt", {"uno", 0644}}}));
  EXPECT_EQ(read(dir + "/a.txt"), "uno");
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir + "/sub")));
  EXPECT_FALSE(fs::exists(dir + "/" + first_target.string()));
  int entries = 0;
  for (auto& e : fs::directory_iterator(dir)) { (void)e; ++entries; }
  EXPECT_EQ(entries, 3);  // ..<ts>, ..data, a.txt
}

TEST(AtomicWriter, RejectsEscapingPaths) {
  TempDir tmp;
  EXPECT_FALSE(write_payload_atomically(tmp.path + "/v", {{"../x", {"bad", 0644}}}).has_value());
  EXPECT_FALSE(write_payload_atomically(tmp.path + "/v", {{"/etc/x", {"bad", 0644}}}).has_value());
}

}  // namespace
}  // namespace kite::storage
