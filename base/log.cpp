#include "base/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>

namespace kite::base {
namespace {
std::atomic<LogLevel> g_level{LogLevel::info};

const char* level_tag(LogLevel l) {
  switch (l) {
    case LogLevel::debug: return "D";
    case LogLevel::info: return "I";
    case LogLevel::warn: return "W";
    case LogLevel::error: return "E";
  }
  return "?";
}
}  // namespace

void set_log_level(LogLevel level) { g_level.store(level); }
LogLevel log_level() { return g_level.load(); }

bool parse_log_level(std::string_view s, LogLevel* out) {
  if (s == "debug") *out = LogLevel::debug;
  else if (s == "info") *out = LogLevel::info;
  else if (s == "warn") *out = LogLevel::warn;
  else if (s == "error") *out = LogLevel::error;
  else return false;
  return true;
}

LogLine::LogLine(LogLevel level, std::string_view component) : level_(level) {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
  buf_ << level_tag(level_) << ' ' << ts << '.' << (ms < 100 ? (ms < 10 ? "00" : "0") : "") << ms
       << "Z " << component << ": ";
}

LogLine::~LogLine() {
  buf_ << '\n';
  std::string s = buf_.str();
  // One write per line so concurrent lines never interleave.
  ssize_t n = ::write(STDERR_FILENO, s.data(), s.size());
  (void)n;
}

}  // namespace kite::base
