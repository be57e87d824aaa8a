// Pod and pod-template defaults, as Kubernetes' core/v1 defaulting sets them.
#include "api/defaults/kind_defaults.h"

namespace kite::api::defaults {

void set_default(json& obj, const char* key, json value) {
  if (!obj.is_object()) return;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) obj[key] = std::move(value);
}

json& child_object(json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) obj[key] = json::object();
  return obj[key];
}

namespace {

// "Always" for images tagged :latest or untagged (and without a digest), else "IfNotPresent".
std::string pull_policy(const std::string& image) {
  if (image.find('@') != std::string::npos) return "IfNotPresent";
  auto slash = image.rfind('/');
  std::string last = slash == std::string::npos ? image : image.substr(slash + 1);
  auto colon = last.rfind(':');
  if (colon == std::string::npos) return "Always";
  return last.substr(colon + 1) == "latest" ? "Always" : "IfNotPresent";
}

void default_http_get(json& handler) {
  if (auto it = handler.find("httpGet"); it != handler.end() && it->is_object()) {
    set_default(*it, "path", "/");
    set_default(*it, "scheme", "HTTP");
  }
}

void default_probe(json& c, const char* key) {
  auto it = c.find(key);
  if (it == c.end() || !it->is_object()) return;
  json& p = *it;
  set_default(p, "timeoutSeconds", 1);
  set_default(p, "periodSeconds", 10);
  set_default(p, "successThreshold", 1);
  set_default(p, "failureThreshold", 3);
  default_http_get(p);
}

void default_env(json& c) {
  auto env = c.find("env");
  if (env == c.end() || !env->is_array()) return;
  for (auto& e : *env) {
    if (!e.is_object() || !e.contains("valueFrom") || !e["valueFrom"].is_object()) continue;
    json& vf = e["valueFrom"];
    if (vf.contains("fieldRef") && vf["fieldRef"].is_object()) set_default(vf["fieldRef"], "apiVersion", "v1");
  }
}

void default_container(json& c) {
  if (!c.is_object()) return;
  set_default(c, "terminationMessagePath", "/dev/termination-log");
  set_default(c, "terminationMessagePolicy", "File");
  if (c.contains("image") && c["image"].is_string())
    set_default(c, "imagePullPolicy", pull_policy(c["image"].get<std::string>()));
  set_default(c, "resources", json::object());
  if (auto ports = c.find("ports"); ports != c.end() && ports->is_array())
    for (auto& p : *ports) set_default(p, "protocol", "TCP");
  default_probe(c, "livenessProbe");
  default_probe(c, "readinessProbe");
  default_probe(c, "startupProbe");
  if (auto lc = c.find("lifecycle"); lc != c.end() && lc->is_object()) {
    for (const char* h : {"postStart", "preStop"})
      if (lc->contains(h) && (*lc)[h].is_object()) default_http_get((*lc)[h]);
  }
  default_env(c);
}

void default_volume(json& v) {
  if (!v.is_object()) return;
  bool has_source = false;
  for (auto it = v.begin(); it != v.end(); ++it)
    if (it.key() != "name") has_source = true;
  if (!has_source) v["emptyDir"] = json::object();
  for (const char* k : {"secret", "configMap", "downwardAPI", "projected"})
    if (v.contains(k) && v[k].is_object()) set_default(v[k], "defaultMode", 420);
  if (v.contains("hostPath") && v["hostPath"].is_object()) set_default(v["hostPath"], "type", "");
}

}  // namespace

void default_pod_spec(json& spec) {
  if (!spec.is_object()) return;
  set_default(spec, "restartPolicy", "Always");
  set_default(spec, "dnsPolicy", "ClusterFirst");
  set_default(spec, "schedulerName", "default-scheduler");
  set_default(spec, "terminationGracePeriodSeconds", 30);
  set_default(spec, "securityContext", json::object());
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"})
    if (auto it = spec.find(list); it != spec.end() && it->is_array())
      for (auto& c : *it) default_container(c);
  if (auto vols = spec.find("volumes"); vols != spec.end() && vols->is_array())
    for (auto& v : *vols) default_volume(v);
}

void default_pod_template(json& tmpl) {
  if (!tmpl.is_object()) return;
  if (auto it = tmpl.find("spec"); it != tmpl.end()) default_pod_spec(*it);
}

void default_pod(json& pod) {
  auto it = pod.find("spec");
  if (it == pod.end() || !it->is_object()) return;
  json& spec = *it;
  set_default(spec, "enableServiceLinks", true);
  bool host_network = spec.value("hostNetwork", false) == true;
  for (const char* list : {"containers", "initContainers"}) {
    auto cs = spec.find(list);
    if (cs == spec.end() || !cs->is_array()) continue;
    for (auto& c : *cs) {
      if (!c.is_object()) continue;
      if (host_network)
        if (auto ports = c.find("ports"); ports != c.end() && ports->is_array())
          for (auto& p : *ports)
            if (p.is_object() && p.contains("containerPort")) set_default(p, "hostPort", p["containerPort"]);
      // Requests default to limits for the resources that have a limit and no request.
      if (auto res = c.find("resources"); res != c.end() && res->is_object()) {
        if (auto lim = res->find("limits"); lim != res->end() && lim->is_object() && !lim->empty()) {
          json& req = child_object(*res, "requests");
          for (auto l = lim->begin(); l != lim->end(); ++l)
            if (!req.contains(l.key())) req[l.key()] = l.value();
        }
      }
    }
  }
  default_pod_spec(spec);
}

}  // namespace kite::api::defaults
