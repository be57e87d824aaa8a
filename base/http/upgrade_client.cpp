#include <utility>  // before asio: Boost 1.74's awaitable.hpp misses it

#include "base/http/upgrade_client.h"

#include <openssl/ssl.h>

#include <boost/beast/http.hpp>
#include <limits>
#include <optional>
#include <thread>
#include <variant>

#include "base/http/asio_raw_stream.h"

namespace kite::base::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using detail::SslStream;
using detail::TcpStream;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

namespace {

struct ParsedUrl {
  bool tls = false;
  std::string host;  // without brackets
  std::string port;
  std::string target;
};

Result<ParsedUrl> parse_url(const std::string& url) {
  ParsedUrl out;
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    out.tls = true;
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    return error(Reason::BadRequest, "unsupported URL " + url);
  }
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) return error(Reason::BadRequest, "bad URL " + url);
    out.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') out.port = authority.substr(close + 2);
  } else {
    auto colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) out.port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return error(Reason::BadRequest, "bad URL " + url);
  if (out.port.empty()) out.port = out.tls ? "443" : "80";
  return out;
}

// Owns the I/O thread of one client connection and the stream running on it.
class OwningStream : public RawStream {
 public:
  OwningStream(std::unique_ptr<asio::io_context> ioc, std::unique_ptr<RawStream> inner, std::thread thread,
               std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard,
               std::shared_ptr<asio::ssl::context> ssl)
      : ssl_(std::move(ssl)), ioc_(std::move(ioc)), inner_(std::move(inner)), thread_(std::move(thread)),
        guard_(std::move(guard)) {}
  ~OwningStream() override {
    inner_.reset();  // posts the socket close
    guard_.reset();
    if (thread_.joinable()) thread_.join();
  }
  Result<size_t> read_some(char* d, size_t n) override { return inner_->read_some(d, n); }
  Result<void> write(std::string_view d) override { return inner_->write(d); }
  void close_write() override { inner_->close_write(); }
  void close() override { inner_->close(); }

 private:
  std::shared_ptr<asio::ssl::context> ssl_;
  std::unique_ptr<asio::io_context> ioc_;
  std::unique_ptr<RawStream> inner_;
  std::thread thread_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
};

// The decoded body of a non-101 response.
template <class Stream>
class BodyStream : public RawStream {
 public:
  BodyStream(std::shared_ptr<Stream> s, std::shared_ptr<beast::flat_buffer> buf,
             std::shared_ptr<bhttp::response_parser<bhttp::buffer_body>> parser)
      : s_(std::move(s)), buf_(std::move(buf)), parser_(std::move(parser)) {
    detail::lowest(*s_).expires_never();
  }
  ~BodyStream() override { close(); }
  Result<size_t> read_some(char* data, size_t size) override {
    if (size == 0) return size_t{0};
    if (closed_) return error(Reason::InternalError, "connection closed");
    auto s = s_;
    auto buf = buf_;
    auto parser = parser_;
    auto [ec, n] = detail::run_blocking(s->get_executor(), [s, buf, parser, data, size](auto done) {
      if (parser->is_done()) return done(boost::system::error_code{}, 0);
      parser->get().body().data = data;
      parser->get().body().size = size;
      bhttp::async_read_some(*s, *buf, *parser, [parser, data, size, done](boost::system::error_code ec, size_t) mutable {
        if (ec == bhttp::error::need_buffer) ec = {};
        size_t n = size - parser->get().body().size;
        (void)data;
        done(ec, n);
      });
    });
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) return size_t{0};
    if (ec) return error(Reason::InternalError, "reading response body: " + ec.message());
    if (n == 0 && !parser_->is_done()) return read_some(data, size);  // only headers of a chunk
    return n;
  }
  Result<void> write(std::string_view) override {
    return error(Reason::BadRequest, "the response body stream is read-only");
  }
  void close_write() override {}
  void close() override {
    if (closed_.exchange(true)) return;
    auto s = s_;
    asio::post(s->get_executor(), [s] {
      boost::system::error_code ec;
      detail::lowest(*s).socket().close(ec);
    });
  }

 private:
  std::shared_ptr<Stream> s_;
  std::shared_ptr<beast::flat_buffer> buf_;
  std::shared_ptr<bhttp::response_parser<bhttp::buffer_body>> parser_;
  std::atomic<bool> closed_{false};
};

struct Dialed {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::unique_ptr<RawStream> stream;
};

template <class Stream>
asio::awaitable<Dialed> exchange(std::shared_ptr<Stream> s, bhttp::request<bhttp::string_body> req) {
  co_await bhttp::async_write(*s, req, use_awaitable);
  auto buf = std::make_shared<beast::flat_buffer>();
  auto parser = std::make_shared<bhttp::response_parser<bhttp::buffer_body>>();
  // boost::none would mean "no limit" in newer Boost; 1.74 rejects every Content-Length with it.
  parser->body_limit(std::numeric_limits<std::uint64_t>::max());
  co_await bhttp::async_read_header(*s, *buf, *parser, use_awaitable);
  Dialed out;
  auto& head = parser->get();
  out.status = static_cast<int>(head.result_int());
  for (const auto& field : head) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto [it, inserted] = out.headers.emplace(name, std::string(field.value()));
    if (!inserted) it->second += "," + std::string(field.value());
  }
  if (out.status == 101) {
    std::string leftover(static_cast<const char*>(buf->data().data()), buf->size());
    out.stream = std::make_unique<detail::AsioRawStream<Stream>>(s, std::move(leftover));
  } else {
    out.stream = std::make_unique<BodyStream<Stream>>(s, buf, parser);
  }
  co_return out;
}

asio::awaitable<Dialed> dial(asio::io_context& ioc, asio::ssl::context* ssl, ParsedUrl url,
                             bhttp::request<bhttp::string_body> req, std::chrono::milliseconds timeout) {
  tcp::resolver resolver(ioc);
  auto endpoints = co_await resolver.async_resolve(url.host, url.port, use_awaitable);
  if (!ssl) {
    auto s = std::make_shared<TcpStream>(ioc);
    s->expires_after(timeout);
    co_await s->async_connect(endpoints, use_awaitable);
    s->socket().set_option(tcp::no_delay(true));  // streams write small frames (see server.cpp)
    co_return co_await exchange(s, std::move(req));
  }
  auto s = std::make_shared<SslStream>(TcpStream(ioc), *ssl);
  beast::get_lowest_layer(*s).expires_after(timeout);
  co_await beast::get_lowest_layer(*s).async_connect(endpoints, use_awaitable);
  boost::system::error_code ec;
  beast::get_lowest_layer(*s).socket().set_option(tcp::no_delay(true), ec);
  asio::ip::make_address(url.host, ec);
  if (ec) SSL_set_tlsext_host_name(s->native_handle(), url.host.c_str());  // SNI for names only
  co_await s->async_handshake(asio::ssl::stream_base::client, use_awaitable);
  co_return co_await exchange(s, std::move(req));
}

}  // namespace

Result<ClientResponse> dial_http(const ClientRequest& request) {
  auto url = parse_url(request.url);
  if (!url) return std::unexpected(url.error());
  std::shared_ptr<asio::ssl::context> ssl;
  if (url->tls) {
    ssl = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    boost::system::error_code ec;
    if (!request.ca_file.empty()) {
      ssl->load_verify_file(request.ca_file, ec);
      if (ec) return error(Reason::InternalError, "loading CA " + request.ca_file + ": " + ec.message());
      ssl->set_verify_mode(asio::ssl::verify_peer);
      if (request.verify_host) ssl->set_verify_callback(asio::ssl::host_name_verification(url->host));
    } else {
      ssl->set_verify_mode(asio::ssl::verify_none);
    }
    if (!request.cert_file.empty()) {
      ssl->use_certificate_chain_file(request.cert_file, ec);
      if (!ec) ssl->use_private_key_file(request.key_file, asio::ssl::context::pem, ec);
      if (ec) return error(Reason::InternalError, "loading client certificate " + request.cert_file + ": " + ec.message());
    }
  }
  bhttp::request<bhttp::string_body> req;
  req.method_string(request.method);
  req.target(url->target);
  req.version(11);
  bool has_host = false;
  for (auto& [k, v] : request.headers) {
    req.insert(k, v);
    if (beast::iequals(k, "host")) has_host = true;
  }
  if (!has_host) req.set(bhttp::field::host, url->host.find(':') != std::string::npos
                                                 ? "[" + url->host + "]:" + url->port
                                                 : url->host + ":" + url->port);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    req.body() = request.body;
    req.prepare_payload();
  }

  auto ioc = std::make_unique<asio::io_context>(1);
  auto guard = std::make_optional(asio::make_work_guard(*ioc));
  auto future = asio::co_spawn(*ioc, dial(*ioc, ssl.get(), *url, std::move(req), request.timeout),
                               asio::use_future);
  std::thread thread([io = ioc.get()] { io->run(); });
  Dialed dialed;
  std::string failure;
  try {
    dialed = future.get();
  } catch (const boost::system::system_error& e) {
    failure = e.code() == beast::error::timeout ? "timed out" : e.code().message();
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!failure.empty()) {
    guard.reset();
    ioc->stop();
    thread.join();
    return error(Reason::ServiceUnavailable, "connecting to " + url->host + ":" + url->port + ": " + failure);
  }
  ClientResponse out;
  out.status = dialed.status;
  out.headers = std::move(dialed.headers);
  out.stream = std::make_unique<OwningStream>(std::move(ioc), std::move(dialed.stream), std::move(thread), std::move(guard), ssl);
  return out;
}

}  // namespace kite::base::http
