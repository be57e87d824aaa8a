// CriTestContainerd: a private containerd for integration tests that go through CRI.
//
// start() builds kite's images with images/build.sh into a temp dir, writes a containerd
// config (own root/state/socket under a fresh /tmp/kite-cri-test.XXXXXX, per
// /work/shared/notes/verified-facts.md: restrict_oom_score_adj, disable_apparmor, stream
// server on 127.0.0.1 with a free port, sandbox_image kite.local/pause:3.10), starts
// containerd, waits for CRI to answer, and imports the images with ctr. Pods must use
// `cgroup_parent()` so their cgroups can be found and removed.
//
// The destructor cleans up even after a failed test: it stops and removes every sandbox
// through CRI, terminates containerd (our child, by PID), kills leftover shims (processes whose
// command line names our socket) and container processes (in our cgroup parent), unmounts
// everything under the temp dir, removes the cgroup dirs and the temp dir.
//
// skip_reason() says why the test cannot run here (not root, containerd/runc/ctr/gcc/busybox
// missing); callers GTEST_SKIP() with it. Header-only, so other test folders can include it.
// One owner thread.
#pragma once

#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "agent/cri/cri_runtime.h"
#include "base/clock.h"
#include "base/process.h"

namespace kite::testing_cri {

namespace fs = std::filesystem;

inline bool program_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string d; std::getline(dirs, d, ':');) {
    if (::access((d + "/" + name).c_str(), X_OK) == 0) return true;
  }
  return false;
}

inline std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Waits for `condition` up to `timeout` (checking every 20 ms); true once it holds.
inline bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = base::real_clock().now() + timeout;
  while (true) {
    if (condition()) return true;
    if (base::real_clock().now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// The repository root: $KITE_SOURCE_DIR, else the kite_SOURCE_DIR of the CMake build tree the
// test binary lives in (ccache makes __FILE__ relative, so it cannot be used).
inline std::string kite_source_dir() {
  if (const char* env = std::getenv("KITE_SOURCE_DIR"); env && *env) return env;
  std::error_code ec;
  for (fs::path dir = fs::read_symlink("/proc/self/exe", ec).parent_path(); !dir.empty() && dir != dir.root_path();
       dir = dir.parent_path()) {
    if (!fs::exists(dir / "CMakeCache.txt")) continue;
    std::istringstream lines(read_text(dir / "CMakeCache.txt"));
    for (std::string line; std::getline(lines, line);) {
      const std::string key = "kite_SOURCE_DIR:STATIC=";
      if (line.starts_with(key)) return line.substr(key.size());
    }
  }
  return "";
}

// Runs argv to completion with output into log_file; "" on success, else what went wrong.
inline std::string run_command(const std::vector<std::string>& argv, const std::string& log_file,
                               std::chrono::milliseconds timeout) {
  auto p = base::Process::spawn({argv, {}, log_file, ""});
  if (!p) return p.error().message();
  if (!p->wait_for(timeout)) {
    p->terminate(std::chrono::milliseconds(500));
    return argv[0] + " timed out";
  }
  const auto& st = p->exit_status();
  if (!st || !st->exited || st->exit_code != 0) return argv[0] + " failed: " + read_text(log_file);
  return "";
}

class CriTestContainerd {
 public:
  static constexpr const char* kPauseImage = "kite.local/pause:3.10";
  static constexpr const char* kBusyboxImage = "kite.local/busybox:1.35";

  CriTestContainerd() = default;
  CriTestContainerd(const CriTestContainerd&) = delete;
  CriTestContainerd& operator=(const CriTestContainerd&) = delete;
  ~CriTestContainerd() { cleanup(); }

  static std::string skip_reason() {
    if (::geteuid() != 0) return "needs root to run containerd";
    for (const char* p : {"containerd", "runc", "ctr", "gcc"}) {
      if (!program_on_path(p)) return std::string(p) + " is not installed";
    }
    if (!fs::exists("/bin/busybox")) return "busybox-static is not installed";
    if (kite_source_dir().empty()) return "cannot find the kite source dir (set KITE_SOURCE_DIR)";
    return "";
  }

  // "" on success, else the reason it failed (with containerd's log).
  std::string start() {
    char tmpl[] = "/tmp/kite-cri-test.XXXXXX";
    if (!::mkdtemp(tmpl)) return "mkdtemp failed";
    dir_ = tmpl;
    cgroup_parent_ = "/kite-cri-test-" + fs::path(dir_).filename().string().substr(std::string("kite-cri-test.").size());
    for (const char* d : {"root", "state", "cni", "images", "pods"}) fs::create_directories(dir_ + "/" + d);

    const std::string build =
        run_command({kite_source_dir() + "/images/build.sh", dir_ + "/images"}, dir_ + "/build.log", std::chrono::minutes(3));
    if (!build.empty()) return "images/build.sh: " + build;

    auto port = base::free_tcp_port();
    if (!port) return port.error().message();
    std::ofstream(dir_ + "/config.toml") << config_toml(*port);
    auto p = base::Process::spawn({{"containerd", "--config", dir_ + "/config.toml"}, {}, dir_ + "/containerd.log", ""});
    if (!p) return p.error().message();
    containerd_ = std::make_unique<base::Process>(std::move(*p));

    auto runtime = agent::connect_cri_runtime(endpoint(), std::chrono::seconds(20));
    if (!runtime) return runtime.error().message() + "\n" + read_text(dir_ + "/containerd.log");
    runtime_ = std::move(*runtime);

    for (const char* image : {"pause.tar", "busybox.tar"}) {
      const std::string r = run_command({"ctr", "--address", socket(), "-n", "k8s.io", "images", "import",
                                         dir_ + "/images/" + image},
                                        dir_ + "/ctr.log", std::chrono::minutes(2));
      if (!r.empty()) return "ctr import " + std::string(image) + ": " + r;
    }
    return "";
  }

  agent::Runtime& runtime() { return *runtime_; }
  const std::string& dir() const { return dir_; }
  std::string socket() const { return dir_ + "/state/containerd.sock"; }
  std::string endpoint() const { return "unix://" + socket(); }
  std::string log_root() const { return dir_ + "/pods"; }
  const std::string& cgroup_parent() const { return cgroup_parent_; }
  std::string containerd_log() const { return read_text(dir_ + "/containerd.log"); }
  pid_t containerd_pid() const { return containerd_ ? containerd_->pid() : 0; }

  void cleanup() {
    if (dir_.empty()) return;
    if (runtime_) {
      if (auto sandboxes = runtime_->list_pod_sandboxes(); sandboxes) {
        for (const auto& s : *sandboxes) {
          (void)runtime_->stop_pod_sandbox(s.id);
          (void)runtime_->remove_pod_sandbox(s.id);
        }
      }
      runtime_.reset();
    }
    if (containerd_) {
      containerd_->terminate(std::chrono::seconds(10));
      containerd_.reset();
    }
    kill_leftovers();
    unmount_below(dir_);
    remove_cgroups();
    std::error_code ec;
    fs::remove_all(dir_, ec);
    dir_.clear();
  }

 private:
  std::string config_toml(int stream_port) const {
    std::ostringstream c;
    c << "version = 2\n"
      << "root = \"" << dir_ << "/root\"\n"
      << "state = \"" << dir_ << "/state\"\n"
      << "[grpc]\n  address = \"" << socket() << "\"\n"
      << "[ttrpc]\n  address = \"" << socket() << ".ttrpc\"\n"
      << "[plugins.\"io.containerd.internal.v1.opt\"]\n  path = \"" << dir_ << "/root/opt\"\n"
      << "[plugins.\"io.containerd.grpc.v1.cri\"]\n"
      << "  sandbox_image = \"" << kPauseImage << "\"\n"
      << "  restrict_oom_score_adj = true\n"
      << "  disable_apparmor = true\n"
      << "  netns_mounts_under_state_dir = true\n"
      << "  stream_server_address = \"127.0.0.1\"\n"
      << "  stream_server_port = \"" << stream_port << "\"\n"
      << "  [plugins.\"io.containerd.grpc.v1.cri\".cni]\n"
      << "    bin_dir = \"/usr/lib/cni\"\n"
      << "    conf_dir = \"" << dir_ << "/cni\"\n"
      << "  [plugins.\"io.containerd.grpc.v1.cri\".containerd]\n"
      << "    snapshotter = \"overlayfs\"\n"
      << "  [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]\n"
      << "    runtime_type = \"io.containerd.runc.v2\"\n"
      << "    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n"
      << "      SystemdCgroup = false\n"
      << "      Root = \"" << dir_ << "/state/runc\"\n";
    return c.str();
  }

  // Shims started by our containerd name our socket on their command line; container processes
  // live in our cgroup parent. Both are ours to kill (by PID) once containerd is gone.
  void kill_leftovers() {
    std::vector<pid_t> pids;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/proc", ec)) {
      const std::string name = e.path().filename();
      if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
      std::string cmdline = read_text(e.path() / "cmdline");
      std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
      if (cmdline.find(socket()) != std::string::npos) pids.push_back(std::stoi(name));
    }
    const fs::path pids_cgroup = fs::path("/sys/fs/cgroup/pids") / cgroup_parent_.substr(1);
    if (fs::exists(pids_cgroup)) {
      for (const auto& e : fs::recursive_directory_iterator(pids_cgroup, ec)) {
        if (e.path().filename() != "cgroup.procs") continue;
        std::istringstream procs(read_text(e.path()));
        for (pid_t pid; procs >> pid;) pids.push_back(pid);
      }
    }
    for (pid_t pid : pids) ::kill(pid, SIGKILL);
  }

  static void unmount_below(const std::string& dir) {
    std::vector<std::string> targets;
    std::istringstream lines(read_text("/proc/self/mountinfo"));
    for (std::string line; std::getline(lines, line);) {
      std::istringstream f(line);
      std::string id, parent, devs, root, mount_point;
      f >> id >> parent >> devs >> root >> mount_point;
      if (mount_point.starts_with(dir + "/")) targets.push_back(mount_point);
    }
    std::sort(targets.rbegin(), targets.rend());  // children before parents
    for (const auto& t : targets) ::umount2(t.c_str(), MNT_DETACH);
  }

  // runc leaves the cgroup parent directory (verified-facts): remove ours in every hierarchy,
  // once the killed processes have left it (they take a moment to exit).
  void remove_cgroups() {
    wait_until([&] { return remove_cgroups_once(); }, std::chrono::seconds(10));
  }

  bool remove_cgroups_once() {
    bool all_gone = true;
    std::error_code ec;
    for (const auto& hierarchy : fs::directory_iterator("/sys/fs/cgroup", ec)) {
      const fs::path top = hierarchy.path() / cgroup_parent_.substr(1);
      if (!fs::is_directory(top)) continue;
      std::vector<fs::path> dirs{top};
      for (const auto& e : fs::recursive_directory_iterator(top, ec)) {
        if (e.is_directory()) dirs.push_back(e.path());
      }
      std::sort(dirs.rbegin(), dirs.rend());  // children before parents
      for (const auto& d : dirs) ::rmdir(d.c_str());
      if (fs::exists(top)) all_gone = false;
    }
    return all_gone;
  }

  std::string dir_, cgroup_parent_;
  std::unique_ptr<base::Process> containerd_;
  std::unique_ptr<agent::Runtime> runtime_;
};

}  // namespace kite::testing_cri
