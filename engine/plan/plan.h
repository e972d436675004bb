// The plan: the steps that turn the actual state into the desired one, as a
// DAG (Boost.Graph) in a deterministic topological order.
//
// Per server: backup-export of every certificate that will lose a service or
// be removed comes before any mutation of that server; then create / import;
// then enable (IIS, then IMAP/POP, then SMTP, then UM); remove last. Across
// servers: a shared certificate is exported from its source server before it
// is imported on the others. Independent steps (other servers, key
// generation for different certificates) have no edge between them, so apply
// can run them in parallel.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/plan/diff.h"
#include "engine/plan/shard.h"
#include "engine/util/status.h"

namespace xcert {

enum class StepKind : uint8_t {
  kBackupExport,
  kIssue,
  kCreate,
  kImport,
  kExport,
  kEnable,
  kRemove
};
std::string_view StepKindName(StepKind k);  // "backup-export", "issue", "create", ...
std::optional<StepKind> ParseStepKind(std::string_view name);

// Where an import takes its certificate from.
enum class ImportSource : uint8_t {
  kNone,
  kArtifact,  // produced earlier in this run (issue or export step of the same artifact)
  kFile,      // the file issuer's PKCS#12 / PEM
  kInbox,     // a CA answer completing the pending request on this server
  kBackup,    // the proven backup of `thumbprint` on this server (rollback, restore)
};

// One step. Everything apply needs is in it (a saved plan is re-executed
// exactly), except secrets, which apply reads from the environment.
struct Step {
  int id = 0;  // 1-based, in plan order
  StepKind kind = StepKind::kCreate;
  std::string server;           // "" for issue (it runs in xcert, not on a server)
  std::string certificate;      // desired artifact ("" for unmanaged certificates)
  std::string thumbprint;       // the existing certificate acted on; "" = the artifact's
  std::vector<int> depends_on;  // ids of steps that must succeed first

  // create / issue
  std::string subject;
  std::vector<std::string> dns_names;
  KeySpec key;
  Seconds validity{};
  std::string friendly_name;
  std::string issuer;
  bool pending_request = false;  // create: a key + CSR (request issuer)
  // import
  ImportSource source = ImportSource::kNone;
  std::string source_path;
  bool exportable = false;
  // export: where the artifact is copied from (informational)
  std::string source_server;
  // enable
  ServiceSet services;
  bool replace_default_smtp = false;
  // backup-export
  bool certificate_only = false;  // the key cannot be exported: the certificate alone is saved

  std::string summary;  // one line for humans
  Location where;       // manifest line that asked for it

  bool operator==(const Step&) const = default;
};

// What a plan observed on one server it touches: apply re-reads the server
// and refuses the plan if anything here changed.
struct Observation {
  std::string fingerprint;
  std::map<std::string, std::string> summary;  // ObservedSummary()
  bool operator==(const Observation&) const = default;
};

struct Plan {
  std::vector<Step> steps;  // topological order; ids are positions + 1
  DiffResult diff;
  std::vector<std::string> warnings;  // also shown in the plan (backups without keys, ...)
  std::map<std::string, Observation> observed;  // servers the steps touch
  std::string manifest_path;
  std::string manifest_digest;    // SHA-256 of the manifest bytes, set by the caller
  std::set<std::string> servers;  // PlanOptions::servers it was made with (empty: all)
  ShardSpec shard;                // the shard it covers (inactive: every server)
  TimePoint created_at{};

  bool empty() const { return steps.empty(); }
  size_t CountOf(StepKind k) const;
};

struct PlanOptions {
  // Only steps that change these servers (empty = all). Other servers are
  // still read, and may be the source of an export.
  std::set<std::string> servers;
};

// The order a server's enable steps run in: 0 IIS, 1 IMAP/POP, 2 SMTP, 3 UM
// (the web front end first: it is what users notice).
int EnableGroup(ServiceSet services);

// A backup-export step of `certificate` on `server` (certificate only when
// its key cannot be exported), summarised as "back up 4F1C…(mail) from
// MailServer21" + `why` (" before it loses IIS", " before it is removed").
Step BackupExportStep(const std::string& server, const CertificateInfo& certificate,
                      const std::string& why);

// Builds the step graph for `diff`. Errors only on an internal inconsistency
// (a dependency cycle), naming the steps involved.
Result<Plan> BuildPlan(const Desired& desired, const ActualState& actual, DiffResult diff,
                       const PlanOptions& options, TimePoint now);

// What changed on the plan's servers since it was made, one line each
// ("MailServer21: binding/IIS was A1B2…, now C3D4…"); empty = still fresh.
std::vector<std::string> StaleDifferences(const Plan& plan, const ActualState& now);

// Checks that every step comes after the steps it depends on (an invariant
// BuildPlan guarantees; used by tests and when loading saved plans).
Status VerifyOrder(const std::vector<Step>& steps);

}  // namespace xcert
