// PodEvents: how the pod worker, image puller, probes and hooks emit kubelet's events about a
// pod ("Pulling", "Started", "Unhealthy", ...). A thin seam over client::EventRecorder so the
// parts can be tested without one; a null recorder drops events. Thread-safe.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "client/event_recorder.h"

namespace kite::agent::pods {

class PodEvents {
 public:
  explicit PodEvents(client::EventRecorder* recorder = nullptr) : recorder_(recorder) {}
  void normal(const nlohmann::json& pod, const std::string& reason, const std::string& message) const {
    emit(pod, "Normal", reason, message);
  }
  void warning(const nlohmann::json& pod, const std::string& reason, const std::string& message) const {
    emit(pod, "Warning", reason, message);
  }

 private:
  void emit(const nlohmann::json& pod, const char* type, const std::string& reason, const std::string& message) const {
    if (!recorder_) return;
    nlohmann::json ref = {{"kind", "Pod"}, {"apiVersion", "v1"}, {"metadata", pod.value("metadata", nlohmann::json::object())}};
    recorder_->event(ref, type, reason, message);
  }
  client::EventRecorder* recorder_;
};

}  // namespace kite::agent::pods
