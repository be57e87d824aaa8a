#include "server/kv/mvcc_history.h"

#include <algorithm>
#include <limits>

namespace kite::kv {

using base::Reason;

bool key_in_range(const std::string& k, const std::string& key, const std::string& range_end) {
  if (range_end.empty()) return k == key;
  if (range_end == std::string(1, '\0')) return k >= key;
  return k >= key && k < range_end;
}

namespace {

// For keys visited in order from lower_bound(key): true once `k` is beyond the range.
bool past_range(const std::string& k, const std::string& key, const std::string& range_end) {
  if (range_end.empty()) return k != key;
  if (range_end == std::string(1, '\0')) return false;
  return k >= range_end;
}

}  // namespace

const MvccHistory::Version* MvccHistory::visible_at(const std::vector<Version>& versions,
                                                    int64_t revision) {
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    if (it->mod_revision <= revision) return it->deleted ? nullptr : &*it;
  }
  return nullptr;
}

Result<RangeResponse> MvccHistory::range(const RangeRequest& req) const {
  // Current reads also see the writes of an open transaction.
  const int64_t at = req.revision > 0 ? req.revision : std::numeric_limits<int64_t>::max();
  if (req.revision > 0 && req.revision < compact_)
    return base::error(Reason::Gone, "required revision has been compacted");
  if (req.revision > revision_)
    return base::error(Reason::BadRequest, "required revision is a future revision");

  RangeResponse resp;
  resp.revision = revision_;
  for (auto it = keys_.lower_bound(req.key); it != keys_.end(); ++it) {
    if (past_range(it->first, req.key, req.range_end)) break;
    const Version* v = visible_at(it->second, at);
    if (!v) continue;
    ++resp.count;
    if (req.count_only) continue;
    if (req.limit > 0 && static_cast<int64_t>(resp.kvs.size()) >= req.limit) {
      resp.more = true;
      continue;
    }
    resp.kvs.push_back(v->kv);
    if (req.keys_only) resp.kvs.back().value.clear();
  }
  return resp;
}

std::optional<KeyValue> MvccHistory::latest(const std::string& key) const {
  auto it = keys_.find(key);
  if (it == keys_.end() || it->second.empty() || it->second.back().deleted) return std::nullopt;
  return it->second.back().kv;
}

namespace {

template <typename T>
bool apply_op(Compare::Op op, const T& lhs, const T& rhs) {
  switch (op) {
    case Compare::Op::Equal: return lhs == rhs;
    case Compare::Op::NotEqual: return lhs != rhs;
    case Compare::Op::Greater: return lhs > rhs;
    case Compare::Op::Less: return lhs < rhs;
  }
  return false;
}

}  // namespace

bool MvccHistory::compare(const Compare& c) const {
  auto kv = latest(c.key);
  if (!kv) {
    if (c.target == Compare::Target::Value) return false;
    kv = KeyValue{};
  }
  switch (c.target) {
    case Compare::Target::Version: return apply_op(c.op, kv->version, c.number);
    case Compare::Target::CreateRevision: return apply_op(c.op, kv->create_revision, c.number);
    case Compare::Target::ModRevision: return apply_op(c.op, kv->mod_revision, c.number);
    case Compare::Target::Value: return apply_op(c.op, kv->value, c.value);
  }
  return false;
}

void MvccHistory::begin_write() {
  writing_ = true;
  wrote_ = false;
}

std::optional<KeyValue> MvccHistory::put(const std::string& key, const std::string& value,
                                         int64_t lease) {
  const int64_t rev = write_revision();
  auto& versions = keys_[key];
  std::optional<KeyValue> prev;
  if (!versions.empty() && !versions.back().deleted) prev = versions.back().kv;

  KeyValue kv{.key = key,
              .value = value,
              .create_revision = prev ? prev->create_revision : rev,
              .mod_revision = rev,
              .version = prev ? prev->version + 1 : 1,
              .lease = lease};
  if (!versions.empty() && versions.back().mod_revision == rev)
    versions.back() = Version{rev, false, kv};  // the same key twice in one transaction
  else
    versions.push_back(Version{rev, false, kv});
  log_.push_back(Event{.type = Event::Type::Put, .kv = kv, .prev_kv = prev});
  wrote_ = true;
  return prev;
}

std::vector<KeyValue> MvccHistory::remove_range(const std::string& key,
                                                const std::string& range_end) {
  const int64_t rev = write_revision();
  std::vector<KeyValue> removed;
  for (auto it = keys_.lower_bound(key); it != keys_.end(); ++it) {
    if (past_range(it->first, key, range_end)) break;
    auto& versions = it->second;
    if (versions.empty() || versions.back().deleted) continue;
    KeyValue prev = versions.back().kv;
    KeyValue tomb{.key = it->first, .mod_revision = rev};
    versions.push_back(Version{rev, true, tomb});
    log_.push_back(Event{.type = Event::Type::Delete, .kv = tomb, .prev_kv = prev});
    removed.push_back(std::move(prev));
    wrote_ = true;
  }
  return removed;
}

bool MvccHistory::end_write() {
  writing_ = false;
  if (!wrote_) return false;
  ++revision_;
  wrote_ = false;
  return true;
}

Result<void> MvccHistory::compact(int64_t revision) {
  if (revision <= compact_)
    return base::error(Reason::Gone, "required revision has been compacted");
  if (revision > revision_)
    return base::error(Reason::BadRequest, "required revision is a future revision");
  for (auto it = keys_.begin(); it != keys_.end();) {
    auto& versions = it->second;
    // Keep the newest version at or before `revision` (unless it is a deletion) and all later.
    size_t keep_from = 0;
    for (size_t i = 0; i < versions.size(); ++i)
      if (versions[i].mod_revision <= revision) keep_from = i;
    if (!versions.empty() && versions[keep_from].mod_revision <= revision &&
        versions[keep_from].deleted)
      ++keep_from;
    versions.erase(versions.begin(), versions.begin() + static_cast<std::ptrdiff_t>(keep_from));
    it = versions.empty() ? keys_.erase(it) : std::next(it);
  }
  while (!log_.empty() && log_.front().kv.mod_revision < revision) log_.pop_front();
  compact_ = revision;
  return {};
}

std::vector<Event> MvccHistory::events_since(int64_t from, const std::string& key,
                                             const std::string& range_end,
                                             bool with_prev_kv) const {
  std::vector<Event> out;
  auto it = std::lower_bound(log_.begin(), log_.end(), from,
                             [](const Event& e, int64_t r) { return e.kv.mod_revision < r; });
  for (; it != log_.end(); ++it) {
    if (!key_in_range(it->kv.key, key, range_end)) continue;
    out.push_back(*it);
    if (!with_prev_kv) out.back().prev_kv.reset();
  }
  return out;
}

}  // namespace kite::kv
