#include "engine/cli/settle.h"

#include <algorithm>
#include <thread>

#include "engine/apply/observe.h"
#include "engine/cli/verify_run.h"
#include "engine/util/strings.h"

namespace xcert::cli {

namespace {

using Clock_ = std::chrono::steady_clock;

std::vector<std::string> Names(const std::set<std::string>& servers) {
  return {servers.begin(), servers.end()};
}

void RecordServerEvent(const ApplyContext& ctx, const std::string& event, const std::string& server,
                       const std::string& detail, Output& out) {
  if (!ctx.journal) return;
  if (Status s = ctx.journal->RecordServer(event, server, detail); !s.ok()) {
    out.Warning("journal: " + s.message());
  }
}

std::vector<HookRun> Reload(const Manifest& manifest, const ActualState& before,
                            const ApplyContext& ctx, const std::set<std::string>& only,
                            Output& out) {
  std::vector<HookRun> hooks = RunReloadHooks(manifest, before, *ctx.stores, only);
  for (const HookRun& h : hooks) {
    const std::string line = "reload " + h.server + ": " + Join(h.command, " ") + ": " + h.detail;
    if (ctx.journal) (void)ctx.journal->Record(h.ok ? "hook" : "hook-failed", nullptr, line);
    out.Progress((h.ok ? "hook         " : "hook failed  ") + line);
  }
  return hooks;
}

// Probes `servers` until each serves what its store binds or its grace runs
// out. Returns server -> why it failed ("" = verified).
std::map<std::string, std::string> VerifyUntil(const Manifest& manifest,
                                               const std::set<std::string>& servers,
                                               const ApplyContext& ctx,
                                               const SettleOptions& options, Output& out) {
  std::map<std::string, std::string> result;
  std::map<std::string, Clock_::time_point> deadline;
  const Clock_::time_point start = Clock_::now();
  for (const std::string& name : servers) {
    const ServerSpec* spec = manifest.FindServer(name);
    deadline[name] = start + (spec ? spec->probe.grace : Seconds(30));
  }
  std::set<std::string> pending = servers;
  while (!pending.empty()) {
    const ActualState actual = Observe(*ctx.stores, Names(pending), 0);
    VerifyOptions verify;
    verify.servers = pending;
    Result<probe::VerifyReport> report =
        VerifyEndpoints(manifest, actual, verify, ctx.clock->Now());
    std::map<std::string, std::vector<std::string>> failures;
    if (!report.ok()) {
      for (const std::string& s : pending) failures[s].push_back(report.status().message());
    } else {
      for (const probe::EndpointResult& r : report->endpoints) {
        if (r.ok()) continue;
        std::string line = r.check.Describe() + ": ";
        for (const probe::Finding& f : r.verdict.findings) {
          line += std::string(probe::ProblemName(f.problem)) + ": " + f.message + " ";
        }
        failures[r.check.server].push_back(std::string(Trim(line)));
      }
      for (const std::string& e : report->errors) {
        for (const std::string& s : pending) {
          if (e.starts_with(s + ":")) failures[s].push_back(e);
        }
      }
    }
    const Clock_::time_point now = Clock_::now();
    for (auto it = pending.begin(); it != pending.end();) {
      auto failed = failures.find(*it);
      if (failed == failures.end()) {
        result[*it] = "";
        out.Progress("verified     " + *it + " serves what its store binds");
        it = pending.erase(it);
      } else if (now >= deadline[*it]) {
        result[*it] = Join(failed->second, "\n");
        out.Progress("verify failed " + *it + ": " + failed->second.front());
        it = pending.erase(it);
      } else {
        ++it;
      }
    }
    if (!pending.empty()) std::this_thread::sleep_for(options.poll);
  }
  return result;
}

// Puts `servers` back to `before`, reloads them and verifies those that ask
// for it; fills the rollback fields of `outcomes` (by server).
void RollBack(const Manifest& manifest, const RecordedServers& before, const ApplyContext& ctx,
              const SettleOptions& options, std::map<std::string, ServerOutcome>* outcomes,
              std::vector<std::string>* warnings, Output& out) {
  std::set<std::string> servers;
  for (const auto& [name, _] : before) servers.insert(name);
  for (const std::string& s : servers) {
    (*outcomes)[s].server = s;
    (*outcomes)[s].rolled_back = true;
    RecordServerEvent(ctx, "rollback-begin", s, (*outcomes)[s].why, out);
  }
  const ActualState now = Observe(*ctx.stores, Names(servers), 0);
  Result<Plan> plan = BuildRestorePlan(before, now, {}, options.run, ctx.clock->Now());
  std::map<std::string, std::vector<std::string>> failed;  // server -> failed steps
  if (!plan.ok()) {
    for (const std::string& s : servers) failed[s].push_back(plan.status().message());
  } else {
    for (const std::string& w : plan->warnings) warnings->push_back(w);
    for (const Blocked& b : plan->diff.blocked) failed[b.server].push_back(b.reason);
    for (const Step& s : plan->steps) out.Progress("rollback     " + s.summary);
    const ApplyReport report = Apply(*plan, ctx, ApplyOptions{});
    for (size_t i = 0; i < plan->steps.size(); ++i) {
      const StepOutcome& o = report.outcomes[i];
      if (o.status == StepStatus::kFailed || o.status == StepStatus::kSkipped) {
        failed[plan->steps[i].server].push_back(plan->steps[i].summary + ": " + o.detail);
      }
    }
    for (const std::string& w : report.warnings) warnings->push_back(w);
  }
  // Always reloads: a rollback finished by a later apply cannot know
  // whether the killed one reloaded.
  for (const HookRun& h : Reload(manifest, ActualState{}, ctx, servers, out)) {
    if (!h.ok) failed[h.server].push_back("reload hook: " + h.detail);
  }
  std::set<std::string> to_verify;
  for (const std::string& s : servers) {
    const ServerSpec* spec = manifest.FindServer(s);
    if (options.verify && spec && spec->VerifiedAfterApply() && !failed.count(s)) {
      to_verify.insert(s);
    }
  }
  const std::map<std::string, std::string> verified =
      VerifyUntil(manifest, to_verify, ctx, options, out);
  for (const std::string& s : servers) {
    ServerOutcome& o = (*outcomes)[s];
    auto v = verified.find(s);
    if (failed.count(s)) {
      o.rollback_detail = Join(failed[s], "\n");
    } else if (v != verified.end() && !v->second.empty()) {
      o.rollback_detail = "still not served as the store binds:\n" + v->second;
    } else {
      o.rollback_ok = true;
      o.verified = v != verified.end();
    }
    RecordServerEvent(
        ctx, "rollback-end", s,
        o.rollback_ok ? "ok" : "with errors: " + Join(Split(o.rollback_detail, '\n'), "; "), out);
  }
}

}  // namespace

bool SettleReport::ok() const {
  for (const HookRun& h : hooks) {
    if (!h.ok) return false;
  }
  for (const ServerOutcome& s : servers) {
    if (!s.verified || s.rolled_back) return false;
  }
  return true;
}

SettleReport Settle(const Manifest& manifest, const ActualState& before, const ApplyContext& ctx,
                    const SettleOptions& options, Output& out) {
  SettleReport report;
  report.hooks = Reload(manifest, before, ctx, options.servers, out);
  if (!options.verify) return report;
  std::vector<std::string> names;
  for (const ServerSpec& s : manifest.servers) {
    if (!options.servers.empty() && !options.servers.count(s.name)) continue;
    if (s.VerifiedAfterApply() && before.count(s.name)) names.push_back(s.name);
  }
  const ActualState after = Observe(*ctx.stores, names, 0);
  std::map<std::string, std::string> hook_failed;
  for (const HookRun& h : report.hooks) {
    if (!h.ok) hook_failed[h.server] = "its reload hook failed: " + h.detail;
  }
  std::set<std::string> changed, probe;
  for (const std::string& name : names) {
    auto a = after.find(name);
    const bool same =
        a != after.end() && a->second.complete() && a->second.bindings == before.at(name).bindings;
    if (same) continue;
    changed.insert(name);
    if (!hook_failed.count(name)) probe.insert(name);
  }
  std::map<std::string, std::string> why = VerifyUntil(manifest, probe, ctx, options, out);
  for (const auto& [server, reason] : hook_failed) {
    if (changed.count(server)) why[server] = reason;
  }
  std::map<std::string, ServerOutcome> outcomes;
  RecordedServers to_roll_back;
  for (const auto& [server, reason] : why) {
    ServerOutcome& o = outcomes[server];
    o.server = server;
    o.verified = reason.empty();
    o.why = reason;
    RecordServerEvent(ctx, reason.empty() ? "verified" : "verify-failed", server,
                      Join(Split(reason, '\n'), "; "), out);
    if (!reason.empty() && options.rollback) {
      to_roll_back[server] = ObservedSummary(before.at(server));
    }
  }
  if (!to_roll_back.empty()) {
    RollBack(manifest, to_roll_back, ctx, options, &outcomes, &report.warnings, out);
  }
  for (const ServerSpec& s : manifest.servers) {
    if (auto it = outcomes.find(s.name); it != outcomes.end()) report.servers.push_back(it->second);
  }
  return report;
}

std::vector<ServerOutcome> FinishRollback(const Manifest& manifest, const RecordedServers& before,
                                          const ApplyContext& ctx, const SettleOptions& options,
                                          Output& out) {
  std::map<std::string, ServerOutcome> outcomes;
  std::vector<std::string> warnings;
  for (const auto& [server, _] : before) {
    outcomes[server].why = "the rollback of " + options.run + " was interrupted";
  }
  RollBack(manifest, before, ctx, options, &outcomes, &warnings, out);
  for (const std::string& w : warnings) out.Warning(w);
  std::vector<ServerOutcome> list;
  for (auto& [_, o] : outcomes) list.push_back(std::move(o));
  return list;
}

std::string SettleSummary(const SettleReport& report) {
  std::string out;
  for (const HookRun& h : report.hooks) {
    if (!h.ok) {
      out += "  failed:  reload " + h.server + ": " + Join(h.command, " ") + ": " + h.detail +
             "; the new certificate may not be served: fix the hook, run it by hand, then "
             "xcert verify\n";
    }
  }
  auto indent = [](const std::string& lines) {
    return "      " + Join(Split(lines, '\n'), "\n      ");
  };
  for (const ServerOutcome& s : report.servers) {
    if (!s.rolled_back) {
      out += s.verified
                 ? "  verified: " + s.server + " serves what its store binds\n"
                 : "  not verified: " + s.server + " (rollback off):\n" + indent(s.why) + "\n";
      continue;
    }
    out += "  rolled back: " + s.server + ", because verification failed:\n" + indent(s.why) + "\n";
    out += s.rollback_ok
               ? "    its services are back on the certificates they had before this run" +
                     std::string(s.verified ? " and it serves them" : "") + "\n"
               : "    the rollback did not complete; fix what follows, then xcert restore:\n" +
                     indent(s.rollback_detail) + "\n";
  }
  for (const std::string& w : report.warnings) out += "  warning: " + w + "\n";
  return out;
}

}  // namespace xcert::cli
