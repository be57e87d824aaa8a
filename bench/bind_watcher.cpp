#include "bench/bind_watcher.h"

#include "client/resource_ref.h"

namespace kite::bench {

BindWatcher::BindWatcher(client::Client& client, std::string ns) : client_(client), ns_(std::move(ns)) {}

BindWatcher::~BindWatcher() { stop(); }

bool BindWatcher::start() {
  auto list = client_.list(client::resources::kPods, ns_);
  if (!list) return false;
  resource_version_ = (*list)["metadata"].value("resourceVersion", "");
  thread_ = std::thread([this] { run(); });
  return true;
}

void BindWatcher::stop() {
  stopping_ = true;
  {
    std::lock_guard lock(mu_);
    if (stream_) stream_->stop();
  }
  if (thread_.joinable()) thread_.join();
}

void BindWatcher::run() {
  while (!stopping_) {
    client::ListOptions opts;
    opts.resource_version = resource_version_;
    opts.timeout_seconds = 600;
    auto w = client_.watch(client::resources::kPods, ns_, opts);
    if (!w) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    client::WatchStream* stream = w->get();
    {
      std::lock_guard lock(mu_);
      stream_ = std::move(*w);
      if (stopping_) stream_->stop();
    }
    while (auto ev = stream->next()) {
      if (ev->type == client::WatchEvent::Type::kError) {
        relist();
        break;
      }
      const auto& obj = ev->object;
      if (!obj.contains("metadata")) continue;
      resource_version_ = obj["metadata"].value("resourceVersion", resource_version_);
      if (ev->type == client::WatchEvent::Type::kBookmark || ev->type == client::WatchEvent::Type::kDeleted) continue;
      if (!obj.contains("spec") || obj["spec"].value("nodeName", "").empty()) continue;
      auto now = std::chrono::steady_clock::now();
      std::lock_guard lock(mu_);
      if (bound_.emplace(obj["metadata"].value("name", ""), now).second) {
        last_bind_ = now;
        cv_.notify_all();
      }
    }
    std::lock_guard lock(mu_);
    stream_.reset();
  }
}

void BindWatcher::relist() {
  auto list = client_.list(client::resources::kPods, ns_);
  if (!list) return;
  resource_version_ = (*list)["metadata"].value("resourceVersion", "");
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  for (const auto& pod : (*list)["items"]) {
    if (pod["spec"].value("nodeName", "").empty()) continue;
    if (bound_.emplace(pod["metadata"].value("name", ""), now).second) last_bind_ = now;
  }
  cv_.notify_all();
}

size_t BindWatcher::wait_bound(size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return bound_.size() >= count; });
  return bound_.size();
}

size_t BindWatcher::bound() const {
  std::lock_guard lock(mu_);
  return bound_.size();
}

std::unordered_map<std::string, BindWatcher::time_point> BindWatcher::bind_times() const {
  std::lock_guard lock(mu_);
  return bound_;
}

BindWatcher::time_point BindWatcher::last_bind() const {
  std::lock_guard lock(mu_);
  return last_bind_;
}

}  // namespace kite::bench
