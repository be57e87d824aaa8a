// Client: the Kubernetes API as kite's controllers, scheduler, agent and tools call it.
//
// Objects are nlohmann::json in their JSON wire form. Every call returns the decoded object
// (or List) on success and a base::Status built from the server's metav1.Status on failure
// (NotFound, AlreadyExists, Conflict, Invalid, ... with the server's code and message);
// transport failures are ServiceUnavailable. Implementations:
//   - RestClient (rest_client.h): HTTP/JSON over a Transport (HTTPS to a server, or in-process
//     straight into the API server's handler), with client-side rate limiting and retries
//     with backoff for transport errors, 429 and 5xx on idempotent calls;
//   - FakeClient (fake_client.h): an in-memory object tracker with resourceVersions and watch,
//     for unit tests of controllers.
//
// Thread safety: every method may be called from any thread concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "client/resource_ref.h"

namespace kite::client {

using json = nlohmann::json;

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // "" = most recent; for watch: start after this version
  int64_t limit = 0;             // 0 = no paging
  std::string continue_token;
  int timeout_seconds = 0;       // watch: server-side timeout (0 = server default)
  bool allow_watch_bookmarks = true;
};

struct DeleteOptions {
  std::optional<int64_t> grace_period_seconds;
  std::string propagation_policy;  // "", "Orphan", "Background", "Foreground"
  std::string precondition_uid;
  std::string precondition_resource_version;
  bool dry_run = false;
};

enum class PatchType { kJson, kMerge, kStrategicMerge };

struct WatchEvent {
  enum class Type { kAdded, kModified, kDeleted, kBookmark, kError };
  Type type = Type::kAdded;
  json object;  // the object; for kError the metav1.Status (410 Gone = expired version)
};

// A running watch. next() blocks for the next event and returns nullopt when the stream has
// ended (server closed it, timeout, transport error, or stop()). stop() may be called from any
// thread, also while another thread is blocked in next().
class WatchStream {
 public:
  virtual ~WatchStream() = default;
  virtual std::optional<WatchEvent> next() = 0;
  virtual void stop() = 0;
};

class Client {
 public:
  virtual ~Client() = default;

  virtual base::Result<json> get(const ResourceRef& r, const std::string& ns, const std::string& name) = 0;
  // The List object (items + metadata.resourceVersion/continue).
  virtual base::Result<json> list(const ResourceRef& r, const std::string& ns, const ListOptions& opts = {}) = 0;
  // POST to the collection; `obj` carries metadata.name or generateName.
  virtual base::Result<json> create(const ResourceRef& r, const std::string& ns, const json& obj) = 0;
  // PUT of the whole object (namespace and name taken from obj.metadata), optionally to the
  // "status" (or another) subresource. metadata.resourceVersion makes it a compare-and-swap.
  virtual base::Result<json> update(const ResourceRef& r, const json& obj, const std::string& subresource = "") = 0;
  virtual base::Result<json> patch(const ResourceRef& r, const std::string& ns, const std::string& name,
                                   PatchType type, const json& patch, const std::string& subresource = "") = 0;
  // DELETE; returns the object as the server answered (the object while finalizers or grace
  // keep it, or a Status).
  virtual base::Result<json> remove(const ResourceRef& r, const std::string& ns, const std::string& name,
                                    const DeleteOptions& opts = {}) = 0;
  // POST to a subresource of an object: pods/binding, pods/eviction.
  virtual base::Result<json> create_subresource(const ResourceRef& r, const std::string& ns, const std::string& name,
                                                const std::string& subresource, const json& body) = 0;
  virtual base::Result<std::unique_ptr<WatchStream>> watch(const ResourceRef& r, const std::string& ns,
                                                           const ListOptions& opts = {}) = 0;
};

// "ns/name" for namespaced objects, "name" for cluster-scoped ones: the key informers, work
// queues and indexes use.
std::string object_key(const json& obj);
// Splits an object key back into namespace (empty for cluster-scoped) and name.
std::pair<std::string, std::string> split_key(const std::string& key);

}  // namespace kite::client
