#include "bench/https_client.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace kite::bench {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct HttpsClient::Impl {
  KubeconfigCredentials creds;
  std::chrono::seconds read_timeout;
  asio::io_context io;
  ssl::context ctx{ssl::context::tls_client};
  std::unique_ptr<ssl::stream<tcp::socket>> stream;
  beast::flat_buffer buffer;
  bool open = false;
  std::atomic<int> fd{-1};

  base::Result<void> open_connection() {
    boost::system::error_code ec;
    close();
    stream = std::make_unique<ssl::stream<tcp::socket>>(io, ctx);
    buffer.clear();
    tcp::resolver resolver(io);
    auto endpoints = resolver.resolve(creds.host, std::to_string(creds.port), ec);
    if (ec) return base::error(base::Reason::ServiceUnavailable, "resolve: " + ec.message());
    asio::connect(stream->next_layer(), endpoints, ec);
    if (ec) return base::error(base::Reason::ServiceUnavailable, "connect: " + ec.message());
    stream->next_layer().set_option(tcp::no_delay(true), ec);
    int native = stream->next_layer().native_handle();
    timeval tv{};
    tv.tv_sec = read_timeout.count();
    ::setsockopt(native, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(native, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    stream->set_verify_mode(ssl::verify_peer);
    stream->set_verify_callback(ssl::host_name_verification(creds.host));
    if (!SSL_set_tlsext_host_name(stream->native_handle(), creds.host.c_str())) {
      // SNI with an IP literal is refused by some OpenSSL builds; the server does not need it.
    }
    stream->handshake(ssl::stream_base::client, ec);
    if (ec) return base::error(base::Reason::ServiceUnavailable, "tls handshake: " + ec.message());
    fd = native;
    open = true;
    return {};
  }

  void close() {
    fd = -1;  // first, so abort() from another thread no longer touches this descriptor
    if (stream) {
      boost::system::error_code ec;
      stream->next_layer().close(ec);
    }
    open = false;
  }

  http::request<http::string_body> make(const std::string& method, const std::string& target,
                                        const std::string& body) {
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, creds.host + ":" + std::to_string(creds.port));
    req.set(http::field::user_agent, "kite-api-bench");
    req.set(http::field::accept, "application/json");
    req.keep_alive(true);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    return req;
  }
};

HttpsClient::HttpsClient(const KubeconfigCredentials& creds, std::chrono::seconds read_timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->creds = creds;
  impl_->read_timeout = read_timeout;
  boost::system::error_code ec;
  impl_->ctx.add_certificate_authority(asio::buffer(creds.ca_pem), ec);
  impl_->ctx.use_certificate_chain(asio::buffer(creds.cert_pem), ec);
  impl_->ctx.use_private_key(asio::buffer(creds.key_pem), ssl::context::pem, ec);
}

HttpsClient::~HttpsClient() { impl_->close(); }

base::Result<void> HttpsClient::connect() { return impl_->open_connection(); }

HttpResult HttpsClient::request(const std::string& method, const std::string& target, const std::string& body) {
  auto& m = *impl_;
  auto req = m.make(method, target, body);
  boost::system::error_code ec;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!m.open) {
      if (auto c = m.open_connection(); !c) return {0, c.error().message()};
    }
    http::write(*m.stream, req, ec);
    if (!ec) break;
    m.close();  // a kept-alive connection the server closed: reconnect once
    if (attempt == 1) return {0, "write: " + ec.message()};
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(1024ull * 1024 * 1024);
  http::read(*m.stream, m.buffer, parser, ec);
  if (ec) {
    m.close();
    return {0, "read: " + ec.message()};
  }
  auto& res = parser.get();
  HttpResult out{static_cast<int>(res.result_int()), std::move(res.body())};
  if (!parser.keep_alive()) m.close();
  return out;
}

int HttpsClient::read_stream_lines(const std::string& target, const std::function<void()>& on_headers,
                                   const LineSink& sink) {
  auto& m = *impl_;
  if (!m.open) {
    if (auto c = m.open_connection(); !c) return 0;
  }
  auto req = m.make("GET", target, "");
  boost::system::error_code ec;
  http::write(*m.stream, req, ec);
  if (ec) return 0;

  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);
  std::string pending;
  bool stop = false;
  // The parser keeps a reference to the callback: it must outlive the reads below.
  auto on_chunk = [&](std::uint64_t, beast::string_view data, boost::system::error_code&) -> std::size_t {
    auto now = Clock::now();
    pending.append(data.data(), data.size());
    size_t start = 0;
    for (size_t nl; !stop && (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      if (nl > start && !sink(pending.substr(start, nl - start), now)) stop = true;
    }
    pending.erase(0, start);
    return data.size();  // consumed here: nothing accumulates in the parser's body
  };
  parser.on_chunk_body(on_chunk);
  http::read_header(*m.stream, m.buffer, parser, ec);
  if (ec) {
    m.close();
    return 0;
  }
  int status = static_cast<int>(parser.get().result_int());
  if (on_headers) on_headers();
  if (status != 200) {
    http::read(*m.stream, m.buffer, parser, ec);
    m.close();
    return status;
  }
  while (!stop && !parser.is_done()) {
    http::read_some(*m.stream, m.buffer, parser, ec);
    if (ec) break;
  }
  m.close();  // a watch connection is not reused
  return status;
}

void HttpsClient::abort() {
  int fd = impl_->fd.load();
  if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
}

}  // namespace kite::bench
