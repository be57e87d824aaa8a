// Request body decoding and response content negotiation.
#include "api/protobuf/decode.h"
#include "base/yaml_json.h"
#include "server/apiserver/rest.h"

namespace kite::apiserver {

namespace {
std::string media_type(const std::string& content_type) {
  auto semi = content_type.find(';');
  std::string t = content_type.substr(0, semi);
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t;
}
}  // namespace

Result<json> decode_body(const Request& req, const api::Registry* registry, const std::string& protobuf_type) {
  std::string type = media_type(req.header("content-type"));
  if (req.body.empty()) return base::error(bad_request("the request body is empty"));
  if (type == "application/vnd.kubernetes.protobuf") {
    if (!protobuf_type.empty()) return api::decode_kubernetes_protobuf_as(req.body, protobuf_type);
    if (registry) return api::decode_kubernetes_protobuf(req.body, *registry);
  }
  if (type.empty() || type == "application/json" || type == "application/merge-patch+json" ||
      type == "application/strategic-merge-patch+json" || type == "application/json-patch+json") {
    json j = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      // Re-parse with exceptions for a message that says where.
      try {
        json again = json::parse(req.body);
        (void)again;
      } catch (const json::parse_error& e) {
        return base::error(bad_request(std::string("the request body is not valid JSON: ") + e.what()));
      }
      return base::error(bad_request("the request body is not valid JSON"));
    }
    return j;
  }
  if (type == "application/yaml" || type == "application/apply-patch+yaml") {
    return base::yaml_to_json(req.body);
  }
  return base::error(Reason::UnsupportedMediaType,
                     "the body of the request was in an unknown format - accepted media types include: "
                     "application/json, application/yaml, application/vnd.kubernetes.protobuf");
}

Result<Output> negotiate_output(const Request& req) {
  std::string accept = req.header("accept");
  if (accept.empty()) return Output::Json;
  bool json_ok = false;
  size_t pos = 0;
  while (pos <= accept.size()) {
    size_t comma = accept.find(',', pos);
    if (comma == std::string::npos) comma = accept.size();
    std::string item = accept.substr(pos, comma - pos);
    pos = comma + 1;
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    std::string type = media_type(item);
    if (type == "application/json" && item.find("as=Table") != std::string::npos &&
        item.find("g=meta.k8s.io") != std::string::npos) {
      // Only v1 tables (kubectl asks for v1 first, then v1beta1).
      if (item.find("v=v1;") != std::string::npos || item.ends_with("v=v1")) return Output::Table;
      continue;
    }
    if (type == "application/json" && item.find("as=") == std::string::npos) json_ok = true;
    if (type == "*/*" || type == "application/*") json_ok = true;
  }
  if (json_ok) return Output::Json;
  return base::error(Reason::NotAcceptable, "only the following media types are accepted: application/json, "
                                            "application/json;as=Table;v=v1;g=meta.k8s.io");
}

bool is_dry_run(const Request& req, base::Status* error) {
  auto [lo, hi] = req.query.equal_range("dryRun");
  bool dry = false;
  for (auto it = lo; it != hi; ++it) {
    if (it->second == "All") {
      dry = true;
    } else if (!it->second.empty()) {
      *error = bad_request("dryRun: Unsupported value: \"" + it->second + "\": supported values: \"All\"");
    }
  }
  return dry;
}

}  // namespace kite::apiserver
