// Parsing of the list/watch query: label and field selectors (checked against the kind's
// selectable fields), limit/continue paging tokens, and the resulting cache filter.
#pragma once

#include <string>

#include "api/selector/field_selector.h"
#include "api/selector/label_selector.h"
#include "server/apiserver/rest.h"

namespace kite::apiserver {

struct Selection {
  api::LabelSelector labels;
  api::FieldSelector fields;
  EntryFilter filter;  // null when both selectors are empty
};

Result<Selection> parse_selection(const Scope& s);

// Kubernetes-style continue token: base64 JSON {"v":"meta.k8s.io/v1","rv":N,"start":"key"}.
struct ContinueToken {
  int64_t rv = 0;
  std::string start_after;  // the last key returned (full datastore key)
};
std::string encode_continue(const ContinueToken& t, const std::string& prefix);
Result<ContinueToken> decode_continue(const std::string& token, const std::string& prefix);

// The fields a cache entry is indexed with for this resource.
void index_fields(const api::ResourceInfo& r, const json& object, CacheEntry& entry);

}  // namespace kite::apiserver
