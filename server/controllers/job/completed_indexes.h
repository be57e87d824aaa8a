// The set of completed indexes of an Indexed Job, in status.completedIndexes' text form:
// ascending intervals "1,3-5,7" (two consecutive numbers are written "1,2"). Values at or above
// `completions` are dropped when parsing, as upstream does. Plain value; not thread-safe.
#pragma once

#include <set>
#include <string>

namespace kite::controllers::job {

class CompletedIndexes {
 public:
  static CompletedIndexes parse(const std::string& text, int completions);
  void insert(int index) { set_.insert(index); }
  bool contains(int index) const { return set_.count(index) > 0; }
  int total() const { return static_cast<int>(set_.size()); }
  std::string to_string() const;
  const std::set<int>& values() const { return set_; }

 private:
  std::set<int> set_;
};

}  // namespace kite::controllers::job
