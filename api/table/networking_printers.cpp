// networking.k8s.io printers (ingresses, ingressclasses, networkpolicies, servicecidrs,
// ipaddresses) and discovery.k8s.io endpointslices.
#include <set>

#include "api/table/format.h"
#include "api/table/printer.h"

namespace kite::api::table {

namespace {

std::string name_of(const json& obj) { return str(obj, {"metadata", "name"}); }

// Up to three hosts, then " + N more..." counted over all rules; "*" when no rule has a host.
std::string ingress_hosts(const json& ing) {
  const json& rules = array(ing, {"spec", "rules"});
  constexpr size_t kMax = 3;
  std::vector<std::string> list;
  bool more = false;
  for (const json& r : rules) {
    if (list.size() == kMax) more = true;
    std::string host = str(r, {"host"});
    if (!more && !host.empty()) list.push_back(host);
  }
  if (list.empty()) return "*";
  std::string out = join(list, ",");
  if (more) out += " + " + std::to_string(rules.size() - kMax) + " more...";
  return out;
}

std::string ingress_address(const json& ing) {
  std::set<std::string> points;
  for (const json& in : array(ing, {"status", "loadBalancer", "ingress"})) {
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

std::string list_with_more(const std::vector<std::string>& list, size_t count, size_t max) {
  std::string out = join(list, ",");
  if (count > max) return out + " + " + std::to_string(count - max) + " more...";
  return out.empty() ? "<unset>" : out;
}

std::string slice_ports(const json& slice) {
  std::vector<std::string> list;
  size_t count = 0;
  for (const json& p : array(slice, {"ports"})) {
    if (list.size() < 3) {
      std::string text = "*";
      if (has(p, {"port"})) {
        text = std::to_string(num(p, {"port"}));
      } else if (has(p, {"name"})) {
        text = str(p, {"name"});
      }
      list.push_back(text);
    }
    ++count;
  }
  return list_with_more(list, count, 3);
}

std::string slice_endpoints(const json& slice) {
  std::vector<std::string> list;
  size_t count = 0;
  for (const json& ep : array(slice, {"endpoints"})) {
    for (const json& a : array(ep, {"addresses"})) {
      if (list.size() < 3 && a.is_string()) list.push_back(a.get<std::string>());
      ++count;
    }
  }
  return list_with_more(list, count, 3);
}

std::string ingress_class_parameters(const json& ic) {
  const json* p = field(ic, {"spec", "parameters"});
  if (!p || !p->is_object()) return "<none>";
  std::string out = str(*p, {"kind"});
  if (has(*p, {"apiGroup"})) out += "." + str(*p, {"apiGroup"});
  return out + "/" + str(*p, {"name"});
}

}  // namespace

void add_networking_printers(PrinterMap& m) {
  m["networking.k8s.io/ingresses"] = Printer{
      {name_column(), column("Class", "string", "The IngressClass of the ingress."),
       column("Hosts", "string", "Hosts the ingress rules match."),
       column("Address", "string", "Load-balancer ingress points."),
       column("Ports", "string", "Ports the ingress serves."), age_column()},
      [](const json& ing, TimePoint now) {
        return json::array({name_of(ing), str(ing, {"spec", "ingressClassName"}, "<none>"),
                            ingress_hosts(ing), ingress_address(ing),
                            array(ing, {"spec", "tls"}).empty() ? "80" : "80, 443", age(ing, now)});
      },
      nullptr};

  m["networking.k8s.io/ingressclasses"] = Printer{
      {name_column(), column("Controller", "string", "The controller that implements the class."),
       column("Parameters", "string", "The resource holding the class's parameters."),
       age_column()},
      [](const json& ic, TimePoint now) {
        return json::array({name_of(ic), str(ic, {"spec", "controller"}),
                            ingress_class_parameters(ic), age(ic, now)});
      },
      nullptr};

  m["networking.k8s.io/networkpolicies"] = Printer{
      {name_column(), column("Pod-Selector", "string", "Pods the policy applies to."),
       age_column()},
      [](const json& np, TimePoint now) {
        return json::array({name_of(np), format_label_selector(field(np, {"spec", "podSelector"})),
                            age(np, now)});
      },
      nullptr};

  m["networking.k8s.io/servicecidrs"] = Printer{
      {name_column(), column("CIDRs", "string", "The ranges of the ServiceCIDR."), age_column()},
      [](const json& sc, TimePoint now) {
        std::vector<std::string> cidrs;
        for (const json& c : array(sc, {"spec", "cidrs"})) {
          if (c.is_string()) cidrs.push_back(c.get<std::string>());
        }
        return json::array({name_of(sc), join(cidrs, ","), age(sc, now)});
      },
      nullptr};

  m["networking.k8s.io/ipaddresses"] = Printer{
      {name_column(), column("ParentRef", "string", "The object the address is allocated to.")},
      [](const json& ip, TimePoint) {
        std::string parent = "<none>";
        if (const json* p = field(ip, {"spec", "parentRef"}); p && p->is_object()) {
          std::string group = str(*p, {"group"});
          parent = to_lower(group.empty() ? str(*p, {"resource"})
                                          : str(*p, {"resource"}) + "." + group);
          if (!str(*p, {"namespace"}).empty()) parent += "/" + str(*p, {"namespace"});
          parent += "/" + str(*p, {"name"});
        }
        return json::array({name_of(ip), parent});
      },
      nullptr};

  m["discovery.k8s.io/endpointslices"] = Printer{
      {name_column(), column("AddressType", "string", "IPv4, IPv6 or FQDN."),
       column("Ports", "string", "Ports of the slice."),
       column("Endpoints", "string", "Addresses of the slice's endpoints."), age_column()},
      [](const json& s, TimePoint now) {
        return json::array({name_of(s), str(s, {"addressType"}), slice_ports(s),
                            slice_endpoints(s), age(s, now)});
      },
      nullptr};
}

}  // namespace kite::api::table
