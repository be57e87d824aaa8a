// resources_from_crd: the ResourceInfos a CustomResourceDefinition adds to the API. Pure;
// safe on any thread.
#pragma once

#include <vector>

#include "api/resource.h"
#include "base/status.h"

namespace kite::api {

// One ResourceInfo per served version of `crd` (an apiextensions.k8s.io/v1
// CustomResourceDefinition object): names, scope, schema (openAPIV3Schema, with metadata,
// apiVersion and kind added), status/scale subresources, additionalPrinterColumns and
// selectableFields. Invalid, with field causes, for a CRD kite cannot serve.
base::Result<std::vector<ResourceInfoPtr>> resources_from_crd(const json& crd);

}  // namespace kite::api
