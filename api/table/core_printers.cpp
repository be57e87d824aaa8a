// Core group (v1) printers except pods and events: services, endpoints, configmaps, secrets,
// serviceaccounts, namespaces, nodes, persistentvolumes, persistentvolumeclaims,
// replicationcontrollers, podtemplates, resourcequotas, componentstatuses.
#include <algorithm>
#include <set>

#include "api/table/format.h"
#include "api/table/printer.h"

namespace kite::api::table {

namespace {

std::string name_of(const json& obj) { return str(obj, {"metadata", "name"}); }

std::vector<std::string> strings(const json& arr) {
  std::vector<std::string> out;
  for (const json& v : arr) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

// Load-balancer ingress points (IP, else hostname), sorted and de-duplicated.
std::string load_balancer_ingress(const json& obj) {
  std::set<std::string> points;
  for (const json& in : array(obj, {"status", "loadBalancer", "ingress"})) {
    std::string ip = str(in, {"ip"});
    std::string host = str(in, {"hostname"});
    if (!ip.empty()) {
      points.insert(ip);
    } else if (!host.empty()) {
      points.insert(host);
    }
  }
  return join(std::vector<std::string>(points.begin(), points.end()), ",");
}

std::string service_external_ip(const json& svc) {
  std::string type = str(svc, {"spec", "type"}, "ClusterIP");
  std::vector<std::string> external = strings(array(svc, {"spec", "externalIPs"}));
  if (type == "ClusterIP" || type == "NodePort") {
    return external.empty() ? "<none>" : join(external, ",");
  }
  if (type == "LoadBalancer") {
    std::string lb = load_balancer_ingress(svc);
    if (!external.empty()) return lb.empty() ? join(external, ",") : lb + "," + join(external, ",");
    return lb.empty() ? "<pending>" : lb;
  }
  if (type == "ExternalName") return str(svc, {"spec", "externalName"});
  return "<unknown>";
}

std::string service_ports(const json& svc) {
  std::vector<std::string> parts;
  for (const json& p : array(svc, {"spec", "ports"})) {
    std::string proto = str(p, {"protocol"}, "TCP");
    int64_t node_port = num(p, {"nodePort"});
    std::string port = std::to_string(num(p, {"port"}));
    parts.push_back(node_port > 0 ? port + ":" + std::to_string(node_port) + "/" + proto
                                  : port + "/" + proto);
  }
  return parts.empty() ? "<none>" : join(parts, ",");
}

json service_cells(const json& svc, TimePoint now) {
  std::string cluster_ip = "<none>";
  const json& ips = array(svc, {"spec", "clusterIPs"});
  if (!ips.empty() && ips[0].is_string()) {
    cluster_ip = ips[0].get<std::string>();
  } else if (!str(svc, {"spec", "clusterIP"}).empty()) {
    cluster_ip = str(svc, {"spec", "clusterIP"});
  }
  return json::array({name_of(svc), str(svc, {"spec", "type"}, "ClusterIP"), cluster_ip,
                      service_external_ip(svc), service_ports(svc), age(svc, now),
                      format_labels(field(svc, {"spec", "selector"}))});
}

std::string host_port(const std::string& ip, int64_t port) {
  if (ip.find(':') != std::string::npos) return "[" + ip + "]:" + std::to_string(port);
  return ip + ":" + std::to_string(port);
}

std::string format_endpoints(const json& ep) {
  const json& subsets = array(ep, {"subsets"});
  if (subsets.empty()) return "<none>";
  constexpr size_t kMax = 3;
  std::vector<std::string> list;
  bool more = false;
  size_t count = 0;
  for (const json& ss : subsets) {
    const json& addrs = array(ss, {"addresses"});
    const json& ports = array(ss, {"ports"});
    if (ports.empty()) {  // headless services may have no ports
      count += addrs.size();
      for (const json& a : addrs) {
        if (list.size() == kMax) {
          more = true;
          break;
        }
        list.push_back(str(a, {"ip"}));
      }
      continue;
    }
    for (const json& p : ports) {
      count += addrs.size();
      for (const json& a : addrs) {
        if (list.size() == kMax) {
          more = true;
          break;
        }
        list.push_back(host_port(str(a, {"ip"}), num(p, {"port"})));
      }
    }
  }
  std::string out = join(list, ",");
  if (more) out += " + " + std::to_string(count - kMax) + " more...";
  return out;
}

std::vector<std::string> node_roles(const json& node) {
  std::set<std::string> roles;
  const std::string prefix = "node-role.kubernetes.io/";
  const json& labels = object(node, {"metadata", "labels"});
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    const std::string& k = it.key();
    if (k.rfind(prefix, 0) == 0) {
      if (k.size() > prefix.size()) roles.insert(k.substr(prefix.size()));
    } else if (k == "kubernetes.io/role" && it->is_string() && !it->get<std::string>().empty()) {
      roles.insert(it->get<std::string>());
    }
  }
  return {roles.begin(), roles.end()};
}

std::string node_address(const json& node, std::string_view type) {
  for (const json& a : array(node, {"status", "addresses"})) {
    if (str(a, {"type"}) == type) return str(a, {"address"});
  }
  return "<none>";
}

json node_cells(const json& node, TimePoint now) {
  std::vector<std::string> status;
  for (const json& c : array(node, {"status", "conditions"})) {
    if (str(c, {"type"}) == "Ready") {
      // The last Ready condition wins, as with a map keyed by type.
      status = {str(c, {"status"}) == "True" ? "Ready" : "NotReady"};
    }
  }
  if (status.empty()) status.push_back("Unknown");
  if (flag(node, {"spec", "unschedulable"})) status.push_back("SchedulingDisabled");
  std::string roles = join(node_roles(node), ",");
  auto unknown_if_empty = [](std::string s) { return s.empty() ? std::string("<unknown>") : s; };
  return json::array({name_of(node), join(status, ","), roles.empty() ? "<none>" : roles,
                      age(node, now), str(node, {"status", "nodeInfo", "kubeletVersion"}),
                      node_address(node, "InternalIP"), node_address(node, "ExternalIP"),
                      unknown_if_empty(str(node, {"status", "nodeInfo", "osImage"})),
                      unknown_if_empty(str(node, {"status", "nodeInfo", "kernelVersion"})),
                      unknown_if_empty(str(node, {"status", "nodeInfo", "containerRuntimeVersion"}))});
}

// RWO,ROX,RWX,RWOP in that order, each once.
std::string access_modes(const json& modes) {
  std::set<std::string> present;
  for (const json& m : modes) {
    if (m.is_string()) present.insert(m.get<std::string>());
  }
  std::vector<std::string> out;
  if (present.count("ReadWriteOnce")) out.push_back("RWO");
  if (present.count("ReadOnlyMany")) out.push_back("ROX");
  if (present.count("ReadWriteMany")) out.push_back("RWX");
  if (present.count("ReadWriteOncePod")) out.push_back("RWOP");
  return join(out, ",");
}

// The beta storage-class annotation wins over spec.storageClassName.
std::string storage_class_of(const json& obj) {
  const json* ann = field(obj, {"metadata", "annotations", "volume.beta.kubernetes.io/storage-class"});
  if (ann && ann->is_string()) return ann->get<std::string>();
  return str(obj, {"spec", "storageClassName"});
}

json pv_cells(const json& pv, TimePoint now) {
  std::string claim;
  if (has(pv, {"spec", "claimRef"})) {
    claim = str(pv, {"spec", "claimRef", "namespace"}) + "/" + str(pv, {"spec", "claimRef", "name"});
  }
  std::string phase = str(pv, {"status", "phase"});
  if (has(pv, {"metadata", "deletionTimestamp"})) phase = "Terminating";
  return json::array({name_of(pv), quantity(field(pv, {"spec", "capacity", "storage"})),
                      access_modes(array(pv, {"spec", "accessModes"})),
                      str(pv, {"spec", "persistentVolumeReclaimPolicy"}), phase, claim,
                      storage_class_of(pv),
                      str(pv, {"spec", "volumeAttributesClassName"}, "<unset>"),
                      str(pv, {"status", "reason"}), age(pv, now),
                      str(pv, {"spec", "volumeMode"}, "<unset>")});
}

json pvc_cells(const json& pvc, TimePoint now) {
  std::string phase = str(pvc, {"status", "phase"});
  if (has(pvc, {"metadata", "deletionTimestamp"})) phase = "Terminating";
  std::string volume = str(pvc, {"spec", "volumeName"});
  std::string capacity, modes;
  if (!volume.empty()) {
    modes = access_modes(array(pvc, {"status", "accessModes"}));
    capacity = quantity(field(pvc, {"status", "capacity", "storage"}));
  }
  return json::array({name_of(pvc), phase, volume, capacity, modes, storage_class_of(pvc),
                      str(pvc, {"spec", "volumeAttributesClassName"}, "<unset>"), age(pvc, now),
                      str(pvc, {"spec", "volumeMode"}, "<unset>")});
}

json resource_quota_cells(const json& rq, TimePoint now) {
  const json& hard = object(rq, {"status", "hard"});
  const json& used = object(rq, {"status", "used"});
  std::vector<std::string> requests, limits;
  for (auto it = hard.begin(); it != hard.end(); ++it) {  // keys come sorted
    const std::string& name = it.key();
    auto u = used.find(name);
    std::string text = name + ": " + quantity(u == used.end() ? nullptr : &*u) + "/" +
                       quantity(&*it);
    (name.rfind("limits.", 0) == 0 ? limits : requests).push_back(text);
  }
  return json::array({name_of(rq), join(requests, ", "), join(limits, ", "), age(rq, now)});
}

json component_status_cells(const json& cs, TimePoint) {
  std::string status = "Unknown", message, error;
  for (const json& c : array(cs, {"conditions"})) {
    if (str(c, {"type"}) == "Healthy") {
      status = str(c, {"status"}) == "True" ? "Healthy" : "Unhealthy";
      message = str(c, {"message"});
      error = str(c, {"error"});
      break;
    }
  }
  return json::array({name_of(cs), status, message, error});
}

}  // namespace

void add_core_printers(PrinterMap& m) {
  m["/services"] = Printer{
      {name_column(), column("Type", "string", "How the service is exposed."),
       column("Cluster-IP", "string", "The service's cluster IP."),
       column("External-IP", "string", "External IPs and load-balancer ingress points."),
       column("Port(s)", "string", "Service ports (port[:nodePort]/protocol)."), age_column(),
       wide("Selector", "string", "Labels of the pods the service routes to.")},
      service_cells, nullptr};

  m["/endpoints"] = Printer{
      {name_column(), column("Endpoints", "string", "Ready addresses with their ports."),
       age_column()},
      [](const json& ep, TimePoint now) {
        return json::array({name_of(ep), format_endpoints(ep), age(ep, now)});
      },
      nullptr};

  m["/configmaps"] = Printer{
      {name_column(), column("Data", "string", "Number of data and binaryData keys."),
       age_column()},
      [](const json& cm, TimePoint now) {
        int64_t n = static_cast<int64_t>(object(cm, {"data"}).size() +
                                         object(cm, {"binaryData"}).size());
        return json::array({name_of(cm), n, age(cm, now)});
      },
      nullptr};

  m["/secrets"] = Printer{
      {name_column(), column("Type", "string", "The secret's type."),
       column("Data", "string", "Number of data keys."), age_column()},
      [](const json& s, TimePoint now) {
        return json::array({name_of(s), str(s, {"type"}),
                            static_cast<int64_t>(object(s, {"data"}).size()), age(s, now)});
      },
      nullptr};

  m["/serviceaccounts"] = Printer{
      {name_column(), column("Secrets", "string", "Number of secrets listed by the account."),
       age_column()},
      [](const json& sa, TimePoint now) {
        return json::array({name_of(sa), static_cast<int64_t>(array(sa, {"secrets"}).size()),
                            age(sa, now)});
      },
      nullptr};

  m["/namespaces"] = Printer{
      {name_column(), column("Status", "string", "The namespace's phase."), age_column()},
      [](const json& ns, TimePoint now) {
        return json::array({name_of(ns), str(ns, {"status", "phase"}), age(ns, now)});
      },
      nullptr};

  m["/nodes"] = Printer{
      {name_column(), column("Status", "string", "Readiness of the node and whether it is cordoned."),
       column("Roles", "string", "Roles from node-role.kubernetes.io/* labels."), age_column(),
       column("Version", "string", "The kubelet version the node reports."),
       wide("Internal-IP", "string", "The node's first InternalIP address."),
       wide("External-IP", "string", "The node's first ExternalIP address."),
       wide("OS-Image", "string", "The operating system image the node reports."),
       wide("Kernel-Version", "string", "The kernel version the node reports."),
       wide("Container-Runtime", "string", "The container runtime and its version.")},
      node_cells, nullptr};

  m["/persistentvolumes"] = Printer{
      {name_column(), column("Capacity", "string", "The volume's storage capacity."),
       column("Access Modes", "string", "Access modes of the volume."),
       column("Reclaim Policy", "string", "What happens to the volume when released."),
       column("Status", "string", "The volume's phase."),
       column("Claim", "string", "The claim bound to the volume (namespace/name)."),
       column("StorageClass", "string", "The volume's storage class."),
       column("VolumeAttributesClass", "string", "The volume's attributes class."),
       column("Reason", "string", "Why the volume is in its phase."), age_column(),
       wide("VolumeMode", "string", "Filesystem or Block.")},
      pv_cells, nullptr};

  m["/persistentvolumeclaims"] = Printer{
      {name_column(), column("Status", "string", "The claim's phase."),
       column("Volume", "string", "The bound volume."),
       column("Capacity", "string", "Capacity of the bound volume."),
       column("Access Modes", "string", "Access modes of the bound volume."),
       column("StorageClass", "string", "The claim's storage class."),
       column("VolumeAttributesClass", "string", "The claim's attributes class."), age_column(),
       wide("VolumeMode", "string", "Filesystem or Block.")},
      pvc_cells, nullptr};

  m["/replicationcontrollers"] = Printer{
      {name_column(), column("Desired", "integer", "Desired number of replicas."),
       column("Current", "integer", "Current number of replicas."),
       column("Ready", "integer", "Number of ready replicas."), age_column(),
       containers_column(), images_column(),
       wide("Selector", "string", "Labels of the pods the controller manages.")},
      [](const json& rc, TimePoint now) {
        auto [names, images] = container_cells(array(rc, {"spec", "template", "spec", "containers"}));
        return json::array({name_of(rc), num(rc, {"spec", "replicas"}, 1),
                            num(rc, {"status", "replicas"}), num(rc, {"status", "readyReplicas"}),
                            age(rc, now), names, images,
                            format_labels(field(rc, {"spec", "selector"}))});
      },
      nullptr};

  m["/podtemplates"] = Printer{
      {name_column(), column("Containers", "string", "Names of the template's containers."),
       column("Images", "string", "Images of the template's containers."),
       column("Pod Labels", "string", "Labels of the template's pods.")},
      [](const json& pt, TimePoint) {
        auto [names, images] = container_cells(array(pt, {"template", "spec", "containers"}));
        return json::array({name_of(pt), names, images,
                            format_labels(field(pt, {"template", "metadata", "labels"}))});
      },
      nullptr};

  m["/resourcequotas"] = Printer{
      {name_column(), column("Request", "string", "Used/hard amounts of non-limit resources."),
       column("Limit", "string", "Used/hard amounts of limits.* resources."), age_column()},
      resource_quota_cells, nullptr};

  m["/componentstatuses"] = Printer{
      {name_column(), column("Status", "string", "Health of the component."),
       column("Message", "string", "Message of the Healthy condition."),
       column("Error", "string", "Error of the Healthy condition.")},
      component_status_cells, nullptr};
}

}  // namespace kite::api::table
