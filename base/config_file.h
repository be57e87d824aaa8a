// The YAML config file behind `--config` (k3s style): a map whose keys are flag names and whose
// values are scalars, or lists for repeatable flags.
//
//   token: secret
//   tls-san: [kite.example.com, 10.0.0.5]
//   node-label:
//     - role=edge
//
// Drop-in files `<path>.d/*.yaml` (and *.yml) are read after the main file in name order; a
// later file's key replaces an earlier one, except that a key written `name+` appends to a list.
// Only parsing happens here: which keys are valid is decided by the caller (base/flags.h).
// Stateless and thread-safe; yaml-cpp exceptions are caught here and returned as a Status.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace kite::base {

struct ConfigValue {
  std::string key;                // flag name, without any trailing '+'
  bool is_list = false;           // written as a YAML sequence
  std::string scalar;             // when !is_list: the scalar's text ("true", "6443", ...)
  std::vector<std::string> list;  // when is_list
  std::string source;             // file it came from (for error messages)
};

// Parses one YAML document. An empty document is an empty list. `source` names the text in
// errors. Keys keep their order; a key ending in '+' comes back with append = true.
struct ConfigEntry {
  ConfigValue value;
  bool append = false;
};
Result<std::vector<ConfigEntry>> parse_config_yaml(const std::string& text,
                                                   const std::string& source);

// Reads `path` plus its drop-ins and merges them (later wins, '+' keys append). nullopt if
// neither the file nor any drop-in exists.
Result<std::optional<std::vector<ConfigValue>>> load_config_file(const std::string& path);

}  // namespace kite::base
