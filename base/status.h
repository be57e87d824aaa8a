// Status and Result<T>: kite's one error type.
//
// A Status carries a Kubernetes reason (the `reason` field of metav1.Status), the HTTP code
// that goes with it, a human message, and optional details (the object's name/group/kind and
// per-field causes for Invalid). It converts one-to-one to a metav1.Status JSON object.
// Result<T> is std::expected<T, Status>. Exceptions never cross a library boundary: code that
// calls a throwing third-party API catches at that call and returns a Status.
// Status values are plain data: copyable and safe to pass between threads.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace kite::base {

enum class Reason {
  Ok,
  BadRequest,             // 400
  Unauthorized,           // 401
  Forbidden,              // 403
  NotFound,               // 404
  MethodNotAllowed,       // 405
  NotAcceptable,          // 406
  AlreadyExists,          // 409
  Conflict,               // 409
  Gone,                   // 410
  Expired,                // 410 (continue token too old)
  RequestEntityTooLarge,  // 413
  UnsupportedMediaType,   // 415
  Invalid,                // 422
  TooManyRequests,        // 429
  InternalError,          // 500
  ServiceUnavailable,     // 503
  Timeout,                // 504
};

// The `reason` string Kubernetes uses ("NotFound", ...); "" for Ok.
std::string_view reason_name(Reason r);
// The HTTP status code Kubernetes uses for the reason.
int reason_code(Reason r);

// One entry of metav1.StatusDetails.causes.
struct StatusCause {
  std::string type;     // e.g. "FieldValueRequired", "FieldValueInvalid", "FieldValueNotSupported"
  std::string message;  // e.g. "Required value"
  std::string field;    // e.g. "metadata.name", "spec.containers[0].image"
};

class Status {
 public:
  Status() = default;  // Ok
  Status(Reason reason, std::string message);
  Status(Reason reason, int code, std::string message);

  static Status ok() { return {}; }

  bool is_ok() const { return reason_ == Reason::Ok; }
  Reason reason() const { return reason_; }
  int code() const { return code_; }
  const std::string& message() const { return message_; }

  // metav1.StatusDetails: name/group/kind of the object concerned, and field causes.
  Status& with_details(std::string name, std::string group, std::string kind);
  Status& with_cause(StatusCause cause);
  Status& with_retry_after(int seconds);
  const std::vector<StatusCause>& causes() const { return causes_; }
  const std::string& detail_name() const { return name_; }
  const std::string& detail_kind() const { return kind_; }

  // {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",...}
  nlohmann::json to_json() const;
  // Parses a metav1.Status object (as returned by an API server); unknown reasons map to
  // the reason that matches the code.
  static Status from_json(const nlohmann::json& j);

 private:
  Reason reason_ = Reason::Ok;
  int code_ = 200;
  std::string message_;
  std::string name_, group_, kind_;
  std::vector<StatusCause> causes_;
  int retry_after_ = 0;
};

template <typename T>
using Result = std::expected<T, Status>;

// Convenience: `return base::error(Reason::NotFound, "...")` inside a Result-returning function.
inline std::unexpected<Status> error(Reason reason, std::string message) {
  return std::unexpected<Status>(Status(reason, std::move(message)));
}
inline std::unexpected<Status> error(Status s) { return std::unexpected<Status>(std::move(s)); }

}  // namespace kite::base
