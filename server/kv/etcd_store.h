// EtcdStore: kv::Store over gRPC to a real etcd v3 (3.4+).
//
// Unary calls (range, txn, leases, compact) carry a deadline (Options::deadline) and try the
// endpoints in order, starting with the last one that answered, moving on when one is
// unreachable. Errors map to reasons: unreachable -> ServiceUnavailable, deadline ->
// Timeout, compacted revision -> Gone, request over etcd's --max-request-bytes ->
// RequestEntityTooLarge, unknown lease -> NotFound.
//
// Watches share one bidirectional Watch stream (see etcd_watch_stream.h) that survives etcd
// restarts: each watch resumes from the revision after the last one delivered.
//
// Thread safety: every method is thread-safe. Threads: the watch stream's reader and
// dispatcher (watch callbacks run on the dispatcher). Watch handles must be destroyed
// before the store.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "server/kv/store.h"

namespace grpc {
class Channel;
}

namespace kite::kv {

namespace etcd {
class EtcdWatchStream;
}

struct EtcdOptions {
  // Client URLs: "http://127.0.0.1:2379", "https://10.0.0.5:2379". At least one.
  std::vector<std::string> endpoints;
  // TLS (for https endpoints): CA bundle, and a client certificate + key for mutual TLS.
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  // Deadline of each unary call, and of watch creation.
  std::chrono::milliseconds deadline{5000};
};

class EtcdStore : public Store {
 public:
  // Validates the options and reads the TLS files; does not contact etcd (connections are
  // made lazily and re-made after failures).
  static Result<std::unique_ptr<EtcdStore>> connect(const EtcdOptions& options);
  ~EtcdStore() override;

  Result<RangeResponse> range(const RangeRequest& req) override;
  Result<TxnResponse> txn(const TxnRequest& req) override;
  Result<std::unique_ptr<Watch>> watch(const WatchRequest& req,
                                       std::function<void(WatchUpdate)> callback) override;
  Result<int64_t> lease_grant(std::chrono::seconds ttl) override;
  Result<void> lease_keepalive(int64_t lease_id) override;
  Result<void> lease_revoke(int64_t lease_id) override;
  Result<void> compact(int64_t revision) override;
  Result<int64_t> current_revision() override;

  // Maintenance.Status of the first endpoint that answers: Ok when etcd serves requests.
  Result<void> health();

  struct Impl;

 private:
  explicit EtcdStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<etcd::EtcdWatchStream> watches_;
};

}  // namespace kite::kv
