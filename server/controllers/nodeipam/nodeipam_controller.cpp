#include "server/controllers/nodeipam/nodeipam_controller.h"

#include <map>
#include <mutex>

#include "base/log.h"
#include "server/controllers/nodeipam/cidr_set.h"

namespace kite::controllers {

namespace {

namespace res = client::resources;
using client::json;
using client::ObjectPtr;

constexpr const char* kLog = "nodeipam";

std::string pod_cidr(const json& node) { return node.value("spec", json::object()).value("podCIDR", ""); }

class NodeIpamController final : public QueueController {
 public:
  NodeIpamController(ControllerContext& ctx, std::unique_ptr<nodeipam::CidrSet> cidrs)
      : QueueController("nodeipam", 1),
        ctx_(ctx),
        nodes_(ctx.informers.informer(res::kNodes)),
        cidrs_(std::move(cidrs)),
        recorder_(ctx.client, {"cidrAllocator", ""}, ctx.clock) {}
  ~NodeIpamController() override { stop(); }

 protected:
  void register_handlers() override {
    client::EventHandlers h;
    h.on_add = [this](const ObjectPtr& o) { observed(*o); };
    h.on_update = [this](const ObjectPtr&, const ObjectPtr& o) { observed(*o); };
    h.on_delete = [this](const ObjectPtr& o) {
      std::string cidr = pod_cidr(*o);
      std::lock_guard lock(mu_);
      auto it = pending_.find(client::object_key(*o));
      if (it != pending_.end()) {
        if (cidr.empty()) cidr = it->second;
        pending_.erase(it);
      }
      if (!cidr.empty()) cidrs_->release(cidr);
    };
    nodes_.add_handlers(std::move(h));
  }

  std::vector<client::Informer*> informers_to_sync() override { return {&nodes_}; }

  base::Result<void> sync(const std::string& name) override {
    ObjectPtr node = nodes_.get(name);
    if (!node || !pod_cidr(*node).empty()) return {};
    {
      std::lock_guard lock(mu_);
      if (pending_.contains(name)) return {};  // assigned; the informer has not caught up
    }
    auto cidr = cidrs_->allocate();
    if (!cidr) {
      recorder_.event(*node, "Normal", "CIDRNotAvailable", "Node " + name + " status is now: CIDRNotAvailable");
      return base::error(base::Reason::ServiceUnavailable, "no pod CIDR left in " + ctx_.settings.cluster_cidr);
    }
    json patch = {{"spec", {{"podCIDR", *cidr}, {"podCIDRs", json::array({*cidr})}}}};
    auto r = ctx_.client.patch(res::kNodes, "", name, client::PatchType::kMerge, patch);
    if (!r) {
      cidrs_->release(*cidr);
      if (r.error().reason() == base::Reason::NotFound) return {};
      return std::unexpected(r.error());
    }
    if (pod_cidr(*r) != *cidr) {
      cidrs_->release(*cidr);  // the node had one already
      cidrs_->occupy(pod_cidr(*r));
      return {};
    }
    {
      std::lock_guard lock(mu_);
      pending_[name] = *cidr;
    }
    KITE_LOG(info, kLog) << "node " << name << " gets pod CIDR " << *cidr;
    return {};
  }

 private:
  void observed(const json& node) {
    std::string name = client::object_key(node);
    std::string cidr = pod_cidr(node);
    if (cidr.empty()) {
      queue().add(name);
      return;
    }
    std::lock_guard lock(mu_);
    pending_.erase(name);
    if (!cidrs_->occupy(cidr)) {
      KITE_LOG(debug, kLog) << "node " << name << " has pod CIDR " << cidr << " outside "
                            << ctx_.settings.cluster_cidr;
    }
  }

  ControllerContext& ctx_;
  client::Informer& nodes_;
  std::unique_ptr<nodeipam::CidrSet> cidrs_;
  client::EventRecorder recorder_;
  std::mutex mu_;
  std::map<std::string, std::string> pending_;  // node -> subnet patched, not yet observed
};

// Stands in when the settings are unusable: logs once at start, does nothing.
class DisabledController final : public Controller {
 public:
  explicit DisabledController(std::string why) : why_(std::move(why)) {}
  std::string name() const override { return "nodeipam"; }
  void start() override { KITE_LOG(error, kLog) << "node IPAM disabled: " << why_; }
  void stop() override {}

 private:
  std::string why_;
};

}  // namespace

std::unique_ptr<Controller> make_nodeipam_controller(ControllerContext& ctx) {
  auto cidrs = nodeipam::CidrSet::create(ctx.settings.cluster_cidr, ctx.settings.node_cidr_mask_size);
  if (!cidrs) return std::make_unique<DisabledController>(cidrs.error().message());
  return std::make_unique<NodeIpamController>(ctx, std::move(*cidrs));
}

}  // namespace kite::controllers
