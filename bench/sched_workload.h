// The scheduler benchmark's workload: the pods and Deployment it creates, and the parallel
// create / force-delete loops over a kite client. Plain functions; the loops run `clients`
// threads of their own and return when done. Thread-safe (the Client is).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/client.h"

namespace kite::bench {

enum class PodShape {
  kBasic,   // requests only
  kSpread,  // + topologySpreadConstraints (hostname, ScheduleAnyway) + preferred podAntiAffinity
};

nlohmann::json bench_pod(const std::string& name, PodShape shape);
nlohmann::json bench_deployment(const std::string& name, int replicas);

struct CreateResult {
  std::chrono::steady_clock::time_point first_start, last_done;
  std::vector<std::chrono::steady_clock::time_point> done;  // per pod index (create answered)
  size_t created = 0;
  size_t errors = 0;
  std::string first_error;
};

// Creates pods "<prefix><i>" for i in [0, count) in `ns` with `clients` threads.
CreateResult create_pods(client::Client& api, const std::string& ns, const std::string& prefix, size_t count,
                         PodShape shape, int clients, std::chrono::seconds limit);

// Deletes every pod of `ns` with gracePeriodSeconds=0 until none is left (or the limit);
// returns false when pods remain.
bool force_delete_pods(client::Client& api, const std::string& ns, int clients, std::chrono::seconds limit);

// Creates the namespace; AlreadyExists is fine.
bool ensure_namespace(client::Client& api, const std::string& ns);

}  // namespace kite::bench
