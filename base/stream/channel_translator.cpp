#include "base/stream/channel_translator.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "base/log.h"
#include "base/stream/spdy_connection.h"
#include "base/stream/websocket.h"

namespace kite::base::stream {

namespace {

constexpr char kStdin = 0, kStdout = 1, kStderr = 2, kError = 3, kResize = 4;
constexpr unsigned char kCloseChannel = 255;

// After our close frame, the client answers with its own close and the reader loop ends; a
// client that never answers is cut off after a grace period. Closing at once could reset the
// TCP connection and lose the last messages (the exit status) on their way to the client.
class CloseGrace {
 public:
  void reader_done() {
    std::lock_guard lock(mu_);
    done_ = true;
    cv_.notify_all();
  }
  void wait_then_close(http::RawStream& client) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, std::chrono::seconds(5), [this] { return done_; })) client.close();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
};

std::string with_channel(char channel, std::string_view data) {
  std::string out(1, channel);
  out.append(data);
  return out;
}

struct AgentStreams {
  uint32_t error = 0, in = 0, out = 0, err = 0, resize = 0;
};

// Agent -> client: stdout/stderr data to channels 1/2, the error stream's Status (sent when the
// stream ends) to channel 3, answers pings. Returns when the agent connection ends.
void pump_agent_to_client(SpdyConnection& spdy, WsConnection& ws, const AgentStreams& ids) {
  std::string error_bytes;
  bool error_sent = false;
  auto flush_error = [&] {
    if (error_sent) return;
    // An empty error stream means success; say so as kube-apiserver's translator does.
    if (error_bytes.empty()) error_bytes = R"({"metadata":{},"status":"Success"})";
    error_sent = true;
    (void)ws.write_message(WsOpcode::Binary, with_channel(kError, error_bytes));
  };
  for (;;) {
    auto frame = spdy.read();
    if (!frame || !*frame) break;
    SpdyFrame& f = **frame;
    if (f.type == SpdyType::Data) {
      if (f.stream_id == ids.error) {
        error_bytes += f.data;
        if (f.fin() && !error_bytes.empty()) flush_error();
        continue;
      }
      char channel = f.stream_id == ids.out ? kStdout : f.stream_id == ids.err ? kStderr : -1;
      if (channel < 0 || f.data.empty()) continue;
      if (!ws.write_message(WsOpcode::Binary, with_channel(channel, f.data))) break;
    } else if (f.type == SpdyType::Ping) {
      (void)spdy.write(f);
    } else if (f.type == SpdyType::RstStream && f.stream_id == ids.error) {
      flush_error();
    } else if (f.type == SpdyType::GoAway) {
      break;
    }
  }
  flush_error();
}

}  // namespace

void translate_exec(http::RawStream& client, http::RawStream& agent, const ExecStreams& streams,
                    ChannelProtocol protocol) {
  WsConnection ws(client, /*client=*/false);
  SpdyConnection spdy(agent, /*client=*/true);
  AgentStreams ids;
  bool tty = streams.tty;
  auto open = [&](const char* type, uint32_t* id) {
    auto r = spdy.open_stream({{"streamtype", type}});
    if (r) *id = *r;
    return r.has_value();
  };
  bool ok = open("error", &ids.error) && (!streams.stdin_open || open("stdin", &ids.in)) &&
            (!streams.stdout_open || open("stdout", &ids.out)) &&
            (!streams.stderr_open || tty || open("stderr", &ids.err)) && (!tty || open("resize", &ids.resize));
  if (!ok) {
    (void)ws.close(1011, "cannot open streams to the node");
    client.close();
    agent.close();
    return;
  }
  CloseGrace grace;
  std::thread from_agent([&] {
    pump_agent_to_client(spdy, ws, ids);
    (void)ws.close(1000);
    grace.wait_then_close(client);
  });
  bool stdin_closed = false;
  for (;;) {
    auto message = ws.read_message();
    if (!message || !*message || (*message)->opcode == WsOpcode::Close) break;
    const std::string& p = (*message)->payload;
    if (p.empty()) continue;  // binary (or text from older clients): channel byte + data
    std::string_view data(p.data() + 1, p.size() - 1);
    unsigned char channel = static_cast<unsigned char>(p[0]);
    if (channel == kStdin && ids.in && !stdin_closed) {
      if (!data.empty() && !spdy.send_data(ids.in, data)) break;
    } else if (channel == kResize && ids.resize) {
      if (!spdy.send_data(ids.resize, data)) break;
    } else if (channel == kCloseChannel && protocol == ChannelProtocol::V5 && !data.empty()) {
      if (static_cast<unsigned char>(data[0]) == kStdin && ids.in && !stdin_closed) {
        stdin_closed = true;
        if (!spdy.send_data(ids.in, "", /*fin=*/true)) break;
      }
    }
  }
  grace.reader_done();
  agent.close();
  from_agent.join();
  client.close();
}

void tunnel_websocket(http::RawStream& client, http::RawStream& agent) {
  WsConnection ws(client, /*client=*/false);
  CloseGrace grace;
  std::thread from_agent([&] {
    std::string buf(32768, '\0');
    for (;;) {
      auto n = agent.read_some(buf.data(), buf.size());
      if (!n || *n == 0) break;
      if (!ws.write_message(WsOpcode::Binary, std::string_view(buf.data(), *n))) break;
    }
    (void)ws.close(1000);
    grace.wait_then_close(client);
  });
  for (;;) {
    auto message = ws.read_message();
    if (!message || !*message || (*message)->opcode == WsOpcode::Close) break;
    if (!(*message)->payload.empty() && !agent.write((*message)->payload)) break;
  }
  grace.reader_done();
  agent.close();
  from_agent.join();
  client.close();
}

}  // namespace kite::base::stream
