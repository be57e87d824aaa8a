// The in-process Transport: hands each request straight to an API server's RequestHandler,
// filled as base/http/server.cpp fills it from the wire, with the configured identity as the
// peer's verified client certificate. A Response carrying a ResponseStream is read as a
// streaming body (watch) until the producer closes it, its deadline passes, or stop().
#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <mutex>

#include "base/http/response_stream.h"
#include "client/rest_transport.h"

namespace kite::client {

namespace {

using base::http::ResponseStream;

std::map<std::string, std::string> lower_case_headers(const std::vector<std::pair<std::string, std::string>>& in) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : in) {
    std::string name = k;
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto [it, inserted] = out.emplace(name, v);
    if (!inserted) it->second += "," + v;
  }
  return out;
}

// Wakes the reader when the producer pushes or closes. Shared with the notifier so that a
// notification racing with the reader's destruction touches live memory.
struct Signal {
  std::mutex mu;
  std::condition_variable cv;
  bool woken = false;
  bool stopped = false;

  void notify() {
    std::lock_guard lock(mu);
    woken = true;
    cv.notify_all();
  }
};

class ResponseBodyStream final : public BodyStream {
 public:
  explicit ResponseBodyStream(std::shared_ptr<ResponseStream> stream)
      : stream_(std::move(stream)), signal_(std::make_shared<Signal>()) {
    stream_->set_notifier([signal = signal_] { signal->notify(); });
  }
  ~ResponseBodyStream() override { stop(); }

  std::optional<std::string> read() override {
    for (;;) {
      {
        std::lock_guard lock(signal_->mu);
        if (signal_->stopped) return std::nullopt;
        signal_->woken = false;
      }
      bool done = false;
      auto frames = stream_->take(&done);
      std::string bytes;
      for (const auto& frame : frames) {
        for (const auto& piece : frame) bytes += *piece;
      }
      if (!bytes.empty()) return bytes;
      if (done) return std::nullopt;
      std::unique_lock lock(signal_->mu);
      auto ready = [&] { return signal_->woken || signal_->stopped; };
      if (auto deadline = stream_->deadline()) {
        if (!signal_->cv.wait_until(lock, *deadline, ready)) {
          lock.unlock();
          stream_->close();  // the watch's timeoutSeconds: end it as the server's connection does
        }
      } else {
        signal_->cv.wait(lock, ready);
      }
    }
  }

  void stop() override {
    {
      std::lock_guard lock(signal_->mu);
      if (signal_->stopped) return;
      signal_->stopped = true;
      signal_->cv.notify_all();
    }
    stream_->abort();  // as a client going away: the producer's on_close runs
  }

 private:
  std::shared_ptr<ResponseStream> stream_;
  std::shared_ptr<Signal> signal_;
};

// A streaming request answered with a plain body: yields it once.
class WholeBodyStream final : public BodyStream {
 public:
  explicit WholeBodyStream(std::string body) : body_(std::move(body)) {}
  std::optional<std::string> read() override {
    if (stopped_ || sent_) return std::nullopt;
    sent_ = true;
    return std::move(body_);
  }
  void stop() override { stopped_ = true; }

 private:
  std::string body_;
  bool sent_ = false;
  std::atomic<bool> stopped_{false};
};

class InProcessTransport final : public Transport {
 public:
  InProcessTransport(RequestHandler handler, base::http::PeerCertificate identity, std::string user_agent)
      : handler_(std::move(handler)), identity_(std::move(identity)), user_agent_(std::move(user_agent)) {}

  TransportResponse round_trip(const TransportRequest& req) override {
    base::http::Response res = invoke(req);
    if (res.stream) {
      res.stream->abort();
      TransportResponse out;
      out.status = 500;
      out.body = base::Status(base::Reason::InternalError, "the server streamed the response to " + req.method + " " +
                                                               req.target + ", which expects a whole body")
                     .to_json()
                     .dump();
      return out;
    }
    return head_of(res);
  }

  StreamResponse open_stream(const TransportRequest& req) override {
    base::http::Response res = invoke(req);
    StreamResponse out;
    auto stream = std::move(res.stream);
    out.head = head_of(res);
    if (out.head.status < 200 || out.head.status >= 300) {
      if (stream) stream->abort();
      return out;
    }
    if (stream) {
      out.body = std::make_unique<ResponseBodyStream>(std::move(stream));
    } else {
      out.body = std::make_unique<WholeBodyStream>(std::move(out.head.body));
      out.head.body.clear();
    }
    return out;
  }

 private:
  static TransportResponse head_of(base::http::Response& res) {
    TransportResponse out;
    out.status = res.status;
    out.headers = lower_case_headers(res.headers);
    out.body = std::move(res.body);
    return out;
  }

  base::http::Response invoke(const TransportRequest& req) {
    base::http::Request r;
    r.method = req.method;
    r.target = req.target;
    auto q = req.target.find('?');
    r.path = base::http::percent_decode(req.target.substr(0, q));
    if (q != std::string::npos) r.query = base::http::parse_query(req.target.substr(q + 1));
    r.headers["host"] = "in-process";
    r.headers["accept"] = "application/json";
    r.headers["user-agent"] = user_agent_;
    if (!req.body.empty()) {
      r.headers["content-type"] = req.content_type.empty() ? "application/json" : req.content_type;
      r.headers["content-length"] = std::to_string(req.body.size());
    }
    r.body = req.body;
    r.peer = identity_;
    r.remote_address = "in-process";
    try {
      return handler_(r);
    } catch (const std::exception& e) {
      base::http::Response res;
      res.status = 500;
      res.set_header("Content-Type", "application/json");
      res.body = base::Status(base::Reason::InternalError, std::string("internal error: ") + e.what()).to_json().dump();
      return res;
    }
  }

  RequestHandler handler_;
  base::http::PeerCertificate identity_;
  std::string user_agent_;
};

}  // namespace

std::unique_ptr<Transport> make_in_process_transport(RequestHandler handler, base::http::PeerCertificate identity,
                                                     std::string user_agent) {
  return std::make_unique<InProcessTransport>(std::move(handler), std::move(identity), std::move(user_agent));
}

}  // namespace kite::client
