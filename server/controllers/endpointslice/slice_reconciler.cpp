#include "server/controllers/endpointslice/slice_reconciler.h"

#include <algorithm>
#include <map>
#include <set>

namespace kite::controllers::endpointslice {

namespace {

std::string endpoint_key(const json& ep) {
  if (ep.contains("targetRef")) return ep["targetRef"].value("uid", "");
  return ep.value("addresses", json::array()).dump();
}

json new_slice(const json& service, const json& labels, const json& ports) {
  const json& meta = service["metadata"];
  std::string prefix = meta.value("name", "");
  if (prefix.size() > 57) prefix.resize(57);
  return {{"apiVersion", "discovery.k8s.io/v1"},
          {"kind", "EndpointSlice"},
          {"metadata",
           {{"generateName", prefix + "-"},
            {"namespace", meta.value("namespace", "")},
            {"labels", labels},
            {"ownerReferences",
             json::array({{{"apiVersion", "v1"},
                           {"kind", "Service"},
                           {"name", meta.value("name", "")},
                           {"uid", meta.value("uid", "")},
                           {"controller", true},
                           {"blockOwnerDeletion", true}}})}}},
          {"addressType", "IPv4"},
          {"endpoints", json::array()},
          {"ports", ports}};
}

struct Working {
  json slice;
  json original;
  bool is_new = false;
};

}  // namespace

SlicePlan plan_slices(const json& service, const json& labels, const std::vector<DesiredEndpoint>& desired,
                      const std::vector<json>& existing, size_t max_per_slice) {
  SlicePlan plan;
  // Desired endpoints by port list, then by endpoint key.
  std::map<std::string, std::pair<json, std::map<std::string, json>>> groups;
  for (const auto& d : desired) {
    auto& g = groups[d.ports.dump()];
    g.first = d.ports;
    g.second[endpoint_key(d.endpoint)] = d.endpoint;
  }
  std::vector<Working> slices;
  std::set<std::string> placed;  // port key + "|" + endpoint key
  for (const auto& s : existing) {
    if (s.value("addressType", "") != "IPv4") {
      plan.deletes.push_back(s);
      continue;
    }
    std::string pkey = s.value("ports", json::array()).dump();
    auto g = groups.find(pkey);
    Working w{s, s, false};
    json kept = json::array();
    if (g != groups.end()) {
      for (const auto& ep : s.value("endpoints", json::array())) {
        std::string ekey = endpoint_key(ep);
        auto want = g->second.second.find(ekey);
        if (want == g->second.second.end() || placed.contains(pkey + "|" + ekey)) continue;
        placed.insert(pkey + "|" + ekey);
        kept.push_back(want->second);
      }
    }
    w.slice["endpoints"] = kept;
    w.slice["metadata"]["labels"] = labels;
    slices.push_back(std::move(w));
  }
  // Place the remaining endpoints: existing slices with room first, then new slices.
  for (auto& [pkey, g] : groups) {
    for (auto& [ekey, ep] : g.second) {
      if (placed.contains(pkey + "|" + ekey)) continue;
      Working* target = nullptr;
      for (auto& w : slices) {
        if (w.slice.value("ports", json::array()).dump() == pkey &&
            w.slice["endpoints"].size() < max_per_slice) {
          target = &w;
          break;
        }
      }
      if (!target) {
        slices.push_back(Working{new_slice(service, labels, g.first), json(), true});
        target = &slices.back();
      }
      target->slice["endpoints"].push_back(ep);
    }
  }
  bool any_endpoints = false;
  for (const auto& w : slices) any_endpoints = any_endpoints || !w.slice["endpoints"].empty();
  bool placeholder_kept = false;
  for (auto& w : slices) {
    if (w.slice["endpoints"].empty()) {
      if (!any_endpoints && !placeholder_kept && !w.is_new) {
        // The Service has no endpoints: keep one empty slice as its placeholder.
        placeholder_kept = true;
        w.slice["ports"] = json::array();
      } else {
        if (!w.is_new) plan.deletes.push_back(w.original);
        continue;
      }
    }
    if (w.is_new) {
      plan.creates.push_back(w.slice);
    } else if (w.slice != w.original) {
      plan.updates.push_back(w.slice);
    }
  }
  if (!any_endpoints && !placeholder_kept) plan.creates.push_back(new_slice(service, labels, json::array()));
  return plan;
}

}  // namespace kite::controllers::endpointslice
