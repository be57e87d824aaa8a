// Registry::with_builtins(): every resource kite serves out of the box, with Kubernetes'
// names, scope, verbs, subresources, field selectors and etcd layout (Kubernetes 1.32).
#include "api/resource.h"
#include "api/schemas/builtin_schemas.h"

namespace kite::api {
namespace {

using Strings = std::vector<std::string>;

const Strings kAllVerbs = {"create", "delete", "deletecollection", "get",
                           "list",   "patch",  "update",           "watch"};

struct Spec {
  std::string group, version, kind, plural, singular;
  bool namespaced = true;
  Strings short_names, categories, subresources, selectable_fields;
  std::string storage_prefix;
  std::string name_rule = "subdomain";
  Strings verbs = kAllVerbs;
};

ResourceInfoPtr make(Spec s) {
  auto r = std::make_shared<ResourceInfo>();
  r->group = s.group;
  r->version = s.version;
  r->kind = s.kind;
  r->list_kind = s.kind + "List";
  r->plural = s.plural;
  r->singular = s.singular;
  r->namespaced = s.namespaced;
  r->short_names = s.short_names;
  r->categories = s.categories;
  r->verbs = s.verbs;
  r->subresources = s.subresources;
  r->schema = kind_schema(s.group, s.version, s.kind);
  r->selectable_fields = s.selectable_fields;
  r->name_rule = s.name_rule;
  r->storage_prefix = s.storage_prefix;
  return r;
}

const Strings kCoreEventFields = {
    "involvedObject.kind",       "involvedObject.namespace",       "involvedObject.name",
    "involvedObject.uid",        "involvedObject.apiVersion",      "involvedObject.resourceVersion",
    "involvedObject.fieldPath",  "reason",                         "reportingComponent",
    "source",                    "type"};

// events.k8s.io names the same stored fields differently.
const Strings kEventsV1Fields = {
    "regarding.kind",      "regarding.namespace",       "regarding.name",
    "regarding.uid",       "regarding.apiVersion",      "regarding.resourceVersion",
    "regarding.fieldPath", "reason",                    "reportingController",
    "deprecatedSource",    "type"};

std::vector<Spec> builtin_specs() {
  const Strings no_deletecollection = {"create", "delete", "get", "list", "patch", "update", "watch"};
  return {
      // core/v1
      {.group = "", .version = "v1", .kind = "Binding", .plural = "bindings", .singular = "binding",
       .verbs = {"create"}},
      // authentication.k8s.io/v1: `kubectl auth whoami` (never stored).
      {.group = "authentication.k8s.io", .version = "v1", .kind = "SelfSubjectReview",
       .plural = "selfsubjectreviews", .singular = "selfsubjectreview", .namespaced = false,
       .verbs = {"create"}},
      {.group = "", .version = "v1", .kind = "ConfigMap", .plural = "configmaps",
       .singular = "configmap", .short_names = {"cm"}, .storage_prefix = "/registry/configmaps"},
      {.group = "", .version = "v1", .kind = "Endpoints", .plural = "endpoints",
       .singular = "endpoints", .short_names = {"ep"},
       .storage_prefix = "/registry/services/endpoints"},
      {.group = "", .version = "v1", .kind = "Event", .plural = "events", .singular = "event",
       .short_names = {"ev"}, .selectable_fields = kCoreEventFields,
       .storage_prefix = "/registry/events"},
      {.group = "", .version = "v1", .kind = "Namespace", .plural = "namespaces",
       .singular = "namespace", .namespaced = false, .short_names = {"ns"},
       .subresources = {"status", "finalize"}, .selectable_fields = {"status.phase"},
       .storage_prefix = "/registry/namespaces", .name_rule = "label",
       .verbs = no_deletecollection},
      {.group = "", .version = "v1", .kind = "Node", .plural = "nodes", .singular = "node",
       .namespaced = false, .short_names = {"no"}, .subresources = {"status"},
       .selectable_fields = {"spec.unschedulable"}, .storage_prefix = "/registry/minions"},
      {.group = "", .version = "v1", .kind = "PersistentVolumeClaim",
       .plural = "persistentvolumeclaims", .singular = "persistentvolumeclaim",
       .short_names = {"pvc"}, .subresources = {"status"},
       .storage_prefix = "/registry/persistentvolumeclaims"},
      {.group = "", .version = "v1", .kind = "PersistentVolume", .plural = "persistentvolumes",
       .singular = "persistentvolume", .namespaced = false, .short_names = {"pv"},
       .subresources = {"status"}, .storage_prefix = "/registry/persistentvolumes",
       .name_rule = "path"},
      {.group = "", .version = "v1", .kind = "Pod", .plural = "pods", .singular = "pod",
       .short_names = {"po"}, .categories = {"all"},
       .subresources = {"attach", "binding", "eviction", "exec", "log", "portforward",
                        "status"},
       .selectable_fields = {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                             "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
                             "status.podIP", "status.nominatedNodeName"},
       .storage_prefix = "/registry/pods"},
      {.group = "", .version = "v1", .kind = "Secret", .plural = "secrets", .singular = "secret",
       .selectable_fields = {"type"}, .storage_prefix = "/registry/secrets"},
      {.group = "", .version = "v1", .kind = "ServiceAccount", .plural = "serviceaccounts",
       .singular = "serviceaccount", .short_names = {"sa"}, .subresources = {"token"},
       .storage_prefix = "/registry/serviceaccounts"},
      {.group = "", .version = "v1", .kind = "Service", .plural = "services",
       .singular = "service", .short_names = {"svc"}, .categories = {"all"},
       .subresources = {"status"}, .storage_prefix = "/registry/services/specs",
       .name_rule = "label"},
      // apps/v1
      {.group = "apps", .version = "v1", .kind = "ControllerRevision",
       .plural = "controllerrevisions", .singular = "controllerrevision",
       .storage_prefix = "/registry/controllerrevisions"},
      {.group = "apps", .version = "v1", .kind = "DaemonSet", .plural = "daemonsets",
       .singular = "daemonset", .short_names = {"ds"}, .categories = {"all"},
       .subresources = {"status"}, .storage_prefix = "/registry/daemonsets"},
      {.group = "apps", .version = "v1", .kind = "Deployment", .plural = "deployments",
       .singular = "deployment", .short_names = {"deploy"}, .categories = {"all"},
       .subresources = {"scale", "status"}, .storage_prefix = "/registry/deployments"},
      {.group = "apps", .version = "v1", .kind = "ReplicaSet", .plural = "replicasets",
       .singular = "replicaset", .short_names = {"rs"}, .categories = {"all"},
       .subresources = {"scale", "status"}, .selectable_fields = {"status.replicas"},
       .storage_prefix = "/registry/replicasets"},
      {.group = "apps", .version = "v1", .kind = "StatefulSet", .plural = "statefulsets",
       .singular = "statefulset", .short_names = {"sts"}, .categories = {"all"},
       .subresources = {"scale", "status"}, .storage_prefix = "/registry/statefulsets"},
      // events.k8s.io/v1: stored with core/v1 Events (in the core shape) and converted on
      // the way in and out (api/conversion/event_conversion.h).
      {.group = "events.k8s.io", .version = "v1", .kind = "Event", .plural = "events",
       .singular = "event", .short_names = {"ev"}, .selectable_fields = kEventsV1Fields,
       .storage_prefix = "/registry/events"},
      // batch/v1
      {.group = "batch", .version = "v1", .kind = "CronJob", .plural = "cronjobs",
       .singular = "cronjob", .short_names = {"cj"}, .categories = {"all"},
       .subresources = {"status"}, .storage_prefix = "/registry/cronjobs"},
      {.group = "batch", .version = "v1", .kind = "Job", .plural = "jobs", .singular = "job",
       .categories = {"all"}, .subresources = {"status"},
       .selectable_fields = {"status.successful"}, .storage_prefix = "/registry/jobs"},
      // networking.k8s.io/v1
      {.group = "networking.k8s.io", .version = "v1", .kind = "IngressClass",
       .plural = "ingressclasses", .singular = "ingressclass", .namespaced = false,
       .storage_prefix = "/registry/ingressclasses"},
      {.group = "networking.k8s.io", .version = "v1", .kind = "Ingress", .plural = "ingresses",
       .singular = "ingress", .short_names = {"ing"}, .subresources = {"status"},
       .storage_prefix = "/registry/ingress"},
      // policy/v1
      {.group = "policy", .version = "v1", .kind = "PodDisruptionBudget",
       .plural = "poddisruptionbudgets", .singular = "poddisruptionbudget",
       .short_names = {"pdb"}, .subresources = {"status"},
       .storage_prefix = "/registry/poddisruptionbudgets"},
      // storage.k8s.io/v1
      {.group = "storage.k8s.io", .version = "v1", .kind = "StorageClass",
       .plural = "storageclasses", .singular = "storageclass", .namespaced = false,
       .short_names = {"sc"}, .storage_prefix = "/registry/storageclasses"},
      // apiextensions.k8s.io/v1
      {.group = "apiextensions.k8s.io", .version = "v1", .kind = "CustomResourceDefinition",
       .plural = "customresourcedefinitions", .singular = "customresourcedefinition",
       .namespaced = false, .short_names = {"crd", "crds"}, .categories = {"api-extensions"},
       .subresources = {"status"},
       .storage_prefix = "/registry/apiextensions.k8s.io/customresourcedefinitions"},
      // coordination.k8s.io/v1
      {.group = "coordination.k8s.io", .version = "v1", .kind = "Lease", .plural = "leases",
       .singular = "lease", .storage_prefix = "/registry/leases"},
      // discovery.k8s.io/v1
      {.group = "discovery.k8s.io", .version = "v1", .kind = "EndpointSlice",
       .plural = "endpointslices", .singular = "endpointslice",
       .storage_prefix = "/registry/endpointslices"},
  };
}

}  // namespace

std::shared_ptr<Registry> Registry::with_builtins() {
  auto reg = std::make_shared<Registry>();
  for (auto& spec : builtin_specs()) reg->add(make(std::move(spec)));
  return reg;
}

}  // namespace kite::api
