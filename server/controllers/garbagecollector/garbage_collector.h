// GarbageCollector: the controller behind make_garbagecollector_controller (see
// garbagecollector_controller.h for the behaviour). Exposed for unit tests.
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "server/controllers/framework/controller.h"
#include "server/controllers/garbagecollector/owner_graph.h"

namespace kite::controllers::gc {

class GarbageCollector final : public QueueController {
 public:
  explicit GarbageCollector(ControllerContext& ctx, int workers = 4);
  ~GarbageCollector() override;
  const OwnerGraph& graph() const { return graph_; }

 protected:
  void register_handlers() override;
  std::vector<client::Informer*> informers_to_sync() override;
  base::Result<void> sync(const std::string& uid) override;

 private:
  enum class OwnerState { kSolid, kDangling, kWaitingForDependents };

  void on_observed(size_t resource, const client::ObjectPtr& old_obj, const client::ObjectPtr& obj);
  void on_deleted(const client::ObjectPtr& obj);
  base::Result<void> orphan_dependents(const GraphNode& owner);
  base::Result<void> delete_dependents_in_foreground(const GraphNode& owner);
  base::Result<void> attempt_to_delete(const GraphNode& item);
  base::Result<OwnerState> classify_owner(const GraphNode& item, const json& ref);
  base::Result<void> remove_finalizer(const GraphNode& node, const std::string& finalizer);
  base::Result<void> remove_owner_references(const GraphNode& node, const std::set<std::string>& owner_uids);
  base::Result<void> delete_object(const GraphNode& node, const std::string& policy);
  bool known_absent(const std::string& uid);
  void note_absent(const std::string& uid);

  ControllerContext& ctx_;
  OwnerGraph graph_;
  std::vector<client::Informer*> informers_;
  std::mutex absent_mu_;
  std::set<std::string> absent_owners_;  // owner uids a live GET found gone
};

}  // namespace kite::controllers::gc
