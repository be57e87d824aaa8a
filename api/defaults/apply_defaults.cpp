#include "api/defaults/defaults.h"
#include "api/defaults/kind_defaults.h"

namespace kite::api {

void apply_defaults(const ResourceInfo& info, json& obj) {
  if (!obj.is_object()) return;
  if (info.schema) apply_schema_defaults(*info.schema, obj);
  if (info.custom) return;
  const std::string& k = info.kind;
  const std::string& g = info.group;
  if (g.empty() && k == "Pod") {
    defaults::default_pod(obj);
  } else if (g.empty() && k == "PodTemplate") {
    if (auto t = obj.find("template"); t != obj.end()) defaults::default_pod_template(*t);
  } else if (g.empty() && k == "Service") {
    defaults::default_service(obj);
  } else if ((g == "apps" && (k == "Deployment" || k == "ReplicaSet" || k == "StatefulSet" ||
                              k == "DaemonSet")) ||
             (g == "batch" && (k == "Job" || k == "CronJob")) ||
             (g.empty() && k == "ReplicationController")) {
    defaults::default_workload(k, obj);
  } else {
    defaults::default_other(info, obj);
  }
}

}  // namespace kite::api
