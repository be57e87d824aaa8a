// ImageLocality: prefers nodes that already hold the pod's images (by size, scaled down for
// images that many nodes hold, so pods do not pile onto one node).
#include <algorithm>

#include "scheduler/plugins/plugins.h"

namespace kite::scheduler {
namespace {

constexpr int64_t kMiB = 1024 * 1024;
constexpr int64_t kMinThreshold = 23 * kMiB;
constexpr int64_t kMaxContainerThreshold = 1000 * kMiB;

// The name the container runtime reports: ":latest" added when neither tag nor digest given.
std::string normalized_image_name(const std::string& image) {
  if (image.find('@') != std::string::npos) return image;
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) return image;
  return image + ":latest";
}

class ImageLocality final : public Plugin {
 public:
  std::string_view name() const override { return "ImageLocality"; }
  int64_t score_weight() const override { return 1; }
  void pre_score(const PodInfo& pod, const Snapshot& snapshot, const std::vector<const NodeInfo*>&) override {
    images_.clear();
    total_nodes_ = static_cast<int64_t>(snapshot.nodes.size());
    num_containers_ = static_cast<int64_t>(pod.images.size());
    for (const auto& img : pod.images) {
      std::string name = normalized_image_name(img);
      auto it = snapshot.image_num_nodes.find(name);
      if (it != snapshot.image_num_nodes.end()) images_.emplace_back(std::move(name), it->second);
    }
  }
  int64_t score(const PodInfo&, const NodeInfo& node) const override {
    if (images_.empty() || total_nodes_ == 0) return 0;
    int64_t sum = 0;
    for (const auto& [name, num_nodes] : images_) {
      for (const auto& img : node.spec().images) {
        if (std::find(img.names.begin(), img.names.end(), name) == img.names.end()) continue;
        sum += static_cast<int64_t>(static_cast<double>(img.size_bytes) * static_cast<double>(num_nodes) /
                                    static_cast<double>(total_nodes_));
        break;
      }
    }
    int64_t max_threshold = kMaxContainerThreshold * std::max<int64_t>(num_containers_, 1);
    sum = std::clamp(sum, kMinThreshold, max_threshold);
    return kMaxNodeScore * (sum - kMinThreshold) / (max_threshold - kMinThreshold);
  }

 private:
  std::vector<std::pair<std::string, int>> images_;
  int64_t total_nodes_ = 0;
  int64_t num_containers_ = 0;
};

}  // namespace

std::unique_ptr<Plugin> make_image_locality() { return std::make_unique<ImageLocality>(); }

std::vector<std::unique_ptr<Plugin>> default_plugins(const PluginOptions& options) {
  std::vector<std::unique_ptr<Plugin>> out;
  out.push_back(make_node_unschedulable());
  out.push_back(make_node_name());
  out.push_back(make_taint_toleration());
  out.push_back(make_node_affinity());
  out.push_back(make_image_architecture(options.image_platforms ? options.image_platforms
                                                                : std::make_shared<NoImagePlatforms>()));
  out.push_back(make_node_ports());
  out.push_back(make_node_resources_fit());
  out.push_back(make_pod_topology_spread());
  out.push_back(make_inter_pod_affinity(options.namespace_labels));
  out.push_back(make_balanced_allocation());
  if (options.image_locality) out.push_back(make_image_locality());
  return out;
}

}  // namespace kite::scheduler
