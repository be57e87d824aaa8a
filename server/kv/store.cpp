// The Store conveniences (get/create/update/remove) and prefix_end(), written once on top of
// range() and txn() so every implementation shares them.
#include "server/kv/store.h"

namespace kite::kv {

using base::Reason;

std::string prefix_end(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    auto last = static_cast<unsigned char>(end.back());
    if (last < 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  // Every byte was 0xff (or the prefix was empty): the range runs to the end of the key
  // space, which etcd spells as "\0".
  return std::string(1, '\0');
}

Result<std::optional<KeyValue>> Store::get(const std::string& key) {
  RangeRequest req;
  req.key = key;
  auto resp = range(req);
  if (!resp) return std::unexpected(resp.error());
  if (resp->kvs.empty()) return std::optional<KeyValue>();
  return std::optional<KeyValue>(std::move(resp->kvs.front()));
}

Result<int64_t> Store::create(const std::string& key, const std::string& value, int64_t lease) {
  TxnRequest req;
  req.compares.push_back(
      Compare{.key = key, .target = Compare::Target::CreateRevision, .op = Compare::Op::Equal});
  req.success.push_back(Op{.type = Op::Type::Put, .key = key, .value = value, .lease = lease});
  auto resp = txn(req);
  if (!resp) return std::unexpected(resp.error());
  if (!resp->succeeded) return base::error(Reason::AlreadyExists, "key already exists: " + key);
  return resp->revision;
}

Result<int64_t> Store::update(const std::string& key, const std::string& value,
                              int64_t expected_mod_revision, int64_t lease) {
  TxnRequest req;
  req.compares.push_back(Compare{.key = key,
                                 .target = Compare::Target::ModRevision,
                                 .op = Compare::Op::Equal,
                                 .number = expected_mod_revision});
  req.success.push_back(Op{.type = Op::Type::Put, .key = key, .value = value, .lease = lease});
  // On failure read the key to tell "changed" from "gone".
  req.failure.push_back(Op{.type = Op::Type::Range, .key = key});
  auto resp = txn(req);
  if (!resp) return std::unexpected(resp.error());
  if (resp->succeeded) return resp->revision;
  if (resp->results.empty() || resp->results.front().kvs.empty())
    return base::error(Reason::NotFound, "key not found: " + key);
  return base::error(Reason::Conflict, "key was modified: " + key);
}

Result<int64_t> Store::remove(const std::string& key, int64_t expected_mod_revision) {
  TxnRequest req;
  if (expected_mod_revision != 0) {
    req.compares.push_back(Compare{.key = key,
                                   .target = Compare::Target::ModRevision,
                                   .op = Compare::Op::Equal,
                                   .number = expected_mod_revision});
  } else {
    // "Exists": create_revision > 0.
    req.compares.push_back(Compare{.key = key,
                                   .target = Compare::Target::CreateRevision,
                                   .op = Compare::Op::Greater,
                                   .number = 0});
  }
  req.success.push_back(Op{.type = Op::Type::Delete, .key = key});
  req.failure.push_back(Op{.type = Op::Type::Range, .key = key});
  auto resp = txn(req);
  if (!resp) return std::unexpected(resp.error());
  if (resp->succeeded) return resp->revision;
  if (resp->results.empty() || resp->results.front().kvs.empty())
    return base::error(Reason::NotFound, "key not found: " + key);
  return base::error(Reason::Conflict, "key was modified: " + key);
}

}  // namespace kite::kv
