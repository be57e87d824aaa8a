#include "server/apiserver/service_allocator.h"

#include <arpa/inet.h>

#include <random>

namespace kite::apiserver {

using base::Reason;
using json = nlohmann::json;

namespace {

constexpr int64_t kNodePortMin = 30000, kNodePortMax = 32767;
const std::string kIpPrefix = "/kite/serviceips/";
const std::string kPortPrefix = "/kite/servicenodeports/";

std::string ip_string(uint32_t host_order) {
  in_addr a{htonl(host_order)};
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

uint32_t random_below(uint32_t n) {
  thread_local std::mt19937 gen{std::random_device{}()};
  return std::uniform_int_distribution<uint32_t>(0, n - 1)(gen);
}

std::string owner_of(const json& svc) {
  const json& m = svc["metadata"];
  return m.value("namespace", "") + "/" + m.value("name", "");
}

base::Status invalid(const json& svc, const std::string& field, const std::string& message) {
  base::Status s(Reason::Invalid, "Service \"" + svc["metadata"].value("name", "") + "\" is invalid: " + field +
                                      ": " + message);
  s.with_details(svc["metadata"].value("name", ""), "", "Service");
  s.with_cause({"FieldValueInvalid", message, field});
  return s;
}

bool wants_node_ports(const json& spec) {
  std::string type = spec.value("type", "ClusterIP");
  return type == "NodePort" || type == "LoadBalancer";
}

}  // namespace

base::Result<ServiceAllocator> ServiceAllocator::create(kv::Store& store, const std::string& cidr) {
  auto slash = cidr.find('/');
  in_addr addr{};
  if (slash == std::string::npos || inet_pton(AF_INET, cidr.substr(0, slash).c_str(), &addr) != 1) {
    return base::error(Reason::BadRequest, "invalid service CIDR \"" + cidr + "\"");
  }
  int bits = std::atoi(cidr.c_str() + slash + 1);
  if (bits < 8 || bits > 28) return base::error(Reason::BadRequest, "service CIDR \"" + cidr + "\" must be /8 to /28");
  uint32_t mask = ~uint32_t{0} << (32 - bits);
  return ServiceAllocator(store, ntohl(addr.s_addr) & mask, uint32_t{1} << (32 - bits));
}

std::string ServiceAllocator::first_ip() const { return ip_string(base_ + 1); }

base::Result<std::string> ServiceAllocator::reserve_ip(const std::string& owner, const std::string& wanted) {
  std::string value = json{{"service", owner}}.dump();
  if (!wanted.empty()) {
    auto r = store_->create(kIpPrefix + wanted, value);
    if (!r) return std::unexpected(r.error());
    return wanted;
  }
  // Usable: base+1 .. base+size-2; dynamic ones from base+16 up.
  uint32_t low = size_ > 64 ? 16 : 1, high = size_ - 2;
  uint32_t span = high - low + 1;
  uint32_t start = random_below(span);
  for (uint32_t i = 0; i < span; ++i) {
    std::string ip = ip_string(base_ + low + (start + i) % span);
    auto r = store_->create(kIpPrefix + ip, value);
    if (r) return ip;
    if (r.error().reason() != Reason::AlreadyExists) return std::unexpected(r.error());
  }
  return base::error(Reason::InternalError, "no ClusterIP left in the service range");
}

base::Result<int64_t> ServiceAllocator::reserve_node_port(const std::string& owner, int64_t wanted) {
  std::string value = json{{"service", owner}}.dump();
  if (wanted != 0) {
    auto r = store_->create(kPortPrefix + std::to_string(wanted), value);
    if (!r) return std::unexpected(r.error());
    return wanted;
  }
  uint32_t span = kNodePortMax - kNodePortMin + 1;
  uint32_t start = random_below(span);
  for (uint32_t i = 0; i < span; ++i) {
    int64_t port = kNodePortMin + (start + i) % span;
    auto r = store_->create(kPortPrefix + std::to_string(port), value);
    if (r) return port;
    if (r.error().reason() != Reason::AlreadyExists) return std::unexpected(r.error());
  }
  return base::error(Reason::InternalError, "no NodePort left in 30000-32767");
}

base::Result<std::vector<std::string>> ServiceAllocator::allocate(json& svc, const json* old) {
  std::vector<std::string> made;
  auto fail = [&](base::Status s) -> base::Result<std::vector<std::string>> {
    release_keys(made);
    return base::error(std::move(s));
  };
  json& spec = svc["spec"];
  if (!spec.is_object()) return made;
  const std::string owner = owner_of(svc);
  std::string type = spec.value("type", "ClusterIP");
  const json* old_spec = old ? &(*old)["spec"] : nullptr;

  // ClusterIP
  std::string ip = spec.value("clusterIP", "");
  if (ip.empty() && spec.contains("clusterIPs") && spec["clusterIPs"].is_array() && !spec["clusterIPs"].empty()) {
    ip = spec["clusterIPs"][0].get<std::string>();
  }
  std::string old_ip = old_spec ? old_spec->value("clusterIP", "") : "";
  if (ip.empty() && !old_ip.empty()) {
    ip = old_ip;  // omitted on update: keep
  } else if (type != "ExternalName" && ip != "None" && (ip.empty() || ip != old_ip)) {
    if (!ip.empty()) {
      in_addr a{};
      uint32_t host = inet_pton(AF_INET, ip.c_str(), &a) == 1 ? ntohl(a.s_addr) : 0;
      if (host <= base_ || host >= base_ + size_ - 1) {
        return fail(invalid(svc, "spec.clusterIPs", "Invalid value: [\"" + ip + "\"]: failed to allocate IP " + ip +
                                                       ": the provided IP (" + ip + ") is not in the valid range"));
      }
    }
    auto r = reserve_ip(owner, ip);
    if (!r) {
      if (r.error().reason() == Reason::AlreadyExists) {
        return fail(invalid(svc, "spec.clusterIPs", "Invalid value: [\"" + ip + "\"]: failed to allocate IP " + ip +
                                                       ": provided IP is already allocated"));
      }
      return fail(r.error());
    }
    ip = *r;
    made.push_back(kIpPrefix + ip);
  }
  if (!ip.empty() && type != "ExternalName") {
    spec["clusterIP"] = ip;
    spec["clusterIPs"] = json::array({ip});
  }

  // NodePorts
  if (wants_node_ports(spec) && spec.contains("ports") && spec["ports"].is_array()) {
    for (auto& port : spec["ports"]) {
      int64_t np = port.value("nodePort", int64_t{0});
      int64_t kept = 0;
      if (old_spec && wants_node_ports(*old_spec)) {
        for (const auto& op : old_spec->value("ports", json::array())) {
          if (op.value("port", 0) == port.value("port", 0) && op.value("protocol", "TCP") == port.value("protocol", "TCP")) {
            kept = op.value("nodePort", int64_t{0});
          }
        }
      }
      if (np == 0 && kept != 0) np = kept;
      if (np != 0 && np == kept) {
        port["nodePort"] = np;
        continue;
      }
      if (np != 0 && (np < kNodePortMin || np > kNodePortMax)) {
        return fail(invalid(svc, "spec.ports[].nodePort", "Invalid value: " + std::to_string(np) +
                                                              ": provided port is not in the valid range. The range of valid ports is 30000-32767"));
      }
      auto r = reserve_node_port(owner, np);
      if (!r) {
        if (r.error().reason() == Reason::AlreadyExists) {
          return fail(invalid(svc, "spec.ports[].nodePort", "Invalid value: " + std::to_string(np) +
                                                                ": provided port is already allocated"));
        }
        return fail(r.error());
      }
      port["nodePort"] = *r;
      made.push_back(kPortPrefix + std::to_string(*r));
    }
  }
  return made;
}

void ServiceAllocator::release(const json& svc) {
  const json& spec = svc.value("spec", json::object());
  std::vector<std::string> keys;
  std::string ip = spec.value("clusterIP", "");
  if (!ip.empty() && ip != "None") keys.push_back(kIpPrefix + ip);
  for (const auto& p : spec.value("ports", json::array())) {
    if (p.value("nodePort", int64_t{0}) != 0) keys.push_back(kPortPrefix + std::to_string(p["nodePort"].get<int64_t>()));
  }
  release_keys(keys);
}

void ServiceAllocator::release_keys(const std::vector<std::string>& keys) {
  for (const auto& k : keys) (void)store_->remove(k);
}

}  // namespace kite::apiserver
