// EtcdSupervisor: runs a single-member etcd (the Debian /usr/bin/etcd) as a child process.
//
// start() creates the data dir (mode 0700), picks two free loopback ports (client, peer),
// spawns etcd listening on 127.0.0.1 only, with its output appended to the log file, and
// waits (up to start_timeout) until it answers a Status call with a leader. A monitor thread
// restarts etcd on the same ports if it dies (backoff 200 ms doubling to 5 s, reset after
// 30 s of uptime). stop() sends SIGTERM, then SIGKILL after stop_grace, and reaps it. The
// child has PR_SET_PDEATHSIG(SIGTERM) bound to the monitor thread, which lives as long as
// the supervisor, so etcd goes away with the parent.
//
// Thread safety: all methods are thread-safe; start() and stop() are meant to be called once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <sys/types.h>
#include <thread>

#include "base/status.h"

namespace kite::kv {

struct EtcdSupervisorOptions {
  std::string data_dir;                    // etcd --data-dir (kite server: <data-dir>/server/db/etcd)
  std::string log_file;                    // "" = <data_dir>.log (e.g. .../db/etcd.log)
  std::string etcd_binary = "/usr/bin/etcd";
  std::string name = "kite";               // member name
  int64_t max_request_bytes = 1536 * 1024; // 1.5 MiB, as Kubernetes expects
  int64_t quota_backend_bytes = int64_t{2} << 30;  // 2 GiB
  std::chrono::milliseconds start_timeout{20000};
  std::chrono::milliseconds stop_grace{10000};
};

class EtcdSupervisor {
 public:
  explicit EtcdSupervisor(EtcdSupervisorOptions options);
  ~EtcdSupervisor();  // stop()
  EtcdSupervisor(const EtcdSupervisor&) = delete;
  EtcdSupervisor& operator=(const EtcdSupervisor&) = delete;

  // Starts etcd and waits until it is healthy: Timeout if it is not within start_timeout,
  // InternalError if it cannot be spawned.
  base::Result<void> start();
  // Stops supervising and terminates etcd. Idempotent.
  void stop();
  // Waits until etcd answers with a leader (polls with a deadline).
  base::Result<void> wait_healthy(std::chrono::milliseconds timeout);

  // "http://127.0.0.1:<port>"; empty before start().
  std::string client_url() const;
  // The running child's pid, or 0 while there is none.
  pid_t pid() const;
  // How many times etcd was restarted after dying.
  int restarts() const;

 private:
  void monitor_loop();

  EtcdSupervisorOptions options_;
  int client_port_ = 0;
  int peer_port_ = 0;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool spawn_attempted_ = false;
  std::string spawn_error_;
  pid_t pid_ = 0;
  int restarts_ = 0;
  std::thread monitor_;
};

}  // namespace kite::kv
