#include "server/controllers/job/completed_indexes.h"

#include <sstream>

namespace kite::controllers::job {
namespace {

bool parse_int(const std::string& s, int* out) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  *out = std::stoi(s);
  return true;
}

}  // namespace

CompletedIndexes CompletedIndexes::parse(const std::string& text, int completions) {
  CompletedIndexes out;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    size_t dash = part.find('-');
    int first = 0, last = 0;
    if (dash == std::string::npos) {
      if (!parse_int(part, &first)) continue;
      last = first;
    } else if (!parse_int(part.substr(0, dash), &first) || !parse_int(part.substr(dash + 1), &last)) {
      continue;
    }
    for (int i = first; i <= last && i < completions; ++i) out.set_.insert(i);
  }
  return out;
}

std::string CompletedIndexes::to_string() const {
  std::string out;
  auto it = set_.begin();
  while (it != set_.end()) {
    int first = *it, last = *it;
    ++it;
    while (it != set_.end() && *it == last + 1) last = *it++;
    if (!out.empty()) out += ',';
    out += std::to_string(first);
    if (last > first) out += (last == first + 1 ? "," : "-") + std::to_string(last);
  }
  return out;
}

}  // namespace kite::controllers::job
