#include "agent/cri/cri_errors.h"

#include <string>

namespace kite::agent::cri {

base::Reason reason_from_grpc(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return base::Reason::Ok;
    case grpc::StatusCode::NOT_FOUND: return base::Reason::NotFound;
    case grpc::StatusCode::UNAVAILABLE: return base::Reason::ServiceUnavailable;
    case grpc::StatusCode::DEADLINE_EXCEEDED: return base::Reason::Timeout;
    default: return base::Reason::InternalError;
  }
}

base::Status status_from_grpc(const grpc::Status& status, std::string_view operation) {
  const base::Reason reason = reason_from_grpc(status.error_code());
  if (reason == base::Reason::Ok) return base::Status::ok();
  std::string message(operation);
  message += ": ";
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED && status.error_message().empty()) {
    message += "deadline exceeded";
  } else {
    message += status.error_message().empty() ? "gRPC status " + std::to_string(status.error_code())
                                              : status.error_message();
  }
  return base::Status(reason, std::move(message));
}

}  // namespace kite::agent::cri
