#include "agent/containerd/image_import.h"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "base/log.h"
#include "base/process.h"

namespace kite::agent {
namespace {

namespace fs = std::filesystem;
using base::Reason;

bool has_suffix(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_archive_name(const std::string& name) {
  if (name.empty() || name[0] == '.') return false;
  return has_suffix(name, ".tar") || has_suffix(name, ".tar.gz") || has_suffix(name, ".tgz") ||
         has_suffix(name, ".tar.zst");
}

struct ArchiveStamp {
  uintmax_t size = 0;
  long long mtime_ns = 0;
  std::vector<std::string> images;
};

// State file: one line per archive, tab-separated: path, size, mtime_ns, image names (space
// separated). Paths with tabs or newlines are never recorded (they are simply re-imported).
std::map<std::string, ArchiveStamp> read_state(const std::string& file) {
  std::map<std::string, ArchiveStamp> out;
  if (file.empty()) return out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string path, size, mtime, names;
    if (!std::getline(fields, path, '\t') || !std::getline(fields, size, '\t') ||
        !std::getline(fields, mtime, '\t')) {
      continue;
    }
    std::getline(fields, names);
    ArchiveStamp stamp;
    try {
      stamp.size = std::stoull(size);
      stamp.mtime_ns = std::stoll(mtime);
    } catch (...) {
      continue;
    }
    std::istringstream name_stream(names);
    for (std::string n; name_stream >> n;) stamp.images.push_back(n);
    out[path] = stamp;
  }
  return out;
}

void write_state(const std::string& file, const std::map<std::string, ArchiveStamp>& state) {
  if (file.empty()) return;
  std::error_code ec;
  fs::create_directories(fs::path(file).parent_path(), ec);
  const std::string tmp = file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const auto& [path, stamp] : state) {
      if (path.find_first_of("\t\n") != std::string::npos) continue;
      out << path << '\t' << stamp.size << '\t' << stamp.mtime_ns << '\t';
      for (size_t i = 0; i < stamp.images.size(); ++i) out << (i ? " " : "") << stamp.images[i];
      out << '\n';
    }
  }
  fs::rename(tmp, file, ec);
  if (ec) {
    KITE_LOG(warn, "containerd") << "cannot write " << file << ": " << ec.message();
  }
}

base::Result<ArchiveStamp> stamp_of(const std::string& path) {
  std::error_code ec;
  ArchiveStamp s;
  s.size = fs::file_size(path, ec);
  if (ec) return base::error(Reason::InternalError, path + ": " + ec.message());
  auto mtime = fs::last_write_time(path, ec);
  if (ec) return base::error(Reason::InternalError, path + ": " + ec.message());
  s.mtime_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count();
  return s;
}

// Runs a command, returning its combined stdout+stderr; error if it fails or times out.
base::Result<std::string> run_capture(std::vector<std::string> argv, const std::string& scratch_dir,
                                      std::chrono::milliseconds timeout) {
  const std::string dir = scratch_dir.empty() ? "/tmp" : scratch_dir;
  std::string out_file = dir + "/.kite-ctr-XXXXXX";
  int fd = ::mkstemp(out_file.data());
  if (fd < 0) return base::error(Reason::InternalError, "cannot create a temp file in " + dir);
  ::close(fd);
  base::SpawnOptions spawn;
  spawn.argv = std::move(argv);
  spawn.log_file = out_file;
  auto proc = base::Process::spawn(spawn);
  if (!proc) {
    ::unlink(out_file.c_str());
    return std::unexpected(proc.error());
  }
  bool done = proc->wait_for(timeout);
  if (!done) proc->terminate(std::chrono::seconds(2));
  std::ifstream in(out_file);
  std::ostringstream text;
  text << in.rdbuf();
  ::unlink(out_file.c_str());
  std::string output = text.str();
  if (!done) {
    return base::error(Reason::Timeout, spawn.argv[0] + " timed out; output: " + output);
  }
  const auto& st = proc->exit_status();
  if (!st || !st->exited || st->exit_code != 0) {
    while (!output.empty() && output.back() == '\n') output.pop_back();
    std::string cmd;
    for (const auto& a : spawn.argv) cmd += (cmd.empty() ? "" : " ") + a;
    return base::error(Reason::InternalError, "`" + cmd + "` failed: " + output);
  }
  return output;
}

std::string make_temp(const std::string& scratch_dir, const std::string& stem) {
  std::string path = (scratch_dir.empty() ? "/tmp" : scratch_dir) + "/." + stem + "-XXXXXX";
  int fd = ::mkstemp(path.data());
  if (fd < 0) return "";
  ::close(fd);
  return path;
}

// gunzips `in` into `out` with zlib.
base::Result<void> gunzip_file(const std::string& in, const std::string& out) {
  gzFile gz = ::gzopen(in.c_str(), "rb");
  if (!gz) return base::error(Reason::InternalError, in + ": cannot open");
  std::ofstream dst(out, std::ios::binary | std::ios::trunc);
  std::vector<char> buf(1 << 16);
  int n = 0;
  while ((n = ::gzread(gz, buf.data(), static_cast<unsigned>(buf.size()))) > 0) {
    dst.write(buf.data(), n);
  }
  int err = 0;
  std::string msg = n < 0 ? ::gzerror(gz, &err) : "";
  ::gzclose(gz);
  if (n < 0) return base::error(Reason::InternalError, in + ": bad gzip data: " + msg);
  if (!dst.flush()) return base::error(Reason::InternalError, "cannot write " + out);
  return {};
}

// The archive as a plain tar: itself, or a decompressed temp copy in scratch_dir (`temp` set,
// the caller removes it). ctr 1.6 does not decompress archives itself.
base::Result<std::string> plain_tar(const std::string& path, const ImageImportOptions& options,
                                    std::string* temp) {
  const bool gz = has_suffix(path, ".tar.gz") || has_suffix(path, ".tgz");
  const bool zst = has_suffix(path, ".tar.zst");
  if (!gz && !zst) return path;
  *temp = make_temp(options.scratch_dir, "kite-import");
  if (temp->empty())
    return base::error(Reason::InternalError,
                       "cannot create a temp file in " + options.scratch_dir);
  if (gz) {
    if (auto ok = gunzip_file(path, *temp); !ok) return std::unexpected(ok.error());
    return *temp;
  }
  auto out = run_capture({"zstd", "-d", "-q", "-f", path, "-o", *temp}, options.scratch_dir,
                         options.timeout);
  if (!out) return std::unexpected(out.error());
  return *temp;
}

// `ctr images import` prints "unpacking NAME (sha256:...)...done" per image.
std::vector<std::string> imported_names(const std::string& output) {
  std::vector<std::string> names;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    const std::string prefix = "unpacking ";
    if (line.rfind(prefix, 0) != 0) continue;
    std::string rest = line.substr(prefix.size());
    auto sp = rest.find(" (");
    names.push_back(rest.substr(0, sp));
  }
  return names;
}

std::vector<std::string> ctr_base(const ImageImportOptions& o) {
  return {o.ctr_bin, "--address", o.address, "-n", o.ns};
}

}  // namespace

std::vector<std::string> find_image_archives(const std::vector<std::string>& dirs) {
  std::set<std::string> out;
  for (const auto& dir : dirs) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code type_ec;
      if (!it->is_regular_file(type_ec)) continue;
      if (is_archive_name(it->path().filename().string())) out.insert(it->path().string());
    }
  }
  return {out.begin(), out.end()};
}

base::Result<std::vector<std::string>> list_images(const ImageImportOptions& options) {
  auto argv = ctr_base(options);
  argv.insert(argv.end(), {"images", "ls", "-q"});
  auto output = run_capture(argv, options.scratch_dir, options.timeout);
  if (!output) return std::unexpected(output.error());
  std::vector<std::string> names;
  std::istringstream lines(*output);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) names.push_back(line);
  }
  return names;
}

base::Result<ImageImportResult> import_images(const ImageImportOptions& options) {
  ImageImportResult result;
  const auto archives = find_image_archives(options.dirs);
  if (archives.empty()) return result;
  auto state = read_state(options.state_file);

  std::set<std::string> present;
  bool listed = false;
  std::vector<std::string> failures;
  for (const auto& path : archives) {
    auto stamp = stamp_of(path);
    if (!stamp) {
      failures.push_back(stamp.error().message());
      continue;
    }
    auto known = state.find(path);
    if (known != state.end() && known->second.size == stamp->size &&
        known->second.mtime_ns == stamp->mtime_ns) {
      if (!listed) {
        auto names = list_images(options);
        if (!names) return std::unexpected(names.error());
        present.insert(names->begin(), names->end());
        listed = true;
      }
      bool all_there = std::all_of(known->second.images.begin(), known->second.images.end(),
                                   [&](const std::string& n) { return present.contains(n); });
      if (all_there) {
        result.skipped.push_back(path);
        continue;
      }
    }
    std::string temp;
    auto tar = plain_tar(path, options, &temp);
    if (!tar) {
      if (!temp.empty()) ::unlink(temp.c_str());
      failures.push_back(path + ": " + tar.error().message());
      continue;
    }
    auto argv = ctr_base(options);
    argv.insert(argv.end(), {"images", "import", *tar});
    auto output = run_capture(argv, options.scratch_dir, options.timeout);
    if (!temp.empty()) ::unlink(temp.c_str());
    if (!output) {
      failures.push_back(path + ": " + output.error().message());
      continue;
    }
    stamp->images = imported_names(*output);
    KITE_LOG(info, "containerd") << "imported " << path << " (" << stamp->images.size()
                                 << " image(s))";
    result.images.insert(result.images.end(), stamp->images.begin(), stamp->images.end());
    result.imported.push_back(path);
    state[path] = *stamp;
  }
  if (!result.imported.empty()) write_state(options.state_file, state);
  if (!failures.empty()) {
    std::string msg = "image import failed:";
    for (const auto& f : failures) msg += "\n  " + f;
    return base::error(Reason::InternalError, msg);
  }
  return result;
}

}  // namespace kite::agent
