// What apply does after its steps (docs/commands/apply.md, "Verification and
// rollback"):
//
//   1. every server whose bindings changed runs its reload hook;
//   2. every changed server that asks for it (probe.afterApply) is probed
//      until it serves what its store binds, or its grace (probe.grace) runs
//      out; a failed hook fails it at once;
//   3. a server that fails is rolled back: its services go back to the
//      certificates that held them before the run (BuildRestorePlan: from
//      this run's backups if they were removed), it reloads again and is
//      probed again.
//
// Everything is journaled ("hook", "verified", "verify-failed",
// "rollback-begin", "rollback-end"), so that an apply killed during a
// rollback can finish it (FinishRollback).
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/apply/executor.h"
#include "engine/apply/journal.h"
#include "engine/cli/output.h"
#include "engine/cli/reload_hooks.h"
#include "engine/model/manifest.h"
#include "engine/plan/restore.h"

namespace xcert::cli {

struct SettleOptions {
  bool verify = true;    // false (--no-verify): reload hooks only
  bool rollback = true;  // false (--no-rollback): verify, report, keep the change
  std::string run;       // how messages name the run: "run 2026-12-07T01-02-03Z-42"
  // The servers the run's steps changed (Plan::observed): only they are read
  // again, reload and are probed. Empty: every server of the manifest.
  std::set<std::string> servers;
  std::chrono::milliseconds poll{500};  // between probe rounds
};

struct ServerOutcome {
  std::string server;
  bool verified = false;     // serves what its store binds (after the rollback, if one ran)
  std::string why;           // why verification failed (the first time), one line per endpoint
  bool rolled_back = false;  // a rollback ran
  bool rollback_ok = false;  // its steps succeeded and the server then verified
  std::string rollback_detail;
};

struct SettleReport {
  std::vector<HookRun> hooks;
  std::vector<ServerOutcome> servers;  // the servers verified, in manifest order
  std::vector<std::string> warnings;   // from rollback plans
  bool ok() const;
};

// Steps 1-3 for the servers of `manifest`; `before` is what the stores held
// before the run. `ctx` is apply's (stores, backups, journal, clock).
SettleReport Settle(const Manifest& manifest, const ActualState& before, const ApplyContext& ctx,
                    const SettleOptions& options, Output& out);

// Step 3 alone, for the servers of `before` (a rollback that a killed apply
// left open): puts them back, reloads, and verifies those that ask for it.
std::vector<ServerOutcome> FinishRollback(const Manifest& manifest, const RecordedServers& before,
                                          const ApplyContext& ctx, const SettleOptions& options,
                                          Output& out);

// The summary lines of `report`: "  verified: …", "  rolled back: …".
std::string SettleSummary(const SettleReport& report);

}  // namespace xcert::cli
