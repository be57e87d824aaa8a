// EtcdStore and EtcdSupervisor against a real etcd that gets killed: calls fail within the
// deadline while it is down, succeed after it is back, watches resume without losing events,
// and the supervisor restarts a killed etcd by itself.
#include <csignal>
#include <gtest/gtest.h>

#include "base/process.h"
#include "server/kv/etcd_store.h"
#include "server/kv/etcd_supervisor.h"
#include "tests/server/kv/kv_test_util.h"

namespace kite::kv {
namespace {

using base::Reason;
using testing::eventually;
using testing::Recorder;
using namespace std::chrono_literals;

// An etcd child the test controls directly (no supervisor restarting it behind our back).
class ManualEtcd {
 public:
  explicit ManualEtcd(std::string data_dir) : data_dir_(std::move(data_dir)) {
    client_port_ = base::free_tcp_port().value_or(0);
    do peer_port_ = base::free_tcp_port().value_or(0);
    while (peer_port_ == client_port_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(client_port_); }
  base::Result<void> start() {
    std::string peer = "http://127.0.0.1:" + std::to_string(peer_port_);
    auto p = base::Process::spawn(base::SpawnOptions{
        .argv = {"/usr/bin/etcd", "--data-dir=" + data_dir_, "--listen-client-urls=" + url(),
                 "--advertise-client-urls=" + url(), "--listen-peer-urls=" + peer,
                 "--initial-advertise-peer-urls=" + peer, "--initial-cluster=default=" + peer,
                 "--logger=zap", "--log-outputs=stderr"},
        .log_file = data_dir_ + ".log"});
    if (!p) return std::unexpected(p.error());
    process_ = std::move(*p);
    return {};
  }
  void kill() {
    process_.signal(SIGKILL);
    process_.wait_for(5s);
  }

 private:
  std::string data_dir_;
  int client_port_ = 0, peer_port_ = 0;
  base::Process process_;
};

TEST(EtcdResilience, CallsFailWhileDownAndWatchResumesWithoutLoss) {
  testing::TempDir dir;
  ManualEtcd etcd(dir.path() + "/etcd");
  ASSERT_TRUE(etcd.start());
  EtcdOptions opts{.endpoints = {etcd.url()}, .deadline = 1s};
  auto store = EtcdStore::connect(opts);
  ASSERT_TRUE(store);
  auto& s = **store;
  ASSERT_TRUE(eventually([&] { return s.health().has_value(); }));

  Recorder rec;
  auto w = s.watch(WatchRequest{.key = "/r/", .range_end = prefix_end("/r/")}, rec.callback());
  ASSERT_TRUE(w) << w.error().message();
  ASSERT_TRUE(s.create("/r/1", "a"));
  ASSERT_TRUE(rec.wait_events(1));

  etcd.kill();
  const auto before = std::chrono::steady_clock::now();
  auto down = s.create("/r/2", "b");
  const auto took = std::chrono::steady_clock::now() - before;
  ASSERT_FALSE(down);
  EXPECT_TRUE(down.error().reason() == Reason::ServiceUnavailable ||
              down.error().reason() == Reason::Timeout)
      << down.error().message();
  EXPECT_LT(took, 2s);

  ASSERT_TRUE(etcd.start());
  // Writes succeed again once etcd is back; the watch stream may still be reconnecting.
  ASSERT_TRUE(eventually([&] {
    auto r = s.create("/r/2", "b");  // AlreadyExists: an earlier attempt's lost reply
    return r.has_value() || r.error().reason() == Reason::AlreadyExists;
  }, 20s));
  for (int i = 3; i <= 6; ++i) ASSERT_TRUE(s.create("/r/" + std::to_string(i), "x"));
  ASSERT_TRUE(rec.wait_events(6, 20s)) << "watch did not resume";
  auto ev = rec.events();
  ASSERT_EQ(ev.size(), 6u);
  for (size_t i = 0; i < ev.size(); ++i) {
    EXPECT_EQ(ev[i].kv.key, "/r/" + std::to_string(i + 1));
    if (i > 0) {
      EXPECT_GT(ev[i].kv.mod_revision, ev[i - 1].kv.mod_revision);
    }
  }
  etcd.kill();
}

TEST(EtcdResilience, WatchResumingFromCompactedRevisionGetsGone) {
  testing::TempDir dir;
  ManualEtcd etcd(dir.path() + "/etcd");
  ASSERT_TRUE(etcd.start());
  auto store = EtcdStore::connect(EtcdOptions{.endpoints = {etcd.url()}, .deadline = 1s});
  ASSERT_TRUE(store);
  auto& s = **store;
  ASSERT_TRUE(eventually([&] { return s.health().has_value(); }));
  Recorder rec;
  auto w = s.watch(WatchRequest{.key = "/c/", .range_end = prefix_end("/c/")}, rec.callback());
  ASSERT_TRUE(w);
  ASSERT_TRUE(s.create("/c/1", "a"));
  ASSERT_TRUE(rec.wait_events(1));

  etcd.kill();
  ASSERT_TRUE(etcd.start());
  // While the stream reconnects, move past the watch's resume point and compact it away.
  std::optional<int64_t> rev;
  // (A create whose reply was lost to a timeout may still have been applied: AlreadyExists
  // then means it was.)
  ASSERT_TRUE(eventually([&] {
    auto r = s.create("/c/2", "b");
    if (r) rev = *r;
    return r.has_value() || r.error().reason() == Reason::AlreadyExists;
  }, 20s));
  ASSERT_TRUE(s.create("/c/3", "c"));
  auto cur = s.current_revision();
  ASSERT_TRUE(cur);
  ASSERT_TRUE(s.compact(*cur));
  // Either the watch resumed before the compaction (it sees /c/2 and /c/3) or it gets Gone.
  ASSERT_TRUE(rec.wait([](const auto& us) {
    size_t events = 0;
    for (const auto& u : us) {
      if (u.error) return true;
      events += u.events.size();
    }
    return events >= 3;
  }, 20s));
  for (const auto& u : rec.updates()) {
    if (u.error) {
      EXPECT_EQ(u.error->reason(), Reason::Gone);
    }
  }
  etcd.kill();
}

TEST(EtcdResilience, RequestTooLarge) {
  testing::TempDir dir;
  EtcdSupervisor sup(EtcdSupervisorOptions{.data_dir = dir.path() + "/etcd"});
  ASSERT_TRUE(sup.start());
  auto store = EtcdStore::connect(EtcdOptions{.endpoints = {sup.client_url()}});
  ASSERT_TRUE(store);
  auto big = (*store)->create("/big", std::string(1600 * 1024, 'x'));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().reason(), Reason::RequestEntityTooLarge) << big.error().message();
  auto huge = (*store)->create("/huge", std::string(3 * 1024 * 1024, 'x'));
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().reason(), Reason::RequestEntityTooLarge) << huge.error().message();
  EXPECT_TRUE((*store)->create("/ok", std::string(1024 * 1024, 'x')));
}

TEST(EtcdSupervisor, RestartsKilledEtcdAndKeepsData) {
  testing::TempDir dir;
  EtcdSupervisor sup(EtcdSupervisorOptions{.data_dir = dir.path() + "/etcd"});
  auto started = sup.start();
  ASSERT_TRUE(started) << started.error().message();
  EXPECT_TRUE(sup.client_url().starts_with("http://127.0.0.1:"));
  auto store = EtcdStore::connect(EtcdOptions{.endpoints = {sup.client_url()}, .deadline = 1s});
  ASSERT_TRUE(store);
  ASSERT_TRUE((*store)->create("/keep", "me"));

  const pid_t first = sup.pid();
  ASSERT_GT(first, 0);
  ASSERT_EQ(::kill(first, SIGKILL), 0);
  ASSERT_TRUE(eventually([&] { return sup.pid() != 0 && sup.pid() != first; }, 20s));
  EXPECT_GE(sup.restarts(), 1);
  ASSERT_TRUE(sup.wait_healthy(20s));
  ASSERT_TRUE(eventually([&] {
    auto g = (*store)->get("/keep");
    return g && g->has_value() && (*g)->value == "me";
  }, 20s));

  const pid_t second = sup.pid();
  sup.stop();
  EXPECT_EQ(sup.pid(), 0);
  EXPECT_NE(::kill(second, 0), 0);  // reaped: no such process
}

TEST(EtcdSupervisor, TwoSideBySide) {
  testing::TempDir dir;
  EtcdSupervisor a(EtcdSupervisorOptions{.data_dir = dir.path() + "/a"});
  EtcdSupervisor b(EtcdSupervisorOptions{.data_dir = dir.path() + "/b"});
  ASSERT_TRUE(a.start());
  ASSERT_TRUE(b.start());
  EXPECT_NE(a.client_url(), b.client_url());
}

TEST(EtcdSupervisor, MissingBinaryFailsToStart) {
  testing::TempDir dir;
  EtcdSupervisor sup(EtcdSupervisorOptions{.data_dir = dir.path() + "/x",
                                           .etcd_binary = "/nonexistent/etcd"});
  auto r = sup.start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason(), Reason::InternalError);
}

TEST(Process, SpawnWaitTerminate) {
  testing::TempDir dir;
  auto p = base::Process::spawn(base::SpawnOptions{
      .argv = {"sh", "-c", "echo hello $KITE_X; exit 3"}, .env = {{"KITE_X", "world"}},
      .log_file = dir.path() + "/out.log"});
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->wait_for(10s));
  ASSERT_TRUE(p->exit_status());
  EXPECT_TRUE(p->exit_status()->exited);
  EXPECT_EQ(p->exit_status()->exit_code, 3);

  auto sleeper = base::Process::spawn(base::SpawnOptions{.argv = {"sleep", "60"}});
  ASSERT_TRUE(sleeper);
  EXPECT_TRUE(sleeper->is_running());
  sleeper->terminate(5s);
  EXPECT_FALSE(sleeper->is_running());
  EXPECT_EQ(sleeper->exit_status()->signal, SIGTERM);

  auto missing = base::Process::spawn(base::SpawnOptions{.argv = {"/no/such/program"}});
  EXPECT_FALSE(missing);
  auto port = base::free_tcp_port();
  ASSERT_TRUE(port);
  EXPECT_GT(*port, 0);
}

}  // namespace
}  // namespace kite::kv
