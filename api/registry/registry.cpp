// ResourceInfo helpers and the Registry.
#include <algorithm>
#include <cctype>
#include <set>

#include "api/registry/version_order.h"
#include "api/resource.h"

namespace kite::api {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool names_match(const ResourceInfo& r, const std::string& n) {
  if (r.plural == n || r.singular == n || lower(r.kind) == n) return true;
  return std::find(r.short_names.begin(), r.short_names.end(), n) != r.short_names.end();
}

}  // namespace

bool ResourceInfo::has_subresource(const std::string& s) const {
  return std::find(subresources.begin(), subresources.end(), s) != subresources.end();
}

std::string ResourceInfo::key(const std::string& ns, const std::string& name) const {
  std::string k = storage_prefix + "/";
  if (namespaced && !ns.empty()) k += ns + "/";
  return k + name;
}

void Registry::add(ResourceInfoPtr info) {
  std::lock_guard lock(mu_);
  by_resource_[{info->group, info->version, info->plural}] = std::move(info);
}

void Registry::remove_custom(const std::string& group, const std::string& plural) {
  std::lock_guard lock(mu_);
  for (auto it = by_resource_.begin(); it != by_resource_.end();) {
    const ResourceInfo& r = *it->second;
    if (r.custom && r.group == group && r.plural == plural) {
      it = by_resource_.erase(it);
    } else {
      ++it;
    }
  }
}

ResourceInfoPtr Registry::find(const std::string& group, const std::string& version,
                               const std::string& plural) const {
  std::lock_guard lock(mu_);
  auto it = by_resource_.find({group, version, plural});
  return it == by_resource_.end() ? nullptr : it->second;
}

ResourceInfoPtr Registry::find_kind(const std::string& group, const std::string& version,
                                    const std::string& kind) const {
  std::lock_guard lock(mu_);
  for (const auto& [key, info] : by_resource_) {
    if (info->group == group && info->version == version && info->kind == kind) return info;
  }
  return nullptr;
}

std::vector<ResourceInfoPtr> Registry::all() const {
  std::lock_guard lock(mu_);
  std::vector<ResourceInfoPtr> out;
  out.reserve(by_resource_.size());
  for (const auto& [key, info] : by_resource_) out.push_back(info);
  return out;
}

std::vector<std::pair<std::string, std::vector<std::string>>> Registry::groups() const {
  std::map<std::string, std::set<std::string>> versions;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, info] : by_resource_) versions[info->group].insert(info->version);
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (auto& [group, vs] : versions) {
    std::vector<std::string> sorted(vs.begin(), vs.end());
    std::sort(sorted.begin(), sorted.end(), version_preferred);
    out.emplace_back(group, std::move(sorted));
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return group_preferred(a.first, b.first);
  });
  return out;
}

std::vector<ResourceInfoPtr> Registry::resolve(const std::string& typed) const {
  std::string name = lower(typed);
  std::string base = name, qualifier;
  if (auto dot = name.find('.'); dot != std::string::npos) {
    base = name.substr(0, dot);
    qualifier = name.substr(dot + 1);
  }
  std::vector<ResourceInfoPtr> out;
  for (const auto& [group, versions] : groups()) {
    for (const auto& version : versions) {
      bool qualifier_ok = qualifier.empty() || qualifier == group ||
                          qualifier == version + (group.empty() ? "" : "." + group);
      if (!qualifier_ok) continue;
      ResourceInfoPtr found;
      for (const auto& info : all()) {
        if (info->group == group && info->version == version && names_match(*info, base)) {
          found = info;
          break;
        }
      }
      if (found) {
        out.push_back(found);
        break;  // one per group: its preferred version
      }
    }
  }
  return out;
}

}  // namespace kite::api
