// LeaderElector: client-go's leaderelection loop on a coordination.k8s.io/v1 Lease.
//
// The elector's thread campaigns (tries to acquire every retry_period), then while leading
// renews every retry_period; if no renewal succeeds for renew_deadline, or another holder is
// seen, it stops leading and campaigns again. Time judgments (lease expiry, renew deadline)
// use the injected clock; the pauses between attempts are real time (retry_period).
#include "client/leader_election.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <unistd.h>

#include "base/ids.h"
#include "base/log.h"

namespace kite::client {

namespace {

using Time = base::Clock::time_point;

struct LeaseRecord {
  std::string holder;
  int64_t duration_seconds = 0;
  std::string acquire_time;
  std::string renew_time;
  int64_t transitions = 0;

  static LeaseRecord from(const json& lease) {
    LeaseRecord r;
    auto spec = lease.find("spec");
    if (spec == lease.end() || !spec->is_object()) return r;
    auto str = [&](const char* k) {
      auto it = spec->find(k);
      return it != spec->end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    auto num = [&](const char* k) {
      auto it = spec->find(k);
      return it != spec->end() && it->is_number_integer() ? it->get<int64_t>() : int64_t{0};
    };
    r.holder = str("holderIdentity");
    r.duration_seconds = num("leaseDurationSeconds");
    r.acquire_time = str("acquireTime");
    r.renew_time = str("renewTime");
    r.transitions = num("leaseTransitions");
    return r;
  }

  json to_spec() const {
    json spec = json::object();
    if (!holder.empty()) spec["holderIdentity"] = holder;
    spec["leaseDurationSeconds"] = duration_seconds;
    if (!acquire_time.empty()) spec["acquireTime"] = acquire_time;
    if (!renew_time.empty()) spec["renewTime"] = renew_time;
    spec["leaseTransitions"] = transitions;
    return spec;
  }

  bool operator==(const LeaseRecord&) const = default;
};

enum class Attempt { kHeld, kHeldByOther, kFailed };

}  // namespace

struct LeaderElector::State {
  Client& client;
  LeaderElectionConfig config;
  const base::Clock& clock;

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread thread;
  std::atomic<bool> leader{false};

  // The last lease record seen and when (by our clock) it was first seen as it is.
  std::optional<LeaseRecord> observed;
  Time observed_at{};

  State(Client& c, LeaderElectionConfig cfg, const base::Clock& clk)
      : client(c), config(std::move(cfg)), clock(clk) {
    if (config.identity.empty()) {
      // An empty holderIdentity means "free": every candidate needs a name of its own.
      char host[256] = {};
      ::gethostname(host, sizeof host - 1);
      config.identity = std::string(host) + "_" + base::new_uuid();
    }
  }

  int64_t duration_seconds() const {
    return std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(config.lease_duration).count());
  }

  json new_lease(const LeaseRecord& r) const {
    return {{"apiVersion", "coordination.k8s.io/v1"},
            {"kind", "Lease"},
            {"metadata", {{"name", config.lease_name}, {"namespace", config.lease_namespace}}},
            {"spec", r.to_spec()}};
  }

  void observe(const LeaseRecord& r, Time now) {
    if (!observed || !(*observed == r)) {
      observed = r;
      observed_at = now;
    }
  }

  // Whether the holder `r` (not us) still holds the lease at `now`: it renewed within its
  // lease duration, by its renewTime or by what we observed changing.
  bool held_by_other(const LeaseRecord& r, Time now) const {
    if (r.holder.empty() || r.holder == config.identity) return false;
    auto duration = std::chrono::seconds(r.duration_seconds > 0 ? r.duration_seconds : duration_seconds());
    Time renewed{};
    bool renew_time_valid = base::parse_rfc3339(r.renew_time, &renewed);
    bool renew_expired = !renew_time_valid || renewed + duration <= now;
    bool observed_expired = observed_at + duration <= now;
    return !(renew_expired || observed_expired);
  }

  // One client-go tryAcquireOrRenew.
  Attempt try_acquire_or_renew() {
    Time now = clock.now();
    LeaseRecord mine;
    mine.holder = config.identity;
    mine.duration_seconds = duration_seconds();
    mine.acquire_time = base::rfc3339_micro(now);
    mine.renew_time = mine.acquire_time;

    auto got = client.get(resources::kLeases, config.lease_namespace, config.lease_name);
    if (!got) {
      if (got.error().reason() != base::Reason::NotFound) {
        KITE_LOG(warn, "leader-election") << "reading lease " << config.lease_namespace << "/" << config.lease_name
                                          << ": " << got.error().message();
        return Attempt::kFailed;
      }
      auto created = client.create(resources::kLeases, config.lease_namespace, new_lease(mine));
      if (!created) {
        if (created.error().reason() != base::Reason::AlreadyExists) {
          KITE_LOG(warn, "leader-election") << "creating lease: " << created.error().message();
        }
        return Attempt::kFailed;
      }
      observe(mine, now);
      return Attempt::kHeld;
    }

    LeaseRecord old = LeaseRecord::from(*got);
    observe(old, now);
    if (held_by_other(old, now)) return Attempt::kHeldByOther;

    if (old.holder == config.identity) {
      mine.acquire_time = old.acquire_time.empty() ? mine.acquire_time : old.acquire_time;
      mine.transitions = old.transitions;
    } else {
      mine.transitions = old.transitions + 1;
    }
    json lease = *got;
    lease["spec"] = mine.to_spec();
    auto updated = client.update(resources::kLeases, lease);  // CAS on metadata.resourceVersion
    if (!updated) {
      if (updated.error().reason() != base::Reason::Conflict) {
        KITE_LOG(warn, "leader-election") << "updating lease: " << updated.error().message();
      }
      return Attempt::kFailed;
    }
    observe(mine, now);
    return Attempt::kHeld;
  }

  // Clears holderIdentity so that a peer may take over at once.
  void release() {
    auto got = client.get(resources::kLeases, config.lease_namespace, config.lease_name);
    if (!got) return;
    LeaseRecord old = LeaseRecord::from(*got);
    if (old.holder != config.identity) return;
    std::string now = base::rfc3339_micro(clock.now());
    LeaseRecord released;
    released.duration_seconds = 1;
    released.acquire_time = now;
    released.renew_time = now;
    released.transitions = old.transitions;
    json lease = *got;
    lease["spec"] = released.to_spec();
    if (auto updated = client.update(resources::kLeases, lease); !updated) {
      KITE_LOG(warn, "leader-election") << "releasing lease: " << updated.error().message();
    }
  }

  // Waits one retry period; false when stopping.
  bool pause() {
    std::unique_lock lock(mu);
    cv.wait_for(lock, config.retry_period, [&] { return stopping; });
    return !stopping;
  }

  bool is_stopping() {
    std::lock_guard lock(mu);
    return stopping;
  }

  void run() {
    while (!is_stopping()) {
      // Campaign.
      while (try_acquire_or_renew() != Attempt::kHeld) {
        if (!pause()) return;
      }
      if (is_stopping()) {
        release();
        return;
      }
      leader = true;
      KITE_LOG(info, "leader-election") << config.identity << " became leader of lease " << config.lease_namespace
                                        << "/" << config.lease_name;
      if (config.on_started_leading) config.on_started_leading();

      // Lead: renew until the deadline passes without a renewal, another holder appears, or stop.
      Time last_renewed = clock.now();
      bool stopped = false;
      for (;;) {
        if (!pause()) {
          stopped = true;
          break;
        }
        Attempt a = try_acquire_or_renew();
        if (a == Attempt::kHeld) {
          last_renewed = clock.now();
          continue;
        }
        if (a == Attempt::kHeldByOther || clock.now() - last_renewed >= config.renew_deadline) break;
      }
      if (stopped) release();
      leader = false;
      KITE_LOG(info, "leader-election") << config.identity << " stopped leading lease " << config.lease_namespace
                                        << "/" << config.lease_name;
      if (config.on_stopped_leading) config.on_stopped_leading();
    }
  }
};

LeaderElector::LeaderElector(Client& client, LeaderElectionConfig config, const base::Clock& clock)
    : state_(std::make_unique<State>(client, std::move(config), clock)) {}

LeaderElector::~LeaderElector() { stop(); }

void LeaderElector::start() {
  std::lock_guard lock(state_->mu);
  if (state_->thread.joinable() || state_->stopping) return;
  state_->thread = std::thread([s = state_.get()] { s->run(); });
}

void LeaderElector::stop() {
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
    state_->cv.notify_all();
  }
  if (!state_->thread.joinable()) return;
  if (state_->thread.get_id() == std::this_thread::get_id()) {
    state_->thread.detach();  // stop() from a callback: the thread ends by itself
    return;
  }
  state_->thread.join();
}

bool LeaderElector::is_leader() const { return state_->leader; }

}  // namespace kite::client
