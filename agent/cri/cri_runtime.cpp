#include "agent/cri/cri_runtime.h"

#include <grpcpp/grpcpp.h>

#include "agent/cri/cri_convert.h"
#include "agent/cri/cri_errors.h"
#include "proto/cri/api.grpc.pb.h"

namespace kite::agent {
namespace {

namespace v1 = ::runtime::v1;
using std::chrono::seconds;

// gRPC deadlines are wall-clock time points (grpc::ClientContext needs system_clock).
template <typename Stub, typename Req, typename Resp>
base::Result<Resp> call(Stub& stub, grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Req&, Resp*),
                        const Req& request, seconds timeout, std::string_view operation) {
  grpc::ClientContext ctx;
  if (timeout.count() > 0) ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  Resp response;
  grpc::Status status = (stub.*rpc)(&ctx, request, &response);
  if (!status.ok()) return base::error(cri::status_from_grpc(status, operation));
  return response;
}

// Stop/remove are idempotent: an object that is already gone is success.
template <typename Resp>
base::Result<void> ignore_not_found(const base::Result<Resp>& result) {
  if (result || result.error().reason() == base::Reason::NotFound) return {};
  return base::error(result.error());
}

class CriRuntime final : public Runtime {
 public:
  CriRuntime(std::shared_ptr<grpc::Channel> channel, CriRuntimeOptions options)
      : channel_(std::move(channel)),
        runtime_(v1::RuntimeService::NewStub(channel_)),
        images_(v1::ImageService::NewStub(channel_)),
        options_(options) {}

  Result<RuntimeVersion> version() override {
    v1::VersionRequest req;
    req.set_version("0.1.0");
    auto r = call(*runtime_, &v1::RuntimeService::Stub::Version, req, timeout(), "Version");
    if (!r) return base::error(r.error());
    return cri::from_cri_version(*r);
  }

  Result<std::string> run_pod_sandbox(const SandboxConfig& config) override {
    v1::RunPodSandboxRequest req;
    *req.mutable_config() = cri::to_cri_sandbox_config(config);
    auto r = call(*runtime_, &v1::RuntimeService::Stub::RunPodSandbox, req, timeout(),
                  "RunPodSandbox " + config.namespace_ + "/" + config.name);
    if (!r) return base::error(r.error());
    return r->pod_sandbox_id();
  }

  Result<void> stop_pod_sandbox(const std::string& sandbox_id) override {
    v1::StopPodSandboxRequest req;
    req.set_pod_sandbox_id(sandbox_id);
    return ignore_not_found(
        call(*runtime_, &v1::RuntimeService::Stub::StopPodSandbox, req, timeout(), "StopPodSandbox " + sandbox_id));
  }

  Result<void> remove_pod_sandbox(const std::string& sandbox_id) override {
    v1::RemovePodSandboxRequest req;
    req.set_pod_sandbox_id(sandbox_id);
    return ignore_not_found(call(*runtime_, &v1::RuntimeService::Stub::RemovePodSandbox, req, timeout(),
                                 "RemovePodSandbox " + sandbox_id));
  }

  Result<SandboxStatus> pod_sandbox_status(const std::string& sandbox_id) override {
    v1::PodSandboxStatusRequest req;
    req.set_pod_sandbox_id(sandbox_id);
    auto r = call(*runtime_, &v1::RuntimeService::Stub::PodSandboxStatus, req, timeout(),
                  "PodSandboxStatus " + sandbox_id);
    if (!r) return base::error(r.error());
    return cri::from_cri_sandbox_status(r->status());
  }

  Result<std::vector<SandboxStatus>> list_pod_sandboxes(const SandboxFilter& filter) override {
    v1::ListPodSandboxRequest req;
    *req.mutable_filter() = cri::to_cri_sandbox_filter(filter);
    auto r = call(*runtime_, &v1::RuntimeService::Stub::ListPodSandbox, req, timeout(), "ListPodSandbox");
    if (!r) return base::error(r.error());
    std::vector<SandboxStatus> out;
    out.reserve(r->items_size());
    for (const auto& item : r->items()) out.push_back(cri::from_cri_sandbox(item));
    return out;
  }

  Result<std::string> create_container(const std::string& sandbox_id, const ContainerConfig& config,
                                       const SandboxConfig& sandbox_config) override {
    v1::CreateContainerRequest req;
    req.set_pod_sandbox_id(sandbox_id);
    *req.mutable_config() = cri::to_cri_container_config(config, sandbox_config);
    *req.mutable_sandbox_config() = cri::to_cri_sandbox_config(sandbox_config);
    auto r = call(*runtime_, &v1::RuntimeService::Stub::CreateContainer, req, timeout(),
                  "CreateContainer " + config.name + " in " + sandbox_id);
    if (!r) return base::error(r.error());
    return r->container_id();
  }

  Result<void> start_container(const std::string& container_id) override {
    v1::StartContainerRequest req;
    req.set_container_id(container_id);
    auto r = call(*runtime_, &v1::RuntimeService::Stub::StartContainer, req, timeout(),
                  "StartContainer " + container_id);
    if (!r) return base::error(r.error());
    return {};
  }

  Result<void> stop_container(const std::string& container_id, seconds grace) override {
    v1::StopContainerRequest req;
    req.set_container_id(container_id);
    req.set_timeout(grace.count());
    // The runtime waits up to `grace` before killing: give the call that much on top.
    return ignore_not_found(call(*runtime_, &v1::RuntimeService::Stub::StopContainer, req, timeout() + grace,
                                 "StopContainer " + container_id));
  }

  Result<void> remove_container(const std::string& container_id) override {
    v1::RemoveContainerRequest req;
    req.set_container_id(container_id);
    return ignore_not_found(call(*runtime_, &v1::RuntimeService::Stub::RemoveContainer, req, timeout(),
                                 "RemoveContainer " + container_id));
  }

  Result<ContainerStatus> container_status(const std::string& container_id) override {
    v1::ContainerStatusRequest req;
    req.set_container_id(container_id);
    auto r = call(*runtime_, &v1::RuntimeService::Stub::ContainerStatus, req, timeout(),
                  "ContainerStatus " + container_id);
    if (!r) return base::error(r.error());
    return cri::from_cri_container_status(r->status());
  }

  Result<std::vector<ContainerStatus>> list_containers(const ContainerFilter& filter) override {
    v1::ListContainersRequest req;
    *req.mutable_filter() = cri::to_cri_container_filter(filter);
    auto r = call(*runtime_, &v1::RuntimeService::Stub::ListContainers, req, timeout(), "ListContainers");
    if (!r) return base::error(r.error());
    std::vector<ContainerStatus> out;
    out.reserve(r->containers_size());
    for (const auto& c : r->containers()) out.push_back(cri::from_cri_container(c));
    return out;
  }

  Result<void> update_container_resources(const std::string& container_id,
                                          const ContainerResources& resources) override {
    v1::UpdateContainerResourcesRequest req;
    req.set_container_id(container_id);
    *req.mutable_linux() = cri::to_cri_resources(resources);
    auto r = call(*runtime_, &v1::RuntimeService::Stub::UpdateContainerResources, req, timeout(),
                  "UpdateContainerResources " + container_id);
    if (!r) return base::error(r.error());
    return {};
  }

  Result<ExecResult> exec_sync(const std::string& container_id, const std::vector<std::string>& cmd,
                               seconds exec_timeout) override {
    v1::ExecSyncRequest req;
    req.set_container_id(container_id);
    for (const auto& c : cmd) req.add_cmd(c);
    req.set_timeout(exec_timeout.count());
    // As kubelet: the command's timeout plus the request timeout for the runtime's cleanup;
    // no deadline at all when the command has none.
    const seconds deadline = exec_timeout.count() > 0 ? exec_timeout + timeout() : seconds(0);
    auto r = call(*runtime_, &v1::RuntimeService::Stub::ExecSync, req, deadline, "ExecSync in " + container_id);
    if (!r) return base::error(r.error());
    return ExecResult{r->exit_code(), r->stdout(), r->stderr()};
  }

  Result<std::string> exec(const StreamRequest& request) override {
    v1::ExecRequest req;
    req.set_container_id(request.container_id);
    for (const auto& c : request.cmd) req.add_cmd(c);
    req.set_tty(request.tty);
    req.set_stdin(request.stdin_);
    req.set_stdout(request.stdout_);
    req.set_stderr(request.stderr_);
    auto r = call(*runtime_, &v1::RuntimeService::Stub::Exec, req, timeout(), "Exec in " + request.container_id);
    if (!r) return base::error(r.error());
    return r->url();
  }

  Result<std::string> attach(const StreamRequest& request) override {
    v1::AttachRequest req;
    req.set_container_id(request.container_id);
    req.set_tty(request.tty);
    req.set_stdin(request.stdin_);
    req.set_stdout(request.stdout_);
    req.set_stderr(request.stderr_);
    auto r =
        call(*runtime_, &v1::RuntimeService::Stub::Attach, req, timeout(), "Attach to " + request.container_id);
    if (!r) return base::error(r.error());
    return r->url();
  }

  Result<std::string> port_forward(const std::string& sandbox_id, const std::vector<int32_t>& ports) override {
    v1::PortForwardRequest req;
    req.set_pod_sandbox_id(sandbox_id);
    for (auto p : ports) req.add_port(p);
    auto r = call(*runtime_, &v1::RuntimeService::Stub::PortForward, req, timeout(), "PortForward " + sandbox_id);
    if (!r) return base::error(r.error());
    return r->url();
  }

  Result<std::optional<ImageInfo>> image_status(const std::string& image) override {
    v1::ImageStatusRequest req;
    req.mutable_image()->set_image(image);
    auto r = call(*images_, &v1::ImageService::Stub::ImageStatus, req, timeout(), "ImageStatus " + image);
    if (!r) {
      if (r.error().reason() == base::Reason::NotFound) return std::optional<ImageInfo>();
      return base::error(r.error());
    }
    if (!r->has_image() || r->image().id().empty()) return std::optional<ImageInfo>();
    return std::optional<ImageInfo>(cri::from_cri_image(r->image()));
  }

  Result<std::string> pull_image(const std::string& image, const std::optional<RegistryAuth>& auth,
                                 const SandboxConfig& sandbox_config) override {
    v1::PullImageRequest req;
    req.mutable_image()->set_image(image);
    if (auth) *req.mutable_auth() = cri::to_cri_auth(*auth);
    *req.mutable_sandbox_config() = cri::to_cri_sandbox_config(sandbox_config);
    auto r = call(*images_, &v1::ImageService::Stub::PullImage, req, options_.pull_timeout, "PullImage " + image);
    if (!r) return base::error(r.error());
    return r->image_ref();
  }

  Result<std::vector<ImageInfo>> list_images() override {
    v1::ListImagesRequest req;
    auto r = call(*images_, &v1::ImageService::Stub::ListImages, req, timeout(), "ListImages");
    if (!r) return base::error(r.error());
    std::vector<ImageInfo> out;
    out.reserve(r->images_size());
    for (const auto& i : r->images()) out.push_back(cri::from_cri_image(i));
    return out;
  }

  Result<void> remove_image(const std::string& image) override {
    v1::RemoveImageRequest req;
    req.mutable_image()->set_image(image);
    auto r = call(*images_, &v1::ImageService::Stub::RemoveImage, req, timeout(), "RemoveImage " + image);
    if (!r) return base::error(r.error());
    return {};
  }

 private:
  seconds timeout() const { return options_.request_timeout; }

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RuntimeService::Stub> runtime_;
  std::unique_ptr<v1::ImageService::Stub> images_;
  const CriRuntimeOptions options_;
};

}  // namespace

base::Result<std::unique_ptr<Runtime>> connect_cri_runtime(const std::string& endpoint, seconds connect_timeout,
                                                           const CriRuntimeOptions& options) {
  std::string target = endpoint;
  if (target.starts_with("/")) target = "unix://" + target;
  if (!target.starts_with("unix:///")) {
    return base::error(base::Reason::BadRequest,
                       "CRI endpoint must be unix:///absolute/path.sock, got \"" + endpoint + "\"");
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options.max_message_bytes);
  args.SetMaxSendMessageSize(options.max_message_bytes);
  // Reconnect quickly after containerd restarts (the default backoff grows to 2 minutes).
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + connect_timeout)) {
    return base::error(base::Reason::ServiceUnavailable,
                       "no CRI runtime answers at " + target + " after " + std::to_string(connect_timeout.count()) +
                           "s (is containerd running?)");
  }
  // Version first, on the raw stub, to tell "not CRI v1" apart from "not answering".
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + (connect_timeout.count() > 0 ? connect_timeout : seconds(10)));
    v1::VersionRequest req;
    req.set_version("0.1.0");
    v1::VersionResponse resp;
    grpc::Status status = v1::RuntimeService::NewStub(channel)->Version(&ctx, req, &resp);
    if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      return base::error(base::Reason::InternalError, "the runtime at " + target +
                                                          " does not serve CRI v1 (runtime.v1.RuntimeService): " +
                                                          status.error_message());
    }
    if (!status.ok()) {
      return base::error(base::Reason::ServiceUnavailable, "CRI runtime at " + target + " did not answer Version: " +
                                                               cri::status_from_grpc(status, "Version").message());
    }
  }
  auto runtime = std::make_unique<CriRuntime>(std::move(channel), options);
  return std::unique_ptr<Runtime>(std::move(runtime));
}

}  // namespace kite::agent
