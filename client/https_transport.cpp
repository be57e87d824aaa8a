// The HTTPS Transport: requests over a small pool of kept-alive TLS connections; each stream
// (watch) on a connection of its own that is closed when the stream ends.
#include <mutex>
#include <vector>

#include "client/https_connection.h"
#include "client/rest_transport.h"

namespace kite::client {

namespace {

namespace asio = boost::asio;

constexpr size_t kMaxIdleConnections = 4;
constexpr uint64_t kMaxResponseBytes = 1ull << 31;

bool is_idempotent(const std::string& method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" || method == "PATCH";
}

std::map<std::string, std::string> headers_of(const http::response<http::string_body>& res) {
  std::map<std::string, std::string> out;
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto [it, inserted] = out.emplace(name, std::string(field.value()));
    if (!inserted) it->second += "," + std::string(field.value());
  }
  return out;
}

TransportResponse failure(const ConnectionError& e, bool maybe_sent) {
  TransportResponse out;
  out.error = e.message;
  out.permanent = e.permanent;
  out.maybe_sent = maybe_sent;
  return out;
}

// The body of a streaming response, read from the connection it owns.
class HttpsBodyStream final : public BodyStream {
 public:
  HttpsBodyStream(std::unique_ptr<HttpsConnection> conn,
                  std::unique_ptr<http::response_parser<http::string_body>> parser)
      : conn_(std::move(conn)), parser_(std::move(parser)) {}

  std::optional<std::string> read() override {
    for (;;) {
      auto& body = parser_->get().body();
      if (!body.empty()) {
        std::string out = std::move(body);
        body.clear();
        return out;
      }
      if (parser_->is_done() || ended_) return std::nullopt;
      if (conn_->read_some(*parser_)) ended_ = true;
    }
  }

  void stop() override { conn_->interrupt(); }

 private:
  std::unique_ptr<HttpsConnection> conn_;
  std::unique_ptr<http::response_parser<http::string_body>> parser_;
  bool ended_ = false;
};

class HttpsTransport final : public Transport {
 public:
  HttpsTransport(HttpsCredentials creds, std::chrono::seconds timeout, std::string user_agent)
      : timeout_(timeout), user_agent_(std::move(user_agent)) {
    if (!parse_https_url(creds.server, &endpoint_, &setup_error_)) return;
    boost::system::error_code ec;
    tls_.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    if (creds.ca_pem.empty()) {
      tls_.set_default_verify_paths(ec);
    } else {
      tls_.add_certificate_authority(asio::buffer(creds.ca_pem), ec);
    }
    if (ec) {
      setup_error_ = "loading the CA certificate: " + ec.message();
      return;
    }
    if (!creds.cert_pem.empty() || !creds.key_pem.empty()) {
      tls_.use_certificate_chain(asio::buffer(creds.cert_pem), ec);
      if (ec) {
        setup_error_ = "loading the client certificate: " + ec.message();
        return;
      }
      tls_.use_private_key(asio::buffer(creds.key_pem), asio::ssl::context::pem, ec);
      if (ec) {
        setup_error_ = "loading the client key: " + ec.message();
        return;
      }
    }
    bearer_token_ = creds.bearer_token;
  }

  TransportResponse round_trip(const TransportRequest& req) override {
    if (!setup_error_.empty()) return failure({setup_error_, true}, false);
    auto msg = make_request(req);
    for (int attempt = 0;; ++attempt) {
      bool reused = false;
      std::unique_ptr<HttpsConnection> conn = take_idle();
      if (conn) {
        reused = true;
      } else {
        conn = std::make_unique<HttpsConnection>(tls_, endpoint_);
        if (auto e = conn->connect(timeout_)) return failure(e, false);
      }
      if (auto e = conn->write(msg, timeout_)) {
        // A kept-alive connection the server has closed meanwhile: try a fresh one.
        if (reused && attempt == 0) continue;
        return failure(e, true);
      }
      http::response_parser<http::string_body> parser;
      parser.body_limit(kMaxResponseBytes);
      if (auto e = conn->read(parser, timeout_)) {
        if (reused && attempt == 0 && is_idempotent(req.method)) continue;
        return failure(e, true);
      }
      auto res = parser.release();
      TransportResponse out;
      out.status = static_cast<int>(res.result_int());
      out.headers = headers_of(res);
      bool keep = res.keep_alive();
      out.body = std::move(res.body());
      if (keep) put_idle(std::move(conn));
      return out;
    }
  }

  StreamResponse open_stream(const TransportRequest& req) override {
    StreamResponse out;
    if (!setup_error_.empty()) {
      out.head = failure({setup_error_, true}, false);
      return out;
    }
    auto msg = make_request(req);
    msg.keep_alive(false);
    auto conn = std::make_unique<HttpsConnection>(tls_, endpoint_);
    if (auto e = conn->connect(timeout_)) {
      out.head = failure(e, false);
      return out;
    }
    if (auto e = conn->write(msg, timeout_)) {
      out.head = failure(e, true);
      return out;
    }
    auto parser = std::make_unique<http::response_parser<http::string_body>>();
    parser->body_limit(boost::none);
    if (auto e = conn->read_header(*parser, timeout_)) {
      out.head = failure(e, true);
      return out;
    }
    out.head.status = static_cast<int>(parser->get().result_int());
    out.head.headers = headers_of(parser->get());
    if (out.head.status < 200 || out.head.status >= 300) {
      // An error answer: read its (small) body for the Status.
      parser->body_limit(kMaxResponseBytes);
      if (!parser->is_done()) conn->read(*parser, timeout_);
      out.head.body = std::move(parser->get().body());
      return out;
    }
    out.body = std::make_unique<HttpsBodyStream>(std::move(conn), std::move(parser));
    return out;
  }

 private:
  http::request<http::string_body> make_request(const TransportRequest& req) const {
    http::request<http::string_body> msg{http::string_to_verb(req.method), endpoint_.base_path + req.target, 11};
    msg.set(http::field::host, endpoint_.host_header());
    msg.set(http::field::user_agent, user_agent_);
    msg.set(http::field::accept, "application/json");
    if (!bearer_token_.empty()) msg.set(http::field::authorization, "Bearer " + bearer_token_);
    if (!req.body.empty()) {
      msg.set(http::field::content_type, req.content_type.empty() ? "application/json" : req.content_type);
      msg.body() = req.body;
    }
    msg.keep_alive(true);
    msg.prepare_payload();
    return msg;
  }

  std::unique_ptr<HttpsConnection> take_idle() {
    std::lock_guard lock(mu_);
    while (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      if (!conn->looks_closed()) return conn;
    }
    return nullptr;
  }

  void put_idle(std::unique_ptr<HttpsConnection> conn) {
    std::lock_guard lock(mu_);
    if (idle_.size() < kMaxIdleConnections) idle_.push_back(std::move(conn));
  }

  std::chrono::seconds timeout_;
  std::string user_agent_;
  HttpsEndpoint endpoint_;
  std::string setup_error_;
  std::string bearer_token_;
  asio::ssl::context tls_{asio::ssl::context::tls_client};
  std::mutex mu_;
  std::vector<std::unique_ptr<HttpsConnection>> idle_;
};

}  // namespace

std::unique_ptr<Transport> make_https_transport(HttpsCredentials creds, std::chrono::seconds request_timeout,
                                                std::string user_agent) {
  return std::make_unique<HttpsTransport>(std::move(creds), request_timeout, std::move(user_agent));
}

}  // namespace kite::client
