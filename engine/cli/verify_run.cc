#include "engine/cli/verify_run.h"

#include <algorithm>
#include <set>

#include "engine/util/strings.h"

namespace xcert::cli {

Result<std::vector<std::string>> ManifestTrustAnchors(const Manifest& manifest) {
  if (manifest.trust.empty()) {
    Result<std::vector<std::string>> anchors = probe::SystemTrustAnchors();
    if (!anchors.ok()) {
      return FailedPrecondition(anchors.status().message() +
                                "; name a PEM bundle of trust anchors with 'trust:' in " +
                                manifest.path);
    }
    return anchors;
  }
  Result<std::vector<std::string>> anchors =
      probe::LoadTrustAnchors(manifest.Resolve(manifest.trust));
  if (!anchors.ok()) {
    const Location where = manifest.source.Find("/trust");
    return FailedPrecondition((where.line > 0 ? where.ToString() + ": " : "") +
                              "trust: " + anchors.status().message() +
                              "; name a PEM file of the CA certificates clients trust, or "
                              "remove 'trust' to use the system's");
  }
  return anchors;
}

Result<probe::VerifyReport> VerifyEndpoints(const Manifest& manifest, const ActualState& actual,
                                            const VerifyOptions& options, TimePoint now) {
  XCERT_ASSIGN_OR_RETURN(std::vector<std::string> anchors, ManifestTrustAnchors(manifest));
  std::vector<probe::EndpointCheck> checks;
  std::vector<std::string> errors;
  for (const ServerSpec& server : manifest.servers) {
    if (!options.servers.empty() && !options.servers.count(server.name)) continue;
    auto it = actual.find(server.name);
    if (it == actual.end() || !it->second.complete()) {
      errors.push_back(
          server.name + ": its store could not be read, so what it binds is unknown" +
          (it == actual.end() ? std::string() : " (" + Join(it->second.problems, "; ") + ")") +
          "; run xcert show --server " + server.name);
      continue;
    }
    std::vector<probe::EndpointCheck> mine = probe::PlanEndpoints(server, it->second);
    checks.insert(checks.end(), std::make_move_iterator(mine.begin()),
                  std::make_move_iterator(mine.end()));
  }
  const probe::Checker checker(std::move(anchors));
  probe::ProbeOptions probe_options;
  probe_options.timeout = options.timeout;
  probe_options.concurrency = std::max<size_t>(1, options.concurrency);
  probe::VerifyReport report = probe::RunVerify(std::move(checks), checker, probe_options, now);
  report.errors = std::move(errors);
  return report;
}

std::vector<std::string> AddServedMismatches(const probe::VerifyReport& report,
                                             const Desired& desired, DiffResult* diff) {
  std::vector<std::string> warnings;
  std::set<std::pair<std::string, std::string>> seen;  // server, "IIS served X"
  for (const probe::EndpointResult& r : report.endpoints) {
    if (r.verdict.Has(probe::Problem::kNotServed)) {
      warnings.push_back(r.check.Describe() + " could not be probed: " +
                         r.verdict.findings.front().message + "; see xcert verify");
      continue;
    }
    if (!r.verdict.Has(probe::Problem::kWrongCertificate)) continue;
    const std::string service(ServiceName(r.check.service));
    if (!seen.insert({r.check.server, service + " " + r.served}).second) continue;
    const DesiredCertificate* asking = nullptr;
    for (const DesiredCertificate& d : desired.certificates) {
      const bool here =
          std::find(d.servers.begin(), d.servers.end(), r.check.server) != d.servers.end();
      if (here && d.services.Has(r.check.service)) {
        asking = &d;
        break;
      }
    }
    Change c;
    c.address = r.check.server + "/served/" + service;
    c.server = r.check.server;
    c.certificate = asking ? asking->artifact : "";
    c.action = ChangeAction::kNone;
    c.current = r.served;
    c.target = r.check.bound.empty() ? "" : r.check.bound.front();
    c.services = ServiceSet{r.check.service};
    c.where = asking ? asking->where_services : Location{};
    c.reasons.push_back({Reason::kServedMismatch, probe::ServedMismatchLine(r), c.where});
    diff->changes.push_back(std::move(c));
  }
  return warnings;
}

}  // namespace xcert::cli
