// CustomResourceDefinition -> ResourceInfo.
#include "api/registry/crd_resources.h"

#include <cctype>
#include <set>

#include "api/schemas/builtin_schemas.h"

namespace kite::api {
namespace {

using base::Reason;

const std::vector<std::string> kAllVerbs = {"create", "delete", "deletecollection", "get",
                                            "list",   "patch",  "update",           "watch"};

std::unexpected<base::Status> invalid(const std::string& crd_name, const std::string& field,
                                      const std::string& type, const std::string& msg) {
  base::Status s(Reason::Invalid, "CustomResourceDefinition.apiextensions.k8s.io \"" + crd_name +
                                      "\" is invalid: " + field + ": " + msg);
  s.with_details(crd_name, "apiextensions.k8s.io", "CustomResourceDefinition");
  s.with_cause({type, msg, field});
  return std::unexpected(std::move(s));
}

std::string str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::vector<std::string> strings(const json& j, const char* key) {
  std::vector<std::string> out;
  if (!j.is_object() || !j.contains(key) || !j[key].is_array()) return out;
  for (const auto& v : j[key]) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

bool is_dns_label(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-'))
      return false;
  }
  return s.front() != '-' && s.back() != '-';
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Adds apiVersion, kind and metadata (ObjectMeta) to a custom resource's schema, as Kubernetes
// does for every custom resource.
SchemaPtr with_object_fields(SchemaPtr schema) {
  auto s = std::make_shared<Schema>(*schema);
  auto str_schema = std::make_shared<Schema>();
  str_schema->type = Schema::Type::String;
  if (!s->properties.count("apiVersion")) s->properties["apiVersion"] = str_schema;
  if (!s->properties.count("kind")) s->properties["kind"] = str_schema;
  if (SchemaPtr meta = builtin_schema("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"))
    s->properties["metadata"] = meta;
  return s;
}

}  // namespace

base::Result<std::vector<ResourceInfoPtr>> resources_from_crd(const json& crd) {
  if (!crd.is_object()) return base::error(Reason::BadRequest, "CustomResourceDefinition must be an object");
  const json meta = crd.value("metadata", json::object());
  const std::string name = str(meta, "name");
  const json spec = crd.value("spec", json::object());
  const json names = spec.is_object() ? spec.value("names", json::object()) : json::object();

  const std::string group = str(spec, "group");
  const std::string plural = str(names, "plural");
  const std::string kind = str(names, "kind");
  if (group.empty()) return invalid(name, "spec.group", "FieldValueRequired", "Required value");
  if (group.find('.') == std::string::npos)
    return invalid(name, "spec.group", "FieldValueInvalid", "should be a domain with at least one dot");
  if (plural.empty()) return invalid(name, "spec.names.plural", "FieldValueRequired", "Required value");
  if (!is_dns_label(plural))
    return invalid(name, "spec.names.plural", "FieldValueInvalid", "a lowercase RFC 1123 label is required");
  if (kind.empty()) return invalid(name, "spec.names.kind", "FieldValueRequired", "Required value");
  if (name != plural + "." + group)
    return invalid(name, "metadata.name", "FieldValueInvalid", "must be spec.names.plural+\".\"+spec.group");
  std::string singular = str(names, "singular");
  if (singular.empty()) singular = lower(kind);
  if (!is_dns_label(singular))
    return invalid(name, "spec.names.singular", "FieldValueInvalid", "a lowercase RFC 1123 label is required");
  std::string list_kind = str(names, "listKind");
  if (list_kind.empty()) list_kind = kind + "List";
  if (list_kind == kind)
    return invalid(name, "spec.names.listKind", "FieldValueInvalid", "kind and listKind may not be the same");
  auto short_names = strings(names, "shortNames");
  for (const auto& sn : short_names) {
    if (!is_dns_label(sn))
      return invalid(name, "spec.names.shortNames", "FieldValueInvalid", "a lowercase RFC 1123 label is required");
  }
  const std::string scope = str(spec, "scope");
  if (scope != "Namespaced" && scope != "Cluster")
    return invalid(name, "spec.scope", "FieldValueNotSupported",
                   "Unsupported value: \"" + scope + "\": supported values: \"Cluster\", \"Namespaced\"");

  if (!spec.contains("versions") || !spec["versions"].is_array() || spec["versions"].empty())
    return invalid(name, "spec.versions", "FieldValueRequired", "must have exactly one version marked as storage version");
  int storage = 0;
  std::set<std::string> seen;
  std::vector<ResourceInfoPtr> out;
  for (size_t i = 0; i < spec["versions"].size(); ++i) {
    const json& v = spec["versions"][i];
    const std::string path = "spec.versions[" + std::to_string(i) + "]";
    const std::string version = str(v, "name");
    if (!is_dns_label(version))
      return invalid(name, path + ".name", "FieldValueInvalid", "a DNS-1035 label is required");
    if (!seen.insert(version).second)
      return invalid(name, path + ".name", "FieldValueDuplicate", "Duplicate value: \"" + version + "\"");
    if (v.value("storage", false)) ++storage;
    const json schema_json = v.contains("schema") && v["schema"].is_object()
                                 ? v["schema"].value("openAPIV3Schema", json())
                                 : json();
    if (schema_json.is_null())
      return invalid(name, path + ".schema.openAPIV3Schema", "FieldValueRequired",
                     "schemas are required");
    auto schema = Schema::from_openapi_v3(schema_json);
    if (!schema) {
      const auto& causes = schema.error().causes();
      std::string field = path + ".schema." + (causes.empty() ? "openAPIV3Schema" : causes[0].field);
      std::string msg = causes.empty() ? schema.error().message() : causes[0].message;
      return invalid(name, field, causes.empty() ? "FieldValueInvalid" : causes[0].type, msg);
    }
    if (!v.value("served", false)) continue;

    auto r = std::make_shared<ResourceInfo>();
    r->group = group;
    r->version = version;
    r->kind = kind;
    r->list_kind = list_kind;
    r->plural = plural;
    r->singular = singular;
    r->namespaced = scope == "Namespaced";
    r->short_names = short_names;
    r->categories = strings(names, "categories");
    r->verbs = kAllVerbs;
    r->schema = with_object_fields(*schema);
    r->storage_prefix = "/registry/" + group + "/" + plural;
    r->custom = true;
    const json sub = v.value("subresources", json::object());
    if (sub.is_object() && sub.contains("status")) r->subresources.push_back("status");
    if (sub.is_object() && sub.contains("scale")) {
      const json& sc = sub["scale"];
      r->scale_spec_replicas_path = str(sc, "specReplicasPath");
      r->scale_status_replicas_path = str(sc, "statusReplicasPath");
      r->scale_label_selector_path = str(sc, "labelSelectorPath");
      if (r->scale_spec_replicas_path.empty())
        return invalid(name, path + ".subresources.scale.specReplicasPath", "FieldValueRequired", "Required value");
      if (r->scale_status_replicas_path.empty())
        return invalid(name, path + ".subresources.scale.statusReplicasPath", "FieldValueRequired", "Required value");
      if (r->scale_spec_replicas_path.rfind(".spec.", 0) != 0)
        return invalid(name, path + ".subresources.scale.specReplicasPath", "FieldValueInvalid",
                       "should be a json path under .spec");
      if (r->scale_status_replicas_path.rfind(".status.", 0) != 0)
        return invalid(name, path + ".subresources.scale.statusReplicasPath", "FieldValueInvalid",
                       "should be a json path under .status");
      r->subresources.push_back("scale");
    }
    if (v.contains("additionalPrinterColumns") && v["additionalPrinterColumns"].is_array()) {
      size_t c = 0;
      for (const auto& col : v["additionalPrinterColumns"]) {
        const std::string cpath = path + ".additionalPrinterColumns[" + std::to_string(c++) + "]";
        PrinterColumn pc;
        pc.name = str(col, "name");
        pc.type = str(col, "type");
        pc.format = str(col, "format");
        pc.description = str(col, "description");
        pc.json_path = str(col, "jsonPath");
        pc.priority = col.is_object() && col.contains("priority") && col["priority"].is_number_integer()
                          ? col["priority"].get<int>() : 0;
        if (pc.name.empty()) return invalid(name, cpath + ".name", "FieldValueRequired", "Required value");
        static const std::set<std::string> kTypes = {"integer", "number", "string", "boolean", "date"};
        if (!kTypes.count(pc.type))
          return invalid(name, cpath + ".type", "FieldValueNotSupported", "Unsupported value: \"" + pc.type + "\"");
        if (pc.json_path.empty()) return invalid(name, cpath + ".jsonPath", "FieldValueRequired", "Required value");
        if (pc.priority < 0) return invalid(name, cpath + ".priority", "FieldValueInvalid", "must be non-negative");
        r->printer_columns.push_back(std::move(pc));
      }
    }
    if (v.contains("selectableFields") && v["selectableFields"].is_array()) {
      for (const auto& f : v["selectableFields"]) {
        std::string p = str(f, "jsonPath");
        if (!p.empty() && p[0] == '.') p = p.substr(1);
        if (!p.empty()) r->selectable_fields.push_back(p);
      }
    }
    out.push_back(r);
  }
  if (storage != 1)
    return invalid(name, "spec.versions", "FieldValueInvalid", "must have exactly one version marked as storage version");
  return out;
}

}  // namespace kite::api
