// Child processes: spawn without a shell, check, terminate and reap.
//
// spawn() forks and execs argv[0] (a path, or a name looked up in PATH) with the parent's
// environment plus `env` additions, stdout and stderr appended to `log_file` (or inherited
// when empty), in `working_dir` (or the parent's), in its own process group, and with
// PR_SET_PDEATHSIG(SIGTERM) so the child is told to exit if the parent thread that spawned it
// dies. An exec failure is reported as an error from spawn() itself.
//
// Thread safety: the free functions are safe to call from any thread. A Process object is
// not synchronized: one owner calls its methods (a supervisor guards it with its own mutex).
// Only the owner reaps its pid; never call wait on a pid you did not spawn.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

#include "base/status.h"

namespace kite::base {

struct SpawnOptions {
  std::vector<std::string> argv;                          // argv[0] is the program
  std::vector<std::pair<std::string, std::string>> env;   // added to (or replacing) the parent's
  std::string log_file;                                   // stdout+stderr, appended; "" = inherit
  std::string working_dir;                                // "" = the parent's
};

// How a reaped child ended.
struct ExitStatus {
  bool exited = false;  // exit_code is valid
  int exit_code = 0;
  int signal = 0;       // the signal that killed it, when !exited
};

class Process {
 public:
  Process() = default;
  ~Process();  // terminates (SIGTERM, 5 s grace, SIGKILL) and reaps a child still running
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  static Result<Process> spawn(const SpawnOptions& opts);

  pid_t pid() const { return pid_; }
  // True while the child has not been reaped and has not exited (reaps it if it has).
  bool is_running();
  // The exit status once reaped (by is_running, wait_for or terminate).
  const std::optional<ExitStatus>& exit_status() const { return exit_; }
  // Waits up to `timeout` for the child to exit and reaps it; true if it has exited.
  bool wait_for(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL after `grace`; always reaps. No-op if already reaped.
  void terminate(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // Sends a signal without reaping (tests kill children this way).
  void signal(int sig);

 private:
  explicit Process(pid_t pid) : pid_(pid) {}
  bool try_reap();

  pid_t pid_ = -1;
  std::optional<ExitStatus> exit_;
};

// A TCP port on 127.0.0.1 that was free when asked (bound to port 0, then released).
Result<int> free_tcp_port();

}  // namespace kite::base
