// EventRecorder: writes core/v1 Events about objects, as `kubectl describe` and `kubectl get
// events` show them, aggregated the way Kubernetes does it: a repeat of the same (object,
// type, reason, message, source) bumps count and lastTimestamp of the existing Event instead
// of creating a new one.
//
// event() never blocks on the API: events go to a bounded queue written by the recorder's
// own thread (dropped when the queue is full, as client-go does). Event names are
// "<object name>.<16 hex digits>". Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "base/clock.h"
#include "client/client.h"

namespace kite::client {

struct EventSource {
  std::string component;  // "default-scheduler", "deployment-controller", "kubelet"
  std::string host;       // node name for kubelet events; empty otherwise
};

class EventRecorder {
 public:
  EventRecorder(Client& client, EventSource source, const base::Clock& clock = base::real_clock());
  ~EventRecorder();  // flushes what is queued (bounded wait), then stops
  // type: "Normal" or "Warning". `object` is the involved object (its kind/apiVersion, or the
  // ones given when the object lacks them, as informer objects may).
  void event(const json& object, const std::string& type, const std::string& reason, const std::string& message);
  // Waits until everything queued so far has been written (tests, shutdown).
  void flush();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kite::client
