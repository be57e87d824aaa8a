// LeaderElector on FakeClient with a ManualClock: acquiring, renewing, taking over an expired
// lease, releasing on stop, stepping down when renewals fail or another holder appears, and
// only one of two candidates leading.
#include "client/leader_election.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "base/ids.h"
#include "client/fake_client.h"

namespace kite::client {
namespace {

using namespace std::chrono_literals;

// Polls `pred` until it holds or 10 s pass.
template <typename Pred>
bool eventually(Pred pred) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return pred();
}

class LeaderElectionTest : public ::testing::Test {
 protected:
  LeaderElectionConfig config(const std::string& identity) {
    LeaderElectionConfig c;
    c.lease_namespace = "kube-system";
    c.lease_name = "kite-controllers";
    c.identity = identity;
    c.lease_duration = 15s;
    c.renew_deadline = 10s;
    c.retry_period = 2ms;  // real pause between attempts; lease times follow the ManualClock
    c.on_started_leading = [this, identity] { ++started_.at(identity); };
    c.on_stopped_leading = [this, identity] { ++stopped_.at(identity); };
    return c;
  }

  LeaderElectionTest() {
    for (const char* id : {"a", "b"}) {
      started_[id] = 0;
      stopped_[id] = 0;
    }
  }

  json lease() {
    auto l = fake_.get(resources::kLeases, "kube-system", "kite-controllers");
    return l ? *l : json();
  }
  std::string holder() {
    json l = lease();
    return l.is_object() ? l["spec"].value("holderIdentity", "") : "";
  }
  size_t lease_reads() {
    size_t n = 0;
    for (const auto& a : fake_.actions()) n += a.verb == "get" && a.resource == "leases";
    return n;
  }

  FakeClient fake_;
  base::ManualClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000))};
  std::map<std::string, std::atomic<int>> started_, stopped_;
};

TEST_F(LeaderElectionTest, AcquiresAnAbsentLease) {
  LeaderElector a(fake_, config("a"), clock_);
  a.start();
  ASSERT_TRUE(eventually([&] { return a.is_leader() && started_.at("a") == 1; }));
  json l = lease();
  EXPECT_EQ(l["apiVersion"], "coordination.k8s.io/v1");
  EXPECT_EQ(l["kind"], "Lease");
  EXPECT_EQ(l["spec"]["holderIdentity"], "a");
  EXPECT_EQ(l["spec"]["leaseDurationSeconds"], 15);
  EXPECT_EQ(l["spec"]["leaseTransitions"], 0);
  EXPECT_EQ(l["spec"]["acquireTime"], base::rfc3339_micro(clock_.now()));
  EXPECT_EQ(l["spec"]["renewTime"], "2027-01-15T08:00:00.000000Z");
}

TEST_F(LeaderElectionTest, RenewsTheLeaseKeepingAcquireTime) {
  LeaderElector a(fake_, config("a"), clock_);
  a.start();
  ASSERT_TRUE(eventually([&] { return a.is_leader(); }));
  std::string acquired = lease()["spec"]["acquireTime"];
  clock_.advance(2s);
  std::string renewed = base::rfc3339_micro(clock_.now());
  ASSERT_TRUE(eventually([&] { return lease()["spec"].value("renewTime", "") == renewed; }));
  EXPECT_EQ(lease()["spec"]["acquireTime"], acquired);
  EXPECT_EQ(lease()["spec"]["holderIdentity"], "a");
  EXPECT_TRUE(a.is_leader());
}

TEST_F(LeaderElectionTest, TakesOverOnlyOnceTheHoldersLeaseExpired) {
  fake_.seed(resources::kLeases,
             json{{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata", {{"name", "kite-controllers"}, {"namespace", "kube-system"}}},
                  {"spec",
                   {{"holderIdentity", "old"},
                    {"leaseDurationSeconds", 15},
                    {"acquireTime", base::rfc3339_micro(clock_.now() - 100s)},
                    {"renewTime", base::rfc3339_micro(clock_.now())},
                    {"leaseTransitions", 3}}}});
  LeaderElector b(fake_, config("b"), clock_);
  b.start();
  // Several attempts while the holder's lease is fresh: b waits.
  ASSERT_TRUE(eventually([&] { return lease_reads() >= 5; }));
  EXPECT_FALSE(b.is_leader());
  EXPECT_EQ(holder(), "old");

  clock_.advance(16s);
  ASSERT_TRUE(eventually([&] { return b.is_leader(); }));
  json l = lease();
  EXPECT_EQ(l["spec"]["holderIdentity"], "b");
  EXPECT_EQ(l["spec"]["leaseTransitions"], 4);
  EXPECT_EQ(l["spec"]["acquireTime"], base::rfc3339_micro(clock_.now()));
}

TEST_F(LeaderElectionTest, OnlyOneOfTwoCandidatesLeads) {
  LeaderElector a(fake_, config("a"), clock_);
  LeaderElector b(fake_, config("b"), clock_);
  a.start();
  b.start();
  ASSERT_TRUE(eventually([&] { return a.is_leader() || b.is_leader(); }));
  // Across many renewal rounds (time moving less than a lease duration each step), the
  // leader stays the leader and the other never leads.
  std::string leader = a.is_leader() ? "a" : "b";
  for (int i = 0; i < 20; ++i) {
    size_t reads = lease_reads();
    clock_.advance(1s);
    ASSERT_TRUE(eventually([&] { return lease_reads() >= reads + 4; }));
    EXPECT_NE(a.is_leader(), b.is_leader());
    EXPECT_EQ(holder(), leader);
  }
  EXPECT_EQ(started_.at(leader == "a" ? "b" : "a"), 0);
}

TEST_F(LeaderElectionTest, StopReleasesTheLeaseForAPeer) {
  auto a = std::make_unique<LeaderElector>(fake_, config("a"), clock_);
  a->start();
  ASSERT_TRUE(eventually([&] { return a->is_leader(); }));
  LeaderElector b(fake_, config("b"), clock_);
  b.start();
  ASSERT_TRUE(eventually([&] { return lease_reads() >= 10; }));
  EXPECT_FALSE(b.is_leader());

  a->stop();
  EXPECT_FALSE(a->is_leader());
  EXPECT_EQ(stopped_.at("a"), 1);
  // Released: b takes over without waiting out the lease (the clock does not move).
  ASSERT_TRUE(eventually([&] { return b.is_leader(); }));
  EXPECT_EQ(holder(), "b");
  EXPECT_EQ(lease()["spec"]["leaseTransitions"], 1);
}

TEST_F(LeaderElectionTest, StepsDownWhenRenewalsFailPastTheDeadline) {
  LeaderElector a(fake_, config("a"), clock_);
  a.start();
  ASSERT_TRUE(eventually([&] { return a.is_leader(); }));
  fake_.fail("get", "leases", base::Status(base::Reason::ServiceUnavailable, "etcd down"));
  clock_.advance(5s);  // within renew_deadline: still leading
  size_t reads = lease_reads();
  ASSERT_TRUE(eventually([&] { return lease_reads() >= reads + 5; }));
  EXPECT_TRUE(a.is_leader());
  clock_.advance(6s);  // 11 s without a renewal > renew_deadline (10 s)
  ASSERT_TRUE(eventually([&] { return !a.is_leader() && stopped_.at("a") == 1; }));
}

TEST_F(LeaderElectionTest, StepsDownWhenAnotherHolderTookTheLease) {
  LeaderElector a(fake_, config("a"), clock_);
  a.start();
  ASSERT_TRUE(eventually([&] { return a.is_leader(); }));
  json l = lease();
  l["spec"]["holderIdentity"] = "intruder";
  l["spec"]["renewTime"] = base::rfc3339_micro(clock_.now());
  // The elector renews concurrently: retry the compare-and-swap until it lands.
  ASSERT_TRUE(eventually([&] {
    json cur = lease();
    cur["spec"] = l["spec"];
    return fake_.update(resources::kLeases, cur).has_value();
  }));
  ASSERT_TRUE(eventually([&] { return !a.is_leader() && stopped_.at("a") == 1; }));
  EXPECT_EQ(holder(), "intruder");
}

}  // namespace
}  // namespace kite::client
