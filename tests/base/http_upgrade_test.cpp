// base/http upgrades over real TLS on 127.0.0.1: a handler takes the connection over after a
// 101 and echoes; dial_http() gets the raw stream back (client certificate seen by the
// server), reads a streamed chunked body for non-101 answers, and fails clearly on a dead port.
// Also the in-memory stream pair and splice().
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <thread>

#include "base/http/raw_stream.h"
#include "base/http/response_stream.h"
#include "base/http/server.h"
#include "base/http/upgrade_client.h"
#include "base/pki.h"

namespace kite::base::http {
namespace {

class HttpUpgradeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("kite-http-upgrade-" + *random_hex(6));
    std::filesystem::create_directories(dir_);
    auto ca = *generate_ca("test-ca");
    CertRequest serving{.common_name = "server", .ip_sans = {"127.0.0.1"}, .server = true};
    auto srv = *issue_certificate(ca, serving);
    CertRequest client{.common_name = "kube-apiserver", .organizations = {"kite"}, .client = true};
    auto cli = *issue_certificate(ca, client);
    write("ca.crt", ca.cert_pem);
    write("srv.crt", srv.cert_pem);
    write("srv.key", srv.key_pem);
    write("cli.crt", cli.cert_pem);
    write("cli.key", cli.key_pem);
    ServerOptions opts{.bind_address = "127.0.0.1", .port = 0, .cert_file = path("srv.crt"),
                       .key_file = path("srv.key"), .client_ca_file = path("ca.crt"), .io_threads = 1,
                       .worker_threads = 2};
    server_ = std::make_unique<Server>(opts, [](Request& req) {
      Response res;
      if (req.path == "/echo") {
        res.status = 101;
        res.set_header("Connection", "Upgrade");
        res.set_header("Upgrade", "echo");
        std::string who = req.peer ? req.peer->common_name : "anonymous";
        res.upgrade = [who](std::unique_ptr<RawStream> raw) {
          if (!raw->write("hello " + who + "\n")) return;
          char buf[256];
          for (;;) {
            auto n = raw->read_some(buf, sizeof buf);
            if (!n || *n == 0) return;
            if (!raw->write(std::string_view(buf, *n))) return;
          }
        };
        return res;
      }
      res.status = 200;
      res.stream = std::make_shared<ResponseStream>();
      if (req.path == "/late") {
        // Produced by another thread while the connection writes: the end must still arrive.
        std::thread([body = res.stream] {
          body->push(std::string(4 << 20, 'a'));
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          body->push("b");
          body->close();
        }).detach();
        return res;
      }
      res.stream->push("line 1\n");
      res.stream->push("line 2\n");
      res.stream->close();
      return res;
    });
    ASSERT_TRUE(server_->start());
  }
  void TearDown() override {
    server_->stop();
    std::filesystem::remove_all(dir_);
  }
  std::string path(const std::string& name) { return (dir_ / name).string(); }
  void write(const std::string& name, const std::string& data) {
    ASSERT_TRUE(write_file_atomic(path(name), data, 0600));
  }
  std::string url(const std::string& p) { return "https://127.0.0.1:" + std::to_string(server_->port()) + p; }

  std::filesystem::path dir_;
  std::unique_ptr<Server> server_;
};

TEST_F(HttpUpgradeTest, UpgradeGivesBothSidesTheRawConnection) {
  ClientRequest req{.url = url("/echo"),
                    .headers = {{"Connection", "Upgrade"}, {"Upgrade", "echo"}},
                    .ca_file = path("ca.crt"),
                    .cert_file = path("cli.crt"),
                    .key_file = path("cli.key")};
  auto res = dial_http(req);
  ASSERT_TRUE(res) << res.error().message();
  EXPECT_EQ(res->status, 101);
  EXPECT_EQ(res->header("upgrade"), "echo");
  char buf[64];
  std::string greeting(21, '\0');
  ASSERT_TRUE(read_exact(*res->stream, greeting.data(), greeting.size()));
  EXPECT_EQ(greeting, "hello kube-apiserver\n");
  // Full duplex: a writer thread while this thread reads.
  std::string sent;
  for (int i = 0; i < 2000; ++i) sent += "0123456789";
  std::thread writer([&] { ASSERT_TRUE(res->stream->write(sent)); });
  std::string got(sent.size(), '\0');
  ASSERT_TRUE(read_exact(*res->stream, got.data(), got.size()));
  writer.join();
  EXPECT_EQ(got, sent);
  res->stream->close();
  EXPECT_FALSE(res->stream->read_some(buf, sizeof buf));
}

TEST_F(HttpUpgradeTest, NonUpgradeResponseBodyIsStreamed) {
  auto res = dial_http({.url = url("/logs"), .ca_file = path("ca.crt")});
  ASSERT_TRUE(res) << res.error().message();
  EXPECT_EQ(res->status, 200);
  auto body = read_all(*res->stream);
  ASSERT_TRUE(body) << body.error().message();
  EXPECT_EQ(*body, "line 1\nline 2\n");
}

TEST_F(HttpUpgradeTest, StreamEndingWhileAChunkIsWrittenIsNotLost) {
  // A notification that arrived while the previous chunk was being written once went unseen,
  // leaving the response without its last chunk until the client gave up.
  for (int i = 0; i < 3; ++i) {
    auto res = dial_http({.url = url("/late"), .ca_file = path("ca.crt")});
    ASSERT_TRUE(res) << res.error().message();
    RawStream* body = res->stream.get();
    auto reader = std::async(std::launch::async, [body] {
      // Read late, so the server is still writing the first chunk when the rest comes.
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::string all;
      char buf[16384];
      for (;;) {
        auto n = body->read_some(buf, sizeof buf);
        if (!n || *n == 0) return all;
        all.append(buf, *n);
      }
    });
    if (reader.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      body->close();
      FAIL() << "request " << i << ": the stream's end never arrived";
    }
    EXPECT_EQ(reader.get().size(), (4u << 20) + 1);
  }
}

TEST_F(HttpUpgradeTest, WrongCaOrDeadPortFail) {
  auto other = *generate_ca("other");
  write("other.crt", other.cert_pem);
  auto bad = dial_http({.url = url("/logs"), .ca_file = path("other.crt")});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().reason(), Reason::ServiceUnavailable);
  auto dead = dial_http({.url = "https://127.0.0.1:1/x", .timeout = std::chrono::seconds(2)});
  ASSERT_FALSE(dead);
  EXPECT_NE(dead.error().message().find("127.0.0.1:1"), std::string::npos);
}

TEST(RawStreamTest, PairAndSpliceCarryBytesAndEof) {
  auto [a, b] = make_stream_pair();
  auto [c, d] = make_stream_pair();
  std::thread joiner([&] { splice(*b, *c); });  // a <-> (b splice c) <-> d
  ASSERT_TRUE(a->write("ping"));
  char buf[8];
  ASSERT_TRUE(read_exact(*d, buf, 4));
  EXPECT_EQ(std::string(buf, 4), "ping");
  ASSERT_TRUE(d->write("pong"));
  ASSERT_TRUE(read_exact(*a, buf, 4));
  EXPECT_EQ(std::string(buf, 4), "pong");
  a->close_write();
  EXPECT_EQ(*d->read_some(buf, sizeof buf), 0u);
  d->close_write();
  EXPECT_EQ(*a->read_some(buf, sizeof buf), 0u);
  joiner.join();
}

}  // namespace
}  // namespace kite::base::http
