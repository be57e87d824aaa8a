#include "api/validation/field_errors.h"

#include <sstream>

namespace kite::api::validation {

std::string child_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string index_path(const std::string& parent, size_t i) {
  return parent + "[" + std::to_string(i) + "]";
}

std::string key_path(const std::string& parent, const std::string& key) {
  return parent + "[" + key + "]";
}

std::string render_value(const json& v) {
  if (v.is_string()) return json(v.get<std::string>()).dump();
  if (v.is_null()) return "null";
  if (v.is_object() || v.is_array()) return v.dump();
  return v.dump();
}

void FieldErrors::add(std::string type, std::string field, std::string message) {
  causes_.push_back({std::move(type), std::move(message), std::move(field)});
}

void FieldErrors::required(const std::string& field, const std::string& detail) {
  add("FieldValueRequired", field, detail.empty() ? "Required value" : "Required value: " + detail);
}

void FieldErrors::invalid(const std::string& field, const json& value, const std::string& detail) {
  std::string msg = "Invalid value: " + render_value(value);
  if (!detail.empty()) msg += ": " + detail;
  add("FieldValueInvalid", field, std::move(msg));
}

void FieldErrors::not_supported(const std::string& field, const json& value,
                                const std::vector<std::string>& supported) {
  std::string msg = "Unsupported value: " + render_value(value);
  if (!supported.empty()) {
    msg += ": supported values: ";
    for (size_t i = 0; i < supported.size(); ++i) {
      if (i) msg += ", ";
      msg += json(supported[i]).dump();
    }
  }
  add("FieldValueNotSupported", field, std::move(msg));
}

void FieldErrors::duplicate(const std::string& field, const json& value) {
  add("FieldValueDuplicate", field, "Duplicate value: " + render_value(value));
}

void FieldErrors::too_long(const std::string& field, int64_t max_bytes) {
  add("FieldValueTooLong", field,
      "Too long: must have at most " + std::to_string(max_bytes) + " bytes");
}

void FieldErrors::forbidden(const std::string& field, const std::string& detail) {
  add("FieldValueForbidden", field, "Forbidden: " + detail);
}

void FieldErrors::type_invalid(const std::string& field, const json& value,
                               const std::string& detail) {
  add("FieldValueTypeInvalid", field, "Invalid value: " + render_value(value) + ": " + detail);
}

void FieldErrors::append(const FieldErrors& other) {
  causes_.insert(causes_.end(), other.causes_.begin(), other.causes_.end());
}

std::string qualified_kind(const ResourceInfo& info) {
  return info.group.empty() ? info.kind : info.kind + "." + info.group;
}

base::Status FieldErrors::to_status(const ResourceInfo& info, const std::string& name) const {
  std::ostringstream msg;
  msg << qualified_kind(info) << " " << json(name).dump() << " is invalid: ";
  auto one = [](const base::StatusCause& c) {
    return c.field.empty() ? c.message : c.field + ": " + c.message;
  };
  if (causes_.size() == 1) {
    msg << one(causes_[0]);
  } else {
    msg << "[";
    for (size_t i = 0; i < causes_.size(); ++i) msg << (i ? ", " : "") << one(causes_[i]);
    msg << "]";
  }
  base::Status s(base::Reason::Invalid, msg.str());
  s.with_details(name, info.group, info.kind);
  for (const auto& c : causes_) s.with_cause(c);
  return s;
}

}  // namespace kite::api::validation
