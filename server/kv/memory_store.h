// MemoryStore: kv::Store in process, with etcd's semantics, for unit tests and single-process
// experiments (nothing is persisted).
//
// Revisions, create/mod revision and version, reads at old revisions, compaction (Gone),
// transaction compares, leases and watches from a revision all behave as in etcd (see
// tests/server/kv/, which runs the same suite against EtcdStore). Lease expiry follows the
// injected clock: tests pass a manual clock and advance it; expiry is checked on every call
// and by a background thread every 50 ms.
//
// Threads: one dispatcher thread runs every watch callback (so callbacks of all watches are
// serialized, in revision order); one thread checks lease expiry. Every method is thread-safe
// and may be called from a watch callback. A Watch handle may outlive the store (its
// cancel() is then a no-op).
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "server/kv/store.h"

namespace kite::kv {

class MemoryStore : public Store {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // `clock` defaults to std::chrono::steady_clock::now.
  explicit MemoryStore(Clock clock = {});
  ~MemoryStore() override;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  Result<RangeResponse> range(const RangeRequest& req) override;
  Result<TxnResponse> txn(const TxnRequest& req) override;
  Result<std::unique_ptr<Watch>> watch(const WatchRequest& req,
                                       std::function<void(WatchUpdate)> callback) override;
  Result<int64_t> lease_grant(std::chrono::seconds ttl) override;
  Result<void> lease_keepalive(int64_t lease_id) override;
  Result<void> lease_revoke(int64_t lease_id) override;
  Result<void> compact(int64_t revision) override;
  Result<int64_t> current_revision() override;

  // Revokes every lease whose deadline has passed on the clock (also done automatically).
  void expire_leases();

  struct Core;

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace kite::kv
