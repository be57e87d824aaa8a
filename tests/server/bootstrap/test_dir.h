// A temporary directory removed at the end of a test (shared by the bootstrap tests).
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace kite::bootstrap::boot_test {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kite-boot-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline unsigned file_mode(const std::string& path) {
  return static_cast<unsigned>(std::filesystem::status(path).permissions());
}

}  // namespace kite::bootstrap::boot_test
