// Informer: the list-watch loop on its own thread, handler dispatch, resync, and the store
// reads. The store and indexes are in informer_store.cpp; InformerFactory in
// informer_factory.cpp.
#include "client/informer.h"

#include <condition_variable>
#include <exception>

#include "base/log.h"
#include "client/informer_store.h"

namespace kite::client {

namespace {

constexpr std::chrono::milliseconds kInitialBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{10000};

std::string rv_of(const json& obj) {
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return "";
  auto rv = meta->find("resourceVersion");
  return rv != meta->end() && rv->is_string() ? rv->get<std::string>() : "";
}

}  // namespace

struct Informer::State {
  InformerStore store;

  // Serializes handler calls and store changes with add_handlers(), so that a handler added
  // late sees exactly the objects earlier handlers were told about.
  std::mutex dispatch_mu;
  std::vector<EventHandlers> handlers;

  std::mutex mu;  // guards the fields below
  std::condition_variable cv;
  bool started = false;
  bool stopping = false;
  bool synced = false;
  mutable std::mutex sync_mu;
  mutable std::condition_variable sync_cv;
  WatchStream* current_watch = nullptr;
  std::thread loop;
  std::thread resync;

  std::string describe;  // for logs: "pods" or "pods in ns"

  // Sleeps up to `d`; false when stopping.
  bool sleep_for(std::chrono::milliseconds d) {
    std::unique_lock lock(mu);
    cv.wait_for(lock, d, [&] { return stopping; });
    return !stopping;
  }
  bool is_stopping() {
    std::lock_guard lock(mu);
    return stopping;
  }

  template <typename F>
  void each_handler(F&& f) {
    for (auto& h : handlers) {
      try {
        f(h);
      } catch (const std::exception& e) {
        KITE_LOG(error, "informer") << describe << ": event handler threw: " << e.what();
      }
    }
  }

  // Store changes + dispatch (dispatch_mu held by the caller).
  void apply_upsert(ObjectPtr obj) {
    std::string key = object_key(*obj);
    ObjectPtr old = store.upsert(key, obj);
    if (old) {
      each_handler([&](EventHandlers& h) {
        if (h.on_update) h.on_update(old, obj);
      });
    } else {
      each_handler([&](EventHandlers& h) {
        if (h.on_add) h.on_add(obj);
      });
    }
  }
  void apply_delete(const ObjectPtr& obj) {
    ObjectPtr old = store.remove(object_key(*obj));
    // The last state we knew, or what the server sent when we never saw the object.
    ObjectPtr last = old ? old : obj;
    each_handler([&](EventHandlers& h) {
      if (h.on_delete) h.on_delete(last);
    });
  }
};

Informer::Informer(Client& client, ResourceRef resource, std::string ns, ListOptions selectors,
                   std::chrono::milliseconds resync_period)
    : client_(client),
      resource_(std::move(resource)),
      ns_(std::move(ns)),
      selectors_(std::move(selectors)),
      resync_period_(resync_period),
      state_(std::make_unique<State>()) {
  state_->describe = resource_.resource + (ns_.empty() ? "" : " in " + ns_);
}

Informer::~Informer() { stop(); }

void Informer::add_handlers(EventHandlers handlers) {
  std::lock_guard dispatch(state_->dispatch_mu);
  if (handlers.on_add) {
    for (const auto& obj : state_->store.list()) {
      try {
        handlers.on_add(obj);
      } catch (const std::exception& e) {
        KITE_LOG(error, "informer") << state_->describe << ": event handler threw: " << e.what();
      }
    }
  }
  state_->handlers.push_back(std::move(handlers));
}

void Informer::add_index(const std::string& name, IndexFunc fn) { state_->store.add_index(name, std::move(fn)); }

void Informer::start() {
  std::lock_guard lock(state_->mu);
  if (state_->started || state_->stopping) return;
  state_->started = true;
  state_->loop = std::thread([this] { run(); });
  if (resync_period_.count() > 0) state_->resync = std::thread([this] { run_resync(); });
}

void Informer::stop() {
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
    if (state_->current_watch) state_->current_watch->stop();
  }
  state_->cv.notify_all();
  if (state_->loop.joinable()) state_->loop.join();
  if (state_->resync.joinable()) state_->resync.join();
}

bool Informer::has_synced() const {
  std::lock_guard lock(state_->sync_mu);
  return state_->synced;
}

bool Informer::wait_for_sync(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->sync_mu);
  return state_->sync_cv.wait_for(lock, timeout, [&] { return state_->synced; });
}

ObjectPtr Informer::get(const std::string& key) const { return state_->store.get(key); }
std::vector<ObjectPtr> Informer::list() const { return state_->store.list(); }
std::vector<ObjectPtr> Informer::by_index(const std::string& index, const std::string& value) const {
  return state_->store.by_index(index, value);
}
std::string Informer::last_resource_version() const { return state_->store.resource_version(); }

// Lists and replaces the store, delivering the difference. False on error.
bool Informer::relist() {
  ListOptions opts = selectors_;
  opts.resource_version.clear();
  opts.continue_token.clear();
  opts.limit = 0;
  auto list = client_.list(resource_, ns_, opts);
  if (!list) {
    KITE_LOG(warn, "informer") << state_->describe << ": list failed: " << list.error().message();
    return false;
  }
  std::string rv = (*list)["metadata"].value("resourceVersion", "");
  json& items = (*list)["items"];
  std::unordered_map<std::string, ObjectPtr> fresh;
  // List items may come without kind/apiVersion (the Kubernetes API omits them); handlers and
  // event recorders need them, so fill them from the List.
  std::string list_kind = (*list).value("kind", "");
  std::string item_kind = list_kind.ends_with("List") ? list_kind.substr(0, list_kind.size() - 4) : "";
  std::string api_version = (*list).value("apiVersion", resource_.api_version());
  if (items.is_array()) {
    fresh.reserve(items.size());
    for (auto& item : items) {
      if (item.is_object() && !item.contains("kind") && !item_kind.empty()) item["kind"] = item_kind;
      if (item.is_object() && !item.contains("apiVersion")) item["apiVersion"] = api_version;
      auto obj = std::make_shared<const json>(std::move(item));
      std::string key = object_key(*obj);
      fresh.emplace(std::move(key), std::move(obj));
    }
  }
  {
    std::lock_guard dispatch(state_->dispatch_mu);
    for (const auto& [key, old] : state_->store.entries()) {
      if (!fresh.count(key)) state_->apply_delete(old);
    }
    for (auto& [key, obj] : fresh) {
      ObjectPtr old = state_->store.get(key);
      if (old && rv_of(*old) == rv_of(*obj) && !rv_of(*obj).empty()) continue;  // unchanged
      state_->apply_upsert(std::move(obj));
    }
    state_->store.set_resource_version(rv);
  }
  {
    std::lock_guard lock(state_->sync_mu);
    state_->synced = true;
  }
  state_->sync_cv.notify_all();
  return true;
}

// Watches from the store's version until the stream ends. Returns true when the next step is
// a re-watch, false when a relist is needed.
bool Informer::watch_once(bool* made_progress) {
  ListOptions opts = selectors_;
  opts.resource_version = state_->store.resource_version();
  opts.continue_token.clear();
  opts.limit = 0;
  opts.allow_watch_bookmarks = true;
  auto stream = client_.watch(resource_, ns_, opts);
  if (!stream) {
    KITE_LOG(warn, "informer") << state_->describe << ": watch failed: " << stream.error().message();
    return stream.error().code() != 410;
  }
  {
    std::lock_guard lock(state_->mu);
    if (state_->stopping) return true;
    state_->current_watch = stream->get();
  }
  bool rewatch = true;
  while (auto event = (*stream)->next()) {
    switch (event->type) {
      case WatchEvent::Type::kAdded:
      case WatchEvent::Type::kModified:
      case WatchEvent::Type::kDeleted: {
        auto obj = std::make_shared<const json>(std::move(event->object));
        std::string rv = rv_of(*obj);
        std::lock_guard dispatch(state_->dispatch_mu);
        if (event->type == WatchEvent::Type::kDeleted) {
          state_->apply_delete(obj);
        } else {
          state_->apply_upsert(std::move(obj));
        }
        if (!rv.empty()) state_->store.set_resource_version(std::move(rv));
        *made_progress = true;
        break;
      }
      case WatchEvent::Type::kBookmark: {
        std::string rv = rv_of(event->object);
        if (!rv.empty()) state_->store.set_resource_version(std::move(rv));
        *made_progress = true;
        break;
      }
      case WatchEvent::Type::kError: {
        auto status = base::Status::from_json(event->object);
        if (status.code() != 410) {
          KITE_LOG(warn, "informer") << state_->describe << ": watch error: " << status.message();
        }
        rewatch = false;
        break;
      }
    }
    if (!rewatch) break;
  }
  {
    std::lock_guard lock(state_->mu);
    state_->current_watch = nullptr;
  }
  (*stream)->stop();
  return rewatch;
}

void Informer::run() {
  auto backoff = kInitialBackoff;
  auto grow = [&] { backoff = std::min(backoff * 2, kMaxBackoff); };
  bool need_list = true;
  while (!state_->is_stopping()) {
    if (need_list) {
      if (!relist()) {
        if (!state_->sleep_for(backoff)) return;
        grow();
        continue;
      }
      need_list = false;
      backoff = kInitialBackoff;
    }
    auto began = std::chrono::steady_clock::now();
    bool progress = false;
    need_list = !watch_once(&progress);
    if (state_->is_stopping()) return;
    if (progress) backoff = kInitialBackoff;
    // A watch that ends at once without news (server refusing or failing) is retried with
    // backoff rather than in a hot loop.
    if (!need_list && !progress && std::chrono::steady_clock::now() - began < std::chrono::seconds(1)) {
      if (!state_->sleep_for(backoff)) return;
      grow();
    }
  }
}

void Informer::run_resync() {
  while (state_->sleep_for(resync_period_)) {
    std::lock_guard dispatch(state_->dispatch_mu);
    for (const auto& obj : state_->store.list()) {
      state_->each_handler([&](EventHandlers& h) {
        if (h.on_update) h.on_update(obj, obj);
      });
    }
  }
}

}  // namespace kite::client
