// Logging: one line per message to stderr, "<level> <time> <component>: <message>".
//
//   KITE_LOG(info, "apiserver") << "listening on " << addr;
//
// The level threshold is process-wide (set_log_level, from --v / KITE_LOG_LEVEL). Thread-safe:
// each line is built in its own buffer and written with one call.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

namespace kite::base {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

void set_log_level(LogLevel level);
LogLevel log_level();
// Parses "debug", "info", "warn", "error"; false if unknown.
bool parse_log_level(std::string_view s, LogLevel* out);

class LogLine {
 public:
  LogLine(LogLevel level, std::string_view component);
  ~LogLine();
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;
  template <typename T>
  LogLine& operator<<(const T& v) {
    buf_ << v;
    return *this;
  }

 private:
  LogLevel level_;
  std::ostringstream buf_;
};

}  // namespace kite::base

#define KITE_LOG(level, component)                                          \
  if (::kite::base::LogLevel::level < ::kite::base::log_level()) {          \
  } else                                                                    \
    ::kite::base::LogLine(::kite::base::LogLevel::level, component)
