// Restore: the steps that put servers' bindings back as a journal recorded
// them before a run (apply's automatic rollback, `xcert restore RUN`).
//
//   Recorded before = run.before;              // server -> ObservedSummary()
//   Result<Plan> p = BuildRestorePlan(before, actual, {}, "run 2026-…-123", now);
//
// Per server, in this order (each step depends on the ones before it on
// that server, so apply runs them in sequence):
//   1. back up every certificate about to lose a service or be removed
//   2. import a certificate that held a service before but is gone now, from
//      its proven backup (ImportSource::kBackup)
//   3. enable each such certificate for the services it held (IIS, then
//      IMAP/POP, then SMTP, then UM); the one that was the default SMTP
//      certificate becomes it again
//   4. remove certificates that did not exist before and now serve SMTP: a
//      service cannot be taken away from a certificate, so that is the only
//      way SMTP stops preferring them
// What cannot be put back is a `blocked` entry of the plan's diff (a
// certificate whose key could not be exported, a server that cannot be read)
// or a warning (a service that had no certificate before).
#pragma once

#include <map>
#include <set>
#include <string>

#include "engine/model/server_state.h"
#include "engine/plan/plan.h"
#include "engine/util/time.h"

namespace xcert {

// What a journal recorded for each server before a run: ObservedSummary().
using RecordedServers = std::map<std::string, std::map<std::string, std::string>>;

// `now` holds the manifest's servers: a recorded server it lacks is blocked
// as no longer in the manifest. `servers`: only these (empty: every
// recorded server). `run`: how the
// summaries name the run ("run 2026-12-07T01-02-03Z-123").
Result<Plan> BuildRestorePlan(const RecordedServers& before, const ActualState& now,
                              const std::set<std::string>& servers, const std::string& run,
                              TimePoint at);

}  // namespace xcert
