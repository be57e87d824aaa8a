#include "base/status.h"

namespace kite::base {

std::string_view reason_name(Reason r) {
  switch (r) {
    case Reason::Ok: return "";
    case Reason::BadRequest: return "BadRequest";
    case Reason::Unauthorized: return "Unauthorized";
    case Reason::Forbidden: return "Forbidden";
    case Reason::NotFound: return "NotFound";
    case Reason::MethodNotAllowed: return "MethodNotAllowed";
    case Reason::NotAcceptable: return "NotAcceptable";
    case Reason::AlreadyExists: return "AlreadyExists";
    case Reason::Conflict: return "Conflict";
    case Reason::Gone: return "Gone";
    case Reason::Expired: return "Expired";
    case Reason::RequestEntityTooLarge: return "RequestEntityTooLarge";
    case Reason::UnsupportedMediaType: return "UnsupportedMediaType";
    case Reason::Invalid: return "Invalid";
    case Reason::TooManyRequests: return "TooManyRequests";
    case Reason::InternalError: return "InternalError";
    case Reason::ServiceUnavailable: return "ServiceUnavailable";
    case Reason::Timeout: return "Timeout";
  }
  return "InternalError";
}

int reason_code(Reason r) {
  switch (r) {
    case Reason::Ok: return 200;
    case Reason::BadRequest: return 400;
    case Reason::Unauthorized: return 401;
    case Reason::Forbidden: return 403;
    case Reason::NotFound: return 404;
    case Reason::MethodNotAllowed: return 405;
    case Reason::NotAcceptable: return 406;
    case Reason::AlreadyExists: return 409;
    case Reason::Conflict: return 409;
    case Reason::Gone: return 410;
    case Reason::Expired: return 410;
    case Reason::RequestEntityTooLarge: return 413;
    case Reason::UnsupportedMediaType: return 415;
    case Reason::Invalid: return 422;
    case Reason::TooManyRequests: return 429;
    case Reason::InternalError: return 500;
    case Reason::ServiceUnavailable: return 503;
    case Reason::Timeout: return 504;
  }
  return 500;
}

Status::Status(Reason reason, std::string message)
    : reason_(reason), code_(reason_code(reason)), message_(std::move(message)) {}

Status::Status(Reason reason, int code, std::string message)
    : reason_(reason), code_(code), message_(std::move(message)) {}

Status& Status::with_details(std::string name, std::string group, std::string kind) {
  name_ = std::move(name);
  group_ = std::move(group);
  kind_ = std::move(kind);
  return *this;
}

Status& Status::with_cause(StatusCause cause) {
  causes_.push_back(std::move(cause));
  return *this;
}

Status& Status::with_retry_after(int seconds) {
  retry_after_ = seconds;
  return *this;
}

nlohmann::json Status::to_json() const {
  nlohmann::json j = {{"kind", "Status"},
                      {"apiVersion", "v1"},
                      {"metadata", nlohmann::json::object()},
                      {"status", is_ok() ? "Success" : "Failure"},
                      {"code", code_}};
  if (!message_.empty()) j["message"] = message_;
  if (!is_ok()) j["reason"] = std::string(reason_name(reason_));
  nlohmann::json details = nlohmann::json::object();
  if (!name_.empty()) details["name"] = name_;
  if (!group_.empty()) details["group"] = group_;
  if (!kind_.empty()) details["kind"] = kind_;
  if (retry_after_ > 0) details["retryAfterSeconds"] = retry_after_;
  if (!causes_.empty()) {
    auto& arr = details["causes"] = nlohmann::json::array();
    for (const auto& c : causes_) {
      nlohmann::json cj = nlohmann::json::object();
      if (!c.type.empty()) cj["reason"] = c.type;
      if (!c.message.empty()) cj["message"] = c.message;
      if (!c.field.empty()) cj["field"] = c.field;
      arr.push_back(std::move(cj));
    }
  }
  if (!details.empty()) j["details"] = std::move(details);
  return j;
}

Status Status::from_json(const nlohmann::json& j) {
  if (!j.is_object()) return Status(Reason::InternalError, "malformed Status");
  int code = j.value("code", 500);
  std::string reason = j.value("reason", "");
  std::string message = j.value("message", "");
  Reason r = Reason::InternalError;
  bool found = false;
  for (int i = 0; i <= static_cast<int>(Reason::Timeout); ++i) {
    auto candidate = static_cast<Reason>(i);
    if (!reason.empty() && reason_name(candidate) == reason) {
      r = candidate;
      found = true;
      break;
    }
  }
  if (!found) {
    for (int i = 1; i <= static_cast<int>(Reason::Timeout); ++i) {
      auto candidate = static_cast<Reason>(i);
      if (reason_code(candidate) == code) {
        r = candidate;
        break;
      }
    }
  }
  Status s(r, code, message);
  if (auto d = j.find("details"); d != j.end() && d->is_object()) {
    s.with_details(d->value("name", ""), d->value("group", ""), d->value("kind", ""));
    if (auto c = d->find("causes"); c != d->end() && c->is_array()) {
      for (const auto& cj : *c) {
        if (!cj.is_object()) continue;
        s.with_cause({cj.value("reason", ""), cj.value("message", ""), cj.value("field", "")});
      }
    }
  }
  return s;
}

}  // namespace kite::base
