// Apply: runs a plan's steps against stores and issuers, in dependency
// order, with independent steps in parallel.
//
// - A step starts only when every step it depends on succeeded; a failed step
//   skips everything that depends on it (transitively) and the rest carries on.
// - Each step re-checks its precondition first (import: thumbprint absent;
//   enable: service not yet served; remove: certificate still present; backup:
//   no PROVEN backup yet), so re-running changes nothing that is already done.
// - A backup counts only once proven (BackupSink::Prove); an unproven file is
//   kept aside and the backup written again. A remove re-proves the backup of
//   its backup-export step just before removing, and fails (removing nothing)
//   when it is not proven at that moment.
// - Every step is journaled (start, then done / already-done / failed /
//   skipped) before apply moves on.
// - Certificates that one step produces and a later one uses (an issued
//   bundle, an export for copying to other servers) stay in memory only, with
//   random passwords; nothing secret reaches disk except the backups, which are
//   password-protected.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/apply/backup.h"
#include "engine/apply/issuer.h"
#include "engine/apply/journal.h"
#include "engine/apply/store.h"
#include "engine/plan/plan.h"
#include "engine/util/time.h"

namespace xcert {

// Stores by server name; nullptr when the server has none.
class StoreSet {
 public:
  virtual ~StoreSet() = default;
  virtual Store* Find(const std::string& server) = 0;
};

enum class StepStatus : uint8_t { kNotRun, kDone, kAlreadyDone, kFailed, kSkipped };
std::string_view StepStatusName(StepStatus s);  // "not run", "done", "already done", ...

struct StepOutcome {
  int step = 0;  // Step::id
  StepStatus status = StepStatus::kNotRun;
  std::string detail;  // error, skip reason, backup path, new thumbprint
  double seconds = 0;
};

struct ApplyContext {
  StoreSet* stores = nullptr;
  IssuerSet* issuers = nullptr;
  BackupSink* backups = nullptr;
  std::string backup_password;  // for PKCS#12 backups; never logged
  Journal* journal = nullptr;
  const Clock* clock = nullptr;
  // The real time, when `clock` is not the system clock (XCERT_NOW, a
  // testing aid): then no certificate whose validity does not contain the
  // real time is created, issued or bound (the step fails and says so).
  // nullopt: no such check (the user passed --allow-clock-skew).
  std::optional<TimePoint> real_now;
  // Called once per finished step (from worker threads, one call at a time).
  std::function<void(const Step&, const StepOutcome&, int finished, int total)> progress;
};

struct ApplyOptions {
  int parallelism = 0;  // 0: DefaultParallelism()
};

// Steps at once by default: four per core. Half of a step's time is spent
// waiting (fsync, a remote server), and fsyncs that wait together share one
// journal commit of the file system; key generation, the CPU-bound part,
// keeps every core busy either way.
int DefaultParallelism();

struct ApplyReport {
  std::vector<StepOutcome> outcomes;  // one per step, in plan order
  std::vector<std::string> warnings;  // e.g. validity capped by the CA

  size_t Count(StepStatus s) const;
  bool ok() const { return Count(StepStatus::kFailed) == 0 && Count(StepStatus::kSkipped) == 0; }
};

ApplyReport Apply(const Plan& plan, const ApplyContext& context, const ApplyOptions& options);

}  // namespace xcert
