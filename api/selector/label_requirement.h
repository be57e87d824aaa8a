// make_label_requirement: builds one validated LabelSelector::Requirement, with the checks and
// error wording of Kubernetes' labels.NewRequirement (key syntax, value syntax, value count
// per operator, integer values for Gt/Lt). On error returns the message text; the caller
// picks the Status reason (BadRequest for query strings, Invalid for objects).
// Pure function; safe from any thread.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "api/selector/label_selector.h"

namespace kite::api {

std::expected<LabelSelector::Requirement, std::string> make_label_requirement(
    std::string key, LabelSelector::Op op, std::vector<std::string> values);

}  // namespace kite::api
