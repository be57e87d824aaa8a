// CRI container log files, as containerd writes them, and kubelet's log query options.
//
// Each line of a CRI log file is `<RFC3339Nano timestamp> <stdout|stderr> <F|P> <content>\n`;
// P marks a partial line that continues in the following line(s) up to the next F. A
// CriLogDecoder turns file bytes (fed in any pieces) into whole log lines: the P segments are
// joined, the line keeps the first segment's timestamp (kubelet prints the timestamp once at
// the start of a logical line too). LogWriter applies sinceTime, timestamps and limitBytes and
// produces the text kubelet returns; tail_lines() keeps the last N lines (kubelet applies the
// tail first, then the since filter).
//
// Difference from kubelet: tailLines counts logical lines here; kubelet counts raw file lines
// (so a line split into P segments counts several times there).
//
// Pure functions and single-threaded value types: no I/O.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace kite::agent::streaming {

using base::Result;
using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::nanoseconds>;

struct LogLine {
  TimePoint time{};
  std::string stream;   // "stdout" or "stderr"
  std::string content;  // without the trailing newline
  bool complete = true; // false: the file ended inside a P sequence (see CriLogDecoder::flush)
};

// "2026-11-22T10:00:00.123456789Z" or "...+02:00"; fraction optional, up to 9 digits.
Result<TimePoint> parse_rfc3339_nano(std::string_view text);
// Kubelet's output format, fixed 9 fraction digits in UTC: "2026-11-22T10:00:00.120000000Z".
std::string format_rfc3339_nano_fixed(TimePoint t);

// One raw file line (without '\n') -> its parts. BadRequest when malformed.
struct CriLogRecord {
  TimePoint time{};
  std::string_view stream;
  bool partial = false;
  std::string_view content;
};
Result<CriLogRecord> parse_cri_log_record(std::string_view line);

// Incremental decoder: feed() bytes as they are read from the file; take() returns the whole
// logical lines completed so far. Malformed raw lines are skipped (kubelet logs and skips them).
class CriLogDecoder {
 public:
  void feed(std::string_view bytes);
  std::vector<LogLine> take();
  // Emits a pending P sequence as an incomplete line (used when the container has exited and
  // no F line will follow).
  void flush();

 private:
  std::string buffer_;  // bytes after the last '\n'
  std::optional<LogLine> pending_;
  std::vector<LogLine> ready_;
};

// Kubelet's /containerLogs query parameters (PodLogOptions).
struct LogOptions {
  bool follow = false;
  bool previous = false;
  bool timestamps = false;
  std::optional<int64_t> tail_lines;   // negative = all
  std::optional<TimePoint> since;      // from sinceSeconds (relative to now) or sinceTime
  std::optional<int64_t> limit_bytes;
};
// From query parameters; `now` resolves sinceSeconds. BadRequest on malformed values or both
// sinceSeconds and sinceTime set, as the API server validates.
Result<LogOptions> parse_log_options(const std::multimap<std::string, std::string>& query,
                                     std::chrono::system_clock::time_point now);

// Keeps the last `n` lines (n < 0: all).
void tail_lines(std::vector<LogLine>& lines, int64_t n);

// Formats lines for the response, applying since/timestamps/limitBytes.
class LogWriter {
 public:
  explicit LogWriter(const LogOptions& options) : options_(options) {}
  // The text for these lines (possibly cut at the byte limit).
  std::string write(const std::vector<LogLine>& lines);
  // True once limitBytes has been reached: nothing more will be written.
  bool exhausted() const { return exhausted_; }

 private:
  LogOptions options_;
  int64_t written_ = 0;
  bool exhausted_ = false;
};

}  // namespace kite::agent::streaming
