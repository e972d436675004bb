#include "engine/plan/restore.h"

#include <algorithm>

#include "engine/util/strings.h"

namespace xcert {

namespace {

constexpr std::pair<Service, const char*> kExclusive[] = {{Service::kIis, "IIS"},
                                                          {Service::kImap, "IMAP"},
                                                          {Service::kPop, "POP"},
                                                          {Service::kUm, "UM"},
                                                          {Service::kUmCallRouter, "UMCallRouter"}};

// The parts of a recorded summary restore uses.
struct Recorded {
  std::map<Service, std::string> holder;  // exclusive services
  std::set<std::string> smtp;
  std::string internal_transport;
  std::map<std::string, bool> exportable;  // every certificate: its key can be exported
};

Recorded Parse(const std::map<std::string, std::string>& summary) {
  Recorded r;
  for (const auto& [key, value] : summary) {
    if (key.starts_with("certificate/")) {
      r.exportable[key.substr(12)] = value.find("key=exportable") != std::string::npos;
    } else if (key.starts_with("binding/SMTP/")) {
      r.smtp.insert(key.substr(13));
    } else if (key == "binding/InternalTransport") {
      r.internal_transport = value;
    }
    for (const auto& [service, name] : kExclusive) {
      if (key == std::string("binding/") + name) r.holder[service] = value;
    }
  }
  return r;
}

std::string Describe(const ServerState& state, const std::string& thumb) {
  const CertificateInfo* c = state.Find(thumb);
  if (!c) return ShortThumb(thumb);
  return ShortThumb(thumb) + " (" + (c->friendly_name.empty() ? c->subject : c->friendly_name) +
         ")";
}

class ServerRestore {
 public:
  ServerRestore(const std::string& server, const Recorded& before, const ServerState& now,
                const std::string& run, Plan* plan)
      : server_(server), before_(before), now_(now), run_(run), plan_(plan) {}

  void Build() {
    const Bindings& b = now_.bindings;
    std::map<std::string, ServiceSet> enable;  // thumbprint -> services to give back
    std::map<std::string, ServiceSet> loses;   // thumbprint -> services it loses
    for (const auto& [service, name] : kExclusive) {
      auto it = before_.holder.find(service);
      const std::string was = it == before_.holder.end() ? "" : it->second;
      const std::string& is = b.HolderOf(service);
      if (was == is) continue;
      if (was.empty()) {
        plan_->warnings.push_back(std::string(name) + " on " + server_ +
                                  " had no certificate before " + run_ + "; " + Describe(now_, is) +
                                  " keeps it (a service cannot be left without one)");
        continue;
      }
      enable[was].Add(service);
      if (!is.empty()) loses[is].Add(service);
    }
    for (const std::string& t : before_.smtp) {
      if (!std::binary_search(b.smtp.begin(), b.smtp.end(), t)) enable[t].Add(Service::kSmtp);
    }
    const bool default_smtp_back =
        !before_.internal_transport.empty() && before_.internal_transport != b.internal_transport;
    if (default_smtp_back) enable[before_.internal_transport].Add(Service::kSmtp);
    // Certificates that came after the run and serve SMTP now: removed, or
    // SMTP keeps preferring them.
    std::vector<std::string> remove;
    for (const std::string& t : b.smtp) {
      if (before_.exportable.count(t) || enable.count(t) || Kept(t, default_smtp_back)) continue;
      remove.push_back(t);
    }
    for (const std::string& t : remove) loses[t].Add(Service::kSmtp);

    // 1. backups
    for (const auto& [thumb, services] : loses) {
      const CertificateInfo* c = now_.Find(thumb);
      if (!c) continue;
      const bool removed = std::find(remove.begin(), remove.end(), thumb) != remove.end();
      Add(BackupExportStep(
          server_, *c,
          removed ? " before it is removed" : " before it loses " + services.ToString()));
    }
    // 2. imports, 3. enables in the order a server gets them
    std::vector<std::pair<std::string, ServiceSet>> enables(enable.begin(), enable.end());
    std::stable_sort(enables.begin(), enables.end(), [](const auto& x, const auto& y) {
      return EnableGroup(x.second) < EnableGroup(y.second);
    });
    std::vector<Step> enable_steps;
    for (const auto& [thumb, services] : enables) {
      if (!now_.Find(thumb)) {
        auto known = before_.exportable.find(thumb);
        if (known != before_.exportable.end() && !known->second) {
          plan_->diff.blocked.push_back(
              {server_ + "/certificate/" + thumb, server_,
               ShortThumb(thumb) + " served " + services.ToString() + " on " + server_ +
                   " before " + run_ +
                   " but is gone, and its key could not be exported, so no backup holds it: "
                   "import it by hand (Import-ExchangeCertificate), then run xcert restore again"});
          continue;
        }
        Step s;
        s.kind = StepKind::kImport;
        s.server = server_;
        s.thumbprint = thumb;
        s.source = ImportSource::kBackup;
        s.exportable = true;
        s.summary = "import " + ShortThumb(thumb) + " on " + server_ + " from its backup";
        Add(std::move(s));
      }
      Step s;
      s.kind = StepKind::kEnable;
      s.server = server_;
      s.thumbprint = thumb;
      s.services = services;
      s.replace_default_smtp = default_smtp_back && thumb == before_.internal_transport;
      s.summary = "enable " + Describe(now_, thumb) + " on " + server_ + " for " +
                  services.ToString() + " (as before " + run_ + ")";
      Add(std::move(s));
    }
    // 4. removes
    for (const std::string& thumb : remove) {
      Step s;
      s.kind = StepKind::kRemove;
      s.server = server_;
      s.thumbprint = thumb;
      if (const CertificateInfo* c = now_.Find(thumb)) {
        s.friendly_name = c->friendly_name;
        s.subject = c->subject;
      }
      s.summary = "remove " + Describe(now_, thumb) + " from " + server_ +
                  " (it serves SMTP and was not there before " + run_ + ")";
      Add(std::move(s));
    }
  }

 private:
  // Whether `thumb` keeps a reference after the restore that a remove would
  // refuse: Auth, the back end, a connector, the default SMTP certificate
  // that is not given back, or a service nothing held before.
  bool Kept(const std::string& thumb, bool default_smtp_back) const {
    const Bindings& b = now_.bindings;
    if (thumb == b.auth_current || thumb == b.auth_next || thumb == b.iis_back_end) return true;
    if (std::find(b.connector_refs.begin(), b.connector_refs.end(), thumb) !=
        b.connector_refs.end()) {
      return true;
    }
    if (thumb == b.internal_transport && !default_smtp_back) return true;
    for (const auto& [service, _] : kExclusive) {
      auto it = before_.holder.find(service);
      if (b.HolderOf(service) == thumb && (it == before_.holder.end() || it->second.empty())) {
        return true;
      }
    }
    return false;
  }

  // Appends `s` after every step of this server so far: a restore runs in
  // sequence, backups first.
  void Add(Step s) {
    s.id = int(plan_->steps.size()) + 1;
    if (last_) s.depends_on.push_back(last_);
    // A remove re-proves the backup of the backup-export step it depends on.
    if (s.kind == StepKind::kRemove) {
      for (const Step& b : plan_->steps) {
        if (b.kind == StepKind::kBackupExport && b.server == server_ &&
            b.thumbprint == s.thumbprint && b.id != last_) {
          s.depends_on.push_back(b.id);
        }
      }
    }
    last_ = s.id;
    plan_->steps.push_back(std::move(s));
  }

  const std::string& server_;
  const Recorded& before_;
  const ServerState& now_;
  const std::string& run_;
  Plan* plan_;
  int last_ = 0;
};

}  // namespace

Result<Plan> BuildRestorePlan(const RecordedServers& before, const ActualState& now,
                              const std::set<std::string>& servers, const std::string& run,
                              TimePoint at) {
  Plan plan;
  plan.created_at = at;
  plan.servers = servers;
  for (const std::string& name : servers) {
    if (!before.count(name)) {
      return NotFound(run + " did not change " + Quote(name) + "; it changed " +
                      (before.empty() ? std::string("no server") : [&] {
                        std::vector<std::string> names;
                        for (const auto& [n, _] : before) names.push_back(n);
                        return Join(names, ", ");
                      }()));
    }
  }
  for (const auto& [server, summary] : before) {
    if (!servers.empty() && !servers.count(server)) continue;
    auto state = now.find(server);
    if (state == now.end()) {
      plan.diff.blocked.push_back(
          {server, server,
           server + " is not in the manifest any more, so it is not restored; add it back to "
                    "restore it"});
      continue;
    }
    if (!state->second.complete()) {
      plan.diff.blocked.push_back(
          {server, server,
           server + " could not be read completely, so it is not restored; run xcert show to see "
                    "why"});
      continue;
    }
    const size_t first = plan.steps.size();
    ServerRestore(server, Parse(summary), state->second, run, &plan).Build();
    if (plan.steps.size() > first) {
      plan.observed[server] = {state->second.Fingerprint(), ObservedSummary(state->second)};
    }
  }
  XCERT_RETURN_IF_ERROR(VerifyOrder(plan.steps));
  return plan;
}

}  // namespace xcert
