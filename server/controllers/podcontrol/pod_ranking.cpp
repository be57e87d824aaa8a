#include "server/controllers/podcontrol/pod_ranking.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>

#include "server/controllers/podcontrol/object_fields.h"
#include "server/controllers/podcontrol/pod_state.h"

namespace kite::controllers::podcontrol {
namespace {

using time_point = std::chrono::system_clock::time_point;

int phase_ordinal(const json& pod) {
  std::string phase = string_field(pod, {"status", "phase"});
  if (phase == "Pending") return 0;
  if (phase == "Unknown") return 1;
  if (phase == "Running") return 2;
  return 0;  // Go's map lookup of an unknown phase gives 0
}

int64_t deletion_cost(const json& pod) {
  const json& v = field(pod, {"metadata", "annotations", "controller.kubernetes.io/pod-deletion-cost"});
  if (!v.is_string()) return 0;
  try {
    size_t used = 0;
    long long cost = std::stoll(v.get<std::string>(), &used);
    if (used != v.get<std::string>().size() || cost < std::numeric_limits<int32_t>::min() || cost > std::numeric_limits<int32_t>::max()) return 0;
    return cost;
  } catch (...) {
    return 0;
  }
}

// afterOrZero: a zero time sorts first, else the later time first.
bool after_or_zero(const std::optional<time_point>& a, const std::optional<time_point>& b) {
  if (!a || !b) return !a;
  return *a > *b;
}

int log2_bucket(time_point t, time_point now) {
  auto d = std::chrono::duration_cast<std::chrono::nanoseconds>(now - t).count();
  return d > 0 ? static_cast<int>(std::log2(static_cast<double>(d))) : -1;
}

// Compares two different times as LogarithmicScaleDown does (later/zero first; one log2 bucket: by uid).
bool compare_times(const std::optional<time_point>& a, const std::optional<time_point>& b, time_point now,
                   const json& pa, const json& pb) {
  if (!a || !b) return after_or_zero(a, b);
  int diff = log2_bucket(*a, now) - log2_bucket(*b, now);
  if (diff == 0) return uid_of(pa) < uid_of(pb);
  return diff < 0;
}

int max_restarts(const json& pod) {
  int64_t m = 0;
  const json& statuses = field(pod, {"status", "containerStatuses"});
  if (statuses.is_array()) {
    for (const auto& s : statuses) m = std::max<int64_t>(m, int_field(s, {"restartCount"}, 0));
  }
  return static_cast<int>(m);
}

}  // namespace

bool delete_before(const RankedPod& a, const RankedPod& b, time_point now) {
  const json& pa = *a.pod;
  const json& pb = *b.pod;
  std::string na = string_field(pa, {"spec", "nodeName"}), nb = string_field(pb, {"spec", "nodeName"});
  if (na != nb && (na.empty() || nb.empty())) return na.empty();
  if (phase_ordinal(pa) != phase_ordinal(pb)) return phase_ordinal(pa) < phase_ordinal(pb);
  bool ra = is_pod_ready(pa), rb = is_pod_ready(pb);
  if (ra != rb) return !ra;
  if (int64_t ca = deletion_cost(pa), cb = deletion_cost(pb); ca != cb) return ca < cb;
  if (a.rank != b.rank) return a.rank > b.rank;
  if (ra && rb) {
    auto ta = pod_ready_time(pa), tb = pod_ready_time(pb);
    if (ta != tb) return compare_times(ta, tb, now, pa, pb);
  }
  if (int xa = max_restarts(pa), xb = max_restarts(pb); xa != xb) return xa > xb;
  auto ca = time_field(pa, {"metadata", "creationTimestamp"}), cb = time_field(pb, {"metadata", "creationTimestamp"});
  if (ca != cb) return compare_times(ca, cb, now, pa, pb);
  return false;
}

std::vector<client::ObjectPtr> pods_to_delete(const std::vector<client::ObjectPtr>& pods,
                                              const std::vector<client::ObjectPtr>& related, size_t count,
                                              time_point now) {
  if (count >= pods.size()) return pods;
  std::map<std::string, int> on_node;
  for (const auto& p : related) {
    if (is_pod_active(*p)) ++on_node[string_field(*p, {"spec", "nodeName"})];
  }
  std::vector<RankedPod> ranked;
  ranked.reserve(pods.size());
  for (const auto& p : pods) ranked.push_back({p, on_node[string_field(*p, {"spec", "nodeName"})]});
  std::stable_sort(ranked.begin(), ranked.end(),
                   [now](const RankedPod& a, const RankedPod& b) { return delete_before(a, b, now); });
  std::vector<client::ObjectPtr> out;
  for (size_t i = 0; i < count; ++i) out.push_back(ranked[i].pod);
  return out;
}

}  // namespace kite::controllers::podcontrol

