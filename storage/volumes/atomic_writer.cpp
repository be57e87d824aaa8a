#include "storage/volumes/atomic_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "storage/volumes/volume_paths.h"

namespace kite::storage {

namespace {

namespace fs = std::filesystem;

base::Status io_error(const std::string& what, const std::string& path, int err) {
  return base::Status(base::Reason::InternalError, what + " " + path + ": " + std::strerror(err));
}

std::string top_level(const std::string& path) { return path.substr(0, path.find('/')); }

// True when `data_dir` already holds exactly `payload` (content and mode).
bool payload_matches(const fs::path& data_dir, const Payload& payload) {
  std::error_code ec;
  if (!fs::is_directory(data_dir, ec)) return false;
  size_t files = 0;
  for (auto it = fs::recursive_directory_iterator(data_dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec)) ++files;
  }
  if (ec || files != payload.size()) return false;
  for (const auto& [path, file] : payload) {
    fs::path p = data_dir / path;
    struct stat st{};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || static_cast<int>(st.st_mode & 07777) != file.mode) {
      return false;
    }
    std::ifstream in(p, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (content.str() != file.data) return false;
  }
  return true;
}

std::string timestamped_name() {
  auto now = std::chrono::system_clock::now();
  auto t = std::chrono::system_clock::to_time_t(now);
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count() % 1000000000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "..%Y_%m_%d_%H_%M_%S.", &tm);
  return std::string(buf) + std::to_string(ns);
}

base::Result<void> write_file(const fs::path& path, const FileProjection& file) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return std::unexpected(io_error("mkdir", path.parent_path(), ec.value()));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected(io_error("open", path, errno));
  size_t off = 0;
  while (off < file.data.size()) {
    ssize_t n = ::write(fd, file.data.data() + off, file.data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return std::unexpected(io_error("write", path, err));
    }
    off += static_cast<size_t>(n);
  }
  if (::fchmod(fd, static_cast<mode_t>(file.mode)) != 0 || ::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    return std::unexpected(io_error("chmod", path, err));
  }
  ::close(fd);
  return {};
}

}  // namespace

base::Result<bool> write_payload_atomically(const std::string& dir_name, const Payload& payload) {
  for (const auto& [path, file] : payload) {
    if (auto ok = check_payload_path(path); !ok) return std::unexpected(ok.error());
  }
  fs::path dir(dir_name);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return std::unexpected(io_error("mkdir", dir, ec.value()));
  const fs::path data_link = dir / "..data";
  std::string old_target;
  if (fs::is_symlink(fs::symlink_status(data_link, ec))) {
    old_target = fs::read_symlink(data_link, ec).string();
    if (!old_target.empty() && payload_matches(dir / old_target, payload)) {
      bool links_ok = true;
      for (const auto& [path, file] : payload) {
        links_ok = links_ok && fs::is_symlink(fs::symlink_status(dir / top_level(path), ec));
      }
      if (links_ok) return false;
    }
  }
  // 1. The new payload in a fresh timestamped directory.
  std::string ts = timestamped_name();
  const fs::path ts_dir = dir / ts;
  fs::create_directory(ts_dir, ec);
  if (ec) return std::unexpected(io_error("mkdir", ts_dir, ec.value()));
  ::chmod(ts_dir.c_str(), 0755);
  for (const auto& [path, file] : payload) {
    if (auto ok = write_file(ts_dir / path, file); !ok) {
      fs::remove_all(ts_dir, ec);
      return std::unexpected(ok.error());
    }
  }
  // 2. Swap ..data with one rename.
  const fs::path tmp_link = dir / "..data_tmp";
  fs::remove(tmp_link, ec);
  if (::symlink(ts.c_str(), tmp_link.c_str()) != 0) return std::unexpected(io_error("symlink", tmp_link, errno));
  if (::rename(tmp_link.c_str(), data_link.c_str()) != 0) return std::unexpected(io_error("rename", data_link, errno));
  // 3. User-visible symlinks: add the new ones, drop the stale ones.
  std::set<std::string> wanted;
  for (const auto& [path, file] : payload) wanted.insert(top_level(path));
  for (const auto& name : wanted) {
    fs::path link = dir / name;
    if (fs::is_symlink(fs::symlink_status(link, ec))) continue;
    if (::symlink(("..data/" + name).c_str(), link.c_str()) != 0) return std::unexpected(io_error("symlink", link, errno));
  }
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("..", 0) == 0) {
      if (name != "..data" && name != ts) fs::remove_all(entry.path(), ec);  // old payloads
      continue;
    }
    if (!wanted.contains(name) && fs::is_symlink(entry.symlink_status(ec))) fs::remove(entry.path(), ec);
  }
  return true;
}

}  // namespace kite::storage
