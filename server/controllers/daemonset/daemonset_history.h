// The ControllerRevisions of a DaemonSet (upstream pkg/controller/daemon/update.go):
//
//   - construct_history(): splits the set's revisions into the current one (data equal to the
//     template patch) and old ones; creates the current revision "<ds>-<template hash>" when
//     missing (bumping status.collisionCount on a name collision with different data and
//     failing so the sync is retried), keeps only the newest of duplicate current revisions
//     (relabelling their pods) and renumbers the current revision above every old one;
//   - cleanup_history(): deletes the oldest old revisions beyond spec.revisionHistoryLimit
//     whose hash no live daemon pod carries.
//
// Calls the Client from the caller's (worker) thread; no state.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "client/client.h"
#include "client/informer.h"

namespace kite::controllers::daemonset {

using json = nlohmann::json;

struct DaemonSetHistory {
  std::string hash;  // the current revision's controller-revision-hash
  json current;
  std::vector<client::ObjectPtr> old;
};

base::Result<DaemonSetHistory> construct_history(client::Client& client, const client::Informer& revisions,
                                                 const json& ds, const std::vector<client::ObjectPtr>& pods);
base::Result<void> cleanup_history(client::Client& client, const json& ds, std::vector<client::ObjectPtr> old,
                                   const std::vector<client::ObjectPtr>& pods);

}  // namespace kite::controllers::daemonset
