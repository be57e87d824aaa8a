// Per-kind rules applied on create and update, as Kubernetes' registry strategies do:
// which part of an object the main resource and the status subresource may change, when
// metadata.generation moves, and the status a new object starts with. Pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "api/resource.h"

namespace kite::apiserver {

using json = nlohmann::json;

// True for kinds whose metadata.generation counts spec changes.
bool tracks_generation(const api::ResourceInfo& r);

// Resets what a client may not set on create (status for kinds with a status subresource,
// server-owned metadata) and sets the initial status (Pod phase Pending, Namespace Active, ...).
void prepare_for_create(const api::ResourceInfo& r, json& obj);

// Jobs without spec.manualSelector get the selector and pod labels Kubernetes generates from
// the Job's uid (batch.kubernetes.io/controller-uid, batch.kubernetes.io/job-name and the
// legacy controller-uid/job-name). Call after metadata.uid is set.
void generate_job_selector(const api::ResourceInfo& r, json& obj);

// Carries server-owned metadata over from `old_obj` and keeps the status (main resource) or
// everything but the status (status subresource).
void prepare_for_update(const api::ResourceInfo& r, const json& old_obj, json& obj, bool status_subresource);

// Sets metadata.generation: the old one, plus one when the spec (everything but metadata and
// status) changed or deletion started. Call after defaulting, so defaults do not count.
void update_generation(const api::ResourceInfo& r, const json& old_obj, json& obj);

}  // namespace kite::apiserver
