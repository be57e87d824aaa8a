// RestClient over the in-process transport: what goes on the wire (paths, query parameters,
// content types, bodies, identity), how answers come back (objects, Status reasons), retries,
// rate limiting and watch streams.
#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "base/http/response_stream.h"
#include "client/rate_limiter.h"
#include "client/rest_client.h"

namespace kite::client {
namespace {

using base::Reason;
using base::http::Request;
using base::http::Response;
using std::chrono::milliseconds;

Response json_response(int status, const json& body, std::vector<std::pair<std::string, std::string>> headers = {}) {
  Response r;
  r.status = status;
  r.headers = std::move(headers);
  r.set_header("Content-Type", "application/json");
  r.body = body.dump();
  return r;
}

Response status_response(base::Status s) { return json_response(s.code(), s.to_json()); }

// A fake API server: records every request and answers from a script (then 200 {}).
class FakeServer {
 public:
  RequestHandler handler() {
    return [this](Request& req) {
      std::lock_guard lock(mu_);
      requests_.push_back(req);
      if (script_.empty()) return json_response(200, json::object());
      Response r = std::move(script_.front());
      script_.pop_front();
      return r;
    };
  }
  void answer(Response r) {
    std::lock_guard lock(mu_);
    script_.push_back(std::move(r));
  }
  std::vector<Request> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  Request last() {
    std::lock_guard lock(mu_);
    return requests_.back();
  }

 private:
  std::mutex mu_;
  std::vector<Request> requests_;
  std::deque<Response> script_;
};

class RestClientTest : public ::testing::Test {
 protected:
  RestClientTest() {
    RestClientOptions opts;
    opts.retry_base_delay = milliseconds(1);
    opts.max_retries = 3;
    client_ = make_in_process_client(server_.handler(), {"system:kube-controller-manager", {"system:masters"}}, opts);
  }
  FakeServer server_;
  std::unique_ptr<Client> client_;
};

TEST_F(RestClientTest, GetAddressesTheObjectAsTheIdentity) {
  server_.answer(json_response(200, {{"kind", "Pod"}, {"metadata", {{"name", "web"}}}}));
  auto pod = client_->get(resources::kPods, "default", "web");
  ASSERT_TRUE(pod.has_value()) << pod.error().message();
  EXPECT_EQ((*pod)["metadata"]["name"], "web");
  auto req = server_.last();
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.path, "/api/v1/namespaces/default/pods/web");
  EXPECT_EQ(req.header("accept"), "application/json");
  ASSERT_TRUE(req.peer.has_value());
  EXPECT_EQ(req.peer->common_name, "system:kube-controller-manager");
  EXPECT_EQ(req.peer->organizations, std::vector<std::string>{"system:masters"});
}

TEST_F(RestClientTest, PathsOfGroupsAndClusterScopedResources) {
  ASSERT_TRUE(client_->get(resources::kNodes, "", "node-1"));
  EXPECT_EQ(server_.last().path, "/api/v1/nodes/node-1");
  ASSERT_TRUE(client_->list(resources::kDeployments, "prod"));
  EXPECT_EQ(server_.last().path, "/apis/apps/v1/namespaces/prod/deployments");
  ASSERT_TRUE(client_->list(resources::kPods, ""));
  EXPECT_EQ(server_.last().path, "/api/v1/pods");
}

TEST_F(RestClientTest, ListSendsOptionsAsQueryParameters) {
  ListOptions opts;
  opts.label_selector = "app=web,tier in (front, back)";
  opts.field_selector = "spec.nodeName=node+1";
  opts.resource_version = "42";
  opts.limit = 500;
  opts.continue_token = "abc/def==";
  ASSERT_TRUE(client_->list(resources::kPods, "default", opts));
  auto req = server_.last();
  EXPECT_EQ(req.query_value("labelSelector"), "app=web,tier in (front, back)");
  EXPECT_EQ(req.query_value("fieldSelector"), "spec.nodeName=node+1");
  EXPECT_EQ(req.query_value("resourceVersion"), "42");
  EXPECT_EQ(req.query_value("limit"), "500");
  EXPECT_EQ(req.query_value("continue"), "abc/def==");
  EXPECT_FALSE(req.has_query("watch"));
}

TEST_F(RestClientTest, CreateTakesTheNamespaceFromTheObject) {
  json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "c"}, {"namespace", "team"}}},
             {"data", {{"k", "v"}}}};
  server_.answer(json_response(201, cm));
  auto created = client_->create(resources::kConfigMaps, "", cm);
  ASSERT_TRUE(created.has_value());
  auto req = server_.last();
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.path, "/api/v1/namespaces/team/configmaps");
  EXPECT_EQ(req.header("content-type"), "application/json");
  EXPECT_EQ(json::parse(req.body), cm);
}

TEST_F(RestClientTest, UpdateAndSubresourcesUseTheObjectPath) {
  json pod = {{"metadata", {{"name", "p"}, {"namespace", "ns"}, {"resourceVersion", "7"}}}, {"status", json::object()}};
  ASSERT_TRUE(client_->update(resources::kPods, pod, "status"));
  EXPECT_EQ(server_.last().method, "PUT");
  EXPECT_EQ(server_.last().path, "/api/v1/namespaces/ns/pods/p/status");
  EXPECT_EQ(json::parse(server_.last().body)["metadata"]["resourceVersion"], "7");

  json binding = {{"kind", "Binding"}, {"target", {{"kind", "Node"}, {"name", "n1"}}}};
  ASSERT_TRUE(client_->create_subresource(resources::kPods, "ns", "p", "binding", binding));
  EXPECT_EQ(server_.last().method, "POST");
  EXPECT_EQ(server_.last().path, "/api/v1/namespaces/ns/pods/p/binding");

  auto missing_name = client_->update(resources::kPods, json{{"metadata", {{"namespace", "ns"}}}});
  ASSERT_FALSE(missing_name.has_value());
  EXPECT_EQ(missing_name.error().reason(), Reason::BadRequest);
}

TEST_F(RestClientTest, PatchContentTypes) {
  struct Case {
    PatchType type;
    const char* content_type;
  } cases[] = {{PatchType::kJson, "application/json-patch+json"},
               {PatchType::kMerge, "application/merge-patch+json"},
               {PatchType::kStrategicMerge, "application/strategic-merge-patch+json"}};
  for (const auto& c : cases) {
    ASSERT_TRUE(client_->patch(resources::kDeployments, "ns", "d", c.type, json{{"spec", {{"replicas", 3}}}}));
    auto req = server_.last();
    EXPECT_EQ(req.method, "PATCH");
    EXPECT_EQ(req.path, "/apis/apps/v1/namespaces/ns/deployments/d");
    EXPECT_EQ(req.header("content-type"), c.content_type);
  }
  ASSERT_TRUE(client_->patch(resources::kDeployments, "ns", "d", PatchType::kMerge, json::object(), "scale"));
  EXPECT_EQ(server_.last().path, "/apis/apps/v1/namespaces/ns/deployments/d/scale");
}

TEST_F(RestClientTest, DeleteSendsDeleteOptions) {
  ASSERT_TRUE(client_->remove(resources::kPods, "ns", "p"));
  EXPECT_EQ(server_.last().method, "DELETE");
  EXPECT_EQ(server_.last().body, "");

  DeleteOptions opts;
  opts.grace_period_seconds = 0;
  opts.propagation_policy = "Foreground";
  opts.precondition_uid = "u-1";
  opts.precondition_resource_version = "9";
  ASSERT_TRUE(client_->remove(resources::kPods, "ns", "p", opts));
  auto body = json::parse(server_.last().body);
  EXPECT_EQ(body["kind"], "DeleteOptions");
  EXPECT_EQ(body["gracePeriodSeconds"], 0);
  EXPECT_EQ(body["propagationPolicy"], "Foreground");
  EXPECT_EQ(body["preconditions"]["uid"], "u-1");
  EXPECT_EQ(body["preconditions"]["resourceVersion"], "9");
  EXPECT_EQ(server_.last().header("content-type"), "application/json");
}

TEST_F(RestClientTest, ErrorsCarryTheServersStatus) {
  server_.answer(status_response(base::Status(Reason::NotFound, "pods \"p\" not found").with_details("p", "", "pods")));
  auto got = client_->get(resources::kPods, "ns", "p");
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().reason(), Reason::NotFound);
  EXPECT_EQ(got.error().code(), 404);
  EXPECT_EQ(got.error().message(), "pods \"p\" not found");
  EXPECT_EQ(got.error().detail_name(), "p");

  server_.answer(status_response(base::Status(Reason::AlreadyExists, "exists")));
  auto created = client_->create(resources::kPods, "ns", json{{"metadata", {{"name", "p"}}}});
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().reason(), Reason::AlreadyExists);
  EXPECT_EQ(created.error().code(), 409);

  server_.answer(status_response(
      base::Status(Reason::Invalid, "invalid").with_cause({"FieldValueRequired", "Required value", "spec.containers"})));
  created = client_->create(resources::kPods, "ns", json{{"metadata", {{"name", "p"}}}});
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().reason(), Reason::Invalid);
  ASSERT_EQ(created.error().causes().size(), 1u);
  EXPECT_EQ(created.error().causes()[0].field, "spec.containers");

  // A body that is not a Status: the reason follows the HTTP code.
  Response forbidden;
  forbidden.status = 403;
  forbidden.body = "forbidden: no";
  server_.answer(forbidden);
  got = client_->get(resources::kPods, "ns", "p");
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().reason(), Reason::Forbidden);
  EXPECT_NE(got.error().message().find("forbidden: no"), std::string::npos);
}

TEST_F(RestClientTest, RetriesIdempotentRequestsOnOverloadAndServerErrors) {
  server_.answer(status_response(base::Status(Reason::ServiceUnavailable, "starting")));
  server_.answer(json_response(429, base::Status(Reason::TooManyRequests, "slow down").to_json(), {{"Retry-After", "0"}}));
  server_.answer(json_response(200, {{"metadata", {{"name", "p"}}}}));
  auto got = client_->get(resources::kPods, "ns", "p");
  ASSERT_TRUE(got.has_value()) << got.error().message();
  EXPECT_EQ((*got)["metadata"]["name"], "p");
  EXPECT_EQ(server_.requests().size(), 3u);
}

TEST_F(RestClientTest, GivesUpAfterMaxRetries) {
  for (int i = 0; i < 10; ++i) server_.answer(status_response(base::Status(Reason::ServiceUnavailable, "down")));
  auto got = client_->get(resources::kPods, "ns", "p");
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().reason(), Reason::ServiceUnavailable);
  EXPECT_EQ(server_.requests().size(), 4u);  // the first try + max_retries (3)
}

TEST_F(RestClientTest, DoesNotRetryClientErrors) {
  server_.answer(status_response(base::Status(Reason::Conflict, "the object has been modified")));
  auto updated = client_->update(resources::kPods, json{{"metadata", {{"name", "p"}, {"namespace", "ns"}}}});
  ASSERT_FALSE(updated.has_value());
  EXPECT_EQ(updated.error().reason(), Reason::Conflict);
  EXPECT_EQ(server_.requests().size(), 1u);

  server_.answer(status_response(base::Status(Reason::NotFound, "gone")));
  EXPECT_FALSE(client_->get(resources::kPods, "ns", "p").has_value());
  EXPECT_EQ(server_.requests().size(), 2u);
}

TEST_F(RestClientTest, PostIsRetriedOnlyWhenTheServerDidNotProcessIt) {
  server_.answer(status_response(base::Status(Reason::ServiceUnavailable, "maybe done")));
  auto created = client_->create(resources::kPods, "ns", json{{"metadata", {{"name", "p"}}}});
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().reason(), Reason::ServiceUnavailable);
  EXPECT_EQ(server_.requests().size(), 1u);

  server_.answer(json_response(429, base::Status(Reason::TooManyRequests, "later").to_json(), {{"Retry-After", "0"}}));
  created = client_->create(resources::kPods, "ns", json{{"metadata", {{"name", "p"}}}});
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(server_.requests().size(), 3u);
}

TEST_F(RestClientTest, HonoursRetryAfter) {
  server_.answer(json_response(429, base::Status(Reason::TooManyRequests, "later").to_json(), {{"Retry-After", "1"}}));
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client_->get(resources::kPods, "ns", "p"));
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(1000));
  EXPECT_EQ(server_.requests().size(), 2u);
}

TEST(RateLimiterTest, SpendsTheBurstThenPacesAtQps) {
  auto t0 = RateLimiter::Clock::now();
  RateLimiter limiter(10, 3, t0);
  EXPECT_EQ(limiter.reserve(t0), RateLimiter::Clock::duration::zero());
  EXPECT_EQ(limiter.reserve(t0), RateLimiter::Clock::duration::zero());
  EXPECT_EQ(limiter.reserve(t0), RateLimiter::Clock::duration::zero());
  // Empty: the 4th and 5th wait for refills 100 ms apart.
  EXPECT_NEAR(std::chrono::duration<double>(limiter.reserve(t0)).count(), 0.1, 1e-6);
  EXPECT_NEAR(std::chrono::duration<double>(limiter.reserve(t0)).count(), 0.2, 1e-6);
  // A second later the debt is paid and 8 tokens accrued, capped at the burst of 3.
  auto t1 = t0 + std::chrono::seconds(2);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.reserve(t1), RateLimiter::Clock::duration::zero());
  EXPECT_GT(limiter.reserve(t1), RateLimiter::Clock::duration::zero());
}

TEST(RestClientRateLimitTest, DelaysBurstsBeyondTheLimit) {
  FakeServer server;
  RestClientOptions opts;
  opts.qps = 20;
  opts.burst = 2;
  auto client = make_in_process_client(server.handler(), {}, opts);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(client->get(resources::kPods, "ns", "p"));
  // 2 from the burst, then 4 more at 20/s: at least 200 ms.
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(195));
  EXPECT_EQ(server.requests().size(), 6u);
}

// --- watch ---

class RestWatchTest : public ::testing::Test {
 protected:
  RestWatchTest() {
    stream_ = std::make_shared<base::http::ResponseStream>();
    stream_->set_on_close([this] { closed_by_client_.set_value(); });
    client_ = make_in_process_client(
        [this](Request& req) {
          std::lock_guard lock(mu_);
          request_ = req;
          Response r;
          r.set_header("Content-Type", "application/json");
          r.stream = stream_;
          return r;
        },
        {});
  }
  std::mutex mu_;
  Request request_;
  std::shared_ptr<base::http::ResponseStream> stream_;
  std::promise<void> closed_by_client_;
  std::unique_ptr<Client> client_;
};

TEST_F(RestWatchTest, DecodesEventLinesAcrossFrames) {
  ListOptions opts;
  opts.resource_version = "100";
  opts.field_selector = "metadata.name=p";
  opts.timeout_seconds = 30;
  auto w = client_->watch(resources::kPods, "ns", opts);
  ASSERT_TRUE(w.has_value()) << w.error().message();
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(request_.path, "/api/v1/namespaces/ns/pods");
    EXPECT_EQ(request_.query_value("watch"), "true");
    EXPECT_EQ(request_.query_value("resourceVersion"), "100");
    EXPECT_EQ(request_.query_value("allowWatchBookmarks"), "true");
    EXPECT_EQ(request_.query_value("fieldSelector"), "metadata.name=p");
    EXPECT_EQ(request_.query_value("timeoutSeconds"), "30");
  }
  // One event split over frames, two events in one frame, then bookmark and error.
  stream_->push("{\"type\":\"ADDED\",\"object\":{\"metadata\":");
  stream_->push("{\"name\":\"p\",\"resourceVersion\":\"101\"}}}\n");
  stream_->push(
      "{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"name\":\"p\",\"resourceVersion\":\"102\"}}}\n"
      "{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"p\",\"resourceVersion\":\"103\"}}}\n");
  stream_->push("{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"110\"}}}\n");
  stream_->push("{\"type\":\"ERROR\",\"object\":" + base::Status(Reason::Gone, "too old").to_json().dump() + "}\n");
  stream_->close();

  using T = WatchEvent::Type;
  std::vector<std::pair<T, std::string>> want = {
      {T::kAdded, "101"}, {T::kModified, "102"}, {T::kDeleted, "103"}, {T::kBookmark, "110"}};
  for (const auto& [type, rv] : want) {
    auto ev = (*w)->next();
    ASSERT_TRUE(ev.has_value());
    EXPECT_EQ(ev->type, type);
    EXPECT_EQ(ev->object["metadata"]["resourceVersion"], rv);
  }
  auto err = (*w)->next();
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->type, T::kError);
  EXPECT_EQ(base::Status::from_json(err->object).reason(), Reason::Gone);
  EXPECT_FALSE((*w)->next().has_value());
}

TEST_F(RestWatchTest, StopFromAnotherThreadUnblocksNext) {
  auto w = client_->watch(resources::kPods, "", {});
  ASSERT_TRUE(w.has_value());
  auto reader = std::async(std::launch::async, [&] { return (*w)->next(); });
  EXPECT_EQ(reader.wait_for(milliseconds(50)), std::future_status::timeout);  // blocked: no events yet
  (*w)->stop();
  ASSERT_EQ(reader.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_FALSE(reader.get().has_value());
  // The server side sees the client go away (its watch is unregistered).
  EXPECT_EQ(closed_by_client_.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_FALSE((*w)->next().has_value());
}

TEST_F(RestWatchTest, StreamDeadlineEndsTheWatch) {
  stream_->set_deadline(std::chrono::steady_clock::now() + milliseconds(20));
  auto w = client_->watch(resources::kPods, "", {});
  ASSERT_TRUE(w.has_value());
  auto reader = std::async(std::launch::async, [&] { return (*w)->next(); });
  ASSERT_EQ(reader.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_FALSE(reader.get().has_value());
}

TEST_F(RestWatchTest, MalformedLineEndsTheStreamWithAnError) {
  auto w = client_->watch(resources::kPods, "", {});
  ASSERT_TRUE(w.has_value());
  stream_->push("not json\n{\"type\":\"ADDED\",\"object\":{}}\n");
  auto ev = (*w)->next();
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->type, WatchEvent::Type::kError);
  EXPECT_FALSE((*w)->next().has_value());
}

TEST(RestWatchErrorTest, AnErrorAnswerFailsTheWatch) {
  FakeServer server;
  server.answer(status_response(base::Status(Reason::Gone, "too old resource version: 1 (50)")));
  auto client = make_in_process_client(server.handler(), {});
  ListOptions opts;
  opts.resource_version = "1";
  auto w = client->watch(resources::kPods, "ns", opts);
  ASSERT_FALSE(w.has_value());
  EXPECT_EQ(w.error().reason(), Reason::Gone);
  EXPECT_EQ(server.requests().size(), 1u);
}

}  // namespace
}  // namespace kite::client
