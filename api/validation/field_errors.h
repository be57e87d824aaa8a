// FieldErrors: the list of field errors one validation pass collects (Kubernetes'
// field.ErrorList), and its conversion to an Invalid Status. Internal to api/validation/.
// Plain data; not shared between threads.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/resource.h"
#include "base/status.h"

namespace kite::api::validation {

using json = nlohmann::json;

// Field paths as Kubernetes prints them: "spec.containers[0].image", "data[key]".
std::string child_path(const std::string& parent, const std::string& key);
std::string index_path(const std::string& parent, size_t i);
std::string key_path(const std::string& parent, const std::string& key);

// How Kubernetes renders a bad value inside "Invalid value: <v>": strings quoted, numbers bare.
std::string render_value(const json& v);

class FieldErrors {
 public:
  void required(const std::string& field, const std::string& detail = "");
  void invalid(const std::string& field, const json& value, const std::string& detail);
  void not_supported(const std::string& field, const json& value,
                     const std::vector<std::string>& supported);
  void duplicate(const std::string& field, const json& value);
  void too_long(const std::string& field, int64_t max_bytes);
  void forbidden(const std::string& field, const std::string& detail);
  void type_invalid(const std::string& field, const json& value, const std::string& detail);

  bool empty() const { return causes_.empty(); }
  size_t size() const { return causes_.size(); }
  const std::vector<base::StatusCause>& causes() const { return causes_; }
  void append(const FieldErrors& other);
  // Any other cause (type = a metav1.CauseType string).
  void add(std::string type, std::string field, std::string message);

  // `Deployment.apps "web" is invalid: <cause>` (several causes in [a, b]), reason Invalid,
  // details name/group/kind/causes.
  base::Status to_status(const ResourceInfo& info, const std::string& name) const;

 private:
  std::vector<base::StatusCause> causes_;
};

// "Deployment.apps" or "Pod": the qualified kind Kubernetes prints in messages.
std::string qualified_kind(const ResourceInfo& info);

}  // namespace kite::api::validation
