// RawStream: a blocking, full-duplex byte stream taken over from an HTTP connection after an
// upgrade (101 Switching Protocols: WebSocket, SPDY/3.1) or dialed by the client helper
// (upgrade_client.h), plus an in-memory pair for tests and splice() to join two streams.
//
// Threads: one thread may be in read_some() while another is in write(); close() may be called
// from any thread at any time and wakes blocked readers/writers with an error. Two concurrent
// readers (or two concurrent writers) are not allowed.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "base/status.h"

namespace kite::base::http {

class RawStream {
 public:
  virtual ~RawStream() = default;
  // Blocks until at least one byte is available. Returns 0 at end of stream (the peer closed
  // its sending side); an error when the connection failed or close() was called.
  virtual Result<size_t> read_some(char* data, size_t size) = 0;
  // Blocks until every byte is written.
  virtual Result<void> write(std::string_view data) = 0;
  // Ends our sending side where the transport allows it (plain TCP: shutdown(SHUT_WR); in-memory
  // pair: the peer reads EOF). Over TLS it does nothing: the protocols spoken on top (WebSocket,
  // SPDY) carry their own end-of-stream signals.
  virtual void close_write() = 0;
  // Closes the connection; blocked and later calls fail. Idempotent, any thread.
  virtual void close() = 0;
};

// Reads exactly `size` bytes (NotFound-free: an error "unexpected end of stream" at EOF).
Result<void> read_exact(RawStream& stream, char* data, size_t size);
// Reads until EOF or `limit` bytes (error beyond the limit).
Result<std::string> read_all(RawStream& stream, size_t limit = 16 << 20);

// Copies bytes both ways between `a` and `b` until both directions ended (EOF is passed on with
// close_write) or either side failed (then both are closed). Blocks; uses one extra thread.
void splice(RawStream& a, RawStream& b);

// Two connected in-memory streams (what one writes the other reads), for tests and for
// translating protocols inside one process.
std::pair<std::unique_ptr<RawStream>, std::unique_ptr<RawStream>> make_stream_pair();

}  // namespace kite::base::http
