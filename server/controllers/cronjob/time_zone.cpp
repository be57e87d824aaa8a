#include "server/controllers/cronjob/time_zone.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace kite::controllers::cronjob {
namespace {

base::Status unknown_zone(const std::string& name) {
  return base::Status(base::Reason::BadRequest, "unknown time zone " + name);
}

bool read_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return false;
  *out = buf.str();
  return true;
}

class ByteReader {
 public:
  ByteReader(const std::string& data, size_t pos) : data_(data), pos_(pos) {}
  bool has(size_t n) const { return pos_ + n <= data_.size(); }
  size_t pos() const { return pos_; }
  void skip(size_t n) { pos_ += n; }
  uint8_t u8() { return static_cast<uint8_t>(data_[pos_++]); }
  uint32_t be32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | u8();
    return v;
  }
  int64_t be64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | u8();
    return static_cast<int64_t>(v);
  }

 private:
  const std::string& data_;
  size_t pos_;
};

struct Header {
  char version = 0;
  uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
  size_t data_size(int time_size) const {
    return timecnt * time_size + timecnt + typecnt * 6 + charcnt + leapcnt * (time_size + 4) + isstdcnt + isutcnt;
  }
};

bool read_header(ByteReader& r, Header* h, const std::string& data) {
  if (!r.has(44) || data.compare(r.pos(), 4, "TZif") != 0) return false;
  r.skip(4);
  h->version = static_cast<char>(r.u8());
  r.skip(15);
  h->isutcnt = r.be32();
  h->isstdcnt = r.be32();
  h->leapcnt = r.be32();
  h->timecnt = r.be32();
  h->typecnt = r.be32();
  h->charcnt = r.be32();
  return h->typecnt > 0 && h->typecnt <= 256;
}

std::mutex& cache_mu() {
  static std::mutex mu;
  return mu;
}
std::map<std::string, std::shared_ptr<const TimeZone>>& cache() {
  static std::map<std::string, std::shared_ptr<const TimeZone>> c;
  return c;
}

base::Result<std::shared_ptr<const TimeZone>> load_uncached(const std::string& name) {
  if (name.find("..") != std::string::npos || name[0] == '/' || name[0] == '\\')
    return std::unexpected(base::Status(base::Reason::BadRequest, "invalid location name"));
  std::vector<std::string> dirs;
  if (const char* zi = std::getenv("ZONEINFO"); zi != nullptr && *zi != '\0') dirs.emplace_back(zi);
  for (const char* d : {"/usr/share/zoneinfo", "/usr/share/lib/zoneinfo", "/usr/lib/locale/TZ", "/etc/zoneinfo"})
    dirs.emplace_back(d);
  for (const auto& dir : dirs) {
    std::string data;
    if (!read_file(dir + "/" + name, &data)) continue;
    auto zone = TimeZone::from_tzif(name, data);
    if (zone) return zone;
  }
  return std::unexpected(unknown_zone(name));
}

}  // namespace

base::Result<std::shared_ptr<const TimeZone>> TimeZone::from_tzif(const std::string& name, const std::string& data) {
  ByteReader r(data, 0);
  Header h;
  if (!read_header(r, &h, data)) return std::unexpected(unknown_zone(name));
  int time_size = 4;
  if (h.version >= '2') {
    // Skip the 32-bit block; the 64-bit block and the footer follow.
    r.skip(h.data_size(4));
    if (!read_header(r, &h, data)) return std::unexpected(unknown_zone(name));
    time_size = 8;
  }
  if (!r.has(h.data_size(time_size))) return std::unexpected(unknown_zone(name));
  auto zone = std::make_shared<TimeZone>();
  zone->name_ = name;
  zone->transitions_.reserve(h.timecnt);
  for (uint32_t i = 0; i < h.timecnt; ++i)
    zone->transitions_.push_back(time_size == 8 ? r.be64() : static_cast<int32_t>(r.be32()));
  for (uint32_t i = 0; i < h.timecnt; ++i) {
    uint8_t t = r.u8();
    if (t >= h.typecnt) return std::unexpected(unknown_zone(name));
    zone->transition_types_.push_back(t);
  }
  std::vector<uint8_t> abbrev_index;
  for (uint32_t i = 0; i < h.typecnt; ++i) {
    ZoneType type;
    type.utc_offset = static_cast<int32_t>(r.be32());
    type.is_dst = r.u8() != 0;
    abbrev_index.push_back(r.u8());
    zone->types_.push_back(type);
  }
  std::string chars = data.substr(r.pos(), h.charcnt);
  r.skip(h.charcnt + h.leapcnt * (time_size + 4) + h.isstdcnt + h.isutcnt);
  for (size_t i = 0; i < zone->types_.size(); ++i) {
    if (abbrev_index[i] < chars.size()) zone->types_[i].abbreviation = std::string(chars.c_str() + abbrev_index[i]);
  }
  if (time_size == 8 && r.pos() < data.size() && data[r.pos()] == '\n') {
    size_t end = data.find('\n', r.pos() + 1);
    if (end != std::string::npos) {
      auto rule = PosixTzRule::parse(data.substr(r.pos() + 1, end - r.pos() - 1));
      if (rule) {
        zone->footer_ = *rule;
        zone->has_footer_ = true;
      }
    }
  }
  return std::shared_ptr<const TimeZone>(std::move(zone));
}

std::shared_ptr<const TimeZone> TimeZone::utc() {
  static const std::shared_ptr<const TimeZone> zone = [] {
    auto z = std::make_shared<TimeZone>();
    z->name_ = "UTC";
    z->types_.push_back(ZoneType{0, false, "UTC"});
    return std::shared_ptr<const TimeZone>(std::move(z));
  }();
  return zone;
}

std::shared_ptr<const TimeZone> TimeZone::local() {
  static const std::shared_ptr<const TimeZone> zone = []() -> std::shared_ptr<const TimeZone> {
    const char* tz = std::getenv("TZ");
    std::string data;
    if (tz == nullptr) {
      if (read_file("/etc/localtime", &data)) {
        if (auto z = from_tzif("Local", data)) return *z;
      }
      return utc();
    }
    std::string name = tz;
    if (!name.empty() && name[0] == ':') name.erase(0, 1);
    if (name.empty() || name == "UTC") return utc();
    if (name[0] == '/') {
      if (read_file(name, &data)) {
        if (auto z = from_tzif("Local", data)) return *z;
      }
      return utc();
    }
    if (auto z = load_uncached(name)) return *z;
    return utc();
  }();
  return zone;
}

base::Result<std::shared_ptr<const TimeZone>> TimeZone::load(const std::string& name) {
  if (name.empty() || name == "UTC") return utc();
  if (name == "Local") return local();
  {
    std::lock_guard lock(cache_mu());
    if (auto it = cache().find(name); it != cache().end()) return it->second;
  }
  auto zone = load_uncached(name);
  if (!zone) return zone;
  std::lock_guard lock(cache_mu());
  cache().emplace(name, *zone);
  return zone;
}

TimeZone::ZoneType TimeZone::lookup(int64_t unix_seconds) const {
  if (transitions_.empty() || unix_seconds < transitions_.front()) {
    if (transitions_.empty() && has_footer_) {
      auto r = footer_.at(unix_seconds);
      return {r.utc_offset, r.is_dst, r.abbreviation};
    }
    // Go's lookupFirstZone: type 0 unless a transition uses it, then the first standard type.
    bool first_used = std::find(transition_types_.begin(), transition_types_.end(), 0) != transition_types_.end();
    if (!first_used) return types_[0];
    if (!transition_types_.empty() && types_[transition_types_[0]].is_dst) {
      for (int zi = transition_types_[0] - 1; zi >= 0; --zi)
        if (!types_[zi].is_dst) return types_[zi];
    }
    for (const auto& t : types_)
      if (!t.is_dst) return t;
    return types_[0];
  }
  if (has_footer_ && unix_seconds >= transitions_.back()) {
    auto r = footer_.at(unix_seconds);
    return {r.utc_offset, r.is_dst, r.abbreviation};
  }
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), unix_seconds);
  size_t index = static_cast<size_t>(it - transitions_.begin()) - 1;
  return types_[transition_types_[index]];
}

int64_t TimeZone::to_utc(int64_t local_seconds) const {
  // Go's time.Date: guess the offset at the local time read as UTC, then correct it with the
  // offset in force at the instant that guess gives.
  int64_t guess = local_seconds - offset_at(local_seconds);
  return local_seconds - offset_at(guess);
}

}  // namespace kite::controllers::cronjob
