// `xcert drift` reports: for every certificate the manifest asks for on every
// server, whether the store matches (in sync), differs (with reasons), waits
// for a CA (pending) or could not be checked (blocked). Pure functions of the
// diff.
#pragma once

#include <string>
#include <vector>

#include "engine/plan/diff.h"

namespace xcert {

enum class DriftStatus : uint8_t { kInSync, kDrift, kPending, kBlocked };
std::string_view DriftStatusName(DriftStatus s);  // "in-sync", "drift", "pending", "blocked"

struct DriftItem {
  std::string server;
  std::string certificate;
  Location where;
  DriftStatus status = DriftStatus::kInSync;
  std::vector<ReasonDetail> reasons;  // every reason of every change about it
  std::string detail;                 // pending CSR path or blocking reason
};

// One item per CheckedItem, in manifest order. Linear in the size of the diff.
std::vector<DriftItem> DriftItems(const DiffResult& diff);

std::string RenderDriftText(const DiffResult& diff, bool color);
std::string RenderDriftJson(const DiffResult& diff, TimePoint now);
std::string RenderDriftMarkdown(const DiffResult& diff);
// JUnit XML: one test suite per server, one test case per certificate;
// drift, pending and blocked items are failures, so CI dashboards show them.
std::string RenderDriftJunit(const DiffResult& diff);

}  // namespace xcert
