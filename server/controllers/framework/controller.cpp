#include "server/controllers/framework/controller.h"

#include <chrono>

#include "base/log.h"

namespace kite::controllers {

QueueController::QueueController(std::string name, int workers) : name_(std::move(name)), workers_(workers) {}

QueueController::~QueueController() { stop(); }

void QueueController::start() {
  if (started_) return;
  started_ = true;
  register_handlers();
  for (int i = 0; i < workers_; ++i) threads_.emplace_back([this] { worker_loop(); });
}

void QueueController::stop() {
  queue_.shut_down();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void QueueController::enqueue(const client::ObjectPtr& obj) {
  if (obj) queue_.add(client::object_key(*obj));
}

client::EventHandlers QueueController::enqueue_handlers() {
  client::EventHandlers h;
  h.on_add = [this](const client::ObjectPtr& o) { enqueue(o); };
  h.on_update = [this](const client::ObjectPtr&, const client::ObjectPtr& o) { enqueue(o); };
  h.on_delete = [this](const client::ObjectPtr& o) { enqueue(o); };
  return h;
}

bool QueueController::process_next() {
  auto key = queue_.get();
  if (!key) return false;
  auto result = sync(*key);
  if (result) {
    queue_.forget(*key);
  } else {
    KITE_LOG(debug, name_) << "sync " << *key << ": " << result.error().message();
    queue_.add_rate_limited(*key);
  }
  queue_.done(*key);
  return true;
}

void QueueController::worker_loop() {
  for (auto* inf : informers_to_sync()) {
    while (!queue_.shutting_down() && !inf->wait_for_sync(std::chrono::milliseconds(200))) {
    }
  }
  while (process_next()) {
  }
}

}  // namespace kite::controllers
