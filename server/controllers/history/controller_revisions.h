// ControllerRevisions of a workload (StatefulSet, DaemonSet): the immutable snapshots of its
// pod template that rollouts and `kubectl rollout history/undo` work with.
//
// As upstream, a revision's `data` is the patch that restores the template:
// {"spec":{"template":{...the template..., "$patch":"replace"}}}, its `revision` is a number
// growing with each new template (rolling back re-numbers the old snapshot), and its name is
// "<owner>-<hash>" with the hash also in the `controller-revision-hash` label. Owned
// revisions carry a controller ownerReference to the workload.
//
// Pure helpers plus Client calls; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "client/client.h"
#include "client/informer.h"

namespace kite::controllers::history {

using json = nlohmann::json;

// {"spec":{"template":{..., "$patch":"replace"}}} of a StatefulSet/DaemonSet.
json template_patch(const json& owner);
// The pod template a revision restores (data.spec.template without the directive).
json template_of_revision(const json& revision);
int64_t revision_number(const json& revision);

// Ascending by revision number, ties by creationTimestamp then name.
std::vector<client::ObjectPtr> sorted_by_revision(std::vector<client::ObjectPtr> revisions);
// One more than the highest revision number (1 for none).
int64_t next_revision(const std::vector<client::ObjectPtr>& revisions);
// True when both revisions restore the same template.
bool equal_revision(const json& a, const json& b);

// The revisions in the informer's cache controlled by `owner` (by owner uid).
std::vector<client::ObjectPtr> controlled_revisions(const client::Informer& revisions, const json& owner);

// A new (not yet created) revision of `owner` holding `data`: labels = the template labels +
// the hash label, name "<owner>-<revision_data_hash(data, collision_count)>".
json new_revision(const json& owner, const std::string& owner_api_version, const std::string& owner_kind,
                  const json& template_labels, const json& data, int64_t revision, int64_t collision_count);

// Creates `revision`, rehashing its name with an incremented *collision_count for as long as
// the name is taken by a revision with different data; an existing revision with equal data
// is returned as is.
base::Result<json> create_revision(client::Client& client, const json& owner, json revision,
                                   int64_t* collision_count);
// Sets the revision number (retrying a Conflict with a fresh read).
base::Result<json> update_revision_number(client::Client& client, const json& revision, int64_t number);
// Deletes a revision; NotFound counts as success.
base::Result<void> delete_revision(client::Client& client, const json& revision);

}  // namespace kite::controllers::history
