#include "agent/containerd/containerd_supervisor.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/containerd/containerd_config.h"
#include "agent/containerd/registries.h"
#include "base/log.h"
#include "base/process.h"

namespace kite::agent {
namespace {

namespace fs = std::filesystem;
using base::Reason;
using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

constexpr const char* kLog = "containerd";

base::Result<void> write_file_atomically(const std::string& path, const std::string& content) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec)
    return base::error(Reason::InternalError,
                       "cannot create the directory of " + path + ": " + ec.message());
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content;
    if (!out.flush()) return base::error(Reason::InternalError, "cannot write " + tmp);
  }
  fs::rename(tmp, path, ec);
  if (ec) return base::error(Reason::InternalError, "cannot write " + path + ": " + ec.message());
  return {};
}

pid_t read_pid_file(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  if (!(in >> pid) || pid <= 1) return 0;
  return static_cast<pid_t>(pid);
}

bool process_alive(pid_t pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  // A zombie is as good as gone.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  auto close = line.rfind(')');
  return close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'Z';
}

std::string cmdline_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  std::ostringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  for (char& c : s) {
    if (c == '\0') c = ' ';
  }
  return s;
}

bool wait_gone(pid_t pid, milliseconds timeout) {
  auto deadline = Steady::now() + timeout;
  while (process_alive(pid)) {
    if (Steady::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return true;
}

std::string log_tail(const std::string& path, size_t max_bytes = 1500) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return "";
  auto size = static_cast<size_t>(in.tellg());
  size_t from = size > max_bytes ? size - max_bytes : 0;
  in.seekg(static_cast<std::streamoff>(from));
  std::string s(size - from, '\0');
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  return s;
}

std::string describe(const std::optional<base::ExitStatus>& st) {
  if (!st) return "ended";
  if (st->exited) return "exited with code " + std::to_string(st->exit_code);
  return std::string("was killed by signal ") + std::to_string(st->signal) + " (" +
         ::strsignal(st->signal) + ")";
}

}  // namespace

bool unix_socket_answers(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) return false;
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

ContainerdSupervisor::ContainerdSupervisor(ContainerdOptions options)
    : options_(std::move(options)), paths_(containerd_paths(options_)) {}

ContainerdSupervisor::~ContainerdSupervisor() { stop(); }

std::string ContainerdSupervisor::endpoint() const { return "unix://" + paths_.socket; }

pid_t ContainerdSupervisor::pid() const {
  std::lock_guard lock(mu_);
  return pid_;
}

int ContainerdSupervisor::restarts() const {
  std::lock_guard lock(mu_);
  return restarts_;
}

base::Result<void> ContainerdSupervisor::start() {
  {
    std::lock_guard lock(mu_);
    if (started_) return {};
  }
  if (auto ok = prepare(); !ok) return ok;
  {
    std::lock_guard lock(mu_);
    started_ = true;
    stopping_ = false;
    spawns_ = 0;
    restarts_ = 0;
    spawn_error_.reset();
    last_exit_.clear();
  }
  thread_ = std::thread([this] { supervise(); });
  if (auto ready = wait_ready(); !ready) {
    stop();
    return ready;
  }
  KITE_LOG(info, kLog) << "containerd ready on " << paths_.socket << " (pid " << pid() << ")";

  ImageImportOptions import;
  import.ctr_bin = options_.ctr_bin;
  import.address = paths_.socket;
  import.dirs = options_.image_dirs;
  import.dirs.push_back(paths_.images_dir);
  import.state_file = paths_.import_state_file;
  import.scratch_dir = paths_.images_dir;  // on disk, not tmpfs
  import.timeout = options_.import_timeout;
  auto imported = import_images(import);
  if (!imported) {
    stop();
    return std::unexpected(imported.error());
  }
  import_result_ = std::move(*imported);
  // Without a local sandbox image CRI would try to pull it, which fails on these machines.
  if (auto names = list_images(import); names) {
    if (std::find(names->begin(), names->end(), options_.sandbox_image) == names->end()) {
      KITE_LOG(warn, kLog) << "sandbox image " << options_.sandbox_image
                           << " is not imported; pods cannot start until an archive holding it is "
                              "placed in "
                           << paths_.images_dir << " and the agent restarted";
    }
  }
  return {};
}

base::Result<void> ContainerdSupervisor::prepare() {
  std::error_code ec;
  for (const auto& dir :
       {paths_.root_dir, paths_.state_dir, paths_.cni_conf_dir, paths_.images_dir}) {
    fs::create_directories(dir, ec);
    if (ec) return base::error(Reason::InternalError, "cannot create " + dir + ": " + ec.message());
  }
  if (paths_.socket.size() >= sizeof(sockaddr_un::sun_path)) {
    return base::error(Reason::Invalid, "containerd socket path too long (unix sockets allow " +
                                            std::to_string(sizeof(sockaddr_un::sun_path) - 1) +
                                            " bytes): " + paths_.socket);
  }
  auto registries = load_registries_file(options_.registries_file);
  if (!registries) return std::unexpected(registries.error());
  auto written = write_file_atomically(paths_.config_file,
                                       render_containerd_config(options_, paths_, *registries));
  if (!written) return written;
  return take_over_existing();
}

base::Result<void> ContainerdSupervisor::take_over_existing() {
  const pid_t old = read_pid_file(paths_.pid_file);
  if (old > 0 && process_alive(old) &&
      cmdline_of(old).find(paths_.config_file) != std::string::npos) {
    KITE_LOG(info, kLog) << "stopping containerd pid " << old
                         << " left by a previous agent run; running pods keep running (their "
                            "shims reconnect to the new containerd)";
    ::kill(old, SIGTERM);
    if (!wait_gone(old, options_.stop_grace)) {
      KITE_LOG(warn, kLog) << "containerd pid " << old << " ignored SIGTERM; sending SIGKILL";
      ::kill(old, SIGKILL);
      if (!wait_gone(old, milliseconds(5000))) {
        return base::error(Reason::InternalError, "containerd pid " + std::to_string(old) +
                                                      " from a previous run does not exit");
      }
    }
  } else if (unix_socket_answers(paths_.socket)) {
    return base::error(Reason::AlreadyExists,
                       "a containerd not started by this kite agent serves " + paths_.socket +
                           "; stop it or give this agent another containerd state dir");
  }
  std::error_code ec;
  fs::remove(paths_.socket, ec);
  fs::remove(paths_.socket + ".ttrpc", ec);
  fs::remove(paths_.pid_file, ec);
  return {};
}

base::Result<void> ContainerdSupervisor::wait_ready() {
  const auto deadline = Steady::now() + options_.ready_timeout;
  std::unique_lock lock(mu_);
  while (true) {
    if (spawns_ == 0 && spawn_error_) {
      return base::error(Reason::InternalError,
                         "cannot start containerd: " + spawn_error_->message());
    }
    if (!last_exit_.empty()) {
      return base::error(Reason::InternalError, "containerd " + last_exit_ + " while starting; " +
                                                    paths_.log_file + " ends with:\n" +
                                                    log_tail(paths_.log_file));
    }
    if (pid_ != 0) {
      lock.unlock();
      bool answers = unix_socket_answers(paths_.socket);
      lock.lock();
      if (answers) return {};
    }
    if (Steady::now() >= deadline) {
      return base::error(Reason::Timeout, "containerd did not answer on " + paths_.socket +
                                              " within " +
                                              std::to_string(options_.ready_timeout.count()) +
                                              " ms; see " + paths_.log_file);
    }
    cv_.wait_for(lock, milliseconds(50));
  }
}

void ContainerdSupervisor::supervise() {
  milliseconds backoff = options_.restart_backoff_min;
  auto wait_backoff = [&] {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, backoff, [&] { return stopping_; });
    backoff = std::min(backoff * 2, options_.restart_backoff_max);
  };
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    base::SpawnOptions spawn;
    spawn.argv = options_.command_prefix;
    spawn.argv.insert(spawn.argv.end(), {options_.containerd_bin, "--config", paths_.config_file});
    spawn.log_file = paths_.log_file;
    auto proc = base::Process::spawn(spawn);
    if (!proc) {
      KITE_LOG(error, kLog) << "cannot start containerd: " << proc.error().message()
                            << "; retrying in " << backoff.count() << " ms";
      {
        std::lock_guard lock(mu_);
        spawn_error_ = proc.error();
      }
      cv_.notify_all();
      wait_backoff();
      continue;
    }
    (void)write_file_atomically(paths_.pid_file, std::to_string(proc->pid()) + "\n");
    {
      std::lock_guard lock(mu_);
      if (spawns_ > 0) ++restarts_;
      ++spawns_;
      pid_ = proc->pid();
      spawn_error_.reset();
    }
    cv_.notify_all();
    KITE_LOG(info, kLog) << "started containerd pid " << proc->pid() << " (config "
                         << paths_.config_file << ", log " << paths_.log_file << ")";
    const auto started = Steady::now();
    bool stop_requested = false;
    while (!proc->wait_for(milliseconds(100))) {
      std::lock_guard lock(mu_);
      if (stopping_) {
        stop_requested = true;
        break;
      }
    }
    if (stop_requested) {
      proc->terminate(options_.stop_grace);
      std::error_code ec;
      fs::remove(paths_.pid_file, ec);
      KITE_LOG(info, kLog) << "containerd pid " << proc->pid() << " stopped";
      std::lock_guard lock(mu_);
      pid_ = 0;
      return;
    }
    const std::string how = describe(proc->exit_status());
    if (Steady::now() - started > std::chrono::minutes(1)) backoff = options_.restart_backoff_min;
    KITE_LOG(error, kLog) << "containerd pid " << proc->pid() << " " << how << "; restarting in "
                          << backoff.count() << " ms (see " << paths_.log_file << ")";
    {
      std::lock_guard lock(mu_);
      pid_ = 0;
      last_exit_ = how;
    }
    cv_.notify_all();
    wait_backoff();
  }
}

void ContainerdSupervisor::stop() {
  {
    std::lock_guard lock(mu_);
    if (!started_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  started_ = false;
  stopping_ = false;
  pid_ = 0;
}

}  // namespace kite::agent
