// Node registration, status updates and the Lease (see agent/node/node_heartbeat.h).
#include "agent/node/node_heartbeat.h"

#include "base/ids.h"
#include "base/log.h"
#include "client/resource_ref.h"

namespace kite::agent {

namespace {
using base::Reason;
namespace res = client::resources;
constexpr const char* kLeaseNamespace = "kube-node-lease";
}  // namespace

NodeHeartbeat::NodeHeartbeat(client::Client& client, const base::Clock& clock, NodeHeartbeatOptions options)
    : client_(client), clock_(clock), options_(std::move(options)) {}

NodeHeartbeat::~NodeHeartbeat() { stop(); }

Readiness NodeHeartbeat::readiness() const {
  if (!options_.readiness) return {false, "container runtime not started"};
  return options_.readiness();
}

std::string NodeHeartbeat::runtime_version() const {
  return options_.runtime_version ? options_.runtime_version() : std::string();
}

base::Result<void> NodeHeartbeat::register_node() {
  const NodeSettings& s = options_.settings;
  if (auto l = parse_node_labels(s.labels); !l) return std::unexpected(l.error());
  if (auto t = parse_node_taints(s.taints); !t) return std::unexpected(t.error());
  json node = build_node(s, options_.facts, readiness(), runtime_version(), clock_.now());
  auto created = client_.create(res::kNodes, "", node);
  if (created) {
    node_uid_ = (*created)["metadata"].value("uid", "");
    KITE_LOG(info, "node") << "registered node " << s.name;
  } else if (created.error().reason() == Reason::AlreadyExists) {
    json labels = json::object();
    for (auto& [k, v] : node_labels(s, options_.facts)) labels[k] = v;
    auto patched = client_.patch(res::kNodes, "", s.name, client::PatchType::kMerge,
                                 json{{"metadata", {{"labels", labels}}}});
    if (!patched) return base::error(patched.error().reason(), "updating node " + s.name + ": " + patched.error().message());
    node_uid_ = (*patched)["metadata"].value("uid", "");
    KITE_LOG(info, "node") << "node " << s.name << " already registered; updated its labels";
  } else {
    return base::error(created.error().reason(), "registering node " + s.name + ": " + created.error().message());
  }
  // The status (the create's status is dropped by the server: status is a subresource).
  json status = build_node_status(s, options_.facts, readiness(), runtime_version(), clock_.now(), nullptr);
  if (auto r = post_status(status); !r) return r;
  if (auto r = renew_lease(); !r) {
    KITE_LOG(warn, "node") << "renewing the node lease: " << r.error().message();
  }
  return {};
}

base::Result<void> NodeHeartbeat::post_status(const json& status) {
  auto r = client_.patch(res::kNodes, "", options_.settings.name, client::PatchType::kMerge,
                         json{{"status", status}}, "status");
  if (!r) return base::error(r.error().reason(), "posting node status: " + r.error().message());
  last_status_ = status;
  last_status_post_ = clock_.now();
  ++status_posts_;
  return {};
}

base::Result<void> NodeHeartbeat::renew_lease() {
  const std::string& node = options_.settings.name;
  const std::string now = base::rfc3339_micro(clock_.now());
  if (lease_.is_null()) {
    auto got = client_.get(res::kLeases, kLeaseNamespace, node);
    if (got) {
      lease_ = *got;
    } else if (got.error().reason() == Reason::NotFound) {
      json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                    {"kind", "Lease"},
                    {"metadata", {{"name", node}, {"namespace", kLeaseNamespace}}},
                    {"spec",
                     {{"holderIdentity", node},
                      {"leaseDurationSeconds", options_.lease_duration_seconds},
                      {"renewTime", now}}}};
      if (!node_uid_.empty()) {
        lease["metadata"]["ownerReferences"] = json::array(
            {{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}, {"uid", node_uid_}}});
      }
      auto created = client_.create(res::kLeases, kLeaseNamespace, lease);
      if (!created) return std::unexpected(created.error());
      lease_ = *created;
      last_lease_renew_ = clock_.now();
      ++lease_renewals_;
      return {};
    } else {
      return std::unexpected(got.error());
    }
  }
  json lease = lease_;
  lease["spec"]["holderIdentity"] = node;
  lease["spec"]["leaseDurationSeconds"] = options_.lease_duration_seconds;
  lease["spec"]["renewTime"] = now;
  auto updated = client_.update(res::kLeases, lease);
  if (!updated) {
    lease_ = nullptr;  // stale (Conflict) or gone: read it again next time
    return std::unexpected(updated.error());
  }
  lease_ = *updated;
  last_lease_renew_ = clock_.now();
  ++lease_renewals_;
  return {};
}

void NodeHeartbeat::tick() {
  auto now = clock_.now();
  if (!last_lease_renew_ || now - *last_lease_renew_ >= options_.lease_renew_interval) {
    if (auto r = renew_lease(); !r) {
      KITE_LOG(warn, "node") << "renewing the node lease: " << r.error().message();
    }
  }
  json status = build_node_status(options_.settings, options_.facts, readiness(), runtime_version(), now, last_status_);
  bool changed = last_status_.is_null() || without_heartbeats(status) != without_heartbeats(last_status_);
  bool due = !last_status_post_ || now - *last_status_post_ >= options_.status_report_frequency;
  if (changed || due) {
    if (auto r = post_status(status); !r) {
      KITE_LOG(warn, "node") << r.error().message();
    }
  }
}

void NodeHeartbeat::start() { thread_.start(options_.tick_interval, [this] { tick(); }); }

void NodeHeartbeat::stop() { thread_.stop(); }

}  // namespace kite::agent
