// ResourceInfo and Registry: what the API serves.
//
// One ResourceInfo per (group, version, resource): names (kind, plural, singular, short
// names, categories), scope, verbs, subresources, the kind's schema, which fields may be used
// in field selectors, and where objects live in the datastore. The Registry holds the
// built-in resources (api/registry/builtin_resources.cpp) and the resources that CustomResourceDefinitions
// add at run time. Registry is thread-safe; ResourceInfo objects are immutable and shared
// (ResourceInfoPtr), so a caller may keep one while the registry changes.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "api/schema.h"

namespace kite::api {

// A column of a server-side Table (metav1.TableColumnDefinition) for a CRD's
// additionalPrinterColumns; built-in kinds have their columns in api/tables/.
struct PrinterColumn {
  std::string name;
  std::string type;         // integer, number, string, boolean, date
  std::string format;
  std::string description;
  int priority = 0;         // 0 = default output, >0 = -o wide
  std::string json_path;    // e.g. ".spec.replicas"
};

struct ResourceInfo {
  std::string group;     // "" for the core group
  std::string version;   // "v1"
  std::string kind;      // "Pod"
  std::string list_kind; // "PodList"
  std::string plural;    // "pods"
  std::string singular;  // "pod"
  bool namespaced = true;
  std::vector<std::string> short_names;  // "po"
  std::vector<std::string> categories;   // "all"
  std::vector<std::string> verbs;        // create delete deletecollection get list patch update watch
  // Subresources served: "status", "scale", "binding", "eviction", "log", "exec", "attach",
  // "portforward", "proxy".
  std::vector<std::string> subresources;
  SchemaPtr schema;
  // Field paths allowed in field selectors besides metadata.name / metadata.namespace,
  // e.g. {"spec.nodeName", "status.phase"} for pods.
  std::vector<std::string> selectable_fields;
  // Name rule for metadata.name: "subdomain" (DNS-1123 subdomain, the default), "label"
  // (DNS-1123 label: namespaces, services), or "path" (any string usable in a path segment).
  std::string name_rule = "subdomain";
  // Datastore key prefix without namespace/name, e.g. "/registry/pods" or
  // "/registry/apps/deployments" (group-qualified except for the core group and a few
  // historical names, as Kubernetes stores them).
  std::string storage_prefix;
  // Custom resources: additionalPrinterColumns and the scale subresource's paths.
  bool custom = false;
  std::vector<PrinterColumn> printer_columns;
  std::string scale_spec_replicas_path;    // ".spec.replicas"
  std::string scale_status_replicas_path;  // ".status.replicas"
  std::string scale_label_selector_path;   // ".status.selector"

  bool has_subresource(const std::string& s) const;
  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  std::string group_resource() const { return group.empty() ? plural : plural + "." + group; }
  // The datastore key of an object: storage_prefix + "/" + [namespace + "/"] + name.
  std::string key(const std::string& ns, const std::string& name) const;
};
using ResourceInfoPtr = std::shared_ptr<const ResourceInfo>;

class Registry {
 public:
  // A registry with every built-in resource.
  static std::shared_ptr<Registry> with_builtins();

  void add(ResourceInfoPtr info);
  // Removes every version of a custom resource (group, plural).
  void remove_custom(const std::string& group, const std::string& plural);

  ResourceInfoPtr find(const std::string& group, const std::string& version,
                       const std::string& plural) const;
  ResourceInfoPtr find_kind(const std::string& group, const std::string& version,
                            const std::string& kind) const;
  // Resolves a name a user types (kubectl-style): a plural, singular, short name or kind
  // (case-insensitive), optionally qualified as "<name>.<group>" or "<name>.<version>.<group>".
  // Returns the matches in group preference order (one per group, its preferred version).
  std::vector<ResourceInfoPtr> resolve(const std::string& name) const;
  // Every resource, sorted by group, version, plural.
  std::vector<ResourceInfoPtr> all() const;
  // Group names with their versions in preference order ("" = core).
  std::vector<std::pair<std::string, std::vector<std::string>>> groups() const;

 private:
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, std::string>, ResourceInfoPtr> by_resource_;
};

}  // namespace kite::api
