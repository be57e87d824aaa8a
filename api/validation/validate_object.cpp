#include "api/validation/checks.h"
#include "api/validation/schema_check.h"
#include "api/validation/validate.h"

namespace kite::api {

using validation::Findings;

base::Result<FieldValidation> parse_field_validation(std::string_view s) {
  if (s.empty() || s == "Warn") return FieldValidation::Warn;
  if (s == "Strict") return FieldValidation::Strict;
  if (s == "Ignore") return FieldValidation::Ignore;
  return base::error(base::Reason::BadRequest,
                     "fieldValidation must be one of \"Ignore\", \"Warn\", or \"Strict\", got \"" +
                         std::string(s) + "\"");
}

namespace {

std::string cannot_handle(const ResourceInfo& info, const std::string& why) {
  return info.kind + " in version \"" + info.version + "\" cannot be handled as a " + info.kind +
         ": " + why;
}

}  // namespace

base::Result<std::vector<std::string>> validate_object(const ResourceInfo& info, const json& obj,
                                                       FieldValidation mode) {
  if (!obj.is_object())
    return base::error(base::Reason::BadRequest,
                       cannot_handle(info, "json: cannot unmarshal " +
                                               std::string(obj.is_array() ? "array" : obj.type_name()) +
                                               " into Go value of type " + info.kind));
  auto api_version = obj.find("apiVersion");
  auto kind = obj.find("kind");
  if (kind == obj.end() || !kind->is_string() || kind->get<std::string>().empty())
    return base::error(base::Reason::BadRequest, "Object 'Kind' is missing in '" + obj.dump() + "'");
  if (api_version == obj.end() || !api_version->is_string() ||
      api_version->get<std::string>().empty())
    return base::error(base::Reason::BadRequest,
                       "Object 'apiVersion' is missing in '" + obj.dump() + "'");
  if (*api_version != info.api_version())
    return base::error(base::Reason::BadRequest,
                       "the API version in the data (" + api_version->get<std::string>() +
                           ") does not match the expected API version (" + info.api_version() + ")");
  if (*kind != info.kind)
    return base::error(base::Reason::BadRequest,
                       "the kind in the data (" + kind->get<std::string>() +
                           ") does not match the expected kind (" + info.kind + ")");
  if (auto meta = obj.find("metadata"); meta != obj.end() && !meta->is_null() && !meta->is_object())
    return base::error(base::Reason::BadRequest,
                       cannot_handle(info, "json: cannot unmarshal " + std::string(meta->type_name()) +
                                               " into Go struct field " + info.kind +
                                               ".metadata of type v1.ObjectMeta"));

  Findings f;
  std::vector<std::string> warnings;
  if (info.schema) {
    auto sc = validation::check_against_schema(*info.schema, obj, info.custom);
    if (sc.decode_error) return base::error(base::Reason::BadRequest, cannot_handle(info, *sc.decode_error));
    if (!sc.unknown_fields.empty() && mode != FieldValidation::Ignore) {
      std::vector<std::string> msgs;
      for (const auto& u : sc.unknown_fields) msgs.push_back("unknown field \"" + u + "\"");
      if (mode == FieldValidation::Strict) {
        std::string m = "strict decoding error: ";
        for (size_t i = 0; i < msgs.size(); ++i) m += (i ? ", " : "") + msgs[i];
        return base::error(base::Reason::BadRequest, m);
      }
      warnings = std::move(msgs);
    }
    f.errors.append(sc.errors);
  }
  validation::check_metadata(info, obj, f);
  validation::check_kind(info, obj, f);
  if (f.decode_error) return base::error(base::Reason::BadRequest, cannot_handle(info, *f.decode_error));
  if (!f.errors.empty()) {
    std::string name;
    if (auto meta = obj.find("metadata"); meta != obj.end() && meta->is_object())
      name = validation::str(*meta, "name");
    return base::error(f.errors.to_status(info, name));
  }
  return warnings;
}

}  // namespace kite::api
