// Integration test: a real containerd supervised in a temp data dir + state dir. Imports an
// OCI archive built here, survives a SIGKILL of containerd, takes over a containerd left by a
// "previous agent run", refuses a foreign socket. Skips without containerd/ctr or root.
#include "agent/containerd/containerd_supervisor.h"

#include <gtest/gtest.h>
#include <openssl/sha.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

#include "agent/containerd/image_import.h"
#include "base/process.h"

namespace kite::agent {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string d; std::getline(dirs, d, ':');) {
    if (::access((d + "/" + name).c_str(), X_OK) == 0) return true;
  }
  return false;
}

// Waits for `cond` until `timeout`; true if it held.
bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!cond()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

bool pid_alive(pid_t pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

// Owns the temp dir; on destruction kills the containerd PIDs the test saw (by PID), unmounts
// anything under the dir and removes it.
class Sandbox {
 public:
  Sandbox() {
    char tmpl[] = "/tmp/kcd-XXXXXX";  // short: the socket path must fit sun_path
    dir_ = ::mkdtemp(tmpl) ? tmpl : "";
  }
  ~Sandbox() {
    for (pid_t pid : pids_) {
      if (pid_alive(pid)) {
        ::kill(pid, SIGKILL);
        eventually([&] { return !pid_alive(pid); }, 5s);
      }
    }
    if (dir_.empty()) return;
    // Shims (and any containerd) started for this sandbox carry its path in their argv.
    for (const auto& entry : fs::directory_iterator("/proc")) {
      const std::string name = entry.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream in(entry.path() / "cmdline");
      std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const pid_t pid = std::stoi(name);
      if (pid != ::getpid() && cmdline.find(dir_ + "/") != std::string::npos) ::kill(pid, SIGKILL);
    }
    for (const auto& socket : shim_sockets_) ::unlink(socket.c_str());
    const std::string leaf = fs::path(dir_).filename().string();
    std::error_code ec;
    for (const auto& hierarchy : fs::directory_iterator("/sys/fs/cgroup", ec)) {
      ::rmdir((hierarchy.path() / leaf).c_str());
    }
    std::vector<std::string> mounts;
    std::ifstream info("/proc/self/mountinfo");
    for (std::string line; std::getline(info, line);) {
      std::istringstream f(line);
      std::string id, parent, devs, root, mount_point;
      f >> id >> parent >> devs >> root >> mount_point;
      if (mount_point.rfind(dir_ + "/", 0) == 0) mounts.push_back(mount_point);
    }
    std::sort(mounts.rbegin(), mounts.rend());
    for (const auto& m : mounts) ::umount2(m.c_str(), MNT_DETACH);
    fs::remove_all(dir_, ec);
  }
  const std::string& dir() const { return dir_; }
  void track(pid_t pid) {
    if (pid > 0) pids_.insert(pid);
  }
  // A shim killed here leaves its socket where containerd 1.6 puts every shim socket:
  // /run/containerd/s/<sha256(containerd socket + "/" + namespace + "/" + id)>.
  void track_shim_socket(const std::string& containerd_socket, const std::string& ns,
                         const std::string& id) {
    const std::string key = containerd_socket + "/" + ns + "/" + id;
    unsigned char digest[SHA256_DIGEST_LENGTH];
    ::SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
    std::string hex;
    char buf[3];
    for (unsigned char b : digest) {
      std::snprintf(buf, sizeof buf, "%02x", b);
      hex += buf;
    }
    shim_sockets_.push_back("/run/containerd/s/" + hex);
  }

 private:
  std::string dir_;
  std::set<pid_t> pids_;
  std::vector<std::string> shim_sockets_;
};

// A one-layer single-platform OCI archive named `name`, built with the shell tools; `binary`
// (if given) is copied to /bin/busybox in the image.
bool build_oci_archive(const std::string& work, const std::string& name, const std::string& out,
                       const std::string& binary = "") {
  const std::string script = R"sh(
set -e
W="$1"; NAME="$2"; OUT="$3"; EXTRA="${4:-}"
mkdir -p "$W/layer" "$W/oci/blobs/sha256"
echo hello > "$W/layer/hello.txt"
if [ -n "$EXTRA" ]; then mkdir -p "$W/layer/bin"; cp "$EXTRA" "$W/layer/bin/busybox"; fi
tar -C "$W/layer" -cf "$W/layer.tar" .
put() { d=$(sha256sum "$1" | cut -d' ' -f1); cp "$1" "$W/oci/blobs/sha256/$d"; echo "$d $(stat -c %s "$1")"; }
set -- $(put "$W/layer.tar") "$NAME" "$OUT" "$W"
L=$1; LS=$2; NAME=$3; OUT=$4; W=$5
printf '{"architecture":"%s","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
  "$(dpkg --print-architecture)" "$L" > "$W/config.json"
set -- $(put "$W/config.json") "$L" "$LS" "$NAME" "$OUT" "$W"
C=$1; CS=$2; L=$3; LS=$4; NAME=$5; OUT=$6; W=$7
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
  "$C" "$CS" "$L" "$LS" > "$W/manifest.json"
set -- $(put "$W/manifest.json") "$NAME" "$OUT" "$W"
M=$1; MS=$2; NAME=$3; OUT=$4; W=$5
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"1"}}]}' \
  "$M" "$MS" "$NAME" > "$W/oci/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$W/oci/oci-layout"
tar -C "$W/oci" -cf "$OUT" oci-layout index.json blobs
)sh";
  fs::create_directories(work);
  const std::string script_file = work + "/build.sh";
  std::ofstream(script_file) << script;
  const std::string cmd = "/bin/bash " + script_file + " '" + work + "/oci-build' '" + name +
                          "' '" + out + "' '" + binary + "' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

int run(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

std::string capture(const std::string& cmd) {
  std::string out;
  FILE* f = ::popen((cmd + " 2>/dev/null").c_str(), "r");
  if (!f) return out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  ::pclose(f);
  return out;
}

// "PID STATUS" of task `id` from `ctr task ls`, or "".
std::string task_line(const std::string& ctr, const std::string& id) {
  std::istringstream lines(capture(ctr + "task ls"));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream f(line);
    std::string task, pid, status;
    if (f >> task >> pid >> status && task == id) return pid + " " + status;
  }
  return "";
}

class ContainerdSupervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!on_path("containerd") || !on_path("ctr")) GTEST_SKIP() << "containerd/ctr not installed";
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to run containerd";
    ASSERT_FALSE(box_.dir().empty());
    options_.data_dir = box_.dir() + "/data";
    options_.state_dir = box_.dir() + "/state";
    options_.registries_file = box_.dir() + "/registries.yaml";  // absent
    options_.node_ip = "127.0.0.1";
    options_.stream_server_port = "0";
    options_.image_dirs = {box_.dir() + "/images"};
    options_.restart_backoff_min = 100ms;
  }

  Sandbox box_;
  ContainerdOptions options_;
};

TEST_F(ContainerdSupervisorTest, StartsImportsRestartsAndStops) {
  fs::create_directories(box_.dir() + "/images");
  ASSERT_TRUE(
      build_oci_archive(box_.dir() + "/b1", "kite.local/test:1", box_.dir() + "/images/test.tar"));
  // Compressed archives: ctr decompresses gzip and zstd streams itself.
  ASSERT_TRUE(
      build_oci_archive(box_.dir() + "/b2", "kite.local/test:gz", box_.dir() + "/b2/gz.tar"));
  ASSERT_EQ(run("gzip -f " + box_.dir() + "/b2/gz.tar"), 0);
  fs::rename(box_.dir() + "/b2/gz.tar.gz", box_.dir() + "/images/gz.tar.gz");
  const bool zstd = on_path("zstd");
  if (zstd) {
    ASSERT_TRUE(
        build_oci_archive(box_.dir() + "/b3", "kite.local/test:zst", box_.dir() + "/b3/z.tar"));
    ASSERT_EQ(run("zstd -q " + box_.dir() + "/b3/z.tar -o " + box_.dir() + "/images/z.tar.zst"), 0);
  }
  std::vector<std::string> expected = {"kite.local/test:gz", "kite.local/test:1"};
  if (zstd) expected.push_back("kite.local/test:zst");

  ContainerdSupervisor sup(options_);
  auto started = sup.start();
  box_.track(sup.pid());
  ASSERT_TRUE(started.has_value()) << started.error().message();
  EXPECT_EQ(sup.endpoint(), "unix://" + box_.dir() + "/state/containerd.sock");
  EXPECT_TRUE(fs::exists(box_.dir() + "/data/agent/etc/containerd/config.toml"));
  EXPECT_EQ(run("ctr --address " + sup.socket_path() + " version"), 0);

  ASSERT_EQ(sup.import_result().imported.size(), expected.size());
  EXPECT_EQ(sup.import_result().images, expected);  // archives in path order
  ImageImportOptions ls;
  ls.address = sup.socket_path();
  auto names = list_images(ls);
  ASSERT_TRUE(names.has_value()) << names.error().message();
  for (const auto& name : expected) {
    EXPECT_NE(std::find(names->begin(), names->end(), name), names->end()) << name;
  }

  // containerd dies: the supervisor starts a new one.
  const pid_t first = sup.pid();
  ASSERT_GT(first, 0);
  ASSERT_EQ(::kill(first, SIGKILL), 0);
  ASSERT_TRUE(eventually([&] { return sup.pid() != 0 && sup.pid() != first; }, 10s));
  box_.track(sup.pid());
  EXPECT_EQ(sup.restarts(), 1);
  EXPECT_TRUE(eventually([&] { return unix_socket_answers(sup.socket_path()); }, 10s));
  EXPECT_EQ(run("ctr --address " + sup.socket_path() + " -n k8s.io images check"), 0);

  const pid_t second = sup.pid();
  sup.stop();
  EXPECT_EQ(sup.pid(), 0);
  EXPECT_FALSE(pid_alive(second));
  EXPECT_FALSE(fs::exists(box_.dir() + "/state/kite-containerd.pid"));

  // A second start skips the archive already imported.
  ContainerdSupervisor again(options_);
  auto restarted = again.start();
  box_.track(again.pid());
  ASSERT_TRUE(restarted.has_value()) << restarted.error().message();
  EXPECT_TRUE(again.import_result().imported.empty());
  EXPECT_EQ(again.import_result().skipped.size(), expected.size());
  again.stop();
}

TEST_F(ContainerdSupervisorTest, RunningContainersSurviveContainerdRestartAndStop) {
  if (!fs::exists("/bin/busybox")) GTEST_SKIP() << "busybox-static not installed";
  fs::create_directories(box_.dir() + "/images");
  ASSERT_TRUE(build_oci_archive(box_.dir() + "/b1", "kite.local/bb:1",
                                box_.dir() + "/images/bb.tar", "/bin/busybox"));
  ContainerdSupervisor sup(options_);
  auto started = sup.start();
  box_.track(sup.pid());
  ASSERT_TRUE(started.has_value()) << started.error().message();

  const std::string ctr = "ctr --address " + sup.socket_path() + " -n k8s.io ";
  // Unique id, cgroup and runc root: other containerds on this machine share ctr's defaults.
  const std::string id = fs::path(box_.dir()).filename().string();
  box_.track_shim_socket(sup.socket_path(), "k8s.io", id);
  ASSERT_EQ(run(ctr + "run -d --cgroup /" + id + " --runc-root " + sup.paths().runc_root +
                " kite.local/bb:1 " + id + " /bin/busybox sleep 300"),
            0);
  std::string line;
  ASSERT_TRUE(eventually(
      [&] {
        line = task_line(ctr, id);
        return line.ends_with(" RUNNING");
      },
      10s));
  const pid_t task = std::stoi(line);
  box_.track(task);

  // containerd killed: the container keeps running and the new containerd reconnects to it.
  const pid_t first = sup.pid();
  ASSERT_EQ(::kill(first, SIGKILL), 0);
  ASSERT_TRUE(eventually([&] { return sup.pid() != 0 && sup.pid() != first; }, 10s));
  box_.track(sup.pid());
  EXPECT_TRUE(eventually([&] { return task_line(ctr, id) == line; }, 10s)) << task_line(ctr, id);
  EXPECT_TRUE(pid_alive(task));

  // stop() (agent shutdown) leaves the shim and the container running.
  sup.stop();
  EXPECT_TRUE(pid_alive(task));
  ContainerdSupervisor again(options_);
  auto restarted = again.start();
  box_.track(again.pid());
  ASSERT_TRUE(restarted.has_value()) << restarted.error().message();
  EXPECT_TRUE(eventually([&] { return task_line(ctr, id) == line; }, 10s)) << task_line(ctr, id);

  EXPECT_EQ(run(ctr + "task kill -s KILL " + id), 0);
  EXPECT_TRUE(eventually([&] { return !pid_alive(task); }, 10s));
  EXPECT_TRUE(eventually([&] { return run(ctr + "task delete " + id) == 0; }, 10s));
  EXPECT_EQ(run(ctr + "container rm " + id), 0);
  again.stop();
}

TEST_F(ContainerdSupervisorTest, TakesOverContainerdLeftByPreviousRun) {
  ContainerdSupervisor first(options_);
  auto started = first.start();  // writes the config
  box_.track(first.pid());
  ASSERT_TRUE(started.has_value()) << started.error().message();
  first.stop();

  // A containerd with our config still serving our socket, as if the agent had been restarted.
  base::SpawnOptions spawn;
  spawn.argv = {"containerd", "--config", first.paths().config_file};
  spawn.log_file = box_.dir() + "/leftover.log";
  auto leftover = base::Process::spawn(spawn);
  ASSERT_TRUE(leftover.has_value()) << leftover.error().message();
  box_.track(leftover->pid());
  std::ofstream(first.paths().pid_file) << leftover->pid() << "\n";
  ASSERT_TRUE(eventually([&] { return unix_socket_answers(first.paths().socket); }, 20s));

  ContainerdSupervisor second(options_);
  auto taken = second.start();
  box_.track(second.pid());
  ASSERT_TRUE(taken.has_value()) << taken.error().message();
  EXPECT_TRUE(leftover->wait_for(5s));  // the old one was stopped
  EXPECT_NE(second.pid(), leftover->pid());
  EXPECT_EQ(run("ctr --address " + second.socket_path() + " version"), 0);
  second.stop();
}

TEST_F(ContainerdSupervisorTest, RefusesSocketServedBySomeoneElse) {
  ContainerdPaths paths = containerd_paths(options_);
  fs::create_directories(paths.state_dir);
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", paths.socket.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);

  ContainerdSupervisor sup(options_);
  auto started = sup.start();
  ::close(fd);
  ASSERT_FALSE(started.has_value());
  EXPECT_EQ(started.error().reason(), base::Reason::AlreadyExists);
  EXPECT_NE(started.error().message().find(paths.socket), std::string::npos);
  EXPECT_EQ(sup.pid(), 0);
}

TEST_F(ContainerdSupervisorTest, BadRegistriesFileFailsStart) {
  std::ofstream(options_.registries_file) << "mirrors:\n  docker.io: {endpoint: [\n";
  ContainerdSupervisor sup(options_);
  auto started = sup.start();
  ASSERT_FALSE(started.has_value());
  EXPECT_NE(started.error().message().find(options_.registries_file), std::string::npos)
      << started.error().message();
}

TEST_F(ContainerdSupervisorTest, ContainerdExitingAtStartFailsStartWithItsLog) {
  options_.containerd_bin = "false";
  ContainerdSupervisor sup(options_);
  auto started = sup.start();
  ASSERT_FALSE(started.has_value());
  EXPECT_NE(started.error().message().find("exited with code 1 while starting"), std::string::npos)
      << started.error().message();
  EXPECT_EQ(sup.pid(), 0);

  options_.containerd_bin = "/nonexistent/containerd";
  ContainerdSupervisor missing(options_);
  started = missing.start();
  ASSERT_FALSE(started.has_value());
  EXPECT_NE(started.error().message().find("cannot start containerd"), std::string::npos)
      << started.error().message();
}

}  // namespace
}  // namespace kite::agent
