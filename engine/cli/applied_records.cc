#include "engine/cli/applied_records.h"

#include "engine/util/strings.h"

namespace xcert::cli {

namespace {

fs::path RecordPath(const std::string& state_dir, const std::string& server) {
  return fs::path(state_dir) / ".applied" / (server + ".json");
}

}  // namespace

AppliedRecords ReadAppliedRecords(const std::string& state_dir,
                                  const std::vector<std::string>& servers) {
  AppliedRecords out;
  if (state_dir.empty()) return out;
  for (const std::string& server : servers) {
    const fs::path path = RecordPath(state_dir, server);
    std::error_code ec;
    if (!fs::exists(path, ec)) continue;
    Result<std::string> text = ReadFile(path, Links::kRefuse);
    Result<AppliedRecord> record = text.ok() ? AppliedRecordFromJson(*text, path.string())
                                             : Result<AppliedRecord>(text.status());
    if (record.ok()) {
      out.records.emplace(server, std::move(record).value());
    } else {
      out.warnings.push_back(record.status().message() +
                             "; drift counts this server's differences as manifest changes");
    }
  }
  return out;
}

std::set<ServerArtifact> AppliedByRun(const Desired& desired, const Plan& plan,
                                      const ApplyReport& report,
                                      const std::set<std::string>& rolled_back,
                                      const std::vector<std::string>& servers) {
  std::set<std::string> skip_servers = rolled_back;
  for (const Blocked& b : plan.diff.blocked) skip_servers.insert(b.server);
  std::set<ServerArtifact> unfinished, stepped;
  for (const PendingRequest& p : plan.diff.pending) unfinished.insert({p.server, p.certificate});
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& s = plan.steps[i];
    if (s.server.empty() || s.certificate.empty()) continue;
    const StepStatus status =
        i < report.outcomes.size() ? report.outcomes[i].status : StepStatus::kNotRun;
    const bool done = status == StepStatus::kDone || status == StepStatus::kAlreadyDone;
    (done ? stepped : unfinished).insert({s.server, s.certificate});
  }
  for (const Change& c : plan.diff.changes) {
    if (!stepped.count({c.server, c.certificate})) unfinished.insert({c.server, c.certificate});
  }
  const std::set<std::string> covered(servers.begin(), servers.end());
  std::set<ServerArtifact> out;
  for (const DesiredCertificate& c : desired.certificates) {
    for (const std::string& server : c.servers) {
      const ServerArtifact key{server, c.artifact};
      if (covered.count(server) && !skip_servers.count(server) && !unfinished.count(key))
        out.insert(key);
    }
  }
  return out;
}

Status WriteAppliedRecords(const std::string& state_dir, const Desired& desired,
                           const std::set<ServerArtifact>& applied, const std::string& run,
                           TimePoint now) {
  if (state_dir.empty() || applied.empty()) return Status::Ok();
  std::map<std::string, std::map<std::string, std::string>> wanted;  // server -> artifact -> digest
  for (const DesiredCertificate& c : desired.certificates) {
    for (const std::string& server : c.servers) wanted[server][c.artifact] = SpecDigest(c);
  }
  std::set<std::string> servers;
  for (const auto& [server, _] : applied) servers.insert(server);
  const AppliedRecords existing = ReadAppliedRecords(state_dir, {servers.begin(), servers.end()});
  XCERT_RETURN_IF_ERROR(CreateDirsDurable(fs::path(state_dir) / ".applied"));
  for (const std::string& server : servers) {
    AppliedRecord record;
    if (auto it = existing.records.find(server); it != existing.records.end()) record = it->second;
    const AppliedRecord before = record;
    // What the manifest no longer asks for on this server goes.
    std::erase_if(record.digests, [&](const auto& d) { return !wanted[server].count(d.first); });
    for (const auto& [artifact, digest] : wanted[server]) {
      if (applied.count({server, artifact})) record.digests[artifact] = digest;
    }
    if (record.digests == before.digests && existing.records.count(server)) continue;
    record.run = run;
    record.updated_at = FormatIso8601(now);
    XCERT_RETURN_IF_ERROR(
        WriteFileAtomic(RecordPath(state_dir, server), AppliedRecordToJson(record)));
  }
  return Status::Ok();
}

Status ForgetAppliedRecords(const std::string& state_dir, const std::set<std::string>& servers) {
  if (state_dir.empty()) return Status::Ok();
  for (const std::string& server : servers) {
    std::error_code ec;
    fs::remove(RecordPath(state_dir, server), ec);
    if (ec) return ErrnoStatus("deleting " + RecordPath(state_dir, server).string(), ec.value());
  }
  return Status::Ok();
}

}  // namespace xcert::cli
