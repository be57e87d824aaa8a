#include "server/kv/etcd_store.h"

#include <atomic>
#include <mutex>
#include <fstream>
#include <sstream>

#include <grpcpp/create_channel.h>
#include <grpcpp/grpcpp.h>

#include "proto/etcd/rpc.grpc.pb.h"
#include "server/kv/etcd_convert.h"
#include "server/kv/etcd_watch_stream.h"

namespace kite::kv {

using base::Reason;

struct EtcdStore::Impl {
  // One gRPC channel and its stubs. Replaced (never mutated) when the endpoint seems dead:
  // gRPC 1.51's channels can stay in TRANSIENT_FAILURE for seconds after the server is back,
  // so a fresh channel is the quickest way to notice a restarted etcd.
  struct Conn {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<etcdserverpb::KV::Stub> kv;
    std::unique_ptr<etcdserverpb::Lease::Stub> lease;
    std::unique_ptr<etcdserverpb::Maintenance::Stub> maintenance;
    std::chrono::steady_clock::time_point created;
  };
  struct Endpoint {
    std::string url;
    std::string target;
    std::shared_ptr<grpc::ChannelCredentials> creds;
    std::mutex mu;
    std::shared_ptr<Conn> conn;
  };
  std::vector<std::unique_ptr<Endpoint>> endpoints;
  std::chrono::milliseconds deadline{5000};
  std::atomic<size_t> preferred{0};

  static std::shared_ptr<Conn> make_conn(const Endpoint& ep) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    // Detect a silently dead peer; etcd's default enforcement allows pings every 5 s.
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
    args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    // Own subchannels, so a replaced channel really reconnects.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetMaxReceiveMessageSize(-1);
    args.SetMaxSendMessageSize(-1);
    auto conn = std::make_shared<Conn>();
    conn->channel = grpc::CreateCustomChannel(ep.target, ep.creds, args);
    conn->kv = etcdserverpb::KV::NewStub(conn->channel);
    conn->lease = etcdserverpb::Lease::NewStub(conn->channel);
    conn->maintenance = etcdserverpb::Maintenance::NewStub(conn->channel);
    conn->created = std::chrono::steady_clock::now();
    return conn;
  }

  std::shared_ptr<Conn> conn(size_t idx) {
    auto& ep = *endpoints[idx];
    std::lock_guard lk(ep.mu);
    return ep.conn;
  }

  // Replaces `failed` (if still current and not brand new) with a fresh channel.
  void renew(size_t idx, const std::shared_ptr<Conn>& failed) {
    auto& ep = *endpoints[idx];
    std::lock_guard lk(ep.mu);
    if (ep.conn != failed) return;
    if (std::chrono::steady_clock::now() - failed->created < std::chrono::milliseconds(200)) return;
    ep.conn = make_conn(ep);
  }

  // Runs `fn(conn, ctx)` against the endpoints in turn (starting with the preferred one)
  // until one answers with something other than UNAVAILABLE, all within one deadline.
  template <typename Fn>
  Result<void> call(Fn&& fn) {
    const auto deadline_at = std::chrono::system_clock::now() + deadline;
    const size_t start = preferred.load();
    grpc::Status last;
    for (size_t i = 0; i < endpoints.size(); ++i) {
      const size_t idx = (start + i) % endpoints.size();
      auto c = conn(idx);
      grpc::ClientContext ctx;
      ctx.set_deadline(deadline_at);
      last = fn(*c, ctx);
      if (last.ok()) {
        preferred.store(idx);
        return {};
      }
      if (last.error_code() != grpc::StatusCode::UNAVAILABLE) break;
      renew(idx, c);
      if (std::chrono::system_clock::now() >= deadline_at) break;
    }
    return std::unexpected(etcd::from_grpc(last));
  }
};

namespace {

class EtcdWatch : public Watch {
 public:
  EtcdWatch(etcd::EtcdWatchStream* stream, int64_t id) : stream_(stream), id_(id) {}
  ~EtcdWatch() override { cancel(); }
  void cancel() override {
    if (!cancelled_.exchange(true)) stream_->cancel(id_);
  }
  void request_progress() override {
    if (!cancelled_.load()) stream_->request_progress();
  }

 private:
  etcd::EtcdWatchStream* stream_;
  int64_t id_;
  std::atomic<bool> cancelled_{false};
};

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::error(Reason::BadRequest, "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Result<std::unique_ptr<EtcdStore>> EtcdStore::connect(const EtcdOptions& options) {
  if (options.endpoints.empty())
    return base::error(Reason::BadRequest, "no etcd endpoints given");
  auto impl = std::make_unique<Impl>();
  impl->deadline = options.deadline;

  std::shared_ptr<grpc::ChannelCredentials> tls;
  for (const auto& url : options.endpoints) {
    std::string target;
    bool secure = false;
    if (url.starts_with("http://")) {
      target = url.substr(7);
    } else if (url.starts_with("https://")) {
      target = url.substr(8);
      secure = true;
    } else {
      return base::error(Reason::BadRequest, "etcd endpoint must be http:// or https://: " + url);
    }
    while (!target.empty() && target.back() == '/') target.pop_back();
    if (target.empty()) return base::error(Reason::BadRequest, "bad etcd endpoint: " + url);

    if (secure && !tls) {
      grpc::SslCredentialsOptions ssl;
      if (!options.ca_file.empty()) {
        auto ca = read_file(options.ca_file);
        if (!ca) return std::unexpected(ca.error());
        ssl.pem_root_certs = *ca;
      }
      if (!options.cert_file.empty() || !options.key_file.empty()) {
        auto cert = read_file(options.cert_file);
        if (!cert) return std::unexpected(cert.error());
        auto key = read_file(options.key_file);
        if (!key) return std::unexpected(key.error());
        ssl.pem_cert_chain = *cert;
        ssl.pem_private_key = *key;
      }
      tls = grpc::SslCredentials(ssl);
    }

    auto ep = std::make_unique<Impl::Endpoint>();
    ep->url = url;
    ep->target = target;
    ep->creds = secure ? tls : grpc::InsecureChannelCredentials();
    ep->conn = Impl::make_conn(*ep);
    impl->endpoints.push_back(std::move(ep));
  }
  return std::unique_ptr<EtcdStore>(new EtcdStore(std::move(impl)));
}

EtcdStore::EtcdStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  Impl* raw = impl_.get();
  watches_ = std::make_unique<etcd::EtcdWatchStream>(
      [raw](int attempt) {
        // A fresh channel per stream attempt (see Impl::Conn).
        size_t n = raw->endpoints.size();
        auto& ep = *raw->endpoints[(raw->preferred.load() + static_cast<size_t>(attempt)) % n];
        return Impl::make_conn(ep)->channel;
      },
      impl_->deadline);
}

EtcdStore::~EtcdStore() { watches_.reset(); }

Result<RangeResponse> EtcdStore::range(const RangeRequest& req) {
  const auto preq = etcd::to_proto(req);
  etcdserverpb::RangeResponse presp;
  auto r = impl_->call([&](Impl::Conn& ep, grpc::ClientContext& ctx) {
    return ep.kv->Range(&ctx, preq, &presp);
  });
  if (!r) return std::unexpected(r.error());
  return etcd::from_proto(presp);
}

Result<TxnResponse> EtcdStore::txn(const TxnRequest& req) {
  const auto preq = etcd::to_proto(req);
  etcdserverpb::TxnResponse presp;
  auto r = impl_->call([&](Impl::Conn& ep, grpc::ClientContext& ctx) {
    return ep.kv->Txn(&ctx, preq, &presp);
  });
  if (!r) return std::unexpected(r.error());
  return etcd::from_proto(presp);
}

Result<std::unique_ptr<Watch>> EtcdStore::watch(const WatchRequest& req,
                                                std::function<void(WatchUpdate)> callback) {
  auto id = watches_->add(req, std::move(callback));
  if (!id) return std::unexpected(id.error());
  return std::unique_ptr<Watch>(std::make_unique<EtcdWatch>(watches_.get(), *id));
}

Result<int64_t> EtcdStore::lease_grant(std::chrono::seconds ttl) {
  etcdserverpb::LeaseGrantRequest preq;
  preq.set_ttl(ttl.count());
  etcdserverpb::LeaseGrantResponse presp;
  auto r = impl_->call([&](Impl::Conn& ep, grpc::ClientContext& ctx) {
    return ep.lease->LeaseGrant(&ctx, preq, &presp);
  });
  if (!r) return std::unexpected(r.error());
  if (!presp.error().empty()) return base::error(Reason::InternalError, "etcd: " + presp.error());
  return presp.id();
}

Result<void> EtcdStore::lease_keepalive(int64_t lease_id) {
  etcdserverpb::LeaseKeepAliveResponse presp;
  bool answered = false;
  auto r = impl_->call([&](Impl::Conn& ep, grpc::ClientContext& ctx) {
    auto stream = ep.lease->LeaseKeepAlive(&ctx);
    etcdserverpb::LeaseKeepAliveRequest preq;
    preq.set_id(lease_id);
    if (stream->Write(preq)) {
      stream->WritesDone();
      answered = stream->Read(&presp);
    }
    // Drain so Finish() reports the stream's real status.
    etcdserverpb::LeaseKeepAliveResponse extra;
    while (stream->Read(&extra)) {
    }
    return stream->Finish();
  });
  if (!r) return std::unexpected(r.error());
  if (!answered) return base::error(Reason::ServiceUnavailable, "etcd: no keepalive answer");
  if (presp.ttl() <= 0) return base::error(Reason::NotFound, "etcd: requested lease not found");
  return {};
}

Result<void> EtcdStore::lease_revoke(int64_t lease_id) {
  etcdserverpb::LeaseRevokeRequest preq;
  preq.set_id(lease_id);
  etcdserverpb::LeaseRevokeResponse presp;
  return impl_->call([&](Impl::Conn& ep, grpc::ClientContext& ctx) {
    return ep.lease->LeaseRevoke(&ctx, preq, &presp);
  });
}

Result<void> EtcdStore::compact(int64_t revision) {
  etcdserverpb::CompactionRequest preq;
  preq.set_revision(revision);
  etcdserverpb::CompactionResponse presp;
  return impl_->call([&](Impl::Conn& ep, grpc::ClientContext& ctx) {
    return ep.kv->Compact(&ctx, preq, &presp);
  });
}

Result<int64_t> EtcdStore::current_revision() {
  // A point read of a key that cannot exist: the header carries the current revision.
  etcdserverpb::RangeRequest preq;
  preq.set_key(std::string(1, '\0'));
  preq.set_count_only(true);
  etcdserverpb::RangeResponse presp;
  auto r = impl_->call([&](Impl::Conn& ep, grpc::ClientContext& ctx) {
    return ep.kv->Range(&ctx, preq, &presp);
  });
  if (!r) return std::unexpected(r.error());
  return presp.header().revision();
}

Result<void> EtcdStore::health() {
  etcdserverpb::StatusRequest preq;
  etcdserverpb::StatusResponse presp;
  auto r = impl_->call([&](Impl::Conn& ep, grpc::ClientContext& ctx) {
    return ep.maintenance->Status(&ctx, preq, &presp);
  });
  if (!r) return r;
  if (presp.leader() == 0) return base::error(Reason::ServiceUnavailable, "etcd: no leader");
  if (presp.errors_size() > 0)
    return base::error(Reason::ServiceUnavailable, "etcd: " + presp.errors(0));
  return {};
}

}  // namespace kite::kv
