// Internal to api/table/: a JSONPath evaluator for the subset of the kubectl/client-go
// JSONPath template language that CRD additionalPrinterColumns use:
//   .spec.replicas   {.spec.replicas}   $.spec.replicas   .metadata.labels.app
//   .status.conditions[0].status   [-1]   [*]   [1:3]   ['key.with.dots']   .a\.b
//   .status.conditions[?(@.type=="Ready")].status   (== != < > <= >=, or bare @.field)
//   ..name   (recursive descent)   .*   (all children)
// Missing keys yield no result (never an error). Immutable after parse; thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace kite::api::table {

using json = nlohmann::json;

class JsonPath {
 public:
  // Nullopt when the expression is not in the supported subset.
  static std::optional<JsonPath> parse(std::string_view expr);

  // Every value the path selects, in document order.
  std::vector<const json*> find(const json& root) const;

  struct Step;

 private:
  std::vector<std::shared_ptr<const Step>> steps_;
};

// How the upstream JSONPath printer renders one value as text: strings raw, numbers as Go
// prints them ("3", "1.5", "1e+21"), booleans "true"/"false", arrays and objects as
// compact JSON.
std::string jsonpath_text(const json& v);

}  // namespace kite::api::table
