// RestClient: the Client interface over a Transport, with client-side rate limiting and
// retries. See rest_client.h for the contract and rest_encoding.h for the wire details.
#include <algorithm>
#include <atomic>
#include <thread>

#include "client/rate_limiter.h"
#include "client/rest_encoding.h"
#include "client/rest_transport.h"

namespace kite::client {

namespace {

using base::Reason;

constexpr auto kMaxBackoff = std::chrono::seconds(10);
constexpr auto kMaxRetryAfter = std::chrono::seconds(60);

std::string encode(const json& obj) { return obj.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string meta_string(const json& obj, const char* field) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return "";
  auto f = m->find(field);
  return f != m->end() && f->is_string() ? f->get<std::string>() : "";
}

bool server_error_worth_retrying(int status) { return status == 500 || status == 502 || status == 503 || status == 504; }

// Whether a failed attempt may be repeated. 429 means the server did not process the request,
// so any request may be repeated; a request that never left the client likewise.
bool should_retry(const TransportResponse& res, bool idempotent) {
  if (res.status == 0) return !res.permanent && (idempotent || !res.maybe_sent);
  if (res.status == 429) return true;
  return idempotent && server_error_worth_retrying(res.status);
}

// Splits a streamed watch body into lines and decodes each into a WatchEvent.
class RestWatchStream final : public WatchStream {
 public:
  explicit RestWatchStream(std::unique_ptr<BodyStream> body) : body_(std::move(body)) {}
  ~RestWatchStream() override { body_->stop(); }

  std::optional<WatchEvent> next() override {
    while (!ended_ && !stopped_) {
      auto nl = buffer_.find('\n', scanned_);
      if (nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        scanned_ = 0;
        if (auto ev = decode(line)) return ev;
        continue;
      }
      scanned_ = buffer_.size();
      auto more = body_->read();
      if (!more) {
        ended_ = true;
        if (stopped_) return std::nullopt;
        // A last line without its newline.
        std::string rest = std::move(buffer_);
        buffer_.clear();
        return decode(rest);
      }
      buffer_ += *more;
    }
    return std::nullopt;
  }

  void stop() override {
    stopped_ = true;
    body_->stop();
  }

 private:
  std::optional<WatchEvent> decode(const std::string& line) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) return std::nullopt;
    bool malformed = false;
    WatchEvent ev = decode_watch_line(line, &malformed);
    // A stream that sent garbage cannot be trusted further: report it and end.
    if (malformed) ended_ = true;
    return ev;
  }

  std::unique_ptr<BodyStream> body_;
  std::string buffer_;
  size_t scanned_ = 0;
  bool ended_ = false;
  std::atomic<bool> stopped_{false};
};

class RestClient final : public Client {
 public:
  RestClient(std::unique_ptr<Transport> transport, RestClientOptions options)
      : transport_(std::move(transport)), options_(std::move(options)), limiter_(options_.qps, options_.burst) {}

  base::Result<json> get(const ResourceRef& r, const std::string& ns, const std::string& name) override {
    if (name.empty()) return base::error(Reason::BadRequest, "get " + r.resource + ": a name is required");
    return call({"GET", r.path(ns, name), "", ""}, true);
  }

  base::Result<json> list(const ResourceRef& r, const std::string& ns, const ListOptions& opts) override {
    return call({"GET", with_query(r.path(ns), list_query(opts, false)), "", ""}, true);
  }

  base::Result<json> create(const ResourceRef& r, const std::string& ns, const json& obj) override {
    std::string target_ns = ns;
    if (target_ns.empty() && r.namespaced) target_ns = meta_string(obj, "namespace");
    if (r.namespaced && target_ns.empty()) {
      return base::error(Reason::BadRequest, "create " + r.resource + ": a namespace is required");
    }
    return call({"POST", r.path(r.namespaced ? target_ns : ""), encode(obj), "application/json"}, false);
  }

  base::Result<json> update(const ResourceRef& r, const json& obj, const std::string& subresource) override {
    std::string ns = r.namespaced ? meta_string(obj, "namespace") : "";
    std::string name = meta_string(obj, "name");
    if (name.empty()) return base::error(Reason::BadRequest, "update " + r.resource + ": metadata.name is required");
    if (r.namespaced && ns.empty()) {
      return base::error(Reason::BadRequest, "update " + r.resource + ": metadata.namespace is required");
    }
    return call({"PUT", r.path(ns, name, subresource), encode(obj), "application/json"}, true);
  }

  base::Result<json> patch(const ResourceRef& r, const std::string& ns, const std::string& name, PatchType type,
                           const json& patch, const std::string& subresource) override {
    if (name.empty()) return base::error(Reason::BadRequest, "patch " + r.resource + ": a name is required");
    return call({"PATCH", r.path(ns, name, subresource), encode(patch), patch_content_type(type)}, true);
  }

  base::Result<json> remove(const ResourceRef& r, const std::string& ns, const std::string& name,
                            const DeleteOptions& opts) override {
    if (name.empty()) return base::error(Reason::BadRequest, "delete " + r.resource + ": a name is required");
    std::string body = delete_body(opts);
    return call({"DELETE", r.path(ns, name), body, body.empty() ? "" : "application/json"}, true);
  }

  base::Result<json> create_subresource(const ResourceRef& r, const std::string& ns, const std::string& name,
                                        const std::string& subresource, const json& body) override {
    if (name.empty() || subresource.empty()) {
      return base::error(Reason::BadRequest, "create " + r.resource + "/" + subresource + ": a name is required");
    }
    return call({"POST", r.path(ns, name, subresource), encode(body), "application/json"}, false);
  }

  base::Result<std::unique_ptr<WatchStream>> watch(const ResourceRef& r, const std::string& ns,
                                                   const ListOptions& opts) override {
    TransportRequest req{"GET", with_query(r.path(ns), list_query(opts, true)), "", ""};
    for (int attempt = 0;; ++attempt) {
      StreamResponse res = transport_->open_stream(req);
      if (res.head.status >= 200 && res.head.status < 300 && res.body) {
        return std::unique_ptr<WatchStream>(std::make_unique<RestWatchStream>(std::move(res.body)));
      }
      if (!should_retry(res.head, true) || attempt >= options_.max_retries) {
        return base::error(status_from_response(res.head));
      }
      std::this_thread::sleep_for(retry_delay(res.head, attempt));
    }
  }

 private:
  static std::string with_query(std::string path, const std::string& query) {
    if (!query.empty()) path += "?" + query;
    return path;
  }

  std::chrono::milliseconds retry_delay(const TransportResponse& res, int attempt) const {
    if (auto after = retry_after(res)) return std::min<std::chrono::milliseconds>(*after, kMaxRetryAfter);
    auto delay = options_.retry_base_delay * (int64_t{1} << std::min(attempt, 20));
    return std::min<std::chrono::milliseconds>(delay, kMaxBackoff);
  }

  base::Result<json> call(const TransportRequest& req, bool idempotent) {
    for (int attempt = 0;; ++attempt) {
      limiter_.wait();
      TransportResponse res = transport_->round_trip(req);
      if (res.status >= 200 && res.status < 300) {
        if (res.body.empty()) return json::object();
        return decode_body(res.body);
      }
      if (!should_retry(res, idempotent) || attempt >= options_.max_retries) {
        return base::error(status_from_response(res));
      }
      std::this_thread::sleep_for(retry_delay(res, attempt));
    }
  }

  std::unique_ptr<Transport> transport_;
  RestClientOptions options_;
  RateLimiter limiter_;
};

}  // namespace

std::unique_ptr<Client> make_rest_client(std::unique_ptr<Transport> transport, RestClientOptions options) {
  return std::make_unique<RestClient>(std::move(transport), std::move(options));
}

std::unique_ptr<Client> make_https_client(HttpsCredentials creds, RestClientOptions options) {
  auto transport = make_https_transport(std::move(creds), options.request_timeout, options.user_agent);
  return make_rest_client(std::move(transport), std::move(options));
}

std::unique_ptr<Client> make_in_process_client(RequestHandler handler, base::http::PeerCertificate identity,
                                               RestClientOptions options) {
  auto transport = make_in_process_transport(std::move(handler), std::move(identity), options.user_agent);
  return make_rest_client(std::move(transport), std::move(options));
}

}  // namespace kite::client
