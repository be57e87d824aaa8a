#include "server/controllers/history/pod_readiness.h"

#include "base/ids.h"

namespace kite::controllers::history {

namespace {

const json* ready_condition(const json& pod) {
  auto st = pod.find("status");
  if (st == pod.end() || !st->is_object()) return nullptr;
  auto conds = st->find("conditions");
  if (conds == st->end() || !conds->is_array()) return nullptr;
  for (const auto& c : *conds) {
    if (c.is_object() && c.value("type", "") == "Ready") return &c;
  }
  return nullptr;
}

}  // namespace

std::string pod_phase(const json& pod) {
  auto st = pod.find("status");
  if (st == pod.end() || !st->is_object()) return "";
  auto p = st->find("phase");
  return p != st->end() && p->is_string() ? p->get<std::string>() : "";
}

bool is_pod_ready(const json& pod) {
  const json* c = ready_condition(pod);
  return c != nullptr && c->value("status", "") == "True";
}

bool pod_ready_since(const json& pod, std::chrono::system_clock::time_point* since) {
  const json* c = ready_condition(pod);
  if (c == nullptr || c->value("status", "") != "True") return false;
  auto t = c->find("lastTransitionTime");
  if (t == c->end() || !t->is_string()) return false;
  return base::parse_rfc3339(t->get<std::string>(), since);
}

bool is_pod_available(const json& pod, int64_t min_ready_seconds, std::chrono::system_clock::time_point now) {
  if (!is_pod_ready(pod)) return false;
  if (min_ready_seconds <= 0) return true;
  std::chrono::system_clock::time_point since;
  if (!pod_ready_since(pod, &since)) return false;
  return since + std::chrono::seconds(min_ready_seconds) < now;
}

}  // namespace kite::controllers::history
