// ImagePlatformSource: what the scheduler knows about the platforms (os/arch) an image
// reference supports, for the ImageArchitecture plugin.
//
// platforms() returns the architectures ("amd64", "arm64", "arm", ...) the image has builds
// for, or an empty list when nothing is known about the image (then the pod's
// nodeSelector/affinity alone decides). Implementations must be thread-safe.
//   - NoImagePlatforms: knows nothing (the default);
//   - StaticImagePlatforms: a map from image reference to architectures (tests, and a source
//     a caller fills from registry manifests it has read).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace kite::scheduler {

class ImagePlatformSource {
 public:
  virtual ~ImagePlatformSource() = default;
  virtual std::vector<std::string> platforms(const std::string& image) const = 0;
};

class NoImagePlatforms final : public ImagePlatformSource {
 public:
  std::vector<std::string> platforms(const std::string&) const override { return {}; }
};

class StaticImagePlatforms final : public ImagePlatformSource {
 public:
  // `archs` entries may be "arm64" or "linux/arm64[/v8]"; only the architecture is kept.
  void set(const std::string& image, const std::vector<std::string>& archs);
  std::vector<std::string> platforms(const std::string& image) const override;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::vector<std::string>> archs_;
};

}  // namespace kite::scheduler
