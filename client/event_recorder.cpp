// EventRecorder: a bounded queue of events written by the recorder's own thread, with
// client-go's exact-duplicate aggregation (an LRU of recently written events keyed by source,
// involved object, type, reason and message: a repeat PATCHes count and lastTimestamp).
#include "client/event_recorder.h"

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <list>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "base/ids.h"
#include "base/log.h"

namespace kite::client {

namespace {

constexpr size_t kMaxQueued = 1000;        // client-go's broadcaster queue length
constexpr size_t kMaxCachedEvents = 4096;  // client-go's maxLruCacheEntries
constexpr auto kShutdownFlushLimit = std::chrono::seconds(5);

struct PendingEvent {
  json involved;  // involvedObject
  std::string type, reason, message;
  base::Clock::time_point at;
};

struct CachedEvent {
  std::string ns, name;
  int64_t count = 0;
  std::string first_timestamp;
};

std::string meta_string(const json& obj, const char* field) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return "";
  auto f = m->find(field);
  return f != m->end() && f->is_string() ? f->get<std::string>() : "";
}

std::string string_field(const json& obj, const char* field) {
  auto f = obj.find(field);
  return f != obj.end() && f->is_string() ? f->get<std::string>() : "";
}

json involved_object(const json& obj) {
  json ref = json::object();
  auto set = [&](const char* key, const std::string& v) {
    if (!v.empty()) ref[key] = v;
  };
  set("kind", string_field(obj, "kind"));
  set("namespace", meta_string(obj, "namespace"));
  set("name", meta_string(obj, "name"));
  set("uid", meta_string(obj, "uid"));
  set("apiVersion", string_field(obj, "apiVersion"));
  set("resourceVersion", meta_string(obj, "resourceVersion"));
  return ref;
}

}  // namespace

struct EventRecorder::State {
  Client& client;
  EventSource source;
  const base::Clock& clock;

  std::mutex mu;
  std::condition_variable cv;  // queue changes, progress
  std::deque<PendingEvent> queue;
  uint64_t enqueued = 0;   // events accepted (dropped ones not counted)
  uint64_t processed = 0;  // events written (or given up on)
  bool stopping = false;
  std::thread thread;

  // Worker-thread state.
  std::list<std::string> lru;  // most recent first
  std::unordered_map<std::string, std::pair<CachedEvent, std::list<std::string>::iterator>> cache;
  int64_t last_name_nanos = 0;

  State(Client& c, EventSource s, const base::Clock& clk) : client(c), source(std::move(s)), clock(clk) {}

  std::string aggregation_key(const PendingEvent& e) const {
    const json& o = e.involved;
    std::string key;
    for (const std::string& part :
         {source.component, source.host, string_field(o, "kind"), string_field(o, "namespace"),
          string_field(o, "name"), string_field(o, "uid"), string_field(o, "apiVersion"), e.type, e.reason, e.message}) {
      key += part;
      key.push_back('\0');
    }
    return key;
  }

  // "<object name>.<16 hex digits>" from the event time, unique within this recorder.
  std::string event_name(const std::string& object_name, base::Clock::time_point at) {
    int64_t nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
    if (nanos <= last_name_nanos) nanos = last_name_nanos + 1;
    last_name_nanos = nanos;
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(nanos));
    return object_name + "." + hex;
  }

  void remember(const std::string& key, CachedEvent ev) {
    if (auto it = cache.find(key); it != cache.end()) {
      lru.erase(it->second.second);
      cache.erase(it);
    }
    lru.push_front(key);
    cache.emplace(key, std::make_pair(std::move(ev), lru.begin()));
    while (cache.size() > kMaxCachedEvents) {
      cache.erase(lru.back());
      lru.pop_back();
    }
  }

  json new_event(const PendingEvent& e, const CachedEvent& c, const std::string& last_timestamp) const {
    json source_json = {{"component", source.component}};
    if (!source.host.empty()) source_json["host"] = source.host;
    return {{"apiVersion", "v1"},
            {"kind", "Event"},
            {"metadata", {{"name", c.name}, {"namespace", c.ns}}},
            {"involvedObject", e.involved},
            {"reason", e.reason},
            {"message", e.message},
            {"type", e.type},
            {"source", source_json},
            {"firstTimestamp", c.first_timestamp},
            {"lastTimestamp", last_timestamp},
            {"count", c.count},
            {"eventTime", nullptr},
            {"reportingComponent", source.component},
            {"reportingInstance", source.host}};
  }

  void write(const PendingEvent& e) {
    const std::string key = aggregation_key(e);
    const std::string timestamp = base::rfc3339(e.at);
    auto it = cache.find(key);
    if (it != cache.end()) {
      CachedEvent c = it->second.first;
      c.count += 1;
      json patch = {{"count", c.count}, {"lastTimestamp", timestamp}};
      auto patched = client.patch(resources::kEvents, c.ns, c.name, PatchType::kMerge, patch);
      if (patched) {
        remember(key, c);
        return;
      }
      if (patched.error().reason() != base::Reason::NotFound) {
        KITE_LOG(warn, "events") << "updating event " << c.ns << "/" << c.name << ": " << patched.error().message();
        return;
      }
      // The event expired meanwhile: write it again, keeping the count.
      auto created = client.create(resources::kEvents, c.ns, new_event(e, c, timestamp));
      if (created) {
        remember(key, c);
      } else {
        KITE_LOG(warn, "events") << "recreating event " << c.ns << "/" << c.name << ": " << created.error().message();
      }
      return;
    }
    CachedEvent c;
    c.ns = string_field(e.involved, "namespace");
    if (c.ns.empty()) c.ns = "default";  // events about cluster-scoped objects
    c.name = event_name(string_field(e.involved, "name"), e.at);
    c.count = 1;
    c.first_timestamp = timestamp;
    auto created = client.create(resources::kEvents, c.ns, new_event(e, c, timestamp));
    if (created) {
      remember(key, c);
    } else {
      KITE_LOG(warn, "events") << "writing event " << c.ns << "/" << c.name << " (" << e.reason
                               << "): " << created.error().message();
    }
  }

  void run() {
    std::unique_lock lock(mu);
    for (;;) {
      cv.wait(lock, [&] { return stopping || !queue.empty(); });
      if (queue.empty()) return;  // stopping with nothing left
      PendingEvent e = std::move(queue.front());
      queue.pop_front();
      lock.unlock();
      write(e);
      lock.lock();
      ++processed;
      cv.notify_all();
    }
  }

  // Waits until every event accepted so far is written, or `limit` passes.
  bool wait_flushed(std::optional<std::chrono::steady_clock::duration> limit) {
    std::unique_lock lock(mu);
    uint64_t target = enqueued;
    auto done = [&] { return processed >= target; };
    if (!limit) {
      cv.wait(lock, done);
      return true;
    }
    return cv.wait_for(lock, *limit, done);
  }
};

EventRecorder::EventRecorder(Client& client, EventSource source, const base::Clock& clock)
    : state_(std::make_unique<State>(client, std::move(source), clock)) {
  state_->thread = std::thread([s = state_.get()] { s->run(); });
}

EventRecorder::~EventRecorder() {
  if (!state_->wait_flushed(kShutdownFlushLimit)) {
    KITE_LOG(warn, "events") << "dropping unwritten events at shutdown";
  }
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
    // What is left after the bounded wait is dropped.
    state_->processed += state_->queue.size();
    state_->queue.clear();
    state_->cv.notify_all();
  }
  state_->thread.join();
}

void EventRecorder::event(const json& object, const std::string& type, const std::string& reason,
                          const std::string& message) {
  PendingEvent e{involved_object(object), type, reason, message, state_->clock.now()};
  std::lock_guard lock(state_->mu);
  if (state_->stopping) return;
  if (state_->queue.size() >= kMaxQueued) {
    KITE_LOG(warn, "events") << "event queue full, dropping event " << reason << " for "
                             << string_field(e.involved, "name");
    return;
  }
  state_->queue.push_back(std::move(e));
  ++state_->enqueued;
  state_->cv.notify_all();
}

void EventRecorder::flush() { state_->wait_flushed(std::nullopt); }

}  // namespace kite::client
