// NamespaceFinalizer: empties namespaces that are being deleted, then finalizes them.
//
// A deleted namespace stays Terminating (spec.finalizers ["kubernetes"]) while this loop
// deletes every object in it through the API itself (so the objects' own finalizers and
// graceful deletion apply); once nothing is left it removes the "kubernetes" finalizer via
// the finalize subresource, which deletes the namespace. One background thread; it scans
// once a second. (The control-plane controllers will take this over.)
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "server/apiserver/rest.h"

namespace kite::apiserver {

class NamespaceFinalizer {
 public:
  // `call` sends an internal request to the API with system privileges.
  NamespaceFinalizer(ServerState& state, std::function<Response(Request&)> call);
  ~NamespaceFinalizer();
  void start();
  void stop();

 private:
  void loop();
  void finalize(const std::string& ns);

  ServerState& state_;
  std::function<Response(Request&)> call_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace kite::apiserver
