// Saved plans (`xcert plan -o FILE`, then `xcert apply FILE`) are data from
// outside: a file anyone may have edited. Nothing in one is trusted: it must
// conform to schemas/plan.schema.json, name only what its manifest names, and
// hold exactly the steps the manifest plans for the stores it observed. Apply
// then runs the steps it planned itself, so no value (a path, a thumbprint, a
// subject) ever comes from the file.
#pragma once

#include <string>
#include <string_view>

#include "engine/model/manifest.h"
#include "engine/plan/plan.h"
#include "engine/util/status.h"

namespace xcert::cli {

// Reads a saved plan: JSON that conforms to the embedded plan schema and that
// PlanFromJsonText reads. Errors start with `path`, name the JSON pointer of
// the field that is wrong, never echo a value from the file, and say to make a
// new plan.
Result<Plan> ReadSavedPlan(std::string_view text, const std::string& path);

// Checks `saved` against `manifest` (the servers, certificates and issuers its
// steps name; validity within 100 years) and then step by step against
// `fresh`, what the manifest plans now for the same servers (the caller has
// checked that the stores are as the saved plan observed them). The first
// step that differs is named, with its field, and the hint to plan again.
Status CheckSavedSteps(const Plan& saved, const Plan& fresh, const Manifest& manifest,
                       const std::string& path);

// The manifest as a saved plan at `plan_path` records it: relative to the
// plan file's folder (so that the plan and the manifest can move together, as
// in a CI artifact next to a checkout), or absolute when no relative path
// leads there.
std::string ManifestPathForPlanFile(const std::string& plan_path, const std::string& manifest_path);

// The manifest a saved plan at `plan_path` belongs to: `recorded` when it is
// absolute, else `recorded` in the plan file's folder. So `xcert apply PLAN`
// works from any folder.
std::string ManifestOfPlanFile(const std::string& plan_path, const std::string& recorded);

// Whether `text` is a plan that xcert saved: a JSON saved plan (whatever its
// steps) or a PowerShell plan script. What `plan -o` may overwrite.
bool IsSavedPlanText(std::string_view text);

}  // namespace xcert::cli
