// ResourceRef paths: /api/v1/... for the core group, /apis/<group>/<version>/... otherwise.
#include "client/resource_ref.h"

namespace kite::client {

std::string ResourceRef::group_version_path() const {
  if (group.empty()) return "/api/" + version;
  return "/apis/" + group + "/" + version;
}

std::string ResourceRef::path(const std::string& ns, const std::string& name, const std::string& subresource) const {
  std::string p = group_version_path();
  if (namespaced && !ns.empty()) p += "/namespaces/" + ns;
  p += "/" + resource;
  if (!name.empty()) {
    p += "/" + name;
    if (!subresource.empty()) p += "/" + subresource;
  }
  return p;
}

std::string ResourceRef::api_version() const { return group.empty() ? version : group + "/" + version; }

}  // namespace kite::client
