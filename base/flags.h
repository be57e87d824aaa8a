// FlagSet: a small declarative parser for k3s-style long flags.
//
//   std::string data_dir = "/var/lib/kite";
//   FlagSet flags("kite server");
//   flags.add_string("data-dir", &data_dir, "Folder to hold state", "KITE_DATA_DIR");
//   auto args = flags.parse(argc - 2, argv + 2);   // the arguments after "kite server"
//
// Forms accepted: --name=value, --name value, -name (one dash works too), --bool,
// --bool=true|false, "--" ends the flags. Positional arguments may sit between flags and are
// returned in order. Precedence, lowest first: the target's initial value (its default) <
// config file < environment variable < command line. A list flag takes its whole value from
// the highest source that sets it; within one source, repeats accumulate and comma-separated
// values are split. The config file (base/config_file.h) is read from the value of the flag
// named "config", when the set has one; a missing file is an error only if --config (or its
// environment variable) was given. "-h"/"--help" stops parsing and sets help_requested().
// A FlagSet is used from one thread; targets are written only during parse().
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/status.h"

namespace kite::base {

class FlagSet {
 public:
  explicit FlagSet(std::string command);  // e.g. "kite server"

  void add_string(const std::string& name, std::string* target, std::string help,
                  std::string env = "");
  void add_bool(const std::string& name, bool* target, std::string help, std::string env = "");
  void add_int(const std::string& name, int* target, std::string help, std::string env = "");
  // Repeatable; comma-separated values are split ("--tls-san a,b --tls-san c" -> a, b, c).
  void add_string_list(const std::string& name, std::vector<std::string>* target, std::string help,
                       std::string env = "");
  // A second name for a flag, e.g. add_alias("t", "token") lets "-t X" mean "--token X".
  void add_alias(const std::string& alias, const std::string& name);

  // Parses the arguments (argv[0] is the first argument, not a program name) and returns the
  // positional ones. Errors (BadRequest): "unknown flag: --foo", "unknown key in config file X:
  // foo", "flag needs a value: --foo", "invalid value "x" for --port: ...".
  Result<std::vector<std::string>> parse(int argc, const char* const* argv);

  bool help_requested() const { return help_requested_; }
  // True if the flag got its value from the command line, environment or config file.
  bool is_set(const std::string& name) const;
  // "Usage: <command> [flags]" then one line per flag:
  //   --name value   (env VAR) help [default: x]
  std::string usage() const;

 private:
  enum class Kind { String, Bool, Int, List };
  struct Flag {
    std::string name;
    Kind kind;
    void* target;
    std::string help;
    std::string env;
    std::string default_text;
    bool set = false;
  };
  // One value from one source, applied after all sources are collected.
  struct Assignment {
    std::string flag;
    std::string value;
    std::vector<std::string> list;  // for list values from a YAML sequence
    bool is_list = false;
  };

  void add(const std::string& name, Kind kind, void* target, std::string help, std::string env,
           std::string default_text);
  Flag* find(const std::string& name);
  const Flag* find(const std::string& name) const;
  Result<void> apply(Flag& flag, const std::vector<Assignment>& values, const std::string& origin);

  std::string command_;
  std::vector<Flag> flags_;  // in registration order, for usage()
  std::map<std::string, std::string> aliases_;
  std::string definition_error_;
  bool help_requested_ = false;
};

}  // namespace kite::base
