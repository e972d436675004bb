#include "engine/cli/saved_plan.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "engine/manifest/schema_check.h"
#include "engine/plan/plan_json.h"
#include "engine/util/file_util.h"

namespace xcert::cli {

namespace {

constexpr std::string_view kPlanSchema = "schemas/plan.schema.json";
constexpr size_t kMaxReported = 10;
// What X.509 and every store can represent, and what a manifest allows.
constexpr Seconds kMaxValidity = std::chrono::duration_cast<Seconds>(std::chrono::years(100));

std::string Refused(const std::string& path, const std::string& what) {
  const std::string hint = "make a new one with xcert plan -o FILE, review it and apply that";
  return path + ": not a plan xcert can apply: " + what +
         (what.find('\n') == std::string::npos ? "; " : "\n") + hint;
}

std::string StepName(const Step& s) {
  return "step " + std::to_string(s.id) + " (" + std::string(StepKindName(s.kind)) + ")";
}

// The first field in which two steps differ, or "" when they agree, compared
// in their saved form (what the file can say). The manifest file's name is
// not compared: the same manifest may be named differently (-f ./xcert.yaml).
std::string FirstDifference(const nlohmann::ordered_json& saved,
                            const nlohmann::ordered_json& fresh) {
  for (const auto& [field, value] : fresh.items()) {
    if (!saved.contains(field)) return field;
    if (field == "location") {
      if (saved[field].value("line", -1) != value.value("line", -1) ||
          saved[field].value("column", -1) != value.value("column", -1)) {
        return field;
      }
    } else if (saved[field] != value) {
      return field;
    }
  }
  return saved.size() == fresh.size() ? "" : "a field the manifest does not plan";
}

// What a step names must be in the manifest; "" when it is.
std::string WhyNotInManifest(const Step& s, const Manifest& m) {
  if (s.kind == StepKind::kIssue ? !s.server.empty() : !m.FindServer(s.server)) {
    return "its server is not a server of " + m.path;
  }
  if (!s.source_server.empty() && !m.FindServer(s.source_server)) {
    return "its source_server is not a server of " + m.path;
  }
  if (!s.certificate.empty()) {
    const std::string name = s.certificate.substr(0, s.certificate.find('@'));
    if (!m.FindCertificate(name)) return "its certificate is not a certificate of " + m.path;
  }
  if (!s.issuer.empty() && !m.FindIssuer(s.issuer)) {
    return "its issuer is not an issuer of " + m.path;
  }
  const bool acts_on_existing = s.kind == StepKind::kBackupExport || s.kind == StepKind::kRemove;
  if (acts_on_existing && s.thumbprint.empty()) return "it has no thumbprint";
  const bool makes = s.kind == StepKind::kIssue || s.kind == StepKind::kCreate;
  if (makes && (s.validity <= Seconds(0) || s.validity > kMaxValidity)) {
    return "its validity_seconds is not between 1 second and 100 years";
  }
  return "";
}

}  // namespace

Result<Plan> ReadSavedPlan(std::string_view text, const std::string& path) {
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidArgument(Refused(path, "it is not JSON"));
  const std::vector<std::string> violations = manifest::SchemaViolations(kPlanSchema, doc);
  if (!violations.empty()) {
    std::string what = "it does not match schemas/plan.schema.json:";
    for (size_t i = 0; i < violations.size() && i < kMaxReported; ++i) {
      what += "\n  " + violations[i];
    }
    if (violations.size() > kMaxReported) {
      what += "\n  … and " + std::to_string(violations.size() - kMaxReported) + " more";
    }
    return InvalidArgument(Refused(path, what));
  }
  return PlanFromJsonText(text, path);
}

Status CheckSavedSteps(const Plan& saved, const Plan& fresh, const Manifest& manifest,
                       const std::string& path) {
  for (const std::string& server : saved.servers) {
    if (!manifest.FindServer(server)) {
      return InvalidArgument(Refused(path, "its servers name one that is not in " + manifest.path));
    }
  }
  for (const Step& s : saved.steps) {
    if (std::string why = WhyNotInManifest(s, manifest); !why.empty()) {
      return InvalidArgument(Refused(path, StepName(s) + ": " + why));
    }
  }
  const nlohmann::ordered_json saved_steps = PlanToJson(saved)["steps"];
  const nlohmann::ordered_json fresh_steps = PlanToJson(fresh)["steps"];
  const size_t common = std::min(saved.steps.size(), fresh.steps.size());
  for (size_t i = 0; i < common; ++i) {
    const std::string field = FirstDifference(saved_steps[i], fresh_steps[i]);
    if (field.empty()) continue;
    return Aborted(Refused(path, StepName(saved.steps[i]) + " differs from what " + manifest.path +
                                     " plans for these stores (field " + field +
                                     "; the manifest plans: " + fresh.steps[i].summary + ")"));
  }
  if (saved.steps.size() != fresh.steps.size()) {
    return Aborted(Refused(path, "it has " + std::to_string(saved.steps.size()) + " steps, but " +
                                     manifest.path + " plans " +
                                     std::to_string(fresh.steps.size()) + " for these stores"));
  }
  return Status::Ok();
}

bool IsSavedPlanText(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // the .ps1 plans' BOM
  if (text.starts_with("<#\n.SYNOPSIS\n  xcert plan: ") ||
      text.starts_with("<#\r\n.SYNOPSIS\r\n  xcert plan: ")) {
    return true;
  }
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return doc.is_object() && doc.contains("format_version") && doc.contains("xcert_version") &&
         doc.contains("steps") && doc.contains("observed");
}

std::string ManifestPathForPlanFile(const std::string& plan_path,
                                    const std::string& manifest_path) {
  std::error_code ec;
  const fs::path manifest = fs::absolute(manifest_path, ec).lexically_normal();
  const fs::path folder = fs::absolute(plan_path, ec).lexically_normal().parent_path();
  if (ec) return manifest_path;
  const fs::path relative = manifest.lexically_relative(folder);
  return relative.empty() ? manifest.string() : relative.string();
}

std::string ManifestOfPlanFile(const std::string& plan_path, const std::string& recorded) {
  const fs::path path(recorded);
  if (path.is_absolute()) return recorded;
  return (fs::path(plan_path).parent_path() / path).lexically_normal().string();
}

}  // namespace xcert::cli
