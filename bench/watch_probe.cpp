#include "bench/watch_probe.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "bench/https_client.h"

namespace kite::bench {

namespace {

using Clock = std::chrono::steady_clock;

struct Arrivals {
  std::mutex mu;
  std::condition_variable cv;
  bool headers = false;
  std::map<std::string, Clock::time_point> by_name;

  bool wait_for(const std::string& name, Clock::time_point until) {
    std::unique_lock lock(mu);
    return cv.wait_until(lock, until, [&] { return by_name.count(name) > 0; });
  }
};

// The metadata.name of an ADDED event line, or "".
std::string added_name(const std::string& line) {
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("type", "") != "ADDED") return "";
  const auto& obj = j["object"];
  if (!obj.is_object() || !obj.contains("metadata")) return "";
  return obj["metadata"].value("name", "");
}

}  // namespace

WatchProbeResult run_watch_probe(const KubeconfigCredentials& creds, const std::string& ns, size_t count,
                                 const std::function<std::string(const std::string& name)>& body_for,
                                 std::chrono::seconds wait_limit) {
  WatchProbeResult out;
  out.after_response.name = "watch";
  out.after_response.clients = 1;
  const std::string collection = "/api/v1/namespaces/" + ns + "/configmaps";

  Arrivals arrivals;
  HttpsClient watcher(creds, std::chrono::seconds(30));
  int watch_status = -1;
  std::thread reader([&] {
    watch_status = watcher.read_stream_lines(
        collection + "?watch=true",
        [&] {
          std::lock_guard lock(arrivals.mu);
          arrivals.headers = true;
          arrivals.cv.notify_all();
        },
        [&](const std::string& line, Clock::time_point at) {
          std::string name = added_name(line);
          if (!name.empty()) {
            std::lock_guard lock(arrivals.mu);
            arrivals.by_name.emplace(name, at);
            arrivals.cv.notify_all();
          }
          return true;
        });
  });

  HttpsClient creator(creds);
  auto finish = [&](const std::string& error) {
    watcher.abort();
    reader.join();
    if (!error.empty() && out.after_response.first_error.empty()) out.after_response.first_error = error;
    return out;
  };
  if (auto c = creator.connect(); !c) return finish("creator connect: " + c.error().message());

  // A live watch first: the sentinel's event must arrive before the timed creates start.
  const std::string sentinel = "watch-sentinel";
  auto r = creator.request("POST", collection, body_for(sentinel));
  if (r.status != 201) return finish("sentinel create: HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200));
  if (!arrivals.wait_for(sentinel, Clock::now() + wait_limit))
    return finish("the watch delivered no event for the sentinel (HTTP " + std::to_string(watch_status) + ")");

  std::vector<std::string> names(count);
  std::vector<Clock::time_point> sent(count), answered(count);
  std::vector<bool> created(count, false);
  auto start = Clock::now();
  for (size_t i = 0; i < count; ++i) {
    names[i] = "w-" + std::to_string(i);
    std::string body = body_for(names[i]);
    sent[i] = Clock::now();
    auto res = creator.request("POST", collection, body);
    answered[i] = Clock::now();
    if (res.status == 201) {
      created[i] = true;
    } else {
      ++out.after_response.errors;
      if (out.after_response.first_error.empty())
        out.after_response.first_error = "HTTP " + std::to_string(res.status) + " " + res.body.substr(0, 200);
    }
  }
  out.after_response.seconds = std::chrono::duration<double>(Clock::now() - start).count();

  auto until = Clock::now() + wait_limit;
  for (size_t i = 0; i < count; ++i) {
    if (created[i] && !arrivals.wait_for(names[i], until)) break;
  }
  watcher.abort();
  reader.join();

  std::lock_guard lock(arrivals.mu);
  for (size_t i = 0; i < count; ++i) {
    if (!created[i]) continue;
    auto it = arrivals.by_name.find(names[i]);
    if (it == arrivals.by_name.end()) {
      ++out.missing;
      continue;
    }
    auto after = it->second - answered[i];
    if (after.count() < 0) {
      ++out.early_events;
      after = Clock::duration::zero();
    }
    out.after_response.latency.add(after);
    out.after_send.add(it->second - sent[i]);
    ++out.after_response.ok;
  }
  if (out.missing > 0 && out.after_response.first_error.empty())
    out.after_response.first_error = std::to_string(out.missing) + " events never arrived";
  return out;
}

}  // namespace kite::bench
