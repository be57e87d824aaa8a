// WATCH: a chunked stream of {"type":..,"object":..} lines fed by the watch cache. Objects are
// the cache's shared encoded bytes; only Table watches encode per watcher.
#include <atomic>
#include <charconv>
#include <random>

#include "api/table/table.h"
#include "base/http/response_stream.h"
#include "server/apiserver/rest.h"
#include "server/apiserver/selection.h"

namespace kite::apiserver {

namespace {

using base::http::Frame;
using base::http::ResponseStream;

// The constant pieces of a watch event line, allocated once and shared by every stream.
std::shared_ptr<const std::string> shared_text(const char* text) { return std::make_shared<const std::string>(text); }

const std::shared_ptr<const std::string>& event_prefix_piece(CacheEvent::Type t) {
  static const auto added = shared_text("{\"type\":\"ADDED\",\"object\":");
  static const auto modified = shared_text("{\"type\":\"MODIFIED\",\"object\":");
  static const auto deleted = shared_text("{\"type\":\"DELETED\",\"object\":");
  switch (t) {
    case CacheEvent::Type::Modified: return modified;
    case CacheEvent::Type::Deleted: return deleted;
    default: return added;
  }
}

const std::shared_ptr<const std::string>& event_suffix_piece() {
  static const auto suffix = shared_text("}\n");
  return suffix;
}

std::chrono::seconds default_watch_timeout() {
  // As Kubernetes: a random duration between 30 and 60 minutes spreads reconnects out.
  thread_local std::mt19937 gen{std::random_device{}()};
  return std::chrono::seconds(1800 + std::uniform_int_distribution<int>(0, 1800)(gen));
}

// State shared by one watch's sink and its stream.
struct WatchSession {
  std::shared_ptr<ResponseStream> stream;
  api::ResourceInfoPtr resource;
  bool bookmarks = false;
  bool table = false;
  api::IncludeObject include = api::IncludeObject::Metadata;
  bool sent_columns = false;
  std::atomic<bool> gone{false};
  int64_t last_bookmark_rv = 0;

  bool send_bookmark(int64_t rv) {
    if (!bookmarks || rv <= last_bookmark_rv) return true;
    last_bookmark_rv = rv;
    json obj = {{"kind", resource->kind},
                {"apiVersion", resource->api_version()},
                {"metadata", {{"resourceVersion", std::to_string(rv)}, {"creationTimestamp", nullptr}}}};
    return stream->push("{\"type\":\"BOOKMARK\",\"object\":" + obj.dump() + "}\n");
  }

  bool send(const CacheEvent& ev) {
    if (gone) return false;
    switch (ev.type) {
      case CacheEvent::Type::Closed:
        stream->close();
        return false;
      case CacheEvent::Type::Bookmark:
        return send_bookmark(ev.rv);
      default:
        break;
    }
    auto bytes = served_bytes(*resource, *ev.entry);
    if (table) {
      json obj = json::parse(*bytes, nullptr, false);
      json t = api::build_table_for_object(*resource, obj, include, !sent_columns, std::chrono::system_clock::now());
      sent_columns = true;
      return stream->push(*event_prefix_piece(ev.type) + t.dump() + "}\n");
    }
    return stream->push(Frame{event_prefix_piece(ev.type), bytes, event_suffix_piece()});
  }
};

}  // namespace

Response rest_watch(ServerState& st, Scope& s) {
  auto output = negotiate_output(s.req);
  if (!output) return status_response(output.error());
  auto selection = parse_selection(s);
  if (!selection) return status_response(selection.error());
  if (query_flag(s.req, "sendInitialEvents")) {
    return status_response(bad_request("sendInitialEvents is not supported by this server; list, then watch"));
  }

  auto session = std::make_shared<WatchSession>();
  session->stream = std::make_shared<ResponseStream>(64 << 20);
  session->resource = s.resource;
  session->bookmarks = query_flag(s.req, "allowWatchBookmarks");
  session->table = *output == Output::Table;
  if (session->table) {
    auto include = api::parse_include_object(s.req.query_value("includeObject"));
    if (!include) return status_response(include.error());
    session->include = *include;
  }

  std::chrono::seconds timeout = default_watch_timeout();
  if (std::string t = s.req.query_value("timeoutSeconds"); !t.empty()) {
    int64_t secs = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), secs);
    if (ec != std::errc() || p != t.data() + t.size() || secs < 0) {
      return status_response(bad_request("invalid timeoutSeconds: " + t));
    }
    if (secs > 0) timeout = std::chrono::seconds(secs);
  }
  session->stream->set_deadline(std::chrono::steady_clock::now() + timeout);

  std::string prefix = s.resource->storage_prefix + "/";
  if (s.resource->namespaced && !s.info.namespace_.empty()) prefix += s.info.namespace_ + "/";
  // A watch on one object (kubectl get NAME -w) is a list watch with a name field selector.
  EntryFilter filter = selection->filter;
  if (!s.info.name.empty()) {
    std::string key = object_key(s, s.info.name);
    filter = [key, inner = filter](const CacheEntry& e) { return e.key == key && (!inner || inner(e)); };
  }

  WatchCache::WatchOptions wo;
  wo.prefix = prefix;
  wo.filter = filter;
  std::string rv = s.req.query_value("resourceVersion");
  if (rv.empty() || rv == "0") {
    wo.initial_state = true;
  } else {
    auto [p, ec] = std::from_chars(rv.data(), rv.data() + rv.size(), wo.from_rv);
    if (ec != std::errc() || p != rv.data() + rv.size() || wo.from_rv < 0) {
      return status_response(bad_request("invalid resource version: " + rv));
    }
  }
  wo.sink = [session](const CacheEvent& ev) { return session->send(ev); };

  session->stream->set_on_close([session] { session->gone = true; });
  auto watcher = st.cache->watch(std::move(wo));
  if (!watcher) {
    // A resourceVersion older than the history: one ERROR event with the 410 Status.
    session->stream->push("{\"type\":\"ERROR\",\"object\":" + watcher.error().to_json().dump() + "}\n");
    session->stream->close();
  } else {
    (*watcher)->detach();  // lives until the sink reports the stream gone
  }

  Response res;
  res.status = 200;
  res.set_header("Content-Type", "application/json");
  res.set_header("Cache-Control", "no-cache, private");
  res.stream = session->stream;
  return res;
}

}  // namespace kite::apiserver
