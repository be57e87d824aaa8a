// LogService: answers /containerLogs/{ns}/{pod}/{container} from the container's CRI log file.
//
// The whole answer goes out as a chunked text/plain ResponseStream. Without follow the file is
// read once (tail, since, timestamps, limitBytes; see cri_log.h). With follow=true a follower
// thread owned by the service keeps reading the file every `poll_interval` and pushes new
// lines until (a) the container is no longer running (checked through the runtime every
// `status_interval`) and the file is drained, (b) limitBytes is reached, (c) the client goes
// away, or (d) stop() is called. Log rotation is not followed. The file is read into memory
// whole for the first answer (tail needs the end of it). A follower pushes without waiting
// for the client: a client that falls more than 8 MiB behind is cut off (ResponseStream bound).
//
// Threads: handle() is called concurrently from the HTTP server's worker threads and blocks on
// the runtime and the file; stop() (or the destructor) wakes and joins every follower.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "agent/runtime/runtime.h"
#include "agent/streaming/container_lookup.h"
#include "base/clock.h"
#include "base/http/types.h"

namespace kite::agent::streaming {

struct LogWake;  // wakes followers (log_service.cpp)

struct LogServiceOptions {
  Runtime* runtime = nullptr;
  std::string log_root = "/var/log/pods";
  const base::Clock* clock = nullptr;  // nullptr = real clock; resolves sinceSeconds
  std::chrono::milliseconds poll_interval{100};
  std::chrono::milliseconds status_interval{1000};
};

class LogService {
 public:
  explicit LogService(LogServiceOptions options);
  ~LogService();
  LogService(const LogService&) = delete;
  LogService& operator=(const LogService&) = delete;

  // Errors come back as Status (NotFound unknown pod/container/log file, BadRequest bad query).
  Result<base::http::Response> handle(const ContainerRef& ref, const std::multimap<std::string, std::string>& query);
  void stop();

 private:
  struct Follower;
  void reap_locked();

  LogServiceOptions options_;
  std::shared_ptr<LogWake> wake_;
  std::mutex mu_;
  bool stopped_ = false;
  std::list<std::unique_ptr<Follower>> followers_;
};

}  // namespace kite::agent::streaming
