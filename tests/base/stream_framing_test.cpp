// WebSocket and SPDY/3.1 framing: encode/decode round trips (masking, length forms,
// fragmentation, control frames, every SPDY frame type with zlib+dictionary header blocks
// across several frames on one connection), and the v5 WebSocket <-> SPDY exec translation
// against an in-memory SPDY peer.
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "base/http/raw_stream.h"
#include "base/stream/channel_translator.h"
#include "base/stream/spdy_connection.h"
#include "base/stream/spdy_frame.h"
#include "base/stream/websocket.h"

namespace kite::base::stream {
namespace {

TEST(WebSocketTest, AcceptKeyMatchesRfcExample) {
  EXPECT_EQ(websocket_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketTest, FramesRoundTripWithMaskAndAllLengthForms) {
  for (size_t len : {size_t{0}, size_t{5}, size_t{125}, size_t{126}, size_t{65535}, size_t{70000}}) {
    std::string payload(len, 'x');
    for (size_t i = 0; i < len; ++i) payload[i] = static_cast<char>(i * 7);
    for (bool masked : {false, true}) {
      std::string wire = encode_ws_frame(WsOpcode::Binary, payload, true,
                                         masked ? std::optional<uint32_t>(0xa1b2c3d4) : std::nullopt);
      std::string partial = wire.substr(0, wire.size() - 1);
      auto none = decode_ws_frame(partial);
      ASSERT_TRUE(none);
      EXPECT_FALSE(*none);
      auto f = decode_ws_frame(wire);
      ASSERT_TRUE(f && *f);
      EXPECT_EQ((*f)->payload, payload) << len << " masked=" << masked;
      EXPECT_TRUE(wire.empty());
    }
  }
  std::string bad = std::string("\xF2\x00", 2);  // reserved bits
  EXPECT_FALSE(decode_ws_frame(bad));
}

TEST(WebSocketTest, ConnectionJoinsFragmentsAnswersPingsAndCloses) {
  auto [a, b] = http::make_stream_pair();
  WsConnection server(*a, false);
  // A client writes a fragmented message with a ping in the middle, then a close.
  std::string wire = encode_ws_frame(WsOpcode::Binary, "hel", false, 1u) +
                     encode_ws_frame(WsOpcode::Ping, "p", true, 2u) +
                     encode_ws_frame(WsOpcode::Continuation, "lo", true, 3u) +
                     encode_ws_frame(WsOpcode::Close, std::string("\x03\xe8", 2), true, 4u);
  ASSERT_TRUE(b->write(wire));
  auto m = server.read_message();
  ASSERT_TRUE(m && *m);
  EXPECT_EQ((*m)->payload, "hello");
  auto c = server.read_message();
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->opcode, WsOpcode::Close);
  ASSERT_TRUE(server.close(1000));
  WsConnection client(*b, true);
  a->close_write();
  // The pong for the ping, then our close frame.
  std::string in;
  char buf[64];
  auto n = b->read_some(buf, sizeof buf);
  ASSERT_TRUE(n);
  in.append(buf, *n);
  auto pong = decode_ws_frame(in);
  ASSERT_TRUE(pong && *pong);
  EXPECT_EQ((*pong)->opcode, WsOpcode::Pong);
  EXPECT_EQ((*pong)->payload, "p");
}

TEST(SpdyFrameTest, EveryFrameTypeRoundTripsThroughOneConnectionCodec) {
  SpdyCodec writer, reader;
  std::vector<SpdyFrame> frames;
  SpdyFrame syn{.type = SpdyType::SynStream, .stream_id = 1, .priority = 3,
                .headers = {{"streamtype", "error"}, {"port", "8080"}}};
  SpdyFrame syn2{.type = SpdyType::SynStream, .stream_id = 3, .headers = {{"streamtype", "stdout"}}};
  SpdyFrame reply{.type = SpdyType::SynReply, .stream_id = 1, .headers = {{"status", "200"}}};
  SpdyFrame data{.type = SpdyType::Data, .flags = kSpdyFlagFin, .stream_id = 3, .data = std::string(100000, 'z')};
  SpdyFrame rst{.type = SpdyType::RstStream, .stream_id = 5, .status = kSpdyRstCancel};
  SpdyFrame goaway{.type = SpdyType::GoAway, .stream_id = 7, .status = 0};
  SpdyFrame ping{.type = SpdyType::Ping, .ping_id = 42};
  SpdyFrame settings{.type = SpdyType::Settings, .settings = {{1, 4, 100}, {0, 7, 65536}}};
  SpdyFrame window{.type = SpdyType::WindowUpdate, .stream_id = 3, .delta_window = 4096};
  SpdyFrame headers{.type = SpdyType::Headers, .stream_id = 3, .headers = {{"a", std::string("x\0y", 3)}}};
  frames = {syn, syn2, reply, data, rst, goaway, ping, settings, window, headers};
  std::string wire;
  for (auto& f : frames) {
    auto bytes = writer.encode(f);
    ASSERT_TRUE(bytes) << bytes.error().message();
    wire += *bytes;
  }
  for (auto& want : frames) {
    auto got = reader.decode(wire);
    ASSERT_TRUE(got) << got.error().message();
    ASSERT_TRUE(*got);
    const SpdyFrame& f = **got;
    EXPECT_EQ(f.type, want.type);
    EXPECT_EQ(f.flags, want.flags);
    EXPECT_EQ(f.stream_id, want.stream_id);
    EXPECT_EQ(f.priority, want.priority);
    EXPECT_EQ(f.status, want.status);
    EXPECT_EQ(f.ping_id, want.ping_id);
    EXPECT_EQ(f.delta_window, want.delta_window);
    EXPECT_EQ(f.headers, want.headers);
    EXPECT_EQ(f.data, want.data);
    ASSERT_EQ(f.settings.size(), want.settings.size());
    for (size_t i = 0; i < f.settings.size(); ++i) {
      EXPECT_EQ(f.settings[i].id, want.settings[i].id);
      EXPECT_EQ(f.settings[i].flags, want.settings[i].flags);
      EXPECT_EQ(f.settings[i].value, want.settings[i].value);
    }
  }
  EXPECT_TRUE(wire.empty());
  EXPECT_EQ(syn.header("streamtype"), "error");
}

TEST(SpdyFrameTest, HeaderBlockUsesTheSpdy3Dictionary) {
  // The zlib header of the first block announces the dictionary's Adler-32 (FDICT set).
  SpdyCodec codec;
  auto bytes = codec.encode({.type = SpdyType::SynReply, .stream_id = 1, .headers = {{"x", "y"}}});
  ASSERT_TRUE(bytes);
  const std::string& b = *bytes;
  ASSERT_GT(b.size(), 18u);
  EXPECT_TRUE(static_cast<unsigned char>(b[13]) & 0x20);  // FLG.FDICT
  uLong adler = adler32(adler32(0, nullptr, 0), kSpdyDictionary, static_cast<uInt>(kSpdyDictionarySize));
  uint32_t announced = static_cast<uint32_t>(static_cast<unsigned char>(b[14])) << 24 |
                       static_cast<uint32_t>(static_cast<unsigned char>(b[15])) << 16 |
                       static_cast<uint32_t>(static_cast<unsigned char>(b[16])) << 8 |
                       static_cast<unsigned char>(b[17]);
  EXPECT_EQ(announced, adler);
  EXPECT_EQ(kSpdyDictionarySize, 1423u);
}

// A fake agent: accepts the client's streams, echoes stdin to stdout until stdin's FIN, records
// resize messages, then sends an exit-code Status on the error stream and goes away.
TEST(ChannelTranslatorTest, V5ExecTranslatesStdinCloseResizeAndExitCode) {
  auto [client_end, translator_client] = http::make_stream_pair();
  auto [translator_agent, agent_end] = http::make_stream_pair();
  std::thread translator([&, tc = translator_client.get(), ta = translator_agent.get()] {
    translate_exec(*tc, *ta, {.stdin_open = true, .stdout_open = true, .stderr_open = true, .tty = true},
                   ChannelProtocol::V5);
  });
  std::string resize_seen;
  std::thread agent([&, ae = agent_end.get()] {
    SpdyConnection spdy(*ae, false);
    std::map<std::string, uint32_t> ids;
    std::map<uint32_t, std::string> types;
    for (;;) {
      auto f = spdy.read();
      if (!f || !*f) return;
      SpdyFrame& fr = **f;
      if (fr.type == SpdyType::SynStream) {
        ids[fr.header("streamtype")] = fr.stream_id;
        types[fr.stream_id] = fr.header("streamtype");
        ASSERT_TRUE(spdy.write({.type = SpdyType::SynReply, .stream_id = fr.stream_id}));
      } else if (fr.type == SpdyType::Data && types[fr.stream_id] == "stdin") {
        if (!fr.data.empty()) {
          ASSERT_TRUE(spdy.send_data(ids["stdout"], "echo:" + fr.data));
        }
        if (fr.fin()) {
          std::string status =
              R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}})";
          ASSERT_TRUE(spdy.send_data(ids["error"], status, true));
          ae->close();
          return;
        }
      } else if (fr.type == SpdyType::Data && types[fr.stream_id] == "resize") {
        resize_seen += fr.data;
      }
    }
  });
  WsConnection ws(*client_end, true);
  ASSERT_TRUE(ws.write_message(WsOpcode::Binary, std::string("\x04") + R"({"Width":80,"Height":24})"));
  ASSERT_TRUE(ws.write_message(WsOpcode::Binary, std::string("\x00hi", 3)));
  auto out = ws.read_message();
  ASSERT_TRUE(out && *out);
  EXPECT_EQ((*out)->payload, std::string("\x01") + "echo:hi");
  ASSERT_TRUE(ws.write_message(WsOpcode::Binary, std::string("\xff\x00", 2)));  // close stdin
  auto err = ws.read_message();
  ASSERT_TRUE(err && *err);
  ASSERT_FALSE((*err)->payload.empty());
  EXPECT_EQ((*err)->payload[0], '\x03');
  EXPECT_NE((*err)->payload.find("\"message\":\"3\""), std::string::npos);
  auto close = ws.read_message();
  ASSERT_TRUE(close && *close);
  EXPECT_EQ((*close)->opcode, WsOpcode::Close);
  ASSERT_TRUE(ws.close(1000));  // the client's answer ends the translator at once
  agent.join();
  translator.join();
  EXPECT_EQ(resize_seen, R"({"Width":80,"Height":24})");
}

TEST(ChannelTranslatorTest, TunnelPassesBinaryPayloadsBothWays) {
  auto [client_end, tc] = http::make_stream_pair();
  auto [ta, agent_end] = http::make_stream_pair();
  std::thread tunnel([&, c = tc.get(), a = ta.get()] { tunnel_websocket(*c, *a); });
  WsConnection ws(*client_end, true);
  ASSERT_TRUE(ws.write_message(WsOpcode::Binary, "spdy-bytes"));
  char buf[10];
  ASSERT_TRUE(http::read_exact(*agent_end, buf, 10));
  EXPECT_EQ(std::string(buf, 10), "spdy-bytes");
  ASSERT_TRUE(agent_end->write("reply"));
  auto m = ws.read_message();
  ASSERT_TRUE(m && *m);
  EXPECT_EQ((*m)->payload, "reply");
  agent_end->close_write();
  auto c = ws.read_message();
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->opcode, WsOpcode::Close);
  client_end->close();
  tunnel.join();
}

}  // namespace
}  // namespace kite::base::stream
