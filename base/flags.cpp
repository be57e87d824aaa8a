// FlagSet: command line, environment and config file, merged by precedence (see base/flags.h).
#include "base/flags.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <sstream>

#include "base/config_file.h"

namespace kite::base {

namespace {

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split_commas(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string_view::npos) comma = s.size();
    std::string item = trim(s.substr(start, comma - start));
    if (!item.empty()) out.push_back(std::move(item));
    start = comma + 1;
  }
  return out;
}

bool parse_bool(std::string_view text, bool* out) {
  std::string s(text);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "true" || s == "1" || s == "yes" || s == "on" || s == "t") {
    *out = true;
    return true;
  }
  if (s == "false" || s == "0" || s == "no" || s == "off" || s == "f") {
    *out = false;
    return true;
  }
  return false;
}

bool parse_int(std::string_view s, int* out) {
  if (s.empty()) return false;
  const char* begin = s.data();
  if (*begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ",";
    out += s;
  }
  return out;
}

const char* env_value(const std::string& name) {
  if (name.empty()) return nullptr;
  const char* v = std::getenv(name.c_str());
  return (v != nullptr && *v != '\0') ? v : nullptr;
}

}  // namespace

FlagSet::FlagSet(std::string command) : command_(std::move(command)) {}

void FlagSet::add(const std::string& name, Kind kind, void* target, std::string help,
                  std::string env, std::string default_text) {
  if (name.empty() || target == nullptr) {
    definition_error_ = "flag definition without a name or target";
    return;
  }
  if (find(name) != nullptr) {
    definition_error_ = "flag defined twice: --" + name;
    return;
  }
  flags_.push_back(
      Flag{name, kind, target, std::move(help), std::move(env), std::move(default_text), false});
}

void FlagSet::add_string(const std::string& name, std::string* target, std::string help,
                         std::string env) {
  add(name, Kind::String, target, std::move(help), std::move(env), target ? *target : "");
}

void FlagSet::add_bool(const std::string& name, bool* target, std::string help, std::string env) {
  add(name, Kind::Bool, target, std::move(help), std::move(env),
      (target && *target) ? "true" : "false");
}

void FlagSet::add_int(const std::string& name, int* target, std::string help, std::string env) {
  add(name, Kind::Int, target, std::move(help), std::move(env),
      target ? std::to_string(*target) : "");
}

void FlagSet::add_string_list(const std::string& name, std::vector<std::string>* target,
                              std::string help, std::string env) {
  add(name, Kind::List, target, std::move(help), std::move(env), target ? join(*target) : "");
}

void FlagSet::add_alias(const std::string& alias, const std::string& name) {
  if (find(name) == nullptr) {
    definition_error_ = "alias -" + alias + " for an undefined flag --" + name;
    return;
  }
  aliases_[alias] = name;
}

FlagSet::Flag* FlagSet::find(const std::string& name) {
  auto alias = aliases_.find(name);
  const std::string& real = alias == aliases_.end() ? name : alias->second;
  for (auto& f : flags_) {
    if (f.name == real) return &f;
  }
  return nullptr;
}

const FlagSet::Flag* FlagSet::find(const std::string& name) const {
  return const_cast<FlagSet*>(this)->find(name);
}

bool FlagSet::is_set(const std::string& name) const {
  const Flag* f = find(name);
  return f != nullptr && f->set;
}

Result<void> FlagSet::apply(Flag& flag, const std::vector<Assignment>& values,
                            const std::string& origin) {
  if (values.empty()) return {};
  const Assignment& last = values.back();
  auto bad = [&](const std::string& text, const std::string& why) {
    return error(Reason::BadRequest, "invalid value \"" + text + "\" for --" + flag.name +
                                         " (from " + origin + "): " + why);
  };
  switch (flag.kind) {
    case Kind::String:
      if (last.is_list) return bad(join(last.list), "expected a single value, not a list");
      *static_cast<std::string*>(flag.target) = last.value;
      break;
    case Kind::Bool: {
      bool b = false;
      if (last.is_list || !parse_bool(last.value, &b))
        return bad(last.value, "expected true or false");
      *static_cast<bool*>(flag.target) = b;
      break;
    }
    case Kind::Int: {
      int n = 0;
      if (last.is_list || !parse_int(last.value, &n)) return bad(last.value, "expected an integer");
      *static_cast<int*>(flag.target) = n;
      break;
    }
    case Kind::List: {
      std::vector<std::string> out;
      for (const auto& a : values) {
        if (a.is_list) {
          for (const auto& item : a.list) out.push_back(item);
        } else {
          for (auto& item : split_commas(a.value)) out.push_back(std::move(item));
        }
      }
      *static_cast<std::vector<std::string>*>(flag.target) = std::move(out);
      break;
    }
  }
  flag.set = true;
  return {};
}

Result<std::vector<std::string>> FlagSet::parse(int argc, const char* const* argv) {
  if (!definition_error_.empty()) return error(Reason::InternalError, definition_error_);
  help_requested_ = false;

  // 1. The command line, collected but not yet applied.
  std::map<std::string, std::vector<Assignment>> cmdline;
  std::vector<std::string> positional;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i] ? argv[i] : "";
    if (arg == "--") {
      for (++i; i < argc; ++i) positional.emplace_back(argv[i] ? argv[i] : "");
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      positional.push_back(std::move(arg));
      continue;
    }
    std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    std::string name = body;
    std::string value;
    bool has_value = false;
    if (auto eq = body.find('='); eq != std::string::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
      has_value = true;
    }
    Flag* flag = find(name);
    if (flag == nullptr && (name == "h" || name == "help")) {
      help_requested_ = true;
      return positional;
    }
    if (flag == nullptr || name.empty())
      return error(Reason::BadRequest, "unknown flag: --" + name);
    if (!has_value) {
      if (flag->kind == Kind::Bool) {
        value = "true";
      } else if (i + 1 < argc) {
        value = argv[++i] ? argv[i] : "";
      } else {
        return error(Reason::BadRequest, "flag needs a value: --" + flag->name);
      }
    }
    cmdline[flag->name].push_back(Assignment{flag->name, std::move(value), {}, false});
  }

  // 2. The config file, from --config / its environment variable / its default.
  std::map<std::string, std::vector<Assignment>> config;
  if (Flag* cfg = find("config"); cfg != nullptr && cfg->kind == Kind::String) {
    std::string path = *static_cast<std::string*>(cfg->target);
    bool explicit_path = false;
    if (auto it = cmdline.find("config"); it != cmdline.end()) {
      path = it->second.back().value;
      explicit_path = true;
    } else if (const char* env = env_value(cfg->env)) {
      path = env;
      explicit_path = true;
    }
    if (!path.empty()) {
      auto loaded = load_config_file(path);
      if (!loaded) return std::unexpected(loaded.error());
      if (!loaded->has_value()) {
        if (explicit_path) return error(Reason::BadRequest, "config file not found: " + path);
      } else {
        for (auto& v : **loaded) {
          if (v.key == "config") continue;  // no nesting; the file was already chosen
          Flag* flag = find(v.key);
          if (flag == nullptr || flag->name != v.key) {
            return error(Reason::BadRequest,
                         "unknown key in config file " + v.source + ": " + v.key);
          }
          config[flag->name].push_back(Assignment{flag->name, v.scalar, v.list, v.is_list});
        }
      }
    }
  }

  // 3. Apply each flag's highest-precedence source.
  for (auto& flag : flags_) {
    Result<void> applied;
    if (auto it = cmdline.find(flag.name); it != cmdline.end()) {
      applied = apply(flag, it->second, "command line");
    } else if (const char* env = env_value(flag.env)) {
      applied = apply(flag, {Assignment{flag.name, env, {}, false}}, "environment " + flag.env);
    } else if (auto c = config.find(flag.name); c != config.end()) {
      applied = apply(flag, c->second, "config file");
    }
    if (!applied) return std::unexpected(applied.error());
  }
  return positional;
}

std::string FlagSet::usage() const {
  std::vector<std::pair<std::string, std::string>> rows;
  size_t width = 0;
  for (const auto& f : flags_) {
    std::string left = "  --" + f.name;
    for (const auto& [alias, target] : aliases_) {
      if (target == f.name) left += ", -" + alias;
    }
    if (f.kind == Kind::Int) left += " int";
    if (f.kind == Kind::String) left += " value";
    if (f.kind == Kind::List) left += " value";
    std::string right;
    if (!f.env.empty()) right += "(env " + f.env + ") ";
    right += f.help;
    if (f.kind == Kind::List) right += " (repeatable)";
    if (!f.default_text.empty() && f.default_text != "false") {
      right += " [default: " + f.default_text + "]";
    }
    width = std::max(width, left.size());
    rows.emplace_back(std::move(left), std::move(right));
  }
  std::ostringstream out;
  out << "Usage: " << command_ << " [flags]\n\nFlags:\n";
  for (const auto& [left, right] : rows) {
    out << left << std::string(width - left.size() + 3, ' ') << right << "\n";
  }
  out << "  --help, -h" << std::string(width > 12 ? width - 12 + 3 : 3, ' ') << "show this help\n";
  return out.str();
}

}  // namespace kite::base
