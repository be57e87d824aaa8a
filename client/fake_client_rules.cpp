// The API server rules FakeClient mirrors (see server/apiserver/strategy.cpp, responses.cpp):
// error wording, generation tracking, create/update preparation, selection of objects by
// namespace, label and field selectors, and how a change becomes a watch event.
#include <set>

#include "api/defaults/defaults.h"
#include "base/base64.h"
#include "base/ids.h"
#include "client/fake_client_state.h"

namespace kite::client::fake {

namespace {

const api::Registry& registry() {
  static const std::shared_ptr<api::Registry> r = api::Registry::with_builtins();
  return *r;
}

const std::set<std::string>& server_owned_metadata() {
  static const std::set<std::string> fields = {"uid", "creationTimestamp", "generation", "deletionTimestamp",
                                               "deletionGracePeriodSeconds", "selfLink"};
  return fields;
}

// Everything except metadata and status: what generation tracks.
json spec_part(const json& obj) {
  json out = obj;
  out.erase("metadata");
  out.erase("status");
  out.erase("apiVersion");
  out.erase("kind");
  return out;
}

}  // namespace

api::ResourceInfoPtr resource_info(const ResourceRef& r) { return registry().find(r.group, r.version, r.resource); }

std::string resource_id(const ResourceRef& r) { return r.group + "/" + r.resource; }

std::string qualified(const ResourceRef& r) { return r.group.empty() ? r.resource : r.resource + "." + r.group; }

base::Status not_found(const ResourceRef& r, const std::string& name) {
  base::Status s(base::Reason::NotFound, qualified(r) + " \"" + name + "\" not found");
  s.with_details(name, r.group, r.resource);
  return s;
}

base::Status already_exists(const ResourceRef& r, const std::string& name) {
  base::Status s(base::Reason::AlreadyExists, qualified(r) + " \"" + name + "\" already exists");
  s.with_details(name, r.group, r.resource);
  return s;
}

base::Status conflict(const ResourceRef& r, const std::string& name, const std::string& why) {
  base::Status s(base::Reason::Conflict, "Operation cannot be fulfilled on " + qualified(r) + " \"" + name + "\": " + why);
  s.with_details(name, r.group, r.resource);
  return s;
}

bool tracks_generation(const ResourceRef& r, const api::ResourceInfo* info) {
  if (!info || info->custom) return true;
  static const std::set<std::string> groups = {"apps", "batch", "policy", "networking.k8s.io",
                                               "apiextensions.k8s.io"};
  return groups.count(r.group) > 0;
}

bool has_status_subresource(const api::ResourceInfo* info) { return info && info->has_subresource("status"); }

bool is_kind(const ResourceRef& r, const char* plural) { return r.group.empty() && r.resource == plural; }

void set_type_meta(const ResourceRef& r, const api::ResourceInfo* info, json& obj) {
  if (info && (!obj.contains("kind") || !obj["kind"].is_string())) obj["kind"] = info->kind;
  if (!obj.contains("apiVersion") || !obj["apiVersion"].is_string()) obj["apiVersion"] = r.api_version();
}

void prepare_for_create(const ResourceRef& r, const api::ResourceInfo* info, json& obj) {
  auto& meta = obj["metadata"];
  for (const auto& f : server_owned_metadata()) meta.erase(f);
  meta.erase("resourceVersion");
  if (tracks_generation(r, info)) meta["generation"] = 1;
  if (is_kind(r, "pods")) {
    obj["status"] = {{"phase", "Pending"}};
  } else if (is_kind(r, "namespaces")) {
    obj["status"] = {{"phase", "Active"}};
  } else if (is_kind(r, "persistentvolumeclaims") || is_kind(r, "persistentvolumes")) {
    obj["status"] = {{"phase", "Pending"}};
  } else if (is_kind(r, "nodes")) {
    // A node registers with its status.
  } else if (is_kind(r, "services")) {
    obj["status"] = {{"loadBalancer", json::object()}};
  } else if (has_status_subresource(info)) {
    obj.erase("status");
  }
}

namespace {

// DefaultTolerationSeconds: a pod that does not already tolerate the not-ready / unreachable
// NoExecute taints tolerates them for 300 s.
void add_default_toleration_seconds(json& spec) {
  if (!spec.contains("tolerations") || !spec["tolerations"].is_array()) spec["tolerations"] = json::array();
  json& tolerations = spec["tolerations"];
  bool not_ready = false, unreachable = false;
  for (const auto& t : tolerations) {
    if (!t.is_object()) continue;
    std::string key = t.value("key", "");
    std::string effect = t.value("effect", "");
    if (effect != "NoExecute" && !effect.empty()) continue;
    not_ready = not_ready || key.empty() || key == "node.kubernetes.io/not-ready";
    unreachable = unreachable || key.empty() || key == "node.kubernetes.io/unreachable";
  }
  for (auto [key, present] : {std::pair{"node.kubernetes.io/not-ready", not_ready},
                              std::pair{"node.kubernetes.io/unreachable", unreachable}}) {
    if (present) continue;
    tolerations.push_back(
        {{"key", key}, {"operator", "Exists"}, {"effect", "NoExecute"}, {"tolerationSeconds", 300}});
  }
}

}  // namespace

base::Status admit_mutations(const ResourceRef& r, json& obj, bool create) {
  if (is_kind(r, "secrets") && obj.contains("stringData")) {
    const json sd = obj["stringData"];
    if (!sd.is_null() && !sd.is_object()) return {base::Reason::BadRequest, "Secret.stringData must be a map of strings"};
    if (sd.is_object()) {
      for (auto it = sd.begin(); it != sd.end(); ++it) {
        if (!it.value().is_string()) {
          return {base::Reason::BadRequest, "Secret.stringData[" + it.key() + "] must be a string"};
        }
        obj["data"][it.key()] = base::base64_encode(it.value().get<std::string>());
      }
    }
    obj.erase("stringData");
  }
  if (create && is_kind(r, "pods") && obj.contains("spec") && obj["spec"].is_object()) {
    auto& spec = obj["spec"];
    std::string sa = spec.value("serviceAccountName", "");
    if (sa.empty()) sa = spec.value("serviceAccount", "");
    if (sa.empty()) sa = "default";
    spec["serviceAccountName"] = sa;
    spec["serviceAccount"] = sa;
    add_default_toleration_seconds(spec);
  }
  return {};
}

void generate_job_selector(const ResourceRef& r, json& obj) {
  if (r.group != "batch" || r.resource != "jobs" || !obj.contains("spec") || !obj["spec"].is_object()) return;
  auto& spec = obj["spec"];
  if (spec.value("manualSelector", false)) return;
  std::string uid = obj["metadata"].value("uid", "");
  std::string name = obj["metadata"].value("name", "");
  if (uid.empty()) return;
  auto& labels = spec["template"]["metadata"]["labels"];
  if (!labels.is_object()) labels = json::object();
  labels["batch.kubernetes.io/controller-uid"] = uid;
  labels["batch.kubernetes.io/job-name"] = name;
  labels["controller-uid"] = uid;
  labels["job-name"] = name;
  if (!spec.contains("selector") || spec["selector"].is_null()) {
    spec["selector"] = {{"matchLabels", {{"batch.kubernetes.io/controller-uid", uid}}}};
  }
}

void prepare_for_update(const ResourceRef& r, const api::ResourceInfo* info, const json& old_obj, json& obj,
                        bool status_only) {
  static const json empty = json::object();
  auto mi = old_obj.find("metadata");
  const json& old_meta = mi != old_obj.end() && mi->is_object() ? *mi : empty;
  if (status_only) {
    json next = old_obj;
    if (obj.contains("status")) {
      next["status"] = obj["status"];
    } else {
      next.erase("status");
    }
    obj = std::move(next);
    return;
  }
  auto& meta = obj["metadata"];
  for (const auto& f : server_owned_metadata()) {
    if (old_meta.contains(f)) {
      meta[f] = old_meta[f];
    } else {
      meta.erase(f);
    }
  }
  if (has_status_subresource(info)) {
    if (old_obj.contains("status")) {
      obj["status"] = old_obj["status"];
    } else {
      obj.erase("status");
    }
  }
  if (info) api::apply_defaults(*info, obj);
  if (tracks_generation(r, info)) {
    int64_t gen = old_meta.value("generation", int64_t{1});
    if (spec_part(old_obj) != spec_part(obj)) ++gen;
    meta["generation"] = gen;
  }
}

bool has_finalizers(const json& obj) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return false;
  auto f = m->find("finalizers");
  return f != m->end() && f->is_array() && !f->empty();
}

bool is_deleting(const json& obj) {
  auto m = obj.find("metadata");
  return m != obj.end() && m->is_object() && m->contains("deletionTimestamp") && !(*m)["deletionTimestamp"].is_null();
}

bool Filter::matches(const json& obj) const {
  static const json empty = json::object();
  auto mi = obj.find("metadata");
  const json& meta = mi != obj.end() && mi->is_object() ? *mi : empty;
  if (!ns.empty() && meta.value("namespace", "") != ns) return false;
  if (!labels.empty()) {
    auto l = meta.find("labels");
    if (!labels.matches(l == meta.end() ? json(nullptr) : *l)) return false;
  }
  if (!fields.empty()) {
    static const std::vector<std::string> none;
    auto values = api::selectable_field_values(obj, info ? info->selectable_fields : none, namespaced);
    if (!fields.matches(values)) return false;
  }
  return true;
}

base::Result<Filter> make_filter(const ResourceRef& r, const std::string& ns, const ListOptions& opts) {
  Filter f;
  f.resource_id = resource_id(r);
  f.ns = r.namespaced ? ns : "";
  f.info = resource_info(r);
  f.namespaced = r.namespaced;
  if (!opts.label_selector.empty()) {
    auto l = api::LabelSelector::parse(opts.label_selector);
    if (!l) return std::unexpected(l.error());
    f.labels = std::move(*l);
  }
  if (!opts.field_selector.empty()) {
    auto fs = api::FieldSelector::parse(opts.field_selector);
    if (!fs) return std::unexpected(fs.error());
    std::set<std::string> supported = {"metadata.name"};
    if (r.namespaced) supported.insert("metadata.namespace");
    if (f.info) supported.insert(f.info->selectable_fields.begin(), f.info->selectable_fields.end());
    if (auto s = fs->check_supported(supported); !s.is_ok()) return base::error(s);
    f.fields = std::move(*fs);
  }
  return f;
}

std::optional<WatchEvent> event_for(const Filter& filter, const Change& change) {
  if (change.resource_id != filter.resource_id) return std::nullopt;
  bool old_match = change.old_obj && filter.matches(*change.old_obj);
  bool new_match = change.obj && filter.matches(*change.obj);
  if (new_match) {
    return WatchEvent{old_match ? WatchEvent::Type::kModified : WatchEvent::Type::kAdded, *change.obj};
  }
  if (!old_match) return std::nullopt;
  // Deleted, or moved out of the selection: the last state the watcher saw, at the new version.
  json last = *change.old_obj;
  last["metadata"]["resourceVersion"] = std::to_string(change.rv);
  return WatchEvent{WatchEvent::Type::kDeleted, std::move(last)};
}

}  // namespace kite::client::fake
