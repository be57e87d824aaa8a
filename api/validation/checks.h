// The semantic checks of api/validation/, one family per file (metadata_checks.cpp,
// pod_checks.cpp, workload_checks.cpp, service_checks.cpp, config_checks.cpp, crd_checks.cpp),
// and the small JSON helpers they share. Internal to api/validation/.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/resource.h"
#include "api/validation/field_errors.h"

namespace kite::api::validation {

// What the checks of one object found: field errors (-> Invalid) and at most one decode error
// (-> BadRequest, e.g. a Secret value that is not base64).
struct Findings {
  FieldErrors errors;
  std::optional<std::string> decode_error;
};

// obj[key] when obj is an object holding key with a non-null value, else null.
const json* field(const json& obj, const char* key);
// The string at obj[key], or "" when absent or not a string.
std::string str(const json& obj, const char* key);

void check_metadata(const ResourceInfo& info, const json& obj, Findings& f);
void check_labels(const json& labels, const std::string& path, FieldErrors& errs);
void check_label_selector(const json& selector, const std::string& path, FieldErrors& errs);
// True when a metav1.LabelSelector selects the labels (matchLabels + matchExpressions).
bool selector_matches(const json& selector, const json& labels);

// restart_policies: the values a template's restartPolicy may take (empty = any valid one).
// extra_volumes: volume names that mounts may use besides spec.volumes (a StatefulSet's
// volumeClaimTemplates).
void check_pod_spec(const json& spec, const std::string& path, FieldErrors& errs,
                    const std::set<std::string>& extra_volumes = {});
void check_pod_template(const json& tmpl, const std::string& path,
                        const std::vector<std::string>& restart_policies, FieldErrors& errs,
                        const std::set<std::string>& extra_volumes = {});

void check_workload(const ResourceInfo& info, const json& obj, Findings& f);
void check_service(const json& obj, Findings& f);
void check_config_map(const json& obj, Findings& f);
void check_secret(const json& obj, Findings& f);
void check_crd(const json& obj, Findings& f);

// Dispatches to the checks of info's kind.
void check_kind(const ResourceInfo& info, const json& obj, Findings& f);

// Port range check: Invalid "must be between 1 and 65535, inclusive".
void check_port(const json& v, const std::string& path, FieldErrors& errs);

}  // namespace kite::api::validation
