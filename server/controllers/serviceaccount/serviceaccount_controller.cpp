#include "server/controllers/serviceaccount/serviceaccount_controller.h"

namespace kite::controllers {

namespace {

namespace res = client::resources;
using client::json;
using client::ObjectPtr;

constexpr const char* kDefault = "default";

class ServiceAccountController final : public QueueController {
 public:
  explicit ServiceAccountController(ControllerContext& ctx)
      : QueueController("serviceaccount", 1),
        ctx_(ctx),
        namespaces_(ctx.informers.informer(res::kNamespaces)),
        accounts_(ctx.informers.informer(res::kServiceAccounts)) {}
  ~ServiceAccountController() override { stop(); }

 protected:
  void register_handlers() override {
    namespaces_.add_handlers(enqueue_handlers());  // a deleted namespace syncs to nothing
    client::EventHandlers sa;
    sa.on_delete = [this](const ObjectPtr& o) {
      if ((*o)["metadata"].value("name", "") == kDefault) queue().add((*o)["metadata"].value("namespace", ""));
    };
    accounts_.add_handlers(std::move(sa));
  }

  std::vector<client::Informer*> informers_to_sync() override { return {&namespaces_, &accounts_}; }

  base::Result<void> sync(const std::string& ns) override {
    ObjectPtr namespace_obj = namespaces_.get(ns);
    if (!namespace_obj) return {};
    if ((*namespace_obj)["metadata"].contains("deletionTimestamp") ||
        namespace_obj->value("status", json::object()).value("phase", "") == "Terminating") {
      return {};
    }
    if (accounts_.get(ns + "/" + kDefault)) return {};
    json sa = {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", kDefault}, {"namespace", ns}}}};
    auto r = ctx_.client.create(res::kServiceAccounts, ns, sa);
    if (!r) {
      auto reason = r.error().reason();
      // Already there (the cache lags), or the namespace is going away.
      if (reason == base::Reason::AlreadyExists || reason == base::Reason::Forbidden ||
          reason == base::Reason::NotFound) {
        return {};
      }
      return std::unexpected(r.error());
    }
    return {};
  }

 private:
  ControllerContext& ctx_;
  client::Informer& namespaces_;
  client::Informer& accounts_;
};

}  // namespace

std::unique_ptr<Controller> make_serviceaccount_controller(ControllerContext& ctx) {
  return std::make_unique<ServiceAccountController>(ctx);
}

}  // namespace kite::controllers
