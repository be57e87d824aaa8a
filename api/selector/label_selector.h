// LabelSelector: a conjunction of label requirements, as Kubernetes evaluates them.
//
// Built from the string syntax of `?labelSelector=` (LabelSelector::parse: `a=b`, `a==b`,
// `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, comma = AND; BadRequest on bad
// syntax or bad keys/values) or from a metav1.LabelSelector object (LabelSelector::from_json:
// matchLabels + matchExpressions; Invalid on bad operators or values).
//
// Kubernetes gives a null metav1.LabelSelector and an empty one different meanings: `{}`
// matches every object, a null (absent) selector matches none. from_json() follows that by
// default; callers for which an absent selector means "everything" pass
// NullSelector::MatchesEverything.
//
// A LabelSelector is an immutable value: safe to share between threads once built.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace kite::api {

using json = nlohmann::json;

class LabelSelector {
 public:
  enum class Op { Equals, DoubleEquals, NotEquals, In, NotIn, Exists, DoesNotExist, GreaterThan, LessThan };

  struct Requirement {
    std::string key;
    Op op = Op::Exists;
    std::vector<std::string> values;  // sorted, without duplicates

    // `labels` is an object of string -> string (null or missing means no labels).
    bool matches(const json& labels) const;
    bool matches(const std::map<std::string, std::string>& labels) const;
    // Kubernetes' canonical text: "a=b", "a!=b", "a in (x,y)", "!a", ...
    std::string to_string() const;
  };

  enum class NullSelector { MatchesNothing, MatchesEverything };

  // The selector that matches every object (what an empty `?labelSelector=` means).
  LabelSelector() = default;
  static LabelSelector everything() { return {}; }
  // The selector that matches no object (a null metav1.LabelSelector).
  static LabelSelector nothing();
  // Equality requirements for every entry of `labels` (a Service's spec.selector); an empty
  // map gives everything(). No validation.
  static LabelSelector from_set(const std::map<std::string, std::string>& labels);
  static LabelSelector from_set(const json& labels);
  // A selector of the given requirements (sorted by key here). No validation; see
  // make_label_requirement() in api/selector/label_requirement.h for that.
  static LabelSelector from_requirements(std::vector<Requirement> requirements);

  // Parses the string syntax. BadRequest with Kubernetes' wording on error.
  static base::Result<LabelSelector> parse(std::string_view text);
  // Converts a metav1.LabelSelector object. Invalid on a bad operator, key or value, or on a
  // value of the wrong JSON type.
  static base::Result<LabelSelector> from_json(
      const json& selector, NullSelector null_means = NullSelector::MatchesNothing);

  bool matches(const json& labels) const;
  bool matches(const std::map<std::string, std::string>& labels) const;

  // True when the selector matches everything (no requirements).
  bool empty() const { return !nothing_ && requirements_.empty(); }
  // True for nothing().
  bool matches_nothing() const { return nothing_; }

  // Requirements sorted by key, as Kubernetes keeps them.
  const std::vector<Requirement>& requirements() const { return requirements_; }

  // The canonical string form ("" for everything() and for nothing()); parse(to_string())
  // yields an equal selector for every parsed one.
  std::string to_string() const;

  // The value a requirement `key=v`, `key==v` or `key in (v)` pins, or "" with false.
  bool requires_exact_match(const std::string& key, std::string* value) const;

 private:
  std::vector<Requirement> requirements_;
  bool nothing_ = false;
};

}  // namespace kite::api
