#include "client/rest_encoding.h"

#include <cctype>
#include <charconv>

namespace kite::client {

namespace {

void add_param(std::string* out, std::string_view key, std::string_view value) {
  if (!out->empty()) out->push_back('&');
  out->append(key);
  out->push_back('=');
  out->append(percent_encode(value));
}

}  // namespace

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string list_query(const ListOptions& opts, bool watch) {
  std::string q;
  if (watch) {
    add_param(&q, "watch", "true");
    if (opts.allow_watch_bookmarks) add_param(&q, "allowWatchBookmarks", "true");
  }
  if (!opts.label_selector.empty()) add_param(&q, "labelSelector", opts.label_selector);
  if (!opts.field_selector.empty()) add_param(&q, "fieldSelector", opts.field_selector);
  if (!opts.resource_version.empty()) add_param(&q, "resourceVersion", opts.resource_version);
  if (!watch && opts.limit > 0) add_param(&q, "limit", std::to_string(opts.limit));
  if (!watch && !opts.continue_token.empty()) add_param(&q, "continue", opts.continue_token);
  if (watch && opts.timeout_seconds > 0) add_param(&q, "timeoutSeconds", std::to_string(opts.timeout_seconds));
  return q;
}

std::string delete_body(const DeleteOptions& opts) {
  json body = json::object();
  if (opts.grace_period_seconds) body["gracePeriodSeconds"] = *opts.grace_period_seconds;
  if (!opts.propagation_policy.empty()) body["propagationPolicy"] = opts.propagation_policy;
  if (!opts.precondition_uid.empty()) body["preconditions"]["uid"] = opts.precondition_uid;
  if (!opts.precondition_resource_version.empty())
    body["preconditions"]["resourceVersion"] = opts.precondition_resource_version;
  if (opts.dry_run) body["dryRun"] = json::array({"All"});
  if (body.empty()) return "";
  body["kind"] = "DeleteOptions";
  body["apiVersion"] = "v1";
  return body.dump();
}

const char* patch_content_type(PatchType type) {
  switch (type) {
    case PatchType::kJson: return "application/json-patch+json";
    case PatchType::kMerge: return "application/merge-patch+json";
    case PatchType::kStrategicMerge: return "application/strategic-merge-patch+json";
  }
  return "application/merge-patch+json";
}

base::Status status_from_response(const TransportResponse& res) {
  if (res.status == 0) {
    return base::Status(base::Reason::ServiceUnavailable, "transport error: " + res.error);
  }
  auto body = json::parse(res.body, nullptr, false);
  if (body.is_object() && body.value("kind", "") == "Status") {
    json s = body;
    // Trust the HTTP code when the body lacks one.
    if (!s.contains("code") || !s["code"].is_number_integer()) s["code"] = res.status;
    return base::Status::from_json(s);
  }
  std::string message = res.body.empty() ? "the server responded with HTTP " + std::to_string(res.status)
                                         : res.body.substr(0, 1024);
  return base::Status::from_json(json{{"code", res.status}, {"message", message}});
}

std::optional<std::chrono::milliseconds> retry_after(const TransportResponse& res) {
  std::string v = res.header("retry-after");
  if (v.empty()) return std::nullopt;
  int seconds = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
  if (ec != std::errc() || end != v.data() + v.size() || seconds < 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

base::Result<json> decode_body(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded()) {
    return base::error(base::Reason::InternalError,
                       "the server sent a response that is not JSON: " + body.substr(0, 200));
  }
  return j;
}

WatchEvent decode_watch_line(std::string_view line, bool* malformed_out) {
  if (malformed_out) *malformed_out = false;
  auto malformed = [&](const std::string& why) {
    if (malformed_out) *malformed_out = true;
    WatchEvent ev;
    ev.type = WatchEvent::Type::kError;
    ev.object = base::Status(base::Reason::InternalError,
                             "malformed watch event (" + why + "): " + std::string(line.substr(0, 200)))
                    .to_json();
    return ev;
  };
  auto j = json::parse(line, nullptr, false);
  if (!j.is_object()) return malformed("not a JSON object");
  auto type = j.find("type");
  auto object = j.find("object");
  if (type == j.end() || !type->is_string() || object == j.end()) return malformed("no type or object");
  WatchEvent ev;
  const std::string& t = type->get_ref<const std::string&>();
  if (t == "ADDED") {
    ev.type = WatchEvent::Type::kAdded;
  } else if (t == "MODIFIED") {
    ev.type = WatchEvent::Type::kModified;
  } else if (t == "DELETED") {
    ev.type = WatchEvent::Type::kDeleted;
  } else if (t == "BOOKMARK") {
    ev.type = WatchEvent::Type::kBookmark;
  } else if (t == "ERROR") {
    ev.type = WatchEvent::Type::kError;
  } else {
    return malformed("unknown type " + t);
  }
  ev.object = std::move(*object);
  return ev;
}

}  // namespace kite::client
