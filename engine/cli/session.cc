#include "engine/cli/session.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "engine/apply/observe.h"
#include "engine/cli/shard_flag.h"
#include "engine/manifest/load.h"
#include "engine/plan/acknowledge.h"
#include "engine/util/secret.h"
#include "engine/util/strings.h"

namespace xcert::cli {

bool ClockIsFixed() {
  const char* fixed = std::getenv("XCERT_NOW");
  return fixed && *fixed;
}

std::unique_ptr<Clock> MakeClock(Output& out, ClockNote note) {
  if (!ClockIsFixed()) return std::make_unique<SystemClock>();
  Result<TimePoint> t = ParseIso8601(std::getenv("XCERT_NOW"));
  if (!t.ok()) {
    // Running on the system clock instead would plan for another time than
    // the one asked for.
    out.Error("XCERT_NOW: " + t.status().message() +
              "; set it to a UTC time like 2027-01-01T00:00:00Z, or unset it to use the system "
              "clock");
    return nullptr;
  }
  if (note == ClockNote::kAnnounce) {
    out.Warning("XCERT_NOW is set: xcert takes the time to be " + FormatIso8601(*t) +
                " (the system clock says " + FormatIso8601(SystemClock().Now()) +
                "); it is a testing aid, unset it for real servers");
  }
  return std::make_unique<FixedClock>(*t);
}

namespace {

// Takes the writer lock, then deletes what writers that died left: before
// anything is read, so the leftovers go even when there is nothing to do.
// This run's name for the runners it blocks: its time and pid, as its
// journal is named ("2026-12-07T05-16-36Z-10751").
std::string RunId(const Clock& clock) {
  std::string stamp = FormatIso8601(clock.Now());
  std::replace(stamp.begin(), stamp.end(), ':', '-');
  return stamp + "-" + std::to_string(::getpid());
}

// `lock: {type: postgres}`: every server of the manifest, across machines.
bool LockAcrossMachines(Session& s, const Clock& clock, Output& out) {
  Result<std::unique_ptr<lock::RunLocker>> locker = OpenRunLocker(s.manifest, RunId(clock));
  if (!locker.ok()) {
    out.Error(locker.status().message());
    return false;
  }
  if (!*locker) return true;
  lock::LockScope scope;
  scope.servers = s.servers;
  Result<std::unique_ptr<lock::HeldLocks>> held = (*locker)->Lock(scope);
  if (!held.ok()) {
    out.Error(held.status().message());
    return false;
  }
  s.run_locks = std::move(*held);
  return true;
}

bool LockForWriting(Session& s, const Clock& clock, Output& out) {
  Result<StoreLock> lock = LockStores(s.stores, clock.Now());
  if (!lock.ok()) {
    out.Error(lock.status().message());
    return false;
  }
  s.lock = std::move(*lock);
  if (!LockAcrossMachines(s, clock, out)) return false;
  if (!s.stores.clean_leftovers) return true;
  if (Status cleaned = s.stores.clean_leftovers(); !cleaned.ok()) {
    out.Warning("what an interrupted run left in the " + s.stores.description +
                " could not all be deleted: " + cleaned.message());
  }
  return true;
}

// Servers the local store lacks are said once, first, with the one command
// that creates them as the manifest describes them (a forgotten `store
// init`), rather than as one blocked server after another in a plan. false
// after saying so.
bool ReportMissingServers(const Manifest& m, const std::vector<std::string>& covered, Output& out) {
  const std::set<std::string> wanted(covered.begin(), covered.end());
  std::vector<std::string> names;
  for (const ServerSpec* s : ServersMissingFromLocalStore(m)) {
    if (wanted.count(s->name)) names.push_back(s->name);
  }
  if (names.empty()) return true;
  const std::string root = m.Resolve(m.store.path);
  std::error_code ec;
  const bool no_store = !fs::exists(root, ec);
  const bool one = names.size() == 1;
  out.Error((no_store ? "there is no local store at " + root + " yet; create it and " +
                            (one ? "its server" : "its servers")
                      : "the local store " + root + " has no " + (one ? "server " : "servers ") +
                            Join(names, ", ") + "; create " + (one ? "it" : "them")) +
            " as the manifest describes " + (one ? "it" : "them") + " with:\n  " +
            StoreInitCommand(m));
  return false;
}

std::string RoleList(std::vector<Role> roles) {
  std::sort(roles.begin(), roles.end());
  std::vector<std::string> names;
  for (Role r : roles) names.emplace_back(RoleName(r));
  return names.empty() ? "none" : Join(names, ", ");
}

}  // namespace

bool SameRoles(std::vector<Role> a, std::vector<Role> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

Diagnostics IdentityMismatches(const Manifest& m, const ActualState& actual) {
  Diagnostics out;
  for (const ServerSpec& spec : m.servers) {
    auto it = actual.find(spec.name);
    if (it == actual.end()) continue;
    const ServerIdentity& id = it->second.identity;
    const std::string what = "server " + Quote(spec.name) + ": its store says ";
    const std::string hint =
        "correct the manifest, or check that the store is the server you mean (store.path, "
        "transport)";
    if (!id.fqdn.empty() && !spec.fqdn.empty() && !EqualsIgnoreCase(id.fqdn, spec.fqdn)) {
      out.Warning(
          m.WhereServer(spec.name, "fqdn"),
          what + "its FQDN is " + Quote(id.fqdn) + ", the manifest says " + Quote(spec.fqdn), hint);
    }
    if (!id.roles.empty() && !SameRoles(id.roles, spec.roles)) {
      out.Warning(m.WhereServer(spec.name, "roles"),
                  what + "its roles are " + RoleList(id.roles) + ", the manifest says " +
                      RoleList(spec.roles) + " (the roles decide which services can be enabled)",
                  hint);
    }
  }
  return out;
}

std::optional<Session> OpenSession(const SessionOptions& options, const Clock& clock, Output& out) {
  LoadResult loaded = LoadManifestFile(options.manifest_path);
  out.Report(loaded.diagnostics);
  if (!loaded.manifest) return std::nullopt;
  Session s;
  s.manifest = std::move(*loaded.manifest);
  s.now = clock.Now();
  if (const Diagnostics dates = CheckAcknowledgementDates(s.manifest, s.now); !dates.empty()) {
    out.Report(dates);
    if (dates.has_errors()) return std::nullopt;
  }
  Result<std::string> digest = ManifestDigest(options.manifest_path);
  if (!digest.ok()) {
    out.Error(digest.status().message());
    return std::nullopt;
  }
  s.manifest_digest = *digest;
  s.shard = options.shard;
  s.servers = ShardServers(s.manifest, s.shard);
  if (s.shard.active()) SayShard(s.shard, s.servers.size(), s.manifest.servers.size(), out);
  if (!ReportMissingServers(s.manifest, s.servers, out)) return std::nullopt;
  Result<StoreBackend> stores = OpenStores(s.manifest, clock);
  if (!stores.ok()) {
    out.Error(stores.status().message());
    return std::nullopt;
  }
  s.stores = std::move(*stores);
  if (options.lock && !LockForWriting(s, clock, out)) return std::nullopt;
  s.actual = Observe(*s.stores.stores, s.servers, options.parallelism);
  out.Report(IdentityMismatches(s.manifest, s.actual));
  Diagnostics issuer_diagnostics;
  Result<IssuerBackend> issuers =
      OpenIssuerBackend(s.manifest, s.actual, s.now, &issuer_diagnostics);
  issuer_diagnostics.SortAndUnique();
  out.Report(issuer_diagnostics);
  if (!issuers.ok() || issuer_diagnostics.has_errors()) {
    if (!issuers.ok()) out.Error(issuers.status().message());
    return std::nullopt;
  }
  s.issuers = std::move(*issuers);
  s.desired = Expand(s.manifest, s.issuers.facts);
  if (s.shard.active()) RestrictToServers(&s.desired, {s.servers.begin(), s.servers.end()});
  return s;
}

Result<Plan> MakePlan(const Session& session, const std::set<std::string>& servers) {
  PlanOptions options;
  options.servers = servers;
  DiffResult diff = Diff(session.desired, session.actual, session.now);
  XCERT_ASSIGN_OR_RETURN(
      Plan plan, BuildPlan(session.desired, session.actual, std::move(diff), options, session.now));
  plan.shard = session.shard;
  plan.manifest_path = session.manifest.path;
  plan.manifest_digest = session.manifest_digest;
  return plan;
}

bool PrepareToIssue(Session& session, const Plan& plan, Output& out) {
  std::set<std::string> names;
  for (const Step& s : plan.steps) {
    if (s.kind == StepKind::kIssue) names.insert(s.issuer);
  }
  if (names.empty()) return true;
  Diagnostics diagnostics;
  PrepareIssuers(session.issuers, names, &diagnostics);
  diagnostics.SortAndUnique();
  out.Report(diagnostics);
  return !diagnostics.has_errors();
}

std::optional<std::string> ReadBackupPassword(const Session& session, const Plan& plan,
                                              Output& out) {
  const Manifest& m = session.manifest;
  size_t backups = 0, with_keys = 0;
  for (const Step& s : plan.steps) {
    if (s.kind != StepKind::kBackupExport) continue;
    ++backups;
    with_keys += !s.certificate_only;
  }
  const std::string why = "the plan backs up " + CountNoun(backups, "certificate");
  Diagnostics problems;
  if (backups > 0 && m.backup.path.empty()) {
    problems.Error(m.source.Find("/backup"), why + " but the manifest sets no backup.path",
                   "add backup: { path: ./backups, passwordEnv: XCERT_BACKUP_PASSWORD }");
  } else if (with_keys > 0 && m.backup.password.empty()) {
    problems.Error(m.source.Find("/backup"),
                   why + " with private keys but the manifest sets no backup password",
                   "add backup.passwordEnv (an environment variable) or backup.passwordFile");
  } else if (with_keys > 0) {
    const std::string setting =
        m.backup.password.env.empty() ? "backup.passwordFile" : "backup.passwordEnv";
    Result<std::string> password =
        ReadSecret(m.backup.password.env, m.backup.password.file, m.base_dir, setting);
    if (password.ok()) return std::move(password).value();
    problems.Error(
        m.source.Find(m.backup.password.env.empty() ? "/backup/passwordFile"
                                                    : "/backup/passwordEnv"),
        password.status().message(),
        why + " with " + CountNoun(with_keys, "private key") + ", encrypted with this password");
  }
  if (problems.empty()) return std::string();
  out.Report(problems);
  return std::nullopt;
}

Status CheckServers(const Manifest& m, const std::vector<std::string>& servers) {
  std::vector<std::string> known;
  for (const ServerSpec& s : m.servers) known.push_back(s.name);
  for (const std::string& name : servers) {
    if (!m.FindServer(name)) {
      std::string hint = ClosestMatch(name, known);
      return InvalidArgument(
          "--server " + Quote(name) + ": " + m.path + " has no such server" +
          (hint.empty() ? "; known servers: " : "; did you mean " + hint + "? Known servers: ") +
          Join(known, ", "));
    }
  }
  return Status::Ok();
}

}  // namespace xcert::cli
