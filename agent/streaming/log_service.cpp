#include "agent/streaming/log_service.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/streaming/cri_log.h"
#include "base/http/response_stream.h"

namespace kite::agent::streaming {

// Shared with stream on_close callbacks, which may run after the service is gone.
struct LogWake {
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  void notify() {
    std::lock_guard lock(mu);
    cv.notify_all();
  }
};

struct LogService::Follower {
  std::thread thread;
  std::atomic<bool> done{false};
};

namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Appends everything readable from `fd` to `out` (the fd's offset moves on).
Result<void> read_available(int fd, std::string& out) {
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return base::error(base::Reason::InternalError, std::string("reading log file: ") + std::strerror(errno));
    }
    if (n == 0) return {};
    out.append(buf, static_cast<size_t>(n));
  }
}

bool is_running(Runtime& runtime, const std::string& id) {
  auto status = runtime.container_status(id);
  if (!status) return status.error().reason() != base::Reason::NotFound;  // unreachable runtime: keep going
  return status->state == ContainerState::kRunning || status->state == ContainerState::kCreated;
}

}  // namespace

LogService::LogService(LogServiceOptions options) : options_(std::move(options)), wake_(std::make_shared<LogWake>()) {}

LogService::~LogService() { stop(); }

void LogService::reap_locked() {
  for (auto it = followers_.begin(); it != followers_.end();) {
    if ((*it)->done) {
      (*it)->thread.join();
      it = followers_.erase(it);
    } else {
      ++it;
    }
  }
}

void LogService::stop() {
  {
    std::lock_guard lock(wake_->mu);
    wake_->stopping = true;
    wake_->cv.notify_all();
  }
  std::list<std::unique_ptr<Follower>> followers;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    followers.swap(followers_);
  }
  for (auto& f : followers) f->thread.join();
}

Result<base::http::Response> LogService::handle(const ContainerRef& ref,
                                                const std::multimap<std::string, std::string>& query) {
  const base::Clock& clock = options_.clock ? *options_.clock : base::real_clock();
  auto opts = parse_log_options(query, clock.now());
  if (!opts) return std::unexpected(opts.error());
  auto container = find_container(*options_.runtime, ref, opts->previous);
  if (!container) return std::unexpected(container.error());
  std::string path = container_log_path(*container, ref, options_.log_root);
  auto fd = std::make_shared<Fd>(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd->get() < 0)
    return base::error(base::Reason::NotFound, "failed to open log file \"" + path + "\" of container \"" +
                                                   ref.container + "\": " + std::strerror(errno));
  std::string data;
  if (auto r = read_available(fd->get(), data); !r) return std::unexpected(r.error());

  auto decoder = std::make_shared<CriLogDecoder>();
  decoder->feed(data);
  bool follow = opts->follow && !opts->previous;
  if (!follow && !is_running(*options_.runtime, container->id)) decoder->flush();
  auto lines = decoder->take();
  if (opts->tail_lines) tail_lines(lines, *opts->tail_lines);
  auto writer = std::make_shared<LogWriter>(*opts);
  std::string first = writer->write(lines);

  base::http::Response res;
  res.status = 200;
  res.set_header("Content-Type", "text/plain");
  // The first frame may be a whole log file: size the queue for it plus room for followers.
  auto stream = std::make_shared<base::http::ResponseStream>(first.size() + (8 << 20));
  res.stream = stream;
  if (!first.empty()) stream->push(std::move(first));
  if (!follow || writer->exhausted()) {
    stream->close();
    return res;
  }

  std::lock_guard lock(mu_);
  if (stopped_) {
    stream->close();
    return res;
  }
  reap_locked();
  auto wake = wake_;
  stream->set_on_close([wake] { wake->notify(); });
  auto follower = std::make_unique<Follower>();
  Follower* self = follower.get();
  Runtime* runtime = options_.runtime;
  auto poll = options_.poll_interval;
  int polls_per_status = std::max<int>(1, static_cast<int>(options_.status_interval / std::max(poll, std::chrono::milliseconds(1))));
  std::string id = container->id;
  follower->thread = std::thread([=] {
    int idle = 0;
    for (;;) {
      {
        std::unique_lock wl(wake->mu);
        if (wake->stopping || stream->closed()) break;
      }
      std::string more;
      if (!read_available(fd->get(), more)) break;
      if (!more.empty()) {
        idle = 0;
        decoder->feed(more);
        std::string text = writer->write(decoder->take());
        if (!text.empty() && !stream->push(std::move(text))) break;
        if (writer->exhausted()) break;
        continue;
      }
      if (++idle % polls_per_status == 0 && !is_running(*runtime, id)) {
        // Drain what the runtime wrote before it reported the exit, then end.
        std::string rest;
        if (read_available(fd->get(), rest)) {
          decoder->feed(rest);
          decoder->flush();
          std::string text = writer->write(decoder->take());
          if (!text.empty()) stream->push(std::move(text));
        }
        break;
      }
      std::unique_lock wl(wake->mu);
      wake->cv.wait_for(wl, poll, [&] { return wake->stopping || stream->closed(); });
    }
    stream->close();
    self->done = true;
  });
  followers_.push_back(std::move(follower));
  return res;
}

}  // namespace kite::agent::streaming
