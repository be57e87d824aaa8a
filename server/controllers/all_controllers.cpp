#include "server/controllers/all_controllers.h"

// controller includes (one per line, keep sorted)
#include "server/controllers/cronjob/cronjob_controller.h"
#include "server/controllers/daemonset/daemonset_controller.h"
#include "server/controllers/deployment/deployment_controller.h"
#include "server/controllers/job/job_controller.h"
#include "server/controllers/job/ttl_after_finished_controller.h"
#include "server/controllers/replicaset/replicaset_controller.h"
#include "server/controllers/statefulset/statefulset_controller.h"
#include "server/controllers/disruption/disruption_controller.h"
#include "server/controllers/endpoints/endpoints_controller.h"
#include "server/controllers/endpointslice/endpointslice_controller.h"
#include "server/controllers/garbagecollector/garbagecollector_controller.h"
#include "server/controllers/nodeipam/nodeipam_controller.h"
#include "server/controllers/nodelifecycle/nodelifecycle_controller.h"
#include "server/controllers/podgc/podgc_controller.h"
#include "server/controllers/rootcacert/rootcacert_controller.h"
#include "server/controllers/serviceaccount/serviceaccount_controller.h"
// end of controller includes

namespace kite::controllers {

std::vector<std::unique_ptr<Controller>> make_all_controllers(ControllerContext& ctx) {
  std::vector<std::unique_ptr<Controller>> all;
  // controller list (one per line)
  all.push_back(make_cronjob_controller(ctx));
  all.push_back(make_daemonset_controller(ctx));
  all.push_back(make_deployment_controller(ctx));
  all.push_back(make_job_controller(ctx));
  all.push_back(make_replicaset_controller(ctx));
  all.push_back(make_statefulset_controller(ctx));
  all.push_back(make_ttlafterfinished_controller(ctx));
  all.push_back(make_disruption_controller(ctx));
  all.push_back(make_endpoints_controller(ctx));
  all.push_back(make_endpointslice_controller(ctx));
  all.push_back(make_garbagecollector_controller(ctx));
  all.push_back(make_nodeipam_controller(ctx));
  all.push_back(make_nodelifecycle_controller(ctx));
  all.push_back(make_podgc_controller(ctx));
  all.push_back(make_rootcacert_controller(ctx));
  all.push_back(make_serviceaccount_controller(ctx));
  // end of controller list
  (void)ctx;
  return all;
}

}  // namespace kite::controllers
