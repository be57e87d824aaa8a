#include "agent/streaming/cri_log.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "base/ids.h"

namespace kite::agent::streaming {
namespace {

using base::Reason;

bool parse_int(std::string_view s, int* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parse_i64(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool truthy(const std::string& v) { return v == "true" || v == "1" || v == "True"; }

}  // namespace

Result<TimePoint> parse_rfc3339_nano(std::string_view t) {
  auto bad = [&] { return base::error(Reason::BadRequest, "invalid RFC3339 time \"" + std::string(t) + "\""); };
  // YYYY-MM-DDTHH:MM:SS
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') || t[13] != ':' ||
      t[16] != ':')
    return bad();
  int y, mo, d, h, mi, s;
  if (!parse_int(t.substr(0, 4), &y) || !parse_int(t.substr(5, 2), &mo) || !parse_int(t.substr(8, 2), &d) ||
      !parse_int(t.substr(11, 2), &h) || !parse_int(t.substr(14, 2), &mi) || !parse_int(t.substr(17, 2), &s))
    return bad();
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(mo), std::chrono::day(d)};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return bad();
  size_t i = 19;
  int64_t nanos = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    size_t digits = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      if (digits < 9) nanos = nanos * 10 + (t[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return bad();
    for (size_t k = digits; k < 9; ++k) nanos *= 10;
  }
  int offset_minutes = 0;
  if (i < t.size() && (t[i] == 'Z' || t[i] == 'z')) {
    ++i;
  } else if (i + 6 == t.size() && (t[i] == '+' || t[i] == '-') && t[i + 3] == ':') {
    int oh, om;
    if (!parse_int(t.substr(i + 1, 2), &oh) || !parse_int(t.substr(i + 4, 2), &om)) return bad();
    offset_minutes = (oh * 60 + om) * (t[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return bad();
  }
  if (i != t.size()) return bad();
  TimePoint tp = std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
                 std::chrono::seconds(s) + std::chrono::nanoseconds(nanos) - std::chrono::minutes(offset_minutes);
  return tp;
}

std::string format_rfc3339_nano_fixed(TimePoint t) {
  auto day = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd{day};
  auto rest = t - day;
  auto h = std::chrono::duration_cast<std::chrono::hours>(rest);
  rest -= h;
  auto m = std::chrono::duration_cast<std::chrono::minutes>(rest);
  rest -= m;
  auto s = std::chrono::duration_cast<std::chrono::seconds>(rest);
  rest -= s;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()), int(h.count()), int(m.count()), int(s.count()));
  char out[80];
  // Insert the fixed 9-digit fraction before the 'Z'.
  std::snprintf(out, sizeof out, "%.19s.%09lldZ", buf, static_cast<long long>(rest.count()));
  return out;
}

Result<CriLogRecord> parse_cri_log_record(std::string_view line) {
  auto bad = [&] { return base::error(Reason::BadRequest, "malformed CRI log line \"" + std::string(line.substr(0, 80)) + "\""); };
  auto sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return bad();
  auto time = parse_rfc3339_nano(line.substr(0, sp1));
  if (!time) return bad();
  auto sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return bad();
  CriLogRecord rec;
  rec.time = *time;
  rec.stream = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (rec.stream != "stdout" && rec.stream != "stderr") return bad();
  // The tag: "F" or "P" (possibly more tags separated by ':' in future CRI versions).
  auto sp3 = line.find(' ', sp2 + 1);
  std::string_view tag = sp3 == std::string_view::npos ? line.substr(sp2 + 1) : line.substr(sp2 + 1, sp3 - sp2 - 1);
  auto first_tag = tag.substr(0, tag.find(':'));
  if (first_tag == "P") {
    rec.partial = true;
  } else if (first_tag != "F") {
    return bad();
  }
  rec.content = sp3 == std::string_view::npos ? std::string_view() : line.substr(sp3 + 1);
  return rec;
}

void CriLogDecoder::feed(std::string_view bytes) {
  buffer_.append(bytes);
  size_t start = 0;
  for (;;) {
    auto nl = buffer_.find('\n', start);
    if (nl == std::string::npos) break;
    std::string_view raw(buffer_.data() + start, nl - start);
    start = nl + 1;
    auto rec = parse_cri_log_record(raw);
    if (!rec) continue;
    if (!pending_) {
      pending_ = LogLine{.time = rec->time, .stream = std::string(rec->stream), .content = {}, .complete = true};
    }
    pending_->content.append(rec->content);
    if (!rec->partial) {
      ready_.push_back(std::move(*pending_));
      pending_.reset();
    }
  }
  buffer_.erase(0, start);
}

std::vector<LogLine> CriLogDecoder::take() { return std::exchange(ready_, {}); }

void CriLogDecoder::flush() {
  if (!pending_) return;
  pending_->complete = false;
  ready_.push_back(std::move(*pending_));
  pending_.reset();
}

Result<LogOptions> parse_log_options(const std::multimap<std::string, std::string>& query,
                                     std::chrono::system_clock::time_point now) {
  auto value = [&](const std::string& key) -> std::optional<std::string> {
    auto [b, e] = query.equal_range(key);
    if (b == e) return std::nullopt;
    return std::prev(e)->second;
  };
  LogOptions o;
  if (auto v = value("follow")) o.follow = truthy(*v);
  if (auto v = value("previous")) o.previous = truthy(*v);
  if (auto v = value("timestamps")) o.timestamps = truthy(*v);
  if (auto v = value("tailLines"); v && !v->empty()) {
    int64_t n;
    if (!parse_i64(*v, &n)) return base::error(Reason::BadRequest, "invalid tailLines \"" + *v + "\"");
    o.tail_lines = n;
  }
  if (auto v = value("limitBytes"); v && !v->empty()) {
    int64_t n;
    if (!parse_i64(*v, &n) || n < 1)
      return base::error(Reason::BadRequest, "limitBytes: must be greater than 0, got \"" + *v + "\"");
    o.limit_bytes = n;
  }
  auto since_seconds = value("sinceSeconds");
  auto since_time = value("sinceTime");
  if (since_seconds && !since_seconds->empty() && since_time && !since_time->empty())
    return base::error(Reason::BadRequest, "at most one of sinceTime or sinceSeconds may be specified");
  if (since_seconds && !since_seconds->empty()) {
    int64_t n;
    if (!parse_i64(*since_seconds, &n) || n < 1)
      return base::error(Reason::BadRequest, "sinceSeconds: must be greater than 0, got \"" + *since_seconds + "\"");
    o.since = std::chrono::time_point_cast<std::chrono::nanoseconds>(now) - std::chrono::seconds(n);
  } else if (since_time && !since_time->empty()) {
    auto t = parse_rfc3339_nano(*since_time);
    if (!t) return base::error(Reason::BadRequest, "invalid sinceTime \"" + *since_time + "\"");
    o.since = *t;
  }
  return o;
}

void tail_lines(std::vector<LogLine>& lines, int64_t n) {
  if (n < 0 || static_cast<uint64_t>(n) >= lines.size()) return;
  lines.erase(lines.begin(), lines.end() - n);
}

std::string LogWriter::write(const std::vector<LogLine>& lines) {
  std::string out;
  for (const auto& line : lines) {
    if (exhausted_) break;
    if (options_.since && line.time < *options_.since) continue;
    std::string text;
    if (options_.timestamps) text = format_rfc3339_nano_fixed(line.time) + " ";
    text += line.content;
    if (line.complete) text += '\n';
    if (options_.limit_bytes) {
      int64_t room = *options_.limit_bytes - written_;
      if (static_cast<int64_t>(text.size()) >= room) {
        text.resize(static_cast<size_t>(std::max<int64_t>(room, 0)));
        exhausted_ = true;
      }
    }
    written_ += static_cast<int64_t>(text.size());
    out += text;
  }
  return out;
}

}  // namespace kite::agent::streaming
