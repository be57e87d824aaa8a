// Mapping of gRPC statuses from a CRI runtime to base::Status, as agent::Runtime documents:
// NOT_FOUND -> NotFound, UNAVAILABLE -> ServiceUnavailable, DEADLINE_EXCEEDED -> Timeout,
// anything else -> InternalError. The message is "<operation>: <runtime's message>" so the
// runtime's own words ("failed to pull image ...") reach pod events unchanged.
// Pure; safe from any thread.
#pragma once

#include <string_view>

#include <grpcpp/support/status.h>

#include "base/status.h"

namespace kite::agent::cri {

base::Reason reason_from_grpc(grpc::StatusCode code);
base::Status status_from_grpc(const grpc::Status& status, std::string_view operation);

}  // namespace kite::agent::cri
