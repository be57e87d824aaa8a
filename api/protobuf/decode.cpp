// Kubernetes protobuf request bodies -> JSON objects: see decode.h.
#include "api/protobuf/decode.h"

#include "api/protobuf/message_decoder.h"
#include "api/protobuf/wire_reader.h"
#include "api/schemas/builtin_schemas.h"

namespace kite::api {
namespace {

using json = nlohmann::json;

constexpr std::string_view kMagic{"k8s\0", 4};
constexpr const char* kDeleteOptions = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";

std::unexpected<base::Status> bad(const std::string& why) {
  return base::error(base::Reason::BadRequest, "protobuf body: " + why);
}

std::pair<std::string, std::string> split_api_version(const std::string& av) {
  auto slash = av.find('/');
  if (slash == std::string::npos) return {"", av};
  return {av.substr(0, slash), av.substr(slash + 1)};
}

base::Result<json> decode_with(const KubernetesProtobufEnvelope& env, const Schema& schema) {
  if (!has_protobuf_fields(schema))
    return base::error(base::Reason::UnsupportedMediaType,
                       "protobuf body: " + (env.kind.empty() ? schema.ref_name : env.kind) +
                           " has no protobuf form; send JSON");
  auto obj = decode_protobuf_message(env.raw, schema);
  if (!obj) return obj;
  if (!env.api_version.empty() && schema.property("apiVersion"))
    (*obj)["apiVersion"] = env.api_version;
  if (!env.kind.empty() && schema.property("kind")) (*obj)["kind"] = env.kind;
  return obj;
}

}  // namespace

base::Result<KubernetesProtobufEnvelope> parse_kubernetes_protobuf_envelope(
    std::string_view body) {
  if (body.size() < kMagic.size() || body.substr(0, kMagic.size()) != kMagic)
    return bad("missing the k8s\\0 magic prefix");
  KubernetesProtobufEnvelope env;
  bool have_raw = false;
  WireReader r(body.substr(kMagic.size()));
  WireField f;
  while (r.next(f)) {
    if (f.type != WireType::LengthDelimited) continue;
    if (f.number == 1) {
      WireReader t(f.bytes);
      WireField tf;
      while (t.next(tf)) {
        if (tf.type != WireType::LengthDelimited) continue;
        if (tf.number == 1) env.api_version = std::string(tf.bytes);
        if (tf.number == 2) env.kind = std::string(tf.bytes);
      }
      if (!t.ok()) return bad("malformed typeMeta: " + t.error());
    } else if (f.number == 2) {
      env.raw = f.bytes;
      have_raw = true;
    } else if (f.number == 3) {
      env.content_encoding = std::string(f.bytes);
    } else if (f.number == 4) {
      env.content_type = std::string(f.bytes);
    }
  }
  if (!r.ok()) return bad("malformed envelope: " + r.error());
  if (!env.content_encoding.empty())
    return base::error(base::Reason::UnsupportedMediaType,
                       "protobuf body: unsupported contentEncoding \"" + env.content_encoding + "\"");
  if (!have_raw && env.kind.empty()) return bad("empty envelope (no typeMeta, no object)");
  return env;
}

base::Result<json> decode_kubernetes_protobuf(std::string_view body, const Registry& registry) {
  auto env = parse_kubernetes_protobuf_envelope(body);
  if (!env) return std::unexpected(env.error());
  if (env->kind.empty() || env->api_version.empty())
    return bad("the envelope names no apiVersion/kind");
  auto [group, version] = split_api_version(env->api_version);
  SchemaPtr schema;
  if (auto info = registry.find_kind(group, version, env->kind); info) schema = info->schema;
  if (!schema) schema = kind_schema(group, version, env->kind);
  if (!schema && env->kind == "DeleteOptions") schema = builtin_schema(kDeleteOptions);
  if (!schema)
    return bad("kind " + env->kind + " of " + env->api_version + " is not served by kite");
  return decode_with(*env, *schema);
}

base::Result<json> decode_kubernetes_protobuf_as(std::string_view body,
                                                 const std::string& definition_name) {
  SchemaPtr schema = builtin_schema(definition_name);
  if (!schema)
    return base::error(base::Reason::InternalError,
                       "protobuf body: unknown definition " + definition_name);
  auto env = parse_kubernetes_protobuf_envelope(body);
  if (!env) return std::unexpected(env.error());
  return decode_with(*env, *schema);
}

}  // namespace kite::api
