// kv::Store: the datastore seam under the API server.
//
// The model is etcd v3's: a flat ordered key space, one global revision that every write
// bumps, per-key create/mod revisions and version, transactions with compares, prefix
// watches from a revision, leases, and compaction. EtcdStore speaks gRPC to a real etcd;
// MemoryStore implements the same semantics in process for unit tests. Both must behave
// identically for everything in this interface (the shared conformance tests in
// tests/server/kv/ run against both).
//
// Thread safety: every method may be called from any thread concurrently. Calls block until
// the store answers or the per-call deadline passes (ServiceUnavailable when the store cannot
// be reached, Timeout when the deadline passes). Watch callbacks run on a thread owned by the
// store, one callback at a time per watch, in revision order; they must not block for long.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace kite::kv {

using base::Result;

struct KeyValue {
  std::string key;
  std::string value;
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
  int64_t version = 0;
  int64_t lease = 0;
};

struct RangeRequest {
  std::string key;
  // Empty: the single key `key`. Otherwise the half-open range [key, range_end).
  // Use prefix_end(p) for "every key starting with p".
  std::string range_end;
  int64_t limit = 0;       // 0 = no limit
  int64_t revision = 0;    // 0 = latest; otherwise read at that revision (Gone if compacted)
  bool keys_only = false;
  bool count_only = false;
};

struct RangeResponse {
  std::vector<KeyValue> kvs;
  bool more = false;     // more keys in range beyond `limit`
  int64_t count = 0;     // number of keys in range (ignoring limit)
  int64_t revision = 0;  // store revision the read was served at
};

// One compare of a transaction (etcd Compare): `target` of `key` compared with a value.
struct Compare {
  enum class Target { Version, CreateRevision, ModRevision, Value };
  enum class Op { Equal, NotEqual, Greater, Less };
  std::string key;
  Target target = Target::ModRevision;
  Op op = Op::Equal;
  int64_t number = 0;  // for Version/CreateRevision/ModRevision
  std::string value;   // for Value
};

// One operation of a transaction branch.
struct Op {
  enum class Type { Put, Delete, Range };
  Type type = Type::Put;
  std::string key;
  std::string value;      // Put
  std::string range_end;  // Delete/Range: as RangeRequest::range_end
  int64_t lease = 0;      // Put
  bool prev_kv = false;   // Put/Delete: return the previous value
};

struct OpResult {
  // Range: the keys read. Put/Delete with prev_kv: the previous key-values (0 or 1 for Put).
  std::vector<KeyValue> kvs;
  int64_t deleted = 0;  // Delete: how many keys were removed
};

struct TxnRequest {
  std::vector<Compare> compares;
  std::vector<Op> success;
  std::vector<Op> failure;
};

struct TxnResponse {
  bool succeeded = false;
  int64_t revision = 0;  // store revision after the transaction
  std::vector<OpResult> results;
};

struct Event {
  enum class Type { Put, Delete };
  Type type = Type::Put;
  KeyValue kv;  // for Delete: key and mod_revision (the deletion's revision) only
  std::optional<KeyValue> prev_kv;
};

// What a watch callback receives.
struct WatchUpdate {
  // Events in revision order (possibly several per revision for a transaction).
  std::vector<Event> events;
  // The store revision this update brings the watcher up to: every change up to and
  // including it has been delivered. Set on event batches and on progress notifications
  // (which carry no events).
  int64_t revision = 0;
  // Set once, as the last update of a watch that can no longer continue: Gone when the
  // start revision was compacted (compact_revision says the oldest still available),
  // ServiceUnavailable when the store stayed unreachable. No update follows an error.
  std::optional<base::Status> error;
  int64_t compact_revision = 0;
};

class Watch {
 public:
  virtual ~Watch() = default;
  // Stops delivery. After cancel() returns no callback is running or will run.
  virtual void cancel() = 0;
  // Asks the store to send a progress notification (an update with no events) as soon as
  // every change up to the current revision has been delivered.
  virtual void request_progress() = 0;
};

struct WatchRequest {
  std::string key;
  std::string range_end;      // as RangeRequest; prefix_end(p) for a prefix
  int64_t start_revision = 0; // 0 = from the next change; otherwise include changes at >= it
  bool prev_kv = false;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual Result<RangeResponse> range(const RangeRequest& req) = 0;
  virtual Result<TxnResponse> txn(const TxnRequest& req) = 0;

  // Starts a watch. The callback runs on a store thread (see file comment). A store that
  // loses its connection retries internally from the last delivered revision; if it cannot
  // resume (compaction) it delivers an update with `error` set.
  virtual Result<std::unique_ptr<Watch>> watch(const WatchRequest& req,
                                               std::function<void(WatchUpdate)> callback) = 0;

  // Leases.
  virtual Result<int64_t> lease_grant(std::chrono::seconds ttl) = 0;
  virtual Result<void> lease_keepalive(int64_t lease_id) = 0;
  virtual Result<void> lease_revoke(int64_t lease_id) = 0;

  // Discards history before `revision`. Reads at and watches from earlier revisions fail
  // with Gone afterwards.
  virtual Result<void> compact(int64_t revision) = 0;

  // The current store revision (a cheap read).
  virtual Result<int64_t> current_revision() = 0;

  // --- conveniences built on range/txn (implemented once, in store.cpp) ---

  // The key, or nullopt when it does not exist.
  Result<std::optional<KeyValue>> get(const std::string& key);
  // Creates the key only if it does not exist: AlreadyExists otherwise. Returns the new revision.
  Result<int64_t> create(const std::string& key, const std::string& value, int64_t lease = 0);
  // Replaces the key only if its mod_revision equals `expected_mod_revision`: Conflict if it
  // changed, NotFound if it is gone. Returns the new revision.
  Result<int64_t> update(const std::string& key, const std::string& value,
                         int64_t expected_mod_revision, int64_t lease = 0);
  // Deletes the key only if its mod_revision equals `expected_mod_revision` (0 = any):
  // Conflict if it changed, NotFound if absent. Returns the deletion's revision.
  Result<int64_t> remove(const std::string& key, int64_t expected_mod_revision = 0);
};

// The smallest key greater than every key that starts with `prefix` (etcd's prefix range end).
std::string prefix_end(const std::string& prefix);

}  // namespace kite::kv
