// ImageArchitecture (kite's own): a pod lands only on a node whose architecture every one of
// its images has a build for, so mixed amd64/arm64 fleets never hit "exec format error".
//
// The allowed set is the intersection of the architectures the ImagePlatformSource knows for
// each image (images it knows nothing about do not constrain). A kubernetes.io/arch
// constraint in nodeSelector / required node affinity is enforced by NodeAffinity, which runs
// before this plugin and reports it as an affinity mismatch. Nodes that report no
// architecture (no label, no status.nodeInfo.architecture) are not rejected.
#include <algorithm>

#include "scheduler/plugins/plugins.h"

namespace kite::scheduler {
namespace {

class ImageArchitecture final : public Plugin {
 public:
  explicit ImageArchitecture(std::shared_ptr<const ImagePlatformSource> source) : source_(std::move(source)) {}
  std::string_view name() const override { return "ImageArchitecture"; }

  std::string pre_filter(const PodInfo& pod, const Snapshot&) override {
    constrained_ = false;
    allowed_.clear();
    if (!source_) return {};
    for (const auto& image : pod.images) {
      auto archs = source_->platforms(image);
      if (archs.empty()) continue;
      if (!constrained_) {
        allowed_ = std::move(archs);
        constrained_ = true;
      } else {
        std::erase_if(allowed_, [&](const std::string& a) { return std::find(archs.begin(), archs.end(), a) == archs.end(); });
      }
    }
    return {};
  }

  bool has_filter() const override { return true; }
  bool filter(const PodInfo&, const NodeInfo& node, std::vector<std::string>& out) const override {
    if (!constrained_ || node.spec().arch.empty()) return true;
    if (std::find(allowed_.begin(), allowed_.end(), node.spec().arch) != allowed_.end()) return true;
    out.emplace_back(reasons::kArchitecture);
    return false;
  }

 private:
  std::shared_ptr<const ImagePlatformSource> source_;
  bool constrained_ = false;
  std::vector<std::string> allowed_;
};

}  // namespace

std::unique_ptr<Plugin> make_image_architecture(std::shared_ptr<const ImagePlatformSource> platforms) {
  return std::make_unique<ImageArchitecture>(std::move(platforms));
}

}  // namespace kite::scheduler
