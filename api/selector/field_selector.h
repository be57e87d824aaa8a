// FieldSelector: a conjunction of `field=value` / `field!=value` terms, as Kubernetes parses
// `?fieldSelector=` (terms split on unescaped ',', values unescaped with '\\' before '\\', ','
// and '='), plus selectable_field_values() which computes the field set of an object.
//
// The selector itself does not know which fields a kind supports: the server checks
// requirements() (or calls check_supported()) against the kind's selectable fields and
// answers BadRequest "field label not supported: X".
//
// Immutable value: safe to share between threads once built.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace kite::api {

using json = nlohmann::json;

class FieldSelector {
 public:
  enum class Op { Equals, DoubleEquals, NotEquals };
  struct Requirement {
    std::string field;
    Op op = Op::Equals;
    std::string value;  // unescaped
  };

  FieldSelector() = default;  // matches everything
  static FieldSelector everything() { return {}; }
  static FieldSelector one_term_equal(std::string field, std::string value);

  // Parses `?fieldSelector=`. BadRequest with Kubernetes' wording on a term without operator
  // or a bad escape.
  static base::Result<FieldSelector> parse(std::string_view text);

  const std::vector<Requirement>& requirements() const { return requirements_; }
  bool empty() const { return requirements_.empty(); }

  // A missing field compares as "".
  bool matches(const std::map<std::string, std::string>& fields) const;

  // BadRequest "field label not supported: X" for the first field not in `supported`.
  base::Status check_supported(const std::set<std::string>& supported) const;

  // The value a `field=v` / `field==v` term pins (for indexed lookups such as spec.nodeName).
  bool requires_exact_match(const std::string& field, std::string* value) const;

  // Canonical text: terms joined by ',', values escaped ("a=b,c!=d\\,e").
  std::string to_string() const;

 private:
  std::vector<Requirement> requirements_;
};

// Escapes '\\', ',' and '=' in a field selector value.
std::string escape_field_value(std::string_view value);

// The selectable fields of `obj`: metadata.name, metadata.namespace (only when `namespaced`)
// and each dotted path in `paths` (e.g. "spec.nodeName", "status.phase"). A missing field
// gives ""; numbers and booleans give their JSON text.
std::map<std::string, std::string> selectable_field_values(const json& obj,
                                                           const std::vector<std::string>& paths,
                                                           bool namespaced);

}  // namespace kite::api
