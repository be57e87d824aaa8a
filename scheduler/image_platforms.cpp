#include "scheduler/image_platforms.h"

#include <algorithm>

namespace kite::scheduler {

void StaticImagePlatforms::set(const std::string& image, const std::vector<std::string>& archs) {
  std::vector<std::string> out;
  for (const auto& a : archs) {
    std::string arch = a;
    if (auto slash = arch.find('/'); slash != std::string::npos) {
      arch = arch.substr(slash + 1);
      if (auto variant = arch.find('/'); variant != std::string::npos) arch = arch.substr(0, variant);
    }
    if (!arch.empty() && std::find(out.begin(), out.end(), arch) == out.end()) out.push_back(arch);
  }
  std::lock_guard lock(mu_);
  archs_[image] = std::move(out);
}

std::vector<std::string> StaticImagePlatforms::platforms(const std::string& image) const {
  std::lock_guard lock(mu_);
  auto it = archs_.find(image);
  return it == archs_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace kite::scheduler
