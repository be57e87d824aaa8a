// Runs one closed-loop benchmark phase: `clients` threads, each with its own connection made
// before the clock starts, take operation indices 0..total-1 from a shared counter and time
// each operation. The phase ends when every index is done or `time_limit` passes (bounded).
//
// Thread safety: run_phase is called from one thread; the operations it runs are called
// concurrently, one thread per client, each with its own per-client state from `setup`.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "bench/latency_stats.h"

namespace kite::bench {

// One operation: returns "" on success or an error message.
using Operation = std::function<std::string(size_t index)>;
// Makes one client's operation (runs on that client's thread, untimed: connect here). An empty
// function, or a non-empty `error`, means the client could not start.
using ClientSetup = std::function<Operation(int client, std::string& error)>;

PhaseResult run_phase(const std::string& name, int clients, size_t total, std::chrono::seconds time_limit,
                      const ClientSetup& setup);

}  // namespace kite::bench
