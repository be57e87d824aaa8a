// Watch delivery latency: one client watches ConfigMaps in a namespace while another creates
// `count` of them one after another; each event's arrival is matched to its create by name.
//
// Reported: create response -> event arrival (clamped at 0: an event may arrive before the
// creator has parsed its response) and create sent -> event arrival. A sentinel object is
// created and awaited first, so the timed creates start on a live watch. Bounded: the phase
// waits at most `wait_limit` for missing events, then aborts the watch.
//
// Thread safety: run_watch_probe is called from one thread and owns the threads it starts.
#pragma once

#include <chrono>
#include <string>

#include "bench/kubeconfig.h"
#include "bench/latency_stats.h"

namespace kite::bench {

struct WatchProbeResult {
  PhaseResult after_response;  // latency: create response -> event
  LatencySamples after_send;   // latency: create request sent -> event
  size_t early_events = 0;     // events that arrived before their create's response
  size_t missing = 0;          // creates whose event never arrived
};

// `body_for(name)` gives the JSON body of the ConfigMap to create.
WatchProbeResult run_watch_probe(const KubeconfigCredentials& creds, const std::string& ns, size_t count,
                                 const std::function<std::string(const std::string& name)>& body_for,
                                 std::chrono::seconds wait_limit);

}  // namespace kite::bench
