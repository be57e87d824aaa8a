#include <utility>  // before asio: Boost 1.74's awaitable.hpp misses it

#include "base/http/server.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <list>
#include <mutex>
#include <thread>

#include "base/http/asio_raw_stream.h"
#include "base/http/response_stream.h"
#include "base/log.h"

namespace kite::base::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using SslStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr auto kIdleTimeout = std::chrono::minutes(5);

std::optional<PeerCertificate> peer_certificate(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) return std::nullopt;
  std::optional<PeerCertificate> out;
  if (SSL_get_verify_result(ssl) == X509_V_OK) {
    PeerCertificate pc;
    X509_NAME* subject = X509_get_subject_name(cert);
    for (int i = 0; i < X509_NAME_entry_count(subject); ++i) {
      X509_NAME_ENTRY* e = X509_NAME_get_entry(subject, i);
      int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
      ASN1_STRING* data = X509_NAME_ENTRY_get_data(e);
      std::string value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                        static_cast<size_t>(ASN1_STRING_length(data)));
      if (nid == NID_commonName) pc.common_name = value;
      if (nid == NID_organizationName) pc.organizations.push_back(value);
    }
    out = std::move(pc);
  }
  X509_free(cert);
  return out;
}

Request to_request(bhttp::request<bhttp::string_body>&& req, SSL* ssl, const std::string& remote) {
  Request out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  auto q = out.target.find('?');
  out.path = percent_decode(out.target.substr(0, q));
  if (q != std::string::npos) out.query = parse_query(out.target.substr(q + 1));
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto [it, inserted] = out.headers.emplace(name, std::string(field.value()));
    if (!inserted) it->second += "," + std::string(field.value());
  }
  out.body = std::move(req.body());
  out.peer = peer_certificate(ssl);
  out.remote_address = remote;
  return out;
}

bhttp::response<bhttp::string_body> status_response(const Status& s, unsigned version) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(s.code()), version};
  res.set(bhttp::field::content_type, "application/json");
  res.body() = s.to_json().dump();
  res.prepare_payload();
  return res;
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  asio::io_context ioc;
  asio::ssl::context ssl{asio::ssl::context::tls_server};
  std::unique_ptr<asio::thread_pool> workers;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  uint16_t bound_port = 0;
  std::atomic<bool> stopping{false};
  // Open connections, so stop() can close them (ending streams).
  std::mutex conns_mu;
  std::list<std::weak_ptr<SslStream>> conns;
  // Upgraded connections still owned by a handler thread; stop() waits for them (bounded).
  std::mutex upgraded_mu;
  std::condition_variable upgraded_cv;
  int upgraded = 0;

  Impl(ServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)) {}

  awaitable<void> accept_loop();
  awaitable<void> session(std::shared_ptr<SslStream> stream, std::string remote);
  awaitable<Response> run_handler(Request req);
  awaitable<void> write_stream(std::shared_ptr<SslStream> stream, Response res, unsigned version);
  awaitable<bool> write_upgrade(std::shared_ptr<SslStream> stream, Response res, unsigned version,
                                beast::flat_buffer& buffer);
  awaitable<void> watch_for_eof(std::shared_ptr<SslStream> stream, std::shared_ptr<ResponseStream> body);
};

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() { stop(); }

uint16_t Server::port() const { return impl_->bound_port; }

Result<void> Server::start() {
  auto& im = *impl_;
  boost::system::error_code ec;
  im.ssl.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1);
  im.ssl.use_certificate_chain_file(im.options.cert_file, ec);
  if (ec) return error(Reason::InternalError, "loading certificate " + im.options.cert_file + ": " + ec.message());
  im.ssl.use_private_key_file(im.options.key_file, asio::ssl::context::pem, ec);
  if (ec) return error(Reason::InternalError, "loading key " + im.options.key_file + ": " + ec.message());
  if (!im.options.client_ca_file.empty()) {
    im.ssl.load_verify_file(im.options.client_ca_file, ec);
    if (ec) return error(Reason::InternalError, "loading client CA " + im.options.client_ca_file + ": " + ec.message());
    // Ask for a client certificate but accept connections without one (bearer tokens).
    im.ssl.set_verify_mode(asio::ssl::verify_peer);
    im.ssl.set_verify_callback([](bool, asio::ssl::verify_context&) { return true; });
    SSL_CTX_set_session_id_context(im.ssl.native_handle(),
                                   reinterpret_cast<const unsigned char*>("kite"), 4);
  }

  auto address = asio::ip::make_address(im.options.bind_address, ec);
  if (ec) return error(Reason::BadRequest, "invalid bind address " + im.options.bind_address);
  im.acceptor = std::make_unique<tcp::acceptor>(im.ioc);
  tcp::endpoint ep(address, im.options.port);
  im.acceptor->open(ep.protocol(), ec);
  if (!ec) im.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) im.acceptor->bind(ep, ec);
  if (!ec) im.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return error(Reason::InternalError, "listening on " + im.options.bind_address + ":" +
                                            std::to_string(im.options.port) + ": " + ec.message());
  }
  im.bound_port = im.acceptor->local_endpoint().port();
  im.workers = std::make_unique<asio::thread_pool>(static_cast<size_t>(im.options.worker_threads));
  im.guard.emplace(im.ioc.get_executor());
  asio::co_spawn(im.ioc, im.accept_loop(), asio::detached);
  for (int i = 0; i < std::max(1, im.options.io_threads); ++i) {
    im.threads.emplace_back([&im] { im.ioc.run(); });
  }
  return {};
}

void Server::stop() {
  auto& im = *impl_;
  if (im.stopping.exchange(true) || im.threads.empty()) return;
  asio::post(im.ioc, [&im] {
    boost::system::error_code ec;
    if (im.acceptor) im.acceptor->close(ec);
    std::lock_guard lock(im.conns_mu);
    for (auto& weak : im.conns) {
      if (auto s = weak.lock()) beast::get_lowest_layer(*s).socket().close(ec);
    }
  });
  {
    // Upgraded connections were closed above: their handlers see errors and return.
    std::unique_lock lock(im.upgraded_mu);
    im.upgraded_cv.wait_for(lock, std::chrono::seconds(5), [&im] { return im.upgraded == 0; });
  }
  im.guard.reset();
  // Give connections a moment to unwind, then stop the loop.
  asio::steady_timer t(im.ioc, std::chrono::milliseconds(200));
  t.async_wait([&im](boost::system::error_code) { im.ioc.stop(); });
  for (auto& th : im.threads) th.join();
  im.threads.clear();
  if (im.workers) im.workers->join();
}

awaitable<void> Server::Impl::accept_loop() {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket(asio::make_strand(ioc));
    co_await acceptor->async_accept(socket, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) co_return;
      KITE_LOG(warn, "http") << "accept: " << ec.message();
      continue;
    }
    // No Nagle: a response head and body, or a stream's small chunks, written back to back
    // would otherwise wait for the client's delayed ACK (40 ms).
    socket.set_option(tcp::no_delay(true), ec);
    std::string remote;
    auto rep = socket.remote_endpoint(ec);
    if (!ec) remote = rep.address().to_string() + ":" + std::to_string(rep.port());
    auto executor = socket.get_executor();
    auto stream = std::make_shared<SslStream>(beast::tcp_stream(std::move(socket)), ssl);
    {
      std::lock_guard lock(conns_mu);
      conns.remove_if([](const std::weak_ptr<SslStream>& w) { return w.expired(); });
      conns.push_back(stream);
    }
    asio::co_spawn(executor, session(stream, std::move(remote)), asio::detached);
  }
}

awaitable<Response> Server::Impl::run_handler(Request req) {
  // Run the (possibly blocking) handler on the worker pool, resume on this connection's strand.
  auto initiate = [this, req = std::move(req)](auto completion) mutable {
    asio::post(*workers, [this, req = std::move(req), completion = std::move(completion)]() mutable {
      Response res;
      try {
        res = handler(req);
      } catch (const std::exception& e) {
        KITE_LOG(error, "http") << "handler threw: " << e.what();
        Status s(Reason::InternalError, std::string("internal error: ") + e.what());
        res.status = 500;
        res.set_header("Content-Type", "application/json");
        res.body = s.to_json().dump();
      }
      auto ex = asio::get_associated_executor(completion);
      asio::post(ex, [completion = std::move(completion), res = std::move(res)]() mutable {
        completion(std::move(res));
      });
    });
  };
  co_return co_await asio::async_initiate<decltype(use_awaitable), void(Response)>(
      std::move(initiate), use_awaitable);
}

awaitable<void> Server::Impl::session(std::shared_ptr<SslStream> stream, std::string remote) {
  boost::system::error_code ec;
  beast::get_lowest_layer(*stream).expires_after(kHandshakeTimeout);
  co_await stream->async_handshake(asio::ssl::stream_base::server, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return;
  beast::flat_buffer buffer;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    parser.header_limit(64 * 1024);
    beast::get_lowest_layer(*stream).expires_after(kIdleTimeout);
    co_await bhttp::async_read(*stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    if (ec == bhttp::error::body_limit) {
      Status s(Reason::RequestEntityTooLarge, "the request body is larger than the limit of " +
                                                  std::to_string(options.max_body_bytes) + " bytes");
      auto res = status_response(s, 11);
      res.keep_alive(false);
      co_await bhttp::async_write(*stream, res, asio::redirect_error(use_awaitable, ec));
      // Read (and drop) what the client is still sending, for a while, so that clients that
      // send the whole body before reading see the 413 rather than a reset connection.
      beast::get_lowest_layer(*stream).expires_after(std::chrono::seconds(5));
      std::vector<char> scratch(64 * 1024);
      size_t drained = 0;
      while (!ec && drained < (64u << 20)) {
        size_t n = co_await stream->async_read_some(asio::buffer(scratch), asio::redirect_error(use_awaitable, ec));
        drained += n;
      }
      break;
    }
    if (ec) break;
    auto message = parser.release();
    unsigned version = message.version();
    bool keep_alive = message.keep_alive();
    Response res = co_await run_handler(to_request(std::move(message), stream->native_handle(), remote));
    if (res.upgrade) {
      if (co_await write_upgrade(stream, std::move(res), version, buffer)) co_return;
      break;
    }
    if (res.stream) {
      beast::get_lowest_layer(*stream).expires_never();
      co_await write_stream(stream, std::move(res), version);
      break;
    }
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
    for (auto& [k, v] : res.headers) out.set(k, v);
    out.body() = std::move(res.body);
    out.keep_alive(keep_alive);
    out.prepare_payload();
    beast::get_lowest_layer(*stream).expires_after(kIdleTimeout);
    co_await bhttp::async_write(*stream, out, asio::redirect_error(use_awaitable, ec));
    if (ec || !keep_alive) break;
  }
  beast::get_lowest_layer(*stream).expires_after(std::chrono::seconds(2));
  co_await stream->async_shutdown(asio::redirect_error(use_awaitable, ec));
  beast::get_lowest_layer(*stream).socket().close(ec);
}

// Writes the head of an upgrade response and hands the connection to res.upgrade on a new
// thread. Returns false when writing failed (the caller closes the connection).
awaitable<bool> Server::Impl::write_upgrade(std::shared_ptr<SslStream> stream, Response res,
                                            unsigned version, beast::flat_buffer& buffer) {
  boost::system::error_code ec;
  bhttp::response<bhttp::empty_body> head{static_cast<bhttp::status>(res.status), version};
  for (auto& [k, v] : res.headers) head.set(k, v);
  bhttp::response_serializer<bhttp::empty_body> serializer{head};
  co_await bhttp::async_write_header(*stream, serializer, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return false;
  std::string leftover(static_cast<const char*>(buffer.data().data()), buffer.size());
  {
    std::lock_guard lock(upgraded_mu);
    ++upgraded;
  }
  auto raw = std::make_unique<detail::AsioRawStream<SslStream>>(stream, std::move(leftover), [this] {
    std::lock_guard lock(upgraded_mu);
    --upgraded;
    upgraded_cv.notify_all();
  });
  std::thread([fn = std::move(res.upgrade), raw = std::move(raw)]() mutable {
    try {
      fn(std::move(raw));
    } catch (const std::exception& e) {
      KITE_LOG(error, "http") << "upgrade handler threw: " << e.what();
    }
  }).detach();
  co_return true;
}

// Notices the client closing the connection while a stream is being written.
awaitable<void> Server::Impl::watch_for_eof(std::shared_ptr<SslStream> stream,
                                            std::shared_ptr<ResponseStream> body) {
  char byte[512];
  boost::system::error_code ec;
  for (;;) {
    co_await stream->async_read_some(asio::buffer(byte), asio::redirect_error(use_awaitable, ec));
    if (ec) break;
  }
  body->abort();
}

awaitable<void> Server::Impl::write_stream(std::shared_ptr<SslStream> stream, Response res,
                                           unsigned version) {
  boost::system::error_code ec;
  auto body = res.stream;
  bhttp::response<bhttp::empty_body> head{static_cast<bhttp::status>(res.status), version};
  for (auto& [k, v] : res.headers) head.set(k, v);
  head.chunked(true);
  head.keep_alive(false);
  bhttp::response_serializer<bhttp::empty_body> serializer{head};
  co_await bhttp::async_write_header(*stream, serializer, asio::redirect_error(use_awaitable, ec));
  if (ec) {
    body->abort();
    co_return;
  }
  auto executor = co_await asio::this_coro::executor;
  auto wakeup = std::make_shared<asio::steady_timer>(executor);
  std::weak_ptr<asio::steady_timer> weak_wakeup = wakeup;
  // A notification can arrive while this coroutine is suspended in a write, when cancelling
  // the timer has no effect: `notified` remembers it, and is checked before each wait.
  auto notified = std::make_shared<std::atomic<bool>>(false);
  body->set_notifier([executor, weak_wakeup, notified] {
    notified->store(true);
    asio::post(executor, [weak_wakeup] {
      if (auto t = weak_wakeup.lock()) t->cancel();
    });
  });
  asio::co_spawn(executor, watch_for_eof(stream, body), asio::detached);

  bool done = false;
  while (!done) {
    notified->store(false);
    auto frames = body->take(&done);
    for (auto& frame : frames) {
      std::vector<asio::const_buffer> buffers;
      buffers.reserve(frame.size());
      size_t total = 0;
      for (auto& piece : frame) {
        buffers.emplace_back(piece->data(), piece->size());
        total += piece->size();
      }
      if (total == 0) continue;
      co_await asio::async_write(*stream, bhttp::make_chunk(buffers), asio::redirect_error(use_awaitable, ec));
      if (ec) {
        body->abort();
        co_return;
      }
    }
    if (done) break;
    auto deadline = body->deadline();
    if (deadline && std::chrono::steady_clock::now() >= *deadline) {
      body->close();
      continue;
    }
    if (notified->load()) continue;
    if (deadline) {
      wakeup->expires_at(*deadline);
    } else {
      wakeup->expires_after(std::chrono::hours(24));
    }
    co_await wakeup->async_wait(asio::redirect_error(use_awaitable, ec));
  }
  co_await asio::async_write(*stream, bhttp::make_chunk_last(), asio::redirect_error(use_awaitable, ec));
  body->abort();  // runs on_close if not yet run; releases the notifier
}

}  // namespace kite::base::http
