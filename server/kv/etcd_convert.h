// Conversions between kv:: types and the etcd v3 protobuf messages (proto/etcd/), and from
// gRPC status codes to kite Status reasons. Pure functions; thread-safe.
#pragma once

#include <grpcpp/support/status.h>

#include "proto/etcd/rpc.pb.h"
#include "server/kv/store.h"

namespace kite::kv::etcd {

KeyValue from_proto(const mvccpb::KeyValue& kv);
Event from_proto(const mvccpb::Event& ev);

etcdserverpb::RangeRequest to_proto(const RangeRequest& req);
RangeResponse from_proto(const etcdserverpb::RangeResponse& resp);

etcdserverpb::TxnRequest to_proto(const TxnRequest& req);
TxnResponse from_proto(const etcdserverpb::TxnResponse& resp);

// UNAVAILABLE -> ServiceUnavailable, DEADLINE_EXCEEDED -> Timeout, "compacted" -> Gone,
// "request is too large" / message over the size limit -> RequestEntityTooLarge,
// NOT_FOUND (lease) -> NotFound, others -> BadRequest / InternalError.
base::Status from_grpc(const grpc::Status& status);

}  // namespace kite::kv::etcd
