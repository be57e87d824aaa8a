#include <algorithm>
#include <cctype>

#include "api/validation/checks.h"
#include "api/validation/name_rules.h"

namespace kite::api::validation {

namespace {
constexpr int64_t kMaxAnnotationsBytes = 256 * 1024;

void invalid_each(FieldErrors& errs, const std::string& path, const json& value,
                  const std::vector<std::string>& problems) {
  for (const auto& p : problems) errs.invalid(path, value, p);
}
}  // namespace

const json* field(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string str(const json& obj, const char* key) {
  const json* v = field(obj, key);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

void check_labels(const json& labels, const std::string& path, FieldErrors& errs) {
  if (!labels.is_object()) return;
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    invalid_each(errs, path, it.key(), qualified_name_errors(it.key()));
    if (it->is_string()) invalid_each(errs, path, *it, label_value_errors(it->get<std::string>()));
  }
}

void check_metadata(const ResourceInfo& info, const json& obj, Findings& f) {
  auto& errs = f.errors;
  const json* meta = field(obj, "metadata");
  static const json kEmpty = json::object();
  if (!meta || !meta->is_object()) meta = &kEmpty;
  std::string name = str(*meta, "name");
  std::string generate = str(*meta, "generateName");
  if (name.empty() && generate.empty()) {
    errs.required("metadata.name", "name or generateName is required");
  } else if (!name.empty()) {
    invalid_each(errs, "metadata.name", name, name_errors(info.name_rule, name, false));
  }
  if (!generate.empty())
    invalid_each(errs, "metadata.generateName", generate, name_errors(info.name_rule, generate, true));
  if (info.namespaced) {
    std::string ns = str(*meta, "namespace");
    if (ns.empty()) errs.required("metadata.namespace");
    else invalid_each(errs, "metadata.namespace", ns, dns1123_label_errors(ns));
  }
  if (const json* labels = field(*meta, "labels")) check_labels(*labels, "metadata.labels", errs);
  if (const json* ann = field(*meta, "annotations"); ann && ann->is_object()) {
    int64_t total = 0;
    for (auto it = ann->begin(); it != ann->end(); ++it) {
      std::string lower = it.key();
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      invalid_each(errs, "metadata.annotations", it.key(), qualified_name_errors(lower));
      total += static_cast<int64_t>(it.key().size());
      if (it->is_string()) total += static_cast<int64_t>(it->get_ref<const std::string&>().size());
    }
    if (total > kMaxAnnotationsBytes) errs.too_long("metadata.annotations", kMaxAnnotationsBytes);
  }
  if (const json* fin = field(*meta, "finalizers"); fin && fin->is_array()) {
    for (size_t i = 0; i < fin->size(); ++i) {
      const json& v = (*fin)[i];
      if (!v.is_string() || v == "kubernetes") continue;
      invalid_each(errs, index_path("metadata.finalizers", i), v,
                   qualified_name_errors(v.get<std::string>()));
    }
  }
  if (const json* owners = field(*meta, "ownerReferences"); owners && owners->is_array()) {
    for (size_t i = 0; i < owners->size(); ++i) {
      std::string p = index_path("metadata.ownerReferences", i);
      for (const char* k : {"apiVersion", "kind", "name", "uid"})
        if (str((*owners)[i], k).empty()) errs.required(child_path(p, k));
    }
  }
}

namespace {
bool expression_matches(const json& expr, const json& labels) {
  std::string key = str(expr, "key"), op = str(expr, "operator");
  const json* has = labels.is_object() && labels.contains(key) ? &labels[key] : nullptr;
  bool in_values = false;
  if (const json* vals = field(expr, "values"); vals && vals->is_array() && has)
    for (const auto& v : *vals)
      if (v == *has) in_values = true;
  if (op == "In") return has && in_values;
  if (op == "NotIn") return !has || !in_values;
  if (op == "Exists") return has != nullptr;
  if (op == "DoesNotExist") return has == nullptr;
  return false;
}
}  // namespace

bool selector_matches(const json& selector, const json& labels) {
  if (const json* ml = field(selector, "matchLabels"); ml && ml->is_object()) {
    for (auto it = ml->begin(); it != ml->end(); ++it) {
      if (!labels.is_object() || !labels.contains(it.key()) || labels[it.key()] != *it) return false;
    }
  }
  if (const json* me = field(selector, "matchExpressions"); me && me->is_array()) {
    for (const auto& e : *me)
      if (!expression_matches(e, labels)) return false;
  }
  return true;
}

void check_label_selector(const json& selector, const std::string& path, FieldErrors& errs) {
  if (const json* ml = field(selector, "matchLabels"))
    check_labels(*ml, child_path(path, "matchLabels"), errs);
  const json* me = field(selector, "matchExpressions");
  if (!me || !me->is_array()) return;
  for (size_t i = 0; i < me->size(); ++i) {
    const json& e = (*me)[i];
    std::string p = index_path(child_path(path, "matchExpressions"), i);
    std::string op = str(e, "operator");
    const json* vals = field(e, "values");
    size_t nvals = vals && vals->is_array() ? vals->size() : 0;
    if (str(e, "key").empty()) errs.required(child_path(p, "key"));
    if (op == "In" || op == "NotIn") {
      if (nvals == 0)
        errs.required(child_path(p, "values"), "must be specified when `operator` is 'In' or 'NotIn'");
    } else if (op == "Exists" || op == "DoesNotExist") {
      if (nvals > 0)
        errs.forbidden(child_path(p, "values"),
                       "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
    } else {
      errs.invalid(child_path(p, "operator"), op, "not a valid selector operator");
    }
  }
}

}  // namespace kite::api::validation
