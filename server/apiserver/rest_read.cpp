// GET and LIST, served from the watch cache at the read point the request asks for.
#include <charconv>

#include "api/conversion/event_conversion.h"
#include "api/table/table.h"
#include "server/apiserver/rest.h"
#include "server/apiserver/selection.h"

namespace kite::apiserver {

namespace {

// Waits until the cache can serve the read the request asks for: resourceVersion unset =
// the latest (a consistent read), "0" = whatever the cache has, N = at least N.
Result<void> wait_read_point(ServerState& st, const Request& req) {
  if (!req.has_query("resourceVersion") || req.query_value("resourceVersion").empty()) {
    auto r = st.cache->sync_to_latest(st.read_timeout);
    if (!r) return std::unexpected(r.error());
    return {};
  }
  std::string v = req.query_value("resourceVersion");
  if (v == "0") return {};
  int64_t rv = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), rv);
  if (ec != std::errc() || p != v.data() + v.size() || rv < 0) {
    return base::error(Reason::BadRequest, "invalid resource version: " + v);
  }
  if (!st.cache->wait_for_revision(rv, st.read_timeout)) {
    return base::error(Reason::Timeout, "Too large resource version: " + v + ", current: " +
                                            std::to_string(st.cache->revision()));
  }
  return {};
}

std::string list_prefix(const Scope& s) {
  std::string p = s.resource->storage_prefix + "/";
  if (s.resource->namespaced && !s.info.namespace_.empty()) p += s.info.namespace_ + "/";
  return p;
}

Result<size_t> parse_limit(const Request& req) {
  std::string v = req.query_value("limit");
  if (v.empty()) return size_t{0};
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size()) return base::error(Reason::BadRequest, "invalid limit: " + v);
  return n < 0 ? size_t{0} : static_cast<size_t>(n);
}

// Reads one page at an older revision straight from the store (continue tokens whose
// revision the cache has moved past).
Result<WatchCache::ListResult> list_from_store(ServerState& st, const Scope& s, const std::string& prefix,
                                               const EntryFilter& filter, const ContinueToken& token,
                                               size_t limit) {
  WatchCache::ListResult out;
  out.revision = token.rv;
  kv::RangeRequest rr;
  rr.key = token.start_after + '\0';
  rr.range_end = kv::prefix_end(prefix);
  rr.revision = token.rv;
  rr.limit = 500;
  for (;;) {
    auto resp = st.store.range(rr);
    if (!resp) {
      if (resp.error().reason() == Reason::Gone) {
        return base::error(Reason::Expired,
                           "The provided continue parameter is too old to display a consistent list result. "
                           "You can start a new list without the continue parameter.");
      }
      return std::unexpected(resp.error());
    }
    for (const auto& kv : resp->kvs) {
      auto entry = std::make_shared<CacheEntry>();
      json obj = json::parse(kv.value, nullptr, false);
      if (!obj.is_object()) continue;
      obj["metadata"]["resourceVersion"] = std::to_string(kv.mod_revision);
      entry->key = kv.key;
      entry->rv = kv.mod_revision;
      if (auto m = obj["metadata"].find("labels"); m != obj["metadata"].end()) entry->labels = *m;
      index_fields(*s.resource, obj, *entry);
      entry->bytes = std::make_shared<const std::string>(obj.dump());
      if (filter && !filter(*entry)) continue;
      if (limit > 0 && out.items.size() >= limit) {
        out.more = true;
        ++out.remaining;
        continue;
      }
      out.items.push_back(std::move(entry));
    }
    if (!resp->more || resp->kvs.empty()) break;
    rr.key = resp->kvs.back().key + '\0';
  }
  return out;
}

Response table_response(const Scope& s, const std::vector<EntryPtr>& items, const std::string& rv,
                        const std::string& cont, std::optional<int64_t> remaining) {
  auto include = api::parse_include_object(s.req.query_value("includeObject"));
  if (!include) return status_response(include.error());
  std::vector<json> parsed;
  parsed.reserve(items.size());
  for (const auto& e : items) parsed.push_back(json::parse(*served_bytes(*s.resource, *e), nullptr, false));
  std::vector<const json*> ptrs;
  ptrs.reserve(parsed.size());
  for (const auto& p : parsed) ptrs.push_back(&p);
  return json_response(200, api::build_table(*s.resource, ptrs, *include, rv, cont, remaining,
                                             std::chrono::system_clock::now()));
}

}  // namespace

// Custom resources are stored under the version they were written with; other served
// versions differ only in apiVersion. events.k8s.io Events are stored in the core shape.
std::shared_ptr<const std::string> served_bytes(const api::ResourceInfo& r, const CacheEntry& e) {
  if (is_events_v1(r)) {
    json obj = json::parse(*e.bytes, nullptr, false);
    if (!obj.is_object()) return e.bytes;
    return std::make_shared<const std::string>(api::core_event_to_events_v1(obj).dump());
  }
  if (!r.custom) return e.bytes;
  const std::string want = "\"apiVersion\":\"" + r.api_version() + "\"";
  if (e.bytes->find(want) != std::string::npos) return e.bytes;
  json obj = json::parse(*e.bytes, nullptr, false);
  if (!obj.is_object()) return e.bytes;
  obj["apiVersion"] = r.api_version();
  return std::make_shared<const std::string>(obj.dump());
}

Response rest_get(ServerState& st, Scope& s) {
  auto output = negotiate_output(s.req);
  if (!output) return status_response(output.error());
  if (auto r = wait_read_point(st, s.req); !r) return status_response(r.error());
  auto entry = st.cache->get(object_key(s, s.info.name));
  if (!entry) return status_response(not_found(*s.resource, s.info.name));
  if (*output == Output::Table) return table_response(s, {entry}, "", "", std::nullopt);
  return raw_json_response(200, *served_bytes(*s.resource, *entry));
}

Response rest_list(ServerState& st, Scope& s) {
  auto output = negotiate_output(s.req);
  if (!output) return status_response(output.error());
  auto selection = parse_selection(s);
  if (!selection) return status_response(selection.error());
  auto limit = parse_limit(s.req);
  if (!limit) return status_response(limit.error());
  const std::string prefix = list_prefix(s);

  WatchCache::ListResult page;
  std::string cont = s.req.query_value("continue");
  if (!cont.empty()) {
    auto token = decode_continue(cont, prefix);
    if (!token) return status_response(token.error());
    if (token->rv == st.cache->revision()) {
      page = st.cache->list(prefix, selection->filter, token->start_after, *limit);
    } else {
      auto r = list_from_store(st, s, prefix, selection->filter, *token, *limit);
      if (!r) return status_response(r.error());
      page = std::move(*r);
    }
  } else {
    if (auto r = wait_read_point(st, s.req); !r) return status_response(r.error());
    page = st.cache->list(prefix, selection->filter, "", *limit);
  }

  std::string rv = std::to_string(page.revision);
  std::string next;
  if (page.more && !page.items.empty()) next = encode_continue({page.revision, page.items.back()->key}, prefix);
  std::optional<int64_t> remaining;
  if (page.more) remaining = page.remaining;
  if (*output == Output::Table) return table_response(s, page.items, rv, next, remaining);

  // Assemble the list from the shared encoded objects.
  std::string body;
  size_t total = 0;
  for (const auto& e : page.items) total += e->bytes->size() + 1;
  body.reserve(total + 256);
  json meta = {{"resourceVersion", rv}};
  if (!next.empty()) meta["continue"] = next;
  if (remaining) meta["remainingItemCount"] = *remaining;
  body += "{\"kind\":\"" + s.resource->list_kind + "\",\"apiVersion\":\"" + s.resource->api_version() +
          "\",\"metadata\":" + meta.dump() + ",\"items\":[";
  bool first = true;
  for (const auto& e : page.items) {
    if (!first) body += ',';
    first = false;
    body += *served_bytes(*s.resource, *e);
  }
  body += "]}";
  return raw_json_response(200, std::move(body));
}

}  // namespace kite::apiserver
