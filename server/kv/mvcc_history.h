// MvccHistory: the multi-version key space behind MemoryStore.
//
// Keeps every version of every key since the last compaction plus the ordered log of events
// (each with its previous key-value), so reads at an old revision and watches from an old
// revision can be served. The revision starts at 1 (an empty store, as in etcd); each write
// transaction bracketed by begin_write()/end_write() that changes something takes the next
// revision, shared by all its changes.
//
// Thread safety: none; MemoryStore serializes every call under its mutex.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "server/kv/store.h"

namespace kite::kv {

// True if `k` lies in the etcd range (key, range_end): see RangeRequest::range_end.
bool key_in_range(const std::string& k, const std::string& key, const std::string& range_end);

class MvccHistory {
 public:
  int64_t revision() const { return revision_; }
  int64_t compact_revision() const { return compact_; }

  // A read at req.revision (0 = current, including writes of the open transaction).
  Result<RangeResponse> range(const RangeRequest& req) const;
  // The live key-value now, or nullopt.
  std::optional<KeyValue> latest(const std::string& key) const;
  // Evaluates one transaction compare against the current state (etcd rules: a missing
  // key compares as zeros, and a Value compare on a missing key is false).
  bool compare(const Compare& c) const;

  void begin_write();
  // Puts `key`; returns the previous live value, if any.
  std::optional<KeyValue> put(const std::string& key, const std::string& value, int64_t lease);
  // Deletes every live key in the range; returns the deleted key-values.
  std::vector<KeyValue> remove_range(const std::string& key, const std::string& range_end);
  // Closes the transaction; true if it changed anything (the revision then moved on).
  bool end_write();

  // Drops history before `revision`: Gone for revision <= compact_revision(), BadRequest
  // for a revision beyond the current one.
  Result<void> compact(int64_t revision);

  // Events at revisions >= `from` for keys in the range, in revision order. prev_kv is
  // kept only when `with_prev_kv`.
  std::vector<Event> events_since(int64_t from, const std::string& key,
                                  const std::string& range_end, bool with_prev_kv) const;

 private:
  struct Version {
    int64_t mod_revision = 0;
    bool deleted = false;
    KeyValue kv;  // for a deletion: key and mod_revision only
  };
  // The version of `versions` visible at `revision`, or nullptr.
  static const Version* visible_at(const std::vector<Version>& versions, int64_t revision);
  int64_t write_revision() const { return revision_ + 1; }

  std::map<std::string, std::vector<Version>> keys_;
  std::deque<Event> log_;
  int64_t revision_ = 1;
  int64_t compact_ = 0;
  bool writing_ = false;
  bool wrote_ = false;
};

}  // namespace kite::kv
