// NamespaceFinalizer: empties namespaces that are being deleted, then finalizes them.
//
// A deleted namespace stays Terminating (spec.finalizers ["kubernetes"]) while this loop
// deletes every object in it through the API itself (so the objects' own finalizers and
// graceful deletion apply); once nothing is left it removes the "kubernetes" finalizer via
// the finalize subresource, which deletes the namespace. One background thread scanning once
// a second. (The control-plane controllers will take this over.)
#pragma once

#include <functional>

#include "base/periodic_thread.h"
#include "server/apiserver/rest.h"

namespace kite::apiserver {

class NamespaceFinalizer {
 public:
  // `call` sends an internal request to the API with system privileges.
  NamespaceFinalizer(ServerState& state, std::function<Response(Request&)> call);
  void start();
  void stop();

 private:
  void scan();
  void finalize(const std::string& ns);

  ServerState& state_;
  std::function<Response(Request&)> call_;
  base::PeriodicThread thread_;
};

}  // namespace kite::apiserver
