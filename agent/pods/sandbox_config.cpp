#include "agent/pods/sandbox_config.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "agent/pods/pod_spec.h"

namespace kite::agent::pods {
namespace {

void append_unique(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const auto& s : from) {
    if (!s.empty() && std::find(to.begin(), to.end(), s) == to.end()) to.push_back(s);
  }
}

std::string option_name(const std::string& opt) { return opt.substr(0, opt.find(':')); }

// Pod dnsConfig options override options of the same name.
void merge_options(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const auto& opt : from) {
    auto same = std::find_if(to.begin(), to.end(), [&](const std::string& o) { return option_name(o) == option_name(opt); });
    if (same != to.end()) {
      *same = opt;
    } else {
      to.push_back(opt);
    }
  }
}

const json& spec_of(const json& pod) {
  static const json empty = json::object();
  auto it = pod.find("spec");
  return it != pod.end() && it->is_object() ? *it : empty;
}

bool spec_flag(const json& pod, const char* key) {
  auto it = spec_of(pod).find(key);
  return it != spec_of(pod).end() && it->is_boolean() && it->get<bool>();
}

}  // namespace

DnsConfig read_resolv_conf(const std::string& path) {
  DnsConfig dns;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (auto hash = line.find_first_of("#;"); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string key;
    if (!(words >> key)) continue;
    std::vector<std::string> values;
    for (std::string w; words >> w;) values.push_back(w);
    if (key == "nameserver" && !values.empty()) {
      dns.servers.push_back(values[0]);
    } else if (key == "search" || key == "domain") {
      dns.searches = values;  // the last search/domain line wins, as in glibc
    } else if (key == "options") {
      merge_options(dns.options, values);
    }
  }
  return dns;
}

DnsConfig pod_dns_config(const json& pod, const SandboxSettings& settings) {
  const json& spec = spec_of(pod);
  std::string policy = string_field(spec, "dnsPolicy", "ClusterFirst");
  bool host_network = spec_flag(pod, "hostNetwork");
  bool cluster = (policy == "ClusterFirst" && !host_network) || policy == "ClusterFirstWithHostNet";
  if (cluster && settings.cluster_dns.empty()) cluster = false;  // no cluster DNS: the host's

  DnsConfig dns;
  if (policy != "None") {
    DnsConfig host = read_resolv_conf(settings.resolv_conf);
    if (cluster) {
      std::string ns = pod_namespace(pod);
      const std::string& domain = settings.cluster_domain;
      dns.servers = {settings.cluster_dns};
      dns.searches = {ns + ".svc." + domain, "svc." + domain, domain};
      append_unique(dns.searches, host.searches);
      dns.options = {"ndots:5"};
    } else {
      dns = host;
    }
  }
  auto cfg = spec.find("dnsConfig");
  if (cfg != spec.end() && cfg->is_object()) {
    std::vector<std::string> servers, searches, options;
    for (const auto& s : cfg->value("nameservers", json::array())) {
      if (s.is_string()) servers.push_back(s.get<std::string>());
    }
    for (const auto& s : cfg->value("searches", json::array())) {
      if (s.is_string()) searches.push_back(s.get<std::string>());
    }
    for (const auto& o : cfg->value("options", json::array())) {
      std::string name = string_field(o, "name");
      if (name.empty()) continue;
      std::string value = string_field(o, "value");
      options.push_back(value.empty() ? name : name + ":" + value);
    }
    append_unique(dns.servers, servers);
    append_unique(dns.searches, searches);
    merge_options(dns.options, options);
  }
  if (dns.servers.size() > 3) dns.servers.resize(3);    // glibc reads three nameservers
  if (dns.searches.size() > 32) dns.searches.resize(32);  // kubelet's MaxDNSSearchPaths
  return dns;
}

std::string pod_cgroup_parent(const json& pod, const SandboxSettings& settings) {
  if (settings.cgroup_parent.empty()) return "";
  return settings.cgroup_parent + "/pod" + pod_uid(pod);
}

SandboxConfig make_sandbox_config(const json& pod, uint32_t attempt, const SandboxSettings& settings) {
  const json& spec = spec_of(pod);
  SandboxConfig c;
  c.name = pod_name(pod);
  c.namespace_ = pod_namespace(pod);
  c.uid = pod_uid(pod);
  c.attempt = attempt;
  c.host_network = spec_flag(pod, "hostNetwork");
  c.host_pid = spec_flag(pod, "hostPID");
  c.host_ipc = spec_flag(pod, "hostIPC");
  if (!c.host_network) {
    std::string hostname = string_field(spec, "hostname", c.name);
    if (hostname.size() > 63) hostname.resize(63);
    while (!hostname.empty() && (hostname.back() == '-' || hostname.back() == '.')) hostname.pop_back();
    c.hostname = hostname;
  }
  c.log_directory = pod_log_directory(settings.log_root, pod);
  c.dns = pod_dns_config(pod, settings);
  for (const auto& container : app_containers(pod)) {
    for (const auto& port : container.value("ports", json::array())) {
      int64_t host_port = int_field(port, "hostPort", 0);
      if (host_port <= 0) continue;
      PortMapping m;
      m.protocol = string_field(port, "protocol", "TCP");
      m.container_port = static_cast<int32_t>(int_field(port, "containerPort", 0));
      m.host_port = static_cast<int32_t>(host_port);
      m.host_ip = string_field(port, "hostIP");
      c.port_mappings.push_back(m);
    }
  }
  c.labels = sandbox_labels(pod);
  c.annotations = sandbox_annotations(pod);
  c.cgroup_parent = pod_cgroup_parent(pod, settings);
  auto sc = spec.find("securityContext");
  if (sc != spec.end() && sc->is_object()) {
    for (const auto& s : sc->value("sysctls", json::array())) {
      std::string name = string_field(s, "name");
      if (!name.empty()) c.sysctls[name] = string_field(s, "value");
    }
    if (sc->contains("runAsUser") && (*sc)["runAsUser"].is_number()) c.run_as_user = (*sc)["runAsUser"].get<int64_t>();
    if (sc->contains("runAsGroup") && (*sc)["runAsGroup"].is_number()) c.run_as_group = (*sc)["runAsGroup"].get<int64_t>();
    for (const auto& g : sc->value("supplementalGroups", json::array())) {
      if (g.is_number()) c.supplemental_groups.push_back(g.get<int64_t>());
    }
  }
  for (const auto* list : {&init_containers(pod), &app_containers(pod)}) {
    for (const auto& container : *list) {
      auto csc = container.find("securityContext");
      if (csc != container.end() && csc->is_object() && csc->value("privileged", false)) c.privileged = true;
    }
  }
  return c;
}

}  // namespace kite::agent::pods
