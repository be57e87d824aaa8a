#include "base/process.h"

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace kite::base {

namespace {

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

ExitStatus decode(int status) {
  ExitStatus s;
  if (WIFEXITED(status)) {
    s.exited = true;
    s.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    s.signal = WTERMSIG(status);
  }
  return s;
}

}  // namespace

Result<Process> Process::spawn(const SpawnOptions& opts) {
  if (opts.argv.empty()) return error(Reason::BadRequest, "spawn: empty argv");

  // Everything the child needs is prepared before fork(): after it only async-signal-safe
  // calls are allowed (the parent may be multi-threaded).
  std::vector<char*> argv;
  for (const auto& a : opts.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  std::vector<std::string> env_storage;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    bool replaced = false;
    for (const auto& [k, v] : opts.env)
      if (entry.compare(0, k.size() + 1, k + "=") == 0) replaced = true;
    if (!replaced) env_storage.push_back(std::move(entry));
  }
  for (const auto& [k, v] : opts.env) env_storage.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);

  int log_fd = -1;
  if (!opts.log_file.empty()) {
    log_fd = ::open(opts.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (log_fd < 0) return error(Reason::InternalError, errno_text("open " + opts.log_file));
  }
  // The child reports an exec failure's errno through this pipe; a successful exec closes it.
  int err_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    if (log_fd >= 0) ::close(log_fd);
    return error(Reason::InternalError, errno_text("pipe"));
  }
  const pid_t parent = ::getpid();
  const bool search_path = opts.argv[0].find('/') == std::string::npos;

  pid_t pid = ::fork();
  if (pid < 0) {
    int saved = errno;
    ::close(err_pipe[0]);
    ::close(err_pipe[1]);
    if (log_fd >= 0) ::close(log_fd);
    errno = saved;
    return error(Reason::InternalError, errno_text("fork"));
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    int dev_null = ::open("/dev/null", O_RDONLY);
    if (dev_null >= 0) ::dup2(dev_null, 0);
    if (log_fd >= 0) {
      ::dup2(log_fd, 1);
      ::dup2(log_fd, 2);
    }
    if (!opts.working_dir.empty() && ::chdir(opts.working_dir.c_str()) != 0) {
      int e = errno;
      (void)!::write(err_pipe[1], &e, sizeof e);
      ::_exit(127);
    }
    if (search_path)
      ::execvpe(argv[0], argv.data(), envp.data());
    else
      ::execve(argv[0], argv.data(), envp.data());
    int e = errno;
    (void)!::write(err_pipe[1], &e, sizeof e);
    ::_exit(127);
  }

  ::close(err_pipe[1]);
  if (log_fd >= 0) ::close(log_fd);
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(err_pipe[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(err_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    int status;
    ::waitpid(pid, &status, 0);
    errno = child_errno;
    return error(Reason::InternalError, errno_text("exec " + opts.argv[0]));
  }
  return Process(pid);
}

Process::~Process() {
  if (pid_ > 0 && !exit_) terminate();
}

Process::Process(Process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), exit_(std::exchange(other.exit_, std::nullopt)) {}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !exit_) terminate();
    pid_ = std::exchange(other.pid_, -1);
    exit_ = std::exchange(other.exit_, std::nullopt);
  }
  return *this;
}

bool Process::try_reap() {
  if (pid_ <= 0 || exit_) return true;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_ = decode(status);
    return true;
  }
  if (r < 0 && errno == ECHILD) {  // reaped elsewhere; treat as gone
    exit_ = ExitStatus{};
    return true;
  }
  return false;
}

bool Process::is_running() { return !try_reap(); }

bool Process::wait_for(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto step = std::chrono::milliseconds(1);
  while (!try_reap()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step);
    step = std::min(step * 2, std::chrono::milliseconds(50));
  }
  return true;
}

void Process::signal(int sig) {
  if (pid_ > 0 && !exit_) ::kill(pid_, sig);
}

void Process::terminate(std::chrono::milliseconds grace) {
  if (pid_ <= 0 || try_reap()) return;
  ::kill(pid_, SIGTERM);
  if (wait_for(grace)) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  exit_ = decode(status);
}

Result<int> free_tcp_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return error(Reason::InternalError, errno_text("socket"));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int e = errno;
    ::close(fd);
    errno = e;
    return error(Reason::InternalError, errno_text("bind 127.0.0.1:0"));
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

}  // namespace kite::base
