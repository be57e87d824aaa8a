// YAML config files and their drop-ins (see base/config_file.h).
#include "base/config_file.h"

#include <dirent.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "base/pki.h"

namespace kite::base {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Result<ConfigEntry> entry_from(const YAML::Node& key, const YAML::Node& value,
                               const std::string& source) {
  if (!key.IsScalar())
    return error(Reason::BadRequest, "config file " + source + ": keys must be strings");
  ConfigEntry entry;
  std::string name = key.Scalar();
  if (ends_with(name, "+")) {
    entry.append = true;
    name.pop_back();
  }
  entry.value.key = name;
  entry.value.source = source;
  if (!value.IsDefined() || value.IsNull()) {
    return entry;  // "key:" with nothing: an empty scalar
  }
  if (value.IsScalar()) {
    entry.value.scalar = value.Scalar();
    return entry;
  }
  if (value.IsSequence()) {
    entry.value.is_list = true;
    for (const auto& item : value) {
      if (!item.IsScalar()) {
        return error(Reason::BadRequest,
                     "config file " + source + ": key " + name + ": list items must be scalars");
      }
      entry.value.list.push_back(item.Scalar());
    }
    return entry;
  }
  return error(Reason::BadRequest,
               "config file " + source + ": key " + name + ": expected a scalar or a list");
}

std::vector<std::string> drop_in_files(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.empty() || name[0] == '.') continue;
    if (ends_with(name, ".yaml") || ends_with(name, ".yml")) out.push_back(dir + "/" + name);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Result<std::vector<ConfigEntry>> parse_config_yaml(const std::string& text,
                                                   const std::string& source) {
  try {
    YAML::Node root = YAML::Load(text);
    std::vector<ConfigEntry> out;
    if (!root.IsDefined() || root.IsNull()) return out;
    if (!root.IsMap()) {
      return error(Reason::BadRequest,
                   "config file " + source + ": expected a map of flag names to values");
    }
    for (const auto& kv : root) {
      auto entry = entry_from(kv.first, kv.second, source);
      if (!entry) return std::unexpected(entry.error());
      out.push_back(std::move(*entry));
    }
    return out;
  } catch (const YAML::Exception& e) {
    return error(Reason::BadRequest, "config file " + source + ": " + e.what());
  }
}

Result<std::optional<std::vector<ConfigValue>>> load_config_file(const std::string& path) {
  std::vector<std::string> files;
  if (file_exists(path)) files.push_back(path);
  for (auto& f : drop_in_files(path + ".d")) files.push_back(std::move(f));
  if (files.empty()) return std::optional<std::vector<ConfigValue>>();

  std::vector<ConfigValue> merged;
  for (const auto& file : files) {
    auto text = read_file(file);
    if (!text) return std::unexpected(text.error());
    auto entries = parse_config_yaml(*text, file);
    if (!entries) return std::unexpected(entries.error());
    for (auto& entry : *entries) {
      auto it = std::find_if(merged.begin(), merged.end(),
                             [&](const ConfigValue& v) { return v.key == entry.value.key; });
      if (it == merged.end()) {
        merged.push_back(std::move(entry.value));
      } else if (entry.append) {
        if (!it->is_list) {
          it->is_list = true;
          if (!it->scalar.empty()) it->list.push_back(it->scalar);
          it->scalar.clear();
        }
        if (entry.value.is_list) {
          for (auto& item : entry.value.list) it->list.push_back(std::move(item));
        } else {
          it->list.push_back(std::move(entry.value.scalar));
        }
        it->source = entry.value.source;
      } else {
        *it = std::move(entry.value);
      }
    }
  }
  return std::optional<std::vector<ConfigValue>>(std::move(merged));
}

}  // namespace kite::base
