// Kubernetes' preference orders for API versions and groups. Pure functions; thread-safe.
#pragma once

#include <string>

namespace kite::api {

// True when version `a` is preferred over `b`: GA over beta over alpha, higher major first,
// then higher minor ("v2" > "v1" > "v1beta2" > "v1beta1" > "v1alpha1" > "foo").
bool version_preferred(const std::string& a, const std::string& b);
// True when group `a` is listed before `b`: the core group, then the built-in groups in
// Kubernetes' discovery order, then other groups alphabetically.
bool group_preferred(const std::string& a, const std::string& b);

}  // namespace kite::api
