#include "scheduler/pod_info.h"

#include <algorithm>

#include "scheduler/json_util.h"
#include "scheduler/quantity.h"

namespace kite::scheduler {
namespace {

using json = nlohmann::json;
using Op = api::LabelSelector::Op;

constexpr int64_t kDefaultMilliCpuRequest = 100;               // 0.1 core
constexpr int64_t kDefaultMemoryRequest = 200LL * 1024 * 1024;  // 200Mi

Labels string_map(const json* j) {
  Labels out;
  if (!j || !j->is_object()) return out;
  for (auto it = j->begin(); it != j->end(); ++it)
    if (it->is_string()) out.emplace(it.key(), it->get<std::string>());
  return out;
}

// Requests of one container: requests, falling back to limits per resource (the API's
// defaulting), into `out`. Returns whether cpu / memory were given (for the non-zero defaults).
void container_requests(const json& c, Resources& out, bool& has_cpu, bool& has_memory) {
  has_cpu = has_memory = false;
  const json* res = jsonu::object(c, "resources");
  if (!res) return;
  const json* req = jsonu::object(*res, "requests");
  const json* lim = jsonu::object(*res, "limits");
  auto read = [&](const json* list) {
    if (!list) return;
    for (auto it = list->begin(); it != list->end(); ++it) {
      const std::string& name = it.key();
      if (list == lim && req && req->contains(name)) continue;  // requests win
      if (name == "cpu") {
        out.milli_cpu = milli_quantity(*it).value_or(0);
        has_cpu = true;
      } else if (name == "memory") {
        out.memory = quantity(*it).value_or(0);
        has_memory = true;
      } else if (name == "ephemeral-storage") {
        out.ephemeral_storage = quantity(*it).value_or(0);
      } else if (name == "pods") {
        // not a container resource
      } else {
        out.set_scalar(name, quantity(*it).value_or(0));
      }
    }
  };
  read(req);
  read(lim);
}

// Sum of containers, sidecars added, max with init containers (resource.PodRequests).
void compute_requests(const json& spec, PodInfo& p) {
  Resources reqs, non_zero;
  auto add_container = [](const json& c, Resources& r, Resources& nz) {
    Resources one;
    bool has_cpu = false, has_memory = false;
    container_requests(c, one, has_cpu, has_memory);
    Resources one_nz;
    one_nz.milli_cpu = has_cpu ? one.milli_cpu : kDefaultMilliCpuRequest;
    one_nz.memory = has_memory ? one.memory : kDefaultMemoryRequest;
    r.add(one);
    nz.add(one_nz);
    return std::pair{one, one_nz};
  };
  if (const json* cs = jsonu::array(spec, "containers"))
    for (const auto& c : *cs) add_container(c, reqs, non_zero);
  if (const json* ics = jsonu::array(spec, "initContainers")) {
    Resources restartable, restartable_nz, init_max, init_max_nz;
    for (const auto& c : *ics) {
      if (jsonu::string(c, "restartPolicy") == "Always") {
        auto [one, one_nz] = add_container(c, reqs, non_zero);
        restartable.add(one);
        restartable_nz.add(one_nz);
        init_max.max_with(restartable);
        init_max_nz.max_with(restartable_nz);
      } else {
        Resources scratch, scratch_nz;
        auto [one, one_nz] = add_container(c, scratch, scratch_nz);
        one.add(restartable);
        one_nz.add(restartable_nz);
        init_max.max_with(one);
        init_max_nz.max_with(one_nz);
      }
    }
    reqs.max_with(init_max);
    non_zero.max_with(init_max_nz);
  }
  if (const json* overhead = jsonu::object(spec, "overhead")) {
    json c = {{"resources", {{"requests", *overhead}}}};
    Resources o;
    bool a = false, b = false;
    container_requests(c, o, a, b);
    reqs.add(o);
    non_zero.add(o);
  }
  reqs.pods = 1;
  p.requests = std::move(reqs);
  p.non_zero_milli_cpu = non_zero.milli_cpu;
  p.non_zero_memory = non_zero.memory;
}

std::optional<Op> node_selector_op(const std::string& s) {
  if (s == "In") return Op::In;
  if (s == "NotIn") return Op::NotIn;
  if (s == "Exists") return Op::Exists;
  if (s == "DoesNotExist") return Op::DoesNotExist;
  if (s == "Gt") return Op::GreaterThan;
  if (s == "Lt") return Op::LessThan;
  return std::nullopt;
}

std::vector<api::LabelSelector::Requirement> requirements(const json* list, std::string& error) {
  std::vector<api::LabelSelector::Requirement> out;
  if (!list || !list->is_array()) return out;
  for (const auto& r : *list) {
    auto op = node_selector_op(jsonu::string(r, "operator"));
    if (!op) {
      error = "invalid node selector operator \"" + jsonu::string(r, "operator") + "\"";
      continue;
    }
    api::LabelSelector::Requirement req;
    req.key = jsonu::string(r, "key");
    req.op = *op;
    if (const json* vs = jsonu::array(r, "values"))
      for (const auto& v : *vs)
        if (v.is_string()) req.values.push_back(v.get<std::string>());
    std::sort(req.values.begin(), req.values.end());
    req.values.erase(std::unique(req.values.begin(), req.values.end()), req.values.end());
    out.push_back(std::move(req));
  }
  return out;
}

NodeSelectorTerm node_selector_term(const json& t, std::string& error) {
  NodeSelectorTerm term;
  auto exprs = requirements(jsonu::array(t, "matchExpressions"), error);
  auto fields = requirements(jsonu::array(t, "matchFields"), error);
  term.empty = exprs.empty() && fields.empty();
  term.expressions = api::LabelSelector::from_requirements(std::move(exprs));
  term.fields = std::move(fields);
  return term;
}

// Folds matchLabelKeys (key in (pod's value)) / mismatchLabelKeys (key notin (value)) in.
api::LabelSelector with_label_keys(const api::LabelSelector& base, const json& term, const Labels& pod_labels) {
  const json* match = jsonu::array(term, "matchLabelKeys");
  const json* mismatch = jsonu::array(term, "mismatchLabelKeys");
  if ((!match || match->empty()) && (!mismatch || mismatch->empty())) return base;
  if (base.matches_nothing()) return base;
  auto reqs = base.requirements();
  auto fold = [&](const json* keys, Op op) {
    if (!keys) return;
    for (const auto& k : *keys) {
      if (!k.is_string()) continue;
      auto it = pod_labels.find(k.get<std::string>());
      if (it == pod_labels.end()) continue;
      reqs.push_back({it->first, op, {it->second}});
    }
  };
  fold(match, Op::In);
  fold(mismatch, Op::NotIn);
  return api::LabelSelector::from_requirements(std::move(reqs));
}

api::LabelSelector label_selector(const json* sel, std::string& error) {
  if (!sel) return api::LabelSelector::nothing();
  auto r = api::LabelSelector::from_json(*sel);
  if (!r) {
    error = r.error().message();
    return api::LabelSelector::nothing();
  }
  return *r;
}

PodAffinityTerm affinity_term(const json& t, const PodInfo& p, int32_t weight, std::string& error) {
  PodAffinityTerm term;
  term.weight = weight;
  term.selector = with_label_keys(label_selector(jsonu::object(t, "labelSelector"), error), t, p.labels);
  if (const json* nss = jsonu::array(t, "namespaces"))
    for (const auto& n : *nss)
      if (n.is_string()) term.namespaces.push_back(n.get<std::string>());
  if (const json* nsel = jsonu::object(t, "namespaceSelector")) {
    term.namespace_selector = label_selector(nsel, error);
  } else if (term.namespaces.empty()) {
    term.namespaces.push_back(p.ns);
  }
  term.topology_key = jsonu::string(t, "topologyKey");
  return term;
}

void parse_pod_affinity(const json& aff, PodInfo& p, std::vector<PodAffinityTerm>& required,
                        std::vector<PodAffinityTerm>& preferred) {
  if (const json* req = jsonu::array(aff, "requiredDuringSchedulingIgnoredDuringExecution"))
    for (const auto& t : *req) required.push_back(affinity_term(t, p, 0, p.parse_error));
  if (const json* pref = jsonu::array(aff, "preferredDuringSchedulingIgnoredDuringExecution"))
    for (const auto& w : *pref) {
      const json* t = jsonu::object(w, "podAffinityTerm");
      if (t) preferred.push_back(affinity_term(*t, p, static_cast<int32_t>(jsonu::integer(w, "weight")), p.parse_error));
    }
}

void parse_affinity(const json& spec, PodInfo& p) {
  const json* aff = jsonu::object(spec, "affinity");
  if (!aff) return;
  if (const json* na = jsonu::object(*aff, "nodeAffinity")) {
    if (const json* req = jsonu::object(*na, "requiredDuringSchedulingIgnoredDuringExecution")) {
      NodeSelector ns;
      if (const json* terms = jsonu::array(*req, "nodeSelectorTerms"))
        for (const auto& t : *terms) ns.terms.push_back(node_selector_term(t, p.parse_error));
      p.required_node_affinity = std::move(ns);
    }
    if (const json* pref = jsonu::array(*na, "preferredDuringSchedulingIgnoredDuringExecution"))
      for (const auto& w : *pref) {
        const json* t = jsonu::object(w, "preference");
        if (!t) continue;
        p.preferred_node_affinity.push_back(
            {static_cast<int32_t>(jsonu::integer(w, "weight")), node_selector_term(*t, p.parse_error)});
      }
  }
  if (const json* pa = jsonu::object(*aff, "podAffinity")) parse_pod_affinity(*pa, p, p.required_affinity, p.preferred_affinity);
  if (const json* paa = jsonu::object(*aff, "podAntiAffinity"))
    parse_pod_affinity(*paa, p, p.required_anti_affinity, p.preferred_anti_affinity);
}

void parse_tolerations(const json& spec, PodInfo& p) {
  const json* ts = jsonu::array(spec, "tolerations");
  if (!ts) return;
  for (const auto& t : *ts) {
    Toleration tol;
    tol.key = jsonu::string(t, "key");
    tol.exists = jsonu::string(t, "operator") == "Exists";
    tol.value = jsonu::string(t, "value");
    std::string effect = jsonu::string(t, "effect");
    if (!effect.empty()) tol.effect = parse_taint_effect(effect);
    p.tolerations.push_back(std::move(tol));
  }
}

void parse_spread(const json& spec, PodInfo& p) {
  const json* cs = jsonu::array(spec, "topologySpreadConstraints");
  if (!cs) return;
  for (const auto& c : *cs) {
    TopologySpreadConstraint t;
    t.max_skew = static_cast<int32_t>(jsonu::integer(c, "maxSkew", 1));
    t.topology_key = jsonu::string(c, "topologyKey");
    t.when_unsatisfiable = jsonu::string(c, "whenUnsatisfiable") == "ScheduleAnyway"
                               ? UnsatisfiableAction::kScheduleAnyway
                               : UnsatisfiableAction::kDoNotSchedule;
    t.selector = with_label_keys(label_selector(jsonu::object(c, "labelSelector"), p.parse_error), c, p.labels);
    t.min_domains = static_cast<int32_t>(jsonu::integer(c, "minDomains", 1));
    t.honor_node_affinity = jsonu::string(c, "nodeAffinityPolicy", "Honor") == "Honor";
    t.honor_node_taints = jsonu::string(c, "nodeTaintsPolicy", "Ignore") == "Honor";
    p.spread_constraints.push_back(std::move(t));
  }
}

void parse_containers(const json& spec, PodInfo& p) {
  for (const char* field : {"containers", "initContainers"}) {
    const json* cs = jsonu::array(spec, field);
    if (!cs) continue;
    for (const auto& c : *cs) {
      std::string image = jsonu::string(c, "image");
      if (!image.empty()) p.images.push_back(std::move(image));
      const json* ports = jsonu::array(c, "ports");
      if (!ports) continue;
      for (const auto& port : *ports) {
        int64_t hp = jsonu::integer(port, "hostPort");
        if (hp <= 0) continue;
        HostPort h;
        h.port = static_cast<int32_t>(hp);
        h.ip = jsonu::string(port, "hostIP", "0.0.0.0");
        if (h.ip.empty()) h.ip = "0.0.0.0";
        h.protocol = jsonu::string(port, "protocol", "TCP");
        if (h.protocol.empty()) h.protocol = "TCP";
        p.host_ports.push_back(std::move(h));
      }
    }
  }
}

}  // namespace

PodInfoPtr parse_pod(std::shared_ptr<const nlohmann::json> obj) {
  auto p = std::make_shared<PodInfo>();
  p->object = obj;
  const json& pod = *obj;
  static const json kEmpty = json::object();
  const json* meta = jsonu::object(pod, "metadata");
  if (!meta) meta = &kEmpty;
  const json* spec = jsonu::object(pod, "spec");
  if (!spec) spec = &kEmpty;
  const json* status = jsonu::object(pod, "status");
  if (!status) status = &kEmpty;

  p->ns = jsonu::string(*meta, "namespace");
  p->name = jsonu::string(*meta, "name");
  p->key = p->ns.empty() ? p->name : p->ns + "/" + p->name;
  p->uid = jsonu::string(*meta, "uid");
  p->resource_version = jsonu::string(*meta, "resourceVersion");
  p->terminating = jsonu::member(*meta, "deletionTimestamp") != nullptr;
  p->labels = string_map(jsonu::object(*meta, "labels"));
  if (const json* owners = jsonu::array(*meta, "ownerReferences"))
    for (const auto& o : *owners)
      if (jsonu::boolean(o, "controller")) p->controller_uid = jsonu::string(o, "uid");

  p->node_name = jsonu::string(*spec, "nodeName");
  p->scheduler_name = jsonu::string(*spec, "schedulerName");
  if (p->scheduler_name.empty()) p->scheduler_name = kDefaultSchedulerName;
  p->priority = static_cast<int32_t>(jsonu::integer(*spec, "priority"));
  if (const json* gates = jsonu::array(*spec, "schedulingGates")) p->gated = !gates->empty();
  p->node_selector = string_map(jsonu::object(*spec, "nodeSelector"));

  compute_requests(*spec, *p);
  parse_containers(*spec, *p);
  parse_affinity(*spec, *p);
  parse_tolerations(*spec, *p);
  parse_spread(*spec, *p);

  p->phase = jsonu::string(*status, "phase");
  if (const json* conds = jsonu::array(*status, "conditions"))
    for (const auto& c : *conds)
      if (jsonu::string(c, "type") == "PodScheduled") {
        p->scheduled_status = jsonu::string(c, "status");
        p->scheduled_reason = jsonu::string(c, "reason");
        p->scheduled_message = jsonu::string(c, "message");
      }
  return p;
}

PodInfoPtr parse_pod(const nlohmann::json& pod) { return parse_pod(std::make_shared<const nlohmann::json>(pod)); }

bool pod_matches_node_selector_and_affinity(const PodInfo& pod, const std::string& node_name,
                                            const Labels& node_labels) {
  for (const auto& [k, v] : pod.node_selector) {
    auto it = node_labels.find(k);
    if (it == node_labels.end() || it->second != v) return false;
  }
  if (pod.required_node_affinity && !pod.required_node_affinity->matches(node_name, node_labels)) return false;
  return true;
}

bool pod_matches_affinity_term(const PodInfo& pod, const PodAffinityTerm& term, const Labels* namespace_labels) {
  if (term.namespace_selector) {
    bool in_list = std::find(term.namespaces.begin(), term.namespaces.end(), pod.ns) != term.namespaces.end();
    if (!in_list) {
      static const Labels kNone;
      if (!term.namespace_selector->matches(namespace_labels ? *namespace_labels : kNone)) return false;
    }
  } else if (std::find(term.namespaces.begin(), term.namespaces.end(), pod.ns) == term.namespaces.end()) {
    return false;
  }
  return term.selector.matches(pod.labels);
}

}  // namespace kite::scheduler
