#include "server/apiserver/selection.h"

#include <algorithm>

#include "api/conversion/event_conversion.h"
#include "base/base64.h"

namespace kite::apiserver {

Result<Selection> parse_selection(const Scope& s) {
  Selection sel;
  auto ls = api::LabelSelector::parse(s.req.query_value("labelSelector"));
  if (!ls) return std::unexpected(ls.error());
  sel.labels = std::move(*ls);
  auto fs = api::FieldSelector::parse(s.req.query_value("fieldSelector"));
  if (!fs) return std::unexpected(fs.error());
  sel.fields = std::move(*fs);
  const auto& allowed = s.resource->selectable_fields;
  for (const auto& req : sel.fields.requirements()) {
    bool ok = req.field == "metadata.name" || (req.field == "metadata.namespace" && s.resource->namespaced) ||
              std::find(allowed.begin(), allowed.end(), req.field) != allowed.end();
    if (!ok) {
      return base::error(bad_request("field label not supported: " + req.field));
    }
  }
  if (!sel.labels.empty() || !sel.fields.empty()) {
    sel.filter = [labels = sel.labels, fields = sel.fields](const CacheEntry& e) {
      return labels.matches(e.labels) && fields.matches(e.fields);
    };
  }
  return sel;
}

std::string encode_continue(const ContinueToken& t, const std::string& prefix) {
  std::string start = t.start_after.starts_with(prefix) ? t.start_after.substr(prefix.size()) : t.start_after;
  json j = {{"v", "meta.k8s.io/v1"}, {"rv", t.rv}, {"start", start + '\0'}};
  return base::base64_encode(j.dump(), true);
}

Result<ContinueToken> decode_continue(const std::string& token, const std::string& prefix) {
  auto invalid = [] {
    return base::error(bad_request("continue key is not valid: the continue parameter is malformed"));
  };
  auto raw = base::base64_decode(token);
  if (!raw) return invalid();
  json j = json::parse(*raw, nullptr, false);
  if (!j.is_object() || j.value("v", "") != "meta.k8s.io/v1" || !j.contains("rv") || !j["rv"].is_number_integer() ||
      !j.contains("start") || !j["start"].is_string()) {
    return invalid();
  }
  std::string start = j["start"].get<std::string>();
  if (!start.empty() && start.back() == '\0') start.pop_back();
  if (start.find("..") != std::string::npos || start.starts_with("/")) return invalid();
  return ContinueToken{j["rv"].get<int64_t>(), prefix + start};
}

void index_fields(const api::ResourceInfo& r, const json& object, CacheEntry& entry) {
  entry.fields = api::selectable_field_values(object, r.selectable_fields, r.namespaced);
  if (r.group.empty() && r.kind == "Event") {
    // The same stored Event is also served as events.k8s.io/v1: index its field names too.
    static const std::vector<std::string> v1_fields = {
        "regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid", "regarding.apiVersion",
        "regarding.resourceVersion", "regarding.fieldPath", "reportingController", "deprecatedSource"};
    for (const auto& f : v1_fields) {
      auto it = entry.fields.find(api::events_v1_field_to_core(f));
      if (it != entry.fields.end()) entry.fields[f] = it->second;
    }
  }
}

}  // namespace kite::apiserver
