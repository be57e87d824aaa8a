#include "server/kv/etcd_convert.h"

namespace kite::kv::etcd {

using base::Reason;

KeyValue from_proto(const mvccpb::KeyValue& kv) {
  return KeyValue{.key = kv.key(),
                  .value = kv.value(),
                  .create_revision = kv.create_revision(),
                  .mod_revision = kv.mod_revision(),
                  .version = kv.version(),
                  .lease = kv.lease()};
}

Event from_proto(const mvccpb::Event& ev) {
  Event out;
  out.type = ev.type() == mvccpb::Event::DELETE ? Event::Type::Delete : Event::Type::Put;
  out.kv = from_proto(ev.kv());
  if (ev.has_prev_kv()) out.prev_kv = from_proto(ev.prev_kv());
  return out;
}

etcdserverpb::RangeRequest to_proto(const RangeRequest& req) {
  etcdserverpb::RangeRequest out;
  out.set_key(req.key);
  out.set_range_end(req.range_end);
  out.set_limit(req.limit);
  out.set_revision(req.revision);
  out.set_keys_only(req.keys_only);
  out.set_count_only(req.count_only);
  return out;
}

RangeResponse from_proto(const etcdserverpb::RangeResponse& resp) {
  RangeResponse out;
  out.kvs.reserve(static_cast<size_t>(resp.kvs_size()));
  for (const auto& kv : resp.kvs()) out.kvs.push_back(from_proto(kv));
  out.more = resp.more();
  out.count = resp.count();
  out.revision = resp.header().revision();
  return out;
}

namespace {

etcdserverpb::Compare to_proto(const Compare& c) {
  using PC = etcdserverpb::Compare;
  PC out;
  out.set_key(c.key);
  switch (c.op) {
    case Compare::Op::Equal: out.set_result(PC::EQUAL); break;
    case Compare::Op::NotEqual: out.set_result(PC::NOT_EQUAL); break;
    case Compare::Op::Greater: out.set_result(PC::GREATER); break;
    case Compare::Op::Less: out.set_result(PC::LESS); break;
  }
  switch (c.target) {
    case Compare::Target::Version:
      out.set_target(PC::VERSION);
      out.set_version(c.number);
      break;
    case Compare::Target::CreateRevision:
      out.set_target(PC::CREATE);
      out.set_create_revision(c.number);
      break;
    case Compare::Target::ModRevision:
      out.set_target(PC::MOD);
      out.set_mod_revision(c.number);
      break;
    case Compare::Target::Value:
      out.set_target(PC::VALUE);
      out.set_value(c.value);
      break;
  }
  return out;
}

void to_proto(const Op& op, etcdserverpb::RequestOp* out) {
  switch (op.type) {
    case Op::Type::Put: {
      auto* put = out->mutable_request_put();
      put->set_key(op.key);
      put->set_value(op.value);
      put->set_lease(op.lease);
      put->set_prev_kv(op.prev_kv);
      break;
    }
    case Op::Type::Delete: {
      auto* del = out->mutable_request_delete_range();
      del->set_key(op.key);
      del->set_range_end(op.range_end);
      del->set_prev_kv(op.prev_kv);
      break;
    }
    case Op::Type::Range: {
      auto* range = out->mutable_request_range();
      range->set_key(op.key);
      range->set_range_end(op.range_end);
      break;
    }
  }
}

}  // namespace

etcdserverpb::TxnRequest to_proto(const TxnRequest& req) {
  etcdserverpb::TxnRequest out;
  for (const auto& c : req.compares) *out.add_compare() = to_proto(c);
  for (const auto& op : req.success) to_proto(op, out.add_success());
  for (const auto& op : req.failure) to_proto(op, out.add_failure());
  return out;
}

TxnResponse from_proto(const etcdserverpb::TxnResponse& resp) {
  TxnResponse out;
  out.succeeded = resp.succeeded();
  out.revision = resp.header().revision();
  for (const auto& r : resp.responses()) {
    OpResult result;
    if (r.has_response_range()) {
      for (const auto& kv : r.response_range().kvs()) result.kvs.push_back(from_proto(kv));
    } else if (r.has_response_put()) {
      if (r.response_put().has_prev_kv())
        result.kvs.push_back(from_proto(r.response_put().prev_kv()));
    } else if (r.has_response_delete_range()) {
      result.deleted = r.response_delete_range().deleted();
      for (const auto& kv : r.response_delete_range().prev_kvs())
        result.kvs.push_back(from_proto(kv));
    }
    out.results.push_back(std::move(result));
  }
  return out;
}

base::Status from_grpc(const grpc::Status& status) {
  const std::string& msg = status.error_message();
  auto has = [&](const char* text) { return msg.find(text) != std::string::npos; };
  const std::string text = "etcd: " + msg;
  switch (status.error_code()) {
    case grpc::StatusCode::OK: return {};
    case grpc::StatusCode::UNAVAILABLE: return {Reason::ServiceUnavailable, text};
    case grpc::StatusCode::DEADLINE_EXCEEDED: return {Reason::Timeout, text};
    case grpc::StatusCode::OUT_OF_RANGE:
      if (has("compacted")) return {Reason::Gone, text};
      return {Reason::BadRequest, text};
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      if (has("too large") || has("larger than max"))
        return {Reason::RequestEntityTooLarge, text};
      return {Reason::TooManyRequests, text};
    case grpc::StatusCode::INVALID_ARGUMENT:
      if (has("too large")) return {Reason::RequestEntityTooLarge, text};
      return {Reason::BadRequest, text};
    case grpc::StatusCode::NOT_FOUND: return {Reason::NotFound, text};
    case grpc::StatusCode::CANCELLED: return {Reason::ServiceUnavailable, text};
    default: return {Reason::InternalError, text};
  }
}

}  // namespace kite::kv::etcd
