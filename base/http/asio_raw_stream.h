// Internal to base/http: RawStream over a Boost.Asio/Beast stream (TLS or plain TCP) whose
// operations run on the stream's executor (a strand or a single-threaded io_context).
// Blocking calls post the async operation to that executor and wait for its completion, so a
// reader thread and a writer thread can use the stream at the same time (Asio allows one
// outstanding read plus one outstanding write on an ssl::stream within one strand).
// Bytes already read past the HTTP headers are returned first.
#pragma once

#include <utility>  // before asio: Boost 1.74's awaitable.hpp misses it

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <functional>
#include <future>
#include <memory>
#include <string>

#include "base/http/raw_stream.h"

namespace kite::base::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
using SslStream = beast::ssl_stream<beast::tcp_stream>;
using TcpStream = beast::tcp_stream;

inline beast::tcp_stream& lowest(SslStream& s) { return beast::get_lowest_layer(s); }
inline beast::tcp_stream& lowest(TcpStream& s) { return s; }

// Posts start(done) to `ex` and blocks until done(ec, n) runs. If the executor's io_context is
// torn down first, fails with operation_aborted.
template <class Executor, class Start>
std::pair<boost::system::error_code, size_t> run_blocking(Executor ex, Start start) {
  auto promise = std::make_shared<std::promise<std::pair<boost::system::error_code, size_t>>>();
  auto future = promise->get_future();
  asio::post(ex, [start = std::move(start), promise]() mutable {
    start([promise](boost::system::error_code ec, size_t n) { promise->set_value({ec, n}); });
  });
  promise.reset();
  try {
    return future.get();
  } catch (const std::future_error&) {
    return {asio::error::operation_aborted, 0};
  }
}

template <class Stream>
class AsioRawStream : public RawStream {
 public:
  // `on_destroy` runs when this stream is destroyed (the server uses it to count sessions).
  AsioRawStream(std::shared_ptr<Stream> stream, std::string leftover, std::function<void()> on_destroy = {})
      : stream_(std::move(stream)), leftover_(std::move(leftover)), on_destroy_(std::move(on_destroy)) {
    lowest(*stream_).expires_never();
  }
  ~AsioRawStream() override {
    close();
    if (on_destroy_) on_destroy_();
  }

  Result<size_t> read_some(char* data, size_t size) override {
    if (size == 0) return size_t{0};
    if (!leftover_.empty()) {
      size_t n = std::min(size, leftover_.size());
      leftover_.copy(data, n);
      leftover_.erase(0, n);
      return n;
    }
    if (closed_) return error(Reason::InternalError, "connection closed");
    auto s = stream_;
    auto [ec, n] = run_blocking(s->get_executor(), [s, data, size](auto done) {
      s->async_read_some(asio::buffer(data, size), std::move(done));
    });
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) return size_t{0};
    if (ec) return error(Reason::InternalError, "reading: " + ec.message());
    return n;
  }

  Result<void> write(std::string_view data) override {
    if (closed_) return error(Reason::InternalError, "connection closed");
    // Nothing to write: return at once. (An empty write on an ssl::stream completes at
    // initiation, and Asio then issues a zero-byte read on the transport, which collides with
    // the reader thread's pending read.)
    if (data.empty()) return {};
    auto s = stream_;
    auto [ec, n] = run_blocking(s->get_executor(), [s, data](auto done) {
      asio::async_write(*s, asio::buffer(data.data(), data.size()), std::move(done));
    });
    if (ec) return error(Reason::InternalError, "writing: " + ec.message());
    return {};
  }

  void close_write() override {
    if constexpr (std::is_same_v<Stream, TcpStream>) {
      auto s = stream_;
      run_blocking(s->get_executor(), [s](auto done) {
        boost::system::error_code ec;
        s->socket().shutdown(asio::socket_base::shutdown_send, ec);
        done(ec, 0);
      });
    }
  }

  void close() override {
    if (closed_.exchange(true)) return;
    auto s = stream_;
    asio::post(s->get_executor(), [s] {
      boost::system::error_code ec;
      lowest(*s).socket().shutdown(asio::socket_base::shutdown_both, ec);
      lowest(*s).socket().close(ec);
    });
  }

 private:
  std::shared_ptr<Stream> stream_;
  std::string leftover_;
  std::function<void()> on_destroy_;
  std::atomic<bool> closed_{false};
};

}  // namespace kite::base::http::detail
