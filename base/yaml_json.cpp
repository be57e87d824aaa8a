#include "base/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <regex>

namespace kite::base {
namespace {

using json = nlohmann::json;

json plain_scalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  static const std::regex int_re("[-+]?[0-9]+");
  static const std::regex hex_re("0x[0-9a-fA-F]+");
  static const std::regex oct_re("0o[0-7]+");
  static const std::regex float_re("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  errno = 0;
  if (std::regex_match(s, int_re)) {
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno == 0) return v;
    return std::strtod(s.c_str(), nullptr);
  }
  if (std::regex_match(s, hex_re)) return std::strtoll(s.c_str() + 2, nullptr, 16);
  if (std::regex_match(s, oct_re)) return std::strtoll(s.c_str() + 2, nullptr, 8);
  if (std::regex_match(s, float_re)) return std::strtod(s.c_str(), nullptr);
  if (s == ".inf" || s == ".Inf" || s == "+.inf") return std::numeric_limits<double>::infinity();
  if (s == "-.inf" || s == "-.Inf") return -std::numeric_limits<double>::infinity();
  return s;
}

json convert(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      // "!" marks a quoted (non-plain) scalar; "?" a plain one.
      if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return s;
      return plain_scalar(s);
    }
    case YAML::NodeType::Sequence: {
      json arr = json::array();
      for (const auto& item : node) arr.push_back(convert(item));
      return arr;
    }
    case YAML::NodeType::Map: {
      json obj = json::object();
      for (const auto& kv : node) {
        std::string key = kv.first.IsScalar() ? kv.first.Scalar() : YAML::Dump(kv.first);
        obj[key] = convert(kv.second);
      }
      return obj;
    }
  }
  return nullptr;
}

void emit(YAML::Emitter& out, const json& v) {
  if (v.is_object()) {
    out << YAML::BeginMap;
    for (auto it = v.begin(); it != v.end(); ++it) {
      out << YAML::Key << it.key() << YAML::Value;
      emit(out, it.value());
    }
    out << YAML::EndMap;
  } else if (v.is_array()) {
    out << YAML::BeginSeq;
    for (const auto& item : v) emit(out, item);
    out << YAML::EndSeq;
  } else if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    json reparsed = plain_scalar(s);
    if (!reparsed.is_string()) {
      out << YAML::DoubleQuoted << s;
    } else {
      out << s;
    }
  } else if (v.is_null()) {
    out << YAML::Null;
  } else if (v.is_boolean()) {
    out << (v.get<bool>() ? "true" : "false");
  } else {
    out << v.dump();
  }
}

}  // namespace

Result<nlohmann::json> yaml_to_json(std::string_view yaml) {
  try {
    YAML::Node node = YAML::Load(std::string(yaml));
    return convert(node);
  } catch (const std::exception& e) {
    return error(Reason::BadRequest, std::string("malformed YAML: ") + e.what());
  }
}

Result<std::vector<nlohmann::json>> yaml_documents_to_json(std::string_view yaml) {
  try {
    std::vector<nlohmann::json> out;
    for (const auto& node : YAML::LoadAll(std::string(yaml))) {
      json j = convert(node);
      if (!j.is_null()) out.push_back(std::move(j));
    }
    return out;
  } catch (const std::exception& e) {
    return error(Reason::BadRequest, std::string("malformed YAML: ") + e.what());
  }
}

std::string json_to_yaml(const nlohmann::json& value) {
  YAML::Emitter out;
  emit(out, value);
  return std::string(out.c_str()) + "\n";
}

}  // namespace kite::base
