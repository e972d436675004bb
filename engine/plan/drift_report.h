// `xcert drift` reports: for every certificate the manifest asks for on every
// server, whether the store matches (in sync), differs (with reasons), waits
// for a CA (pending) or could not be checked (blocked). Pure functions of the
// diff, and of the shards' reports read back.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/plan/applied.h"
#include "engine/plan/diff.h"
#include "engine/plan/shard.h"
#include "engine/util/status.h"

namespace xcert {

enum class DriftStatus : uint8_t { kInSync, kDrift, kPending, kBlocked };
std::string_view DriftStatusName(DriftStatus s);  // "in-sync", "drift", "pending", "blocked"

// Whose change a difference is (docs/commands/drift.md#categories).
enum class DriftCategory : uint8_t {
  kNone,       // in sync, or blocked (not known to differ)
  kOutside,    // xcert applied exactly this spec, and the store no longer holds it
  kManifest,   // the manifest asks for what xcert has not applied (yet)
  kDue,        // only time: renewal due, expired, not yet valid, a renewed file
  kUnmanaged,  // a certificate nobody declared that prune would remove
};
std::string_view DriftCategoryName(DriftCategory c);   // "outside", "manifest", "due", "unmanaged"
std::string_view DriftCategoryTitle(DriftCategory c);  // "changed outside xcert", ...
// "outside,due" -> those categories; the error names what is not one.
Result<std::set<DriftCategory>> ParseDriftCategories(std::string_view text);

// The acknowledgement of the manifest that accepts a difference
// (engine/plan/acknowledge.h).
struct Acknowledged {
  std::string reason;
  std::string until;  // YYYY-MM-DD, the last day
  std::string ticket;
  bool expired = false;  // the day has passed: the difference fails again
  int days_ago = 0;      // expired: since the day after `until`, counted from 1
  Location where;        // the acknowledgement in the manifest
};

struct DriftItem {
  std::string server;
  std::string certificate;
  Location where;
  DriftStatus status = DriftStatus::kInSync;
  // kDue or kManifest from the diff alone; MakeDriftReport tells kOutside.
  DriftCategory category = DriftCategory::kNone;
  std::vector<ReasonDetail> reasons;  // every reason of every change about it
  std::string detail;                 // pending CSR path or blocking reason
  std::optional<Acknowledged> acknowledged;
};

// One item per CheckedItem, in manifest order. Linear in the size of the diff.
std::vector<DriftItem> DriftItems(const DiffResult& diff);

// A certificate the manifest does not describe that apply would remove
// (prune: true).
struct DriftRemoval {
  std::string server;
  std::string thumbprint;
  std::string subject;
  std::optional<Acknowledged> acknowledged;
};

// What every drift format shows: made from a diff (MakeDriftReport) or read
// back from `drift --format json` (DriftReportFromJson) and merged with the
// other shards' reports (MergeDriftReports, `xcert report merge`).
struct DriftReport {
  TimePoint checked_at{};
  bool in_sync = true;
  ShardSpec shard;  // the one shard it covers; inactive for every server, or a merge
  // A merge: the shards it holds, and the shards of the same N it lacks.
  std::vector<ShardSpec> merged;
  std::vector<ShardSpec> missing;
  std::vector<DriftItem> items;
  std::vector<DriftRemoval> removals;
  std::vector<Change> changes;
  std::vector<std::string> warnings;
};

// `applied_as_asked` (AppliedAsAsked): where xcert last applied exactly what
// the manifest asks now; a difference there was made outside xcert.
DriftReport MakeDriftReport(const DiffResult& diff, TimePoint now, const ShardSpec& shard = {},
                            const std::set<ServerArtifact>& applied_as_asked = {});

// Whether the report has drift in one of `categories` (pending items count
// by their category, removals as unmanaged) that no acknowledgement accepts
// today: what makes drift exit 2.
bool HasDriftIn(const DriftReport& report, const std::set<DriftCategory>& categories);

// Every category: --fail-on's default.
std::set<DriftCategory> AllDriftCategories();
// "outside,manifest,due,unmanaged": how --fail-on writes `categories`.
std::string DriftCategoryList(const std::set<DriftCategory>& categories);

std::string RenderDriftText(const DriftReport& report, bool color);
std::string RenderDriftJson(const DriftReport& report);
std::string RenderDriftMarkdown(const DriftReport& report);
// JUnit XML: one test suite per server, one test case per certificate;
// drift, pending and blocked items are failures, so CI dashboards show them.
// A merge's missing shards are failures too.
std::string RenderDriftJunit(const DriftReport& report);

// `format`: "json", "markdown", "junit", else text.
std::string RenderDriftReport(const DriftReport& report, const std::string& format, bool color);

// The same, straight from a diff of every server.
std::string RenderDriftText(const DiffResult& diff, bool color);
std::string RenderDriftJson(const DiffResult& diff, TimePoint now);
std::string RenderDriftMarkdown(const DiffResult& diff);
std::string RenderDriftJunit(const DiffResult& diff);

// Reads what RenderDriftJson wrote; the error names `path` and the field.
Result<DriftReport> DriftReportFromJson(std::string_view text, const std::string& path);

// One report of the shards' reports (`names[i]` names `parts[i]` in errors):
// all must be shards of the same N (or one report of every server), no shard
// twice. Items keep the manifest's order of certificates (then of server
// names); `missing` lists the shards not given. The merge checked at the
// earliest time any part did.
Result<DriftReport> MergeDriftReports(std::vector<DriftReport> parts,
                                      const std::vector<std::string>& names);

}  // namespace xcert
