// ContainerdSupervisor: runs and supervises the agent's own containerd.
//
// start() loads the registries file, writes config.toml, handles a containerd left on our
// socket by a previous agent run, starts containerd, waits (up to options.ready_timeout) until
// its socket accepts connections, then imports the image archives. A supervision thread owns
// the containerd process: it spawns it (so PR_SET_PDEATHSIG is tied to a thread that lives as
// long as the supervisor), restarts it with exponential backoff when it dies (logged), and
// stops it on stop().
//
// A containerd already on our socket: if the PID in <state>/kite-containerd.pid is alive and
// was started with our config file, it is ours from a previous agent run: it is stopped
// (SIGTERM, SIGKILL after stop_grace) and a fresh one started, as k3s does. Pods survive:
// shims run in their own process groups, outlive containerd, and the new containerd reconnects
// to them from the state dir. A socket that answers but is not ours is refused (AlreadyExists);
// a socket nobody answers on is stale and removed.
//
// stop() sends SIGTERM to containerd only (never to its process group, never to shims) and
// waits for it to exit (containerd takes over 1 s). containerd also gets SIGTERM if the agent
// process dies (PDEATHSIG), like k3s's child containerd.
//
// Thread safety: start()/stop() from one owner thread; endpoint(), socket_path(), pid(),
// restarts() from any thread. The destructor calls stop().
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "agent/containerd/containerd_options.h"
#include "agent/containerd/image_import.h"
#include "base/status.h"

namespace kite::agent {

class ContainerdSupervisor {
 public:
  explicit ContainerdSupervisor(ContainerdOptions options);
  ~ContainerdSupervisor();
  ContainerdSupervisor(const ContainerdSupervisor&) = delete;
  ContainerdSupervisor& operator=(const ContainerdSupervisor&) = delete;

  // Idempotent once started. On failure nothing is left running.
  base::Result<void> start();
  void stop();

  std::string endpoint() const;  // "unix:///<state>/containerd.sock"
  const std::string& socket_path() const { return paths_.socket; }
  const ContainerdPaths& paths() const { return paths_; }
  // The running containerd's PID, 0 while none runs.
  pid_t pid() const;
  // How many times containerd was restarted after dying.
  int restarts() const;
  // What start() imported (or skipped).
  const ImageImportResult& import_result() const { return import_result_; }

 private:
  base::Result<void> prepare();
  base::Result<void> take_over_existing();
  base::Result<void> wait_ready();
  void supervise();

  ContainerdOptions options_;
  ContainerdPaths paths_;
  ImageImportResult import_result_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool started_ = false;
  bool stopping_ = false;
  pid_t pid_ = 0;
  int restarts_ = 0;
  int spawns_ = 0;                           // successful spawns so far
  std::optional<base::Status> spawn_error_;  // last spawn failure
  std::string last_exit_;                    // how the last containerd ended
  std::thread thread_;
};

// True if something accepts connections on the unix socket at `path`.
bool unix_socket_answers(const std::string& path);

}  // namespace kite::agent
