// Swagger 2.0 JSON -> gnostic openapi.v2.Document protobuf (field numbers from gnostic's
// OpenAPIv2.proto). Vendor extensions become NamedAny whose Any.yaml holds the value as YAML
// (JSON text is valid YAML flow syntax).
#include "api/openapi/openapi.h"
#include "api/openapi/protobuf_writer.h"

namespace kite::api {
namespace {

using openapi::ProtoWriter;

std::string any_yaml(const json& v) {
  ProtoWriter any;
  any.bytes_field(2, v.dump());  // Any.yaml
  return any.take();
}

std::string named_any(const std::string& name, const json& v) {
  ProtoWriter w;
  w.string_if(1, name);
  w.bytes_field(2, any_yaml(v));
  return w.take();
}

void vendor_extensions(ProtoWriter& w, uint32_t field, const json& obj) {
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (it.key().starts_with("x-")) w.bytes_field(field, named_any(it.key(), it.value()));
}

std::string str_of(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string encode_schema(const json& s);

std::string named_schema(const std::string& name, const json& s) {
  ProtoWriter w;
  w.string_if(1, name);
  w.bytes_field(2, encode_schema(s));
  return w.take();
}

std::string encode_schema(const json& s) {
  ProtoWriter w;
  if (!s.is_object()) return w.take();
  w.string_if(1, str_of(s, "$ref"));
  w.string_if(2, str_of(s, "format"));
  w.string_if(3, str_of(s, "title"));
  w.string_if(4, str_of(s, "description"));
  if (s.contains("default")) w.bytes_field(5, any_yaml(s["default"]));
  if (s.contains("maximum") && s["maximum"].is_number()) w.double_field(7, s["maximum"].get<double>());
  if (s.contains("minimum") && s["minimum"].is_number()) w.double_field(9, s["minimum"].get<double>());
  auto int_field = [&](const char* key, uint32_t field) {
    if (s.contains(key) && s[key].is_number_integer()) w.int64_field(field, s[key].get<int64_t>());
  };
  int_field("maxLength", 11);
  int_field("minLength", 12);
  w.string_if(13, str_of(s, "pattern"));
  int_field("maxItems", 14);
  int_field("minItems", 15);
  if (s.contains("required") && s["required"].is_array())
    for (const auto& r : s["required"])
      if (r.is_string()) w.bytes_field(19, r.get<std::string>());
  if (s.contains("enum") && s["enum"].is_array())
    for (const auto& e : s["enum"]) w.bytes_field(20, any_yaml(e));
  if (s.contains("additionalProperties")) {
    ProtoWriter ap;
    const json& a = s["additionalProperties"];
    if (a.is_boolean()) ap.bool_field(2, a.get<bool>());
    else ap.bytes_field(1, encode_schema(a));
    w.bytes_field(21, ap.take());
  }
  if (s.contains("type") && s["type"].is_string()) {
    ProtoWriter t;
    t.bytes_field(1, s["type"].get<std::string>());
    w.bytes_field(22, t.take());
  }
  if (s.contains("items")) {
    ProtoWriter items;
    items.bytes_field(1, encode_schema(s["items"]));
    w.bytes_field(23, items.take());
  }
  if (s.contains("properties") && s["properties"].is_object()) {
    ProtoWriter props;
    for (auto it = s["properties"].begin(); it != s["properties"].end(); ++it)
      props.bytes_field(1, named_schema(it.key(), it.value()));
    w.bytes_field(25, props.take());
  }
  vendor_extensions(w, 31, s);
  return w.take();
}

std::string encode_parameter(const json& p) {
  std::string in = str_of(p, "in");
  ProtoWriter param;  // Parameter
  if (in == "body") {
    ProtoWriter body;  // BodyParameter
    body.string_if(1, str_of(p, "description"));
    body.string_if(2, str_of(p, "name"));
    body.string_if(3, in);
    body.bool_field(4, p.value("required", false));
    if (p.contains("schema")) body.bytes_field(5, encode_schema(p["schema"]));
    param.bytes_field(1, body.take());
  } else {
    // Query (3) and path (4) sub-schemas; they differ by allow_empty_value shifting the numbers.
    bool query = in != "path";
    ProtoWriter sub;
    if (p.value("required", false)) sub.bool_field(1, true);
    sub.string_if(2, in);
    sub.string_if(3, str_of(p, "description"));
    sub.string_if(4, str_of(p, "name"));
    uint32_t shift = query ? 1 : 0;
    sub.string_if(5 + shift, str_of(p, "type"));
    sub.string_if(6 + shift, str_of(p, "format"));
    if (p.value("uniqueItems", false)) sub.bool_field(19 + shift, true);
    ProtoWriter non_body;
    non_body.bytes_field(query ? 3 : 4, sub.take());
    param.bytes_field(2, non_body.take());
  }
  ProtoWriter item;  // ParametersItem
  item.bytes_field(1, param.take());
  return item.take();
}

void repeated_strings(ProtoWriter& w, uint32_t field, const json& obj, const char* key) {
  if (obj.contains(key) && obj[key].is_array())
    for (const auto& v : obj[key])
      if (v.is_string()) w.bytes_field(field, v.get<std::string>());
}

std::string encode_operation(const json& op) {
  ProtoWriter w;
  repeated_strings(w, 1, op, "tags");
  w.string_if(2, str_of(op, "summary"));
  w.string_if(3, str_of(op, "description"));
  w.string_if(5, str_of(op, "operationId"));
  repeated_strings(w, 6, op, "produces");
  repeated_strings(w, 7, op, "consumes");
  if (op.contains("parameters"))
    for (const auto& p : op["parameters"]) w.bytes_field(8, encode_parameter(p));
  if (op.contains("responses") && op["responses"].is_object()) {
    ProtoWriter responses;
    for (auto it = op["responses"].begin(); it != op["responses"].end(); ++it) {
      ProtoWriter response;
      response.string_if(1, str_of(it.value(), "description"));
      if (it.value().contains("schema")) {
        ProtoWriter item;  // SchemaItem
        item.bytes_field(1, encode_schema(it.value()["schema"]));
        response.bytes_field(2, item.take());
      }
      ProtoWriter value;  // ResponseValue
      value.bytes_field(1, response.take());
      ProtoWriter named;  // NamedResponseValue
      named.string_if(1, it.key());
      named.bytes_field(2, value.take());
      responses.bytes_field(1, named.take());
    }
    w.bytes_field(9, responses.take());
  }
  repeated_strings(w, 10, op, "schemes");
  vendor_extensions(w, 13, op);
  return w.take();
}

std::string encode_path_item(const json& item) {
  ProtoWriter w;
  static const std::pair<const char*, uint32_t> kMethods[] = {
      {"get", 2}, {"put", 3}, {"post", 4}, {"delete", 5}, {"options", 6}, {"head", 7}, {"patch", 8}};
  for (const auto& [method, field] : kMethods)
    if (item.contains(method)) w.bytes_field(field, encode_operation(item[method]));
  if (item.contains("parameters"))
    for (const auto& p : item["parameters"]) w.bytes_field(9, encode_parameter(p));
  vendor_extensions(w, 10, item);
  return w.take();
}

}  // namespace

std::string encode_openapi_v2_document(const json& doc) {
  ProtoWriter w;
  w.string_if(1, str_of(doc, "swagger"));
  if (doc.contains("info")) {
    ProtoWriter info;
    info.string_if(1, str_of(doc["info"], "title"));
    info.string_if(2, str_of(doc["info"], "version"));
    info.string_if(3, str_of(doc["info"], "description"));
    w.bytes_field(2, info.take());
  }
  w.string_if(3, str_of(doc, "host"));
  w.string_if(4, str_of(doc, "basePath"));
  repeated_strings(w, 5, doc, "schemes");
  repeated_strings(w, 6, doc, "consumes");
  repeated_strings(w, 7, doc, "produces");
  ProtoWriter paths;
  if (doc.contains("paths") && doc["paths"].is_object()) {
    for (auto it = doc["paths"].begin(); it != doc["paths"].end(); ++it) {
      ProtoWriter named;
      named.string_if(1, it.key());
      named.bytes_field(2, encode_path_item(it.value()));
      paths.bytes_field(2, named.take());
    }
  }
  w.bytes_field(8, paths.take());
  ProtoWriter defs;
  if (doc.contains("definitions") && doc["definitions"].is_object())
    for (auto it = doc["definitions"].begin(); it != doc["definitions"].end(); ++it)
      defs.bytes_field(1, named_schema(it.key(), it.value()));
  w.bytes_field(9, defs.take());
  vendor_extensions(w, 16, doc);
  return w.take();
}

}  // namespace kite::api
