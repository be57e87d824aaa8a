// spec.podFailurePolicy of a Job: which rule (if any) a failed pod matches, as the upstream
// Job controller evaluates it. Rules are tried in order; the first match decides:
//   - onExitCodes {containerName?, operator In|NotIn, values}: a terminated container (regular,
//     then init) with a non-zero exit code that is (not) in values;
//   - onPodConditions [{type, status}]: a pod condition with that type and status (e.g.
//     DisruptionTarget=True).
// Actions: FailJob (the Job fails with reason PodFailurePolicy and the returned message),
// Ignore (the failure does not count towards backoffLimit), Count (counted as usual),
// FailIndex never reaches the controller: the API server refuses it, since it needs
// backoffLimitPerIndex, which kite does not implement.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace kite::controllers::job {

using json = nlohmann::json;

struct PolicyMatch {
  std::optional<std::string> fail_job_message;  // set for a FailJob match
  bool count_failed = true;                      // false for Ignore
  std::optional<std::string> action;             // the matched rule's action
};

// `policy` is spec.podFailurePolicy (null or absent: no rules, counted).
PolicyMatch match_pod_failure_policy(const json& policy, const json& failed_pod);

}  // namespace kite::controllers::job
