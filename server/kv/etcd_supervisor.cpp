#include "server/kv/etcd_supervisor.h"

#include <filesystem>
#include <optional>
#include <system_error>

#include "base/log.h"
#include "base/process.h"
#include "server/kv/etcd_store.h"

namespace kite::kv {

using base::Reason;
using Clock = std::chrono::steady_clock;

EtcdSupervisor::EtcdSupervisor(EtcdSupervisorOptions options) : options_(std::move(options)) {
  while (options_.data_dir.size() > 1 && options_.data_dir.back() == '/') options_.data_dir.pop_back();
  // Next to the data dir, not inside it: etcd warns about foreign files in its data dir.
  if (options_.log_file.empty()) options_.log_file = options_.data_dir + ".log";
}

EtcdSupervisor::~EtcdSupervisor() { stop(); }

std::string EtcdSupervisor::client_url() const {
  std::lock_guard lk(mu_);
  if (client_port_ == 0) return "";
  return "http://127.0.0.1:" + std::to_string(client_port_);
}

pid_t EtcdSupervisor::pid() const {
  std::lock_guard lk(mu_);
  return pid_;
}

int EtcdSupervisor::restarts() const {
  std::lock_guard lk(mu_);
  return restarts_;
}

base::Result<void> EtcdSupervisor::start() {
  if (options_.data_dir.empty()) return base::error(Reason::BadRequest, "etcd data dir not set");
  std::error_code ec;
  std::filesystem::create_directories(options_.data_dir, ec);
  if (ec) return base::error(Reason::InternalError, "create " + options_.data_dir + ": " + ec.message());
  std::filesystem::permissions(options_.data_dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);

  auto client = base::free_tcp_port();
  if (!client) return std::unexpected(client.error());
  std::optional<int> peer;
  for (int i = 0; i < 10 && !peer; ++i) {
    auto p = base::free_tcp_port();
    if (!p) return std::unexpected(p.error());
    if (*p != *client) peer = *p;
  }
  if (!peer) return base::error(Reason::InternalError, "no second free port");
  std::string spawn_error;
  {
    std::unique_lock lk(mu_);
    if (monitor_.joinable()) return base::error(Reason::BadRequest, "etcd already started");
    client_port_ = *client;
    peer_port_ = *peer;
    stopping_ = false;
    monitor_ = std::thread([this] { monitor_loop(); });
    cv_.wait(lk, [&] { return spawn_attempted_; });
    spawn_error = spawn_error_;
  }
  if (!spawn_error.empty()) {
    stop();
    return base::error(Reason::InternalError, "cannot start etcd: " + spawn_error);
  }
  return wait_healthy(options_.start_timeout);
}

base::Result<void> EtcdSupervisor::wait_healthy(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  EtcdOptions opts;
  opts.endpoints = {client_url()};
  opts.deadline = std::chrono::milliseconds(500);
  auto store = EtcdStore::connect(opts);
  if (!store) return std::unexpected(store.error());
  base::Status last(Reason::Timeout, "etcd not healthy yet");
  auto step = std::chrono::milliseconds(20);
  while (Clock::now() < deadline) {
    auto h = (*store)->health();
    if (h) return {};
    last = h.error();
    {
      std::unique_lock lk(mu_);
      if (!spawn_error_.empty()) return base::error(Reason::InternalError, spawn_error_);
      if (stopping_) return base::error(Reason::ServiceUnavailable, "etcd supervisor stopped");
      cv_.wait_for(lk, step);
    }
    step = std::min(step * 2, std::chrono::milliseconds(250));
  }
  return base::error(Reason::Timeout, "etcd did not become healthy: " + last.message());
}

void EtcdSupervisor::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (monitor_.joinable()) monitor_.join();
}

void EtcdSupervisor::monitor_loop() {
  const std::string client = "http://127.0.0.1:" + std::to_string(client_port_);
  const std::string peer = "http://127.0.0.1:" + std::to_string(peer_port_);
  base::SpawnOptions spawn;
  spawn.argv = {options_.etcd_binary,
                "--name=" + options_.name,
                "--data-dir=" + options_.data_dir,
                "--listen-client-urls=" + client,
                "--advertise-client-urls=" + client,
                "--listen-peer-urls=" + peer,
                "--initial-advertise-peer-urls=" + peer,
                "--initial-cluster=" + options_.name + "=" + peer,
                "--initial-cluster-state=new",
                "--max-request-bytes=" + std::to_string(options_.max_request_bytes),
                "--quota-backend-bytes=" + std::to_string(options_.quota_backend_bytes),
                "--logger=zap",
                "--log-outputs=stderr"};
#if defined(__aarch64__)
  spawn.env.emplace_back("ETCD_UNSUPPORTED_ARCH", "arm64");
#endif
  spawn.log_file = options_.log_file;

  std::optional<base::Process> child;
  auto backoff = std::chrono::milliseconds(200);
  Clock::time_point started{};
  bool first = true;

  std::unique_lock lk(mu_);
  while (!stopping_) {
    if (!child) {
      lk.unlock();
      auto p = base::Process::spawn(spawn);
      lk.lock();
      if (!p) {
        KITE_LOG(error, "kv") << "cannot start etcd: " << p.error().message();
        if (first) {
          spawn_error_ = p.error().message();
          spawn_attempted_ = true;
          cv_.notify_all();
          break;
        }
      } else {
        child = std::move(*p);
        pid_ = child->pid();
        started = Clock::now();
        KITE_LOG(info, "kv") << "etcd started (pid " << pid_ << ") on " << client;
      }
      if (first) {
        first = false;
        spawn_attempted_ = true;
        cv_.notify_all();
      }
    }
    cv_.wait_for(lk, std::chrono::milliseconds(100), [&] { return stopping_; });
    if (stopping_) break;
    if (child && !child->is_running()) {
      const auto& st = child->exit_status();
      KITE_LOG(warn, "kv") << "etcd (pid " << pid_ << ") exited"
                           << (st && st->exited ? " with code " + std::to_string(st->exit_code)
                                                : " on signal " +
                                                      std::to_string(st ? st->signal : 0))
                           << "; restarting in " << backoff.count() << " ms (log: "
                           << options_.log_file << ")";
      child.reset();
      pid_ = 0;
      ++restarts_;
      if (Clock::now() - started > std::chrono::seconds(30)) backoff = std::chrono::milliseconds(200);
      cv_.wait_for(lk, backoff, [&] { return stopping_; });
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    }
  }
  pid_ = 0;
  lk.unlock();
  if (child) child->terminate(options_.stop_grace);
}

}  // namespace kite::kv
