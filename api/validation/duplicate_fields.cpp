// Duplicate keys in a raw JSON body, found with nlohmann's SAX interface (a parsed json keeps
// only the last of repeated keys).
#include <set>

#include "api/validation/validate.h"

namespace kite::api {
namespace {

class DuplicateKeyFinder : public nlohmann::json_sax<json> {
 public:
  std::vector<std::string> duplicates;
  std::string error_message;

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override {
    frames_.push_back({true, path_for_child(), {}, 0, ""});
    return true;
  }
  bool key(string_t& k) override {
    Frame& f = frames_.back();
    if (!f.keys.insert(k).second) duplicates.push_back(join(f.path, k));
    f.pending_key = k;
    return true;
  }
  bool end_object() override { return end(); }
  bool start_array(std::size_t) override {
    frames_.push_back({false, path_for_child(), {}, 0, ""});
    return true;
  }
  bool end_array() override { return end(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
    error_message = ex.what();
    return false;
  }

 private:
  struct Frame {
    bool object;
    std::string path;
    std::set<std::string> keys;
    size_t index;
    std::string pending_key;
  };
  std::vector<Frame> frames_;

  static std::string join(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : parent + "." + key;
  }
  // The path of the value that starts now, as a child of the current frame.
  std::string path_for_child() {
    if (frames_.empty()) return "";
    Frame& f = frames_.back();
    if (f.object) return join(f.path, f.pending_key);
    return f.path + "[" + std::to_string(f.index++) + "]";
  }
  bool value() {
    if (!frames_.empty() && !frames_.back().object) frames_.back().index++;
    return true;
  }
  bool end() {
    frames_.pop_back();
    return true;
  }
};

}  // namespace

base::Result<std::vector<std::string>> find_duplicate_fields(std::string_view raw_json) {
  DuplicateKeyFinder finder;
  bool ok = false;
  try {
    ok = json::sax_parse(raw_json.begin(), raw_json.end(), &finder);
  } catch (const std::exception& e) {
    return base::error(base::Reason::BadRequest, e.what());
  }
  if (!ok)
    return base::error(base::Reason::BadRequest,
                       finder.error_message.empty() ? "invalid JSON" : finder.error_message);
  std::vector<std::string> out;
  for (const auto& d : finder.duplicates) out.push_back("duplicate field \"" + d + "\"");
  return out;
}

base::Result<void> check_duplicate_fields(std::string_view raw_json) {
  auto dups = find_duplicate_fields(raw_json);
  if (!dups) return std::unexpected(dups.error());
  if (dups->empty()) return {};
  std::string m = "strict decoding error: ";
  for (size_t i = 0; i < dups->size(); ++i) m += (i ? ", " : "") + (*dups)[i];
  return base::error(base::Reason::BadRequest, m);
}

}  // namespace kite::api
