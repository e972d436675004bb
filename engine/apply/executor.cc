#include "engine/apply/executor.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "engine/util/strings.h"

namespace xcert {

std::string_view StepStatusName(StepStatus s) {
  switch (s) {
    case StepStatus::kNotRun: return "not run";
    case StepStatus::kDone: return "done";
    case StepStatus::kAlreadyDone: return "already done";
    case StepStatus::kFailed: return "failed";
    case StepStatus::kSkipped: return "skipped";
  }
  return "?";
}

size_t ApplyReport::Count(StepStatus s) const {
  return std::count_if(outcomes.begin(), outcomes.end(),
                       [s](const StepOutcome& o) { return o.status == s; });
}

namespace {

// What earlier steps produced for later ones, by artifact.
struct Artifact {
  std::string thumbprint;
  ImportRequest import;  // issued bundle or exported PKCS#12, ready to import
  bool has_import = false;
};

class Executor {
 public:
  Executor(const Plan& plan, const ApplyContext& ctx) : plan_(plan), ctx_(ctx) {
    const size_t n = plan.steps.size();
    outcomes_.resize(n);
    waiting_.resize(n);
    dependents_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      outcomes_[i].step = plan.steps[i].id;
      waiting_[i] = plan.steps[i].depends_on.size();
      for (int d : plan.steps[i].depends_on) dependents_[size_t(d - 1)].push_back(i);
      if (waiting_[i] == 0) ready_.insert(i);
    }
  }

  ApplyReport Run(int parallelism) {
    const int workers = std::max(1, parallelism > 0 ? parallelism : DefaultParallelism());
    std::vector<std::thread> threads;
    for (int i = 0; i < workers; ++i) threads.emplace_back([this] { Work(); });
    for (std::thread& t : threads) t.join();
    return ApplyReport{std::move(outcomes_), std::move(warnings_)};
  }

 private:
  void Work() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      cv_.wait(lock, [this] { return !ready_.empty() || finished_ == plan_.steps.size(); });
      if (ready_.empty()) return;
      const size_t i = *ready_.begin();  // lowest id first: the plan's order
      ready_.erase(ready_.begin());
      lock.unlock();
      const auto start = std::chrono::steady_clock::now();
      StepOutcome outcome = RunStep(plan_.steps[i]);
      outcome.seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      lock.lock();
      Finish(i, std::move(outcome));
      cv_.notify_all();
    }
  }

  // REQUIRES: mutex_ held.
  void Finish(size_t i, StepOutcome outcome) {
    outcome.step = plan_.steps[i].id;
    outcomes_[i] = std::move(outcome);
    Report(i);
    const bool ok =
        outcomes_[i].status == StepStatus::kDone || outcomes_[i].status == StepStatus::kAlreadyDone;
    for (size_t d : dependents_[i]) {
      if (outcomes_[d].status != StepStatus::kNotRun) continue;
      if (!ok) {
        Skip(d, "step " + std::to_string(plan_.steps[i].id) + " (" + plan_.steps[i].summary + ") " +
                    std::string(StepStatusName(outcomes_[i].status)));
      } else if (--waiting_[d] == 0) {
        ready_.insert(d);
      }
    }
  }

  // REQUIRES: mutex_ held. Skips `i` and, transitively, its dependents.
  void Skip(size_t i, const std::string& why) {
    outcomes_[i].status = StepStatus::kSkipped;
    outcomes_[i].detail = "not run because " + why;
    Journal("skipped", plan_.steps[i], outcomes_[i].detail);
    Report(i);
    for (size_t d : dependents_[i]) {
      if (outcomes_[d].status == StepStatus::kNotRun)
        Skip(d, "step " + std::to_string(plan_.steps[i].id) + " was skipped");
    }
  }

  // REQUIRES: mutex_ held.
  void Report(size_t i) {
    ++finished_;
    if (ctx_.progress)
      ctx_.progress(plan_.steps[i], outcomes_[i], int(finished_), int(plan_.steps.size()));
  }

  void Journal(const std::string& event, const Step& s, const std::string& detail) {
    if (!ctx_.journal) return;
    Status st = ctx_.journal->Record(event, &s, detail);
    if (!st.ok()) AddWarning("journal: " + st.message());
  }

  // Each warning once (a failing journal would otherwise repeat its error
  // for every record).
  void AddWarning(const std::string& w) {
    std::lock_guard<std::mutex> lock(warnings_mutex_);
    if (std::find(warnings_.begin(), warnings_.end(), w) == warnings_.end()) warnings_.push_back(w);
  }

  StepOutcome RunStep(const Step& s) {
    Journal("start", s, s.summary);
    Result<StepOutcome> r = Dispatch(s);
    StepOutcome out;
    if (r.ok()) {
      out = *r;
    } else {
      out.status = StepStatus::kFailed;
      out.detail = r.status().message();
    }
    Journal(out.status == StepStatus::kFailed ? "failed"
            : out.status == StepStatus::kDone ? "done"
                                              : "already-done",
            s, out.detail);
    return out;
  }

  Result<StepOutcome> Dispatch(const Step& s) {
    switch (s.kind) {
      case StepKind::kBackupExport: return Backup(s);
      case StepKind::kIssue: return IssueStep(s);
      case StepKind::kCreate: return Create(s);
      case StepKind::kImport: return Import(s);
      case StepKind::kExport: return Export(s);
      case StepKind::kEnable: return Enable(s);
      case StepKind::kRemove: return Remove(s);
    }
    return Internal("unknown step kind");
  }

  static StepOutcome Done(std::string detail) {
    return {0, StepStatus::kDone, std::move(detail), 0};
  }
  static StepOutcome AlreadyDone(std::string detail) {
    return {0, StepStatus::kAlreadyDone, std::move(detail), 0};
  }

  Result<Store*> StoreOf(const Step& s) {
    Store* store = ctx_.stores ? ctx_.stores->Find(s.server) : nullptr;
    if (!store) return NotFound("no store for server " + s.server);
    return store;
  }

  Result<Issuer*> IssuerOf(const Step& s) {
    Issuer* issuer = ctx_.issuers ? ctx_.issuers->Find(s.issuer) : nullptr;
    if (!issuer) return NotFound("issuer " + Quote(s.issuer) + " is not configured");
    return issuer;
  }

  // The thumbprint a step acts on: its own, or what its artifact became.
  Result<std::string> ThumbprintOf(const Step& s) {
    if (!s.thumbprint.empty()) return s.thumbprint;
    std::lock_guard<std::mutex> lock(artifacts_mutex_);
    auto it = artifacts_.find(s.certificate);
    if (it == artifacts_.end() || it->second.thumbprint.empty()) {
      return Internal("no earlier step produced " + Quote(s.certificate) + " on " + s.server);
    }
    return it->second.thumbprint;
  }

  void SetThumbprint(const std::string& artifact, const std::string& thumbprint) {
    std::lock_guard<std::mutex> lock(artifacts_mutex_);
    artifacts_[artifact].thumbprint = thumbprint;
  }

  void SetImport(const std::string& artifact, ImportRequest r) {
    std::lock_guard<std::mutex> lock(artifacts_mutex_);
    artifacts_[artifact].import = std::move(r);
    artifacts_[artifact].has_import = true;
  }

  // Whether the backup of `cert` must hold its private key: whenever the
  // store can export it (what the store says now, not what a plan says).
  static bool BackupHoldsKey(const CertificateInfo& cert) {
    return cert.has_private_key && cert.exportable;
  }

  // A backup is done only when it is proven (BackupSink::Prove). A file that
  // is there but proves nothing is kept aside, never trusted or replaced, and
  // the backup is written again.
  Result<StepOutcome> Backup(const Step& s) {
    if (!ctx_.backups) return FailedPrecondition("no backup folder is configured");
    XCERT_ASSIGN_OR_RETURN(Store * store, StoreOf(s));
    XCERT_ASSIGN_OR_RETURN(std::optional<CertificateInfo> cert, store->Get(s.thumbprint));
    if (!cert) return AlreadyDone("the certificate is gone; nothing to back up");
    const bool with_key = BackupHoldsKey(*cert);
    Result<std::string> proven =
        ctx_.backups->Prove(s.server, s.thumbprint, ctx_.backup_password, with_key);
    if (proven.ok()) return AlreadyDone("backup exists and was verified: " + *proven);
    std::string aside;
    if (proven.status().code() != Code::kNotFound) {
      if (proven.status().code() != Code::kFailedPrecondition) return proven.status();
      XCERT_ASSIGN_OR_RETURN(aside, ctx_.backups->KeepAside(s.server, s.thumbprint));
    }
    std::optional<std::string> pkcs12;
    if (with_key) {
      XCERT_ASSIGN_OR_RETURN(pkcs12, store->Export(s.thumbprint, ctx_.backup_password));
    }
    XCERT_ASSIGN_OR_RETURN(std::string path, ctx_.backups->Save(s.server, *cert, pkcs12));
    // The new file is proven like any other before the step counts as done.
    Result<std::string> written =
        ctx_.backups->Prove(s.server, s.thumbprint, ctx_.backup_password, with_key);
    if (!written.ok()) {
      return DataLoss("the backup just written does not prove itself: " +
                      written.status().message() + "; nothing was removed or changed on " +
                      s.server + "; check the backup folder's disk and run xcert apply again");
    }
    std::string detail = "backup written to " + path;
    if (!aside.empty()) {
      const std::string kept = "the file that was there was not a valid backup (" +
                               proven.status().message() + ") and was kept as " + aside;
      detail += "; " + kept;
      // Not only in the journal: the user should know what was found there.
      AddWarning("backup of " + s.server + "/" + s.thumbprint + ": " + kept);
    }
    return Done(detail);
  }

  // FailedPrecondition when the real time is known (ctx_.real_now) and the
  // validity [not_before, not_after] of `what` does not contain it: with
  // XCERT_NOW far from the real time, apply would otherwise deploy a
  // certificate that is already expired, or not yet valid, for every client.
  Status CheckRealTime(const std::string& what, TimePoint not_before, TimePoint not_after) const {
    if (!ctx_.real_now) return Status::Ok();
    const TimePoint now = *ctx_.real_now;
    if (now >= not_before && now <= not_after) return Status::Ok();
    return FailedPrecondition(what + " would be valid from " + FormatIso8601(not_before) + " to " +
                              FormatIso8601(not_after) + ", which does not contain the real time " +
                              FormatIso8601(now) + " (XCERT_NOW sets xcert's clock to " +
                              FormatIso8601(ctx_.clock->Now()) +
                              "); unset XCERT_NOW, or pass --allow-clock-skew " +
                              "if a certificate outside its dates is what you want");
  }

  Result<StepOutcome> IssueStep(const Step& s) {
    XCERT_ASSIGN_OR_RETURN(Issuer * issuer, IssuerOf(s));
    XCERT_RETURN_IF_ERROR(CheckRealTime("'" + s.certificate + "'", ctx_.clock->Now(),
                                        ctx_.clock->Now() + s.validity));
    IssueRequest r{s.subject, s.dns_names, s.key, s.validity, ctx_.clock->Now(), s.certificate};
    XCERT_ASSIGN_OR_RETURN(IssuedCertificate issued, issuer->Issue(r));
    for (const std::string& w : issued.warnings) AddWarning(Quote(s.certificate) + ": " + w);
    ImportRequest import;
    import.data = std::move(issued.pem_bundle);
    import.exportable = s.key.exportable;
    import.friendly_name = s.friendly_name;
    SetImport(s.certificate, std::move(import));
    return Done("issued by " + s.issuer);
  }

  Result<StepOutcome> Create(const Step& s) {
    XCERT_ASSIGN_OR_RETURN(Store * store, StoreOf(s));
    if (!s.pending_request) {
      XCERT_RETURN_IF_ERROR(CheckRealTime("'" + s.certificate + "' on " + s.server,
                                          ctx_.clock->Now(), ctx_.clock->Now() + s.validity));
    }
    CreateRequest r{s.subject, s.dns_names, s.key, s.validity, s.friendly_name, s.pending_request};
    XCERT_ASSIGN_OR_RETURN(CreateResult created, store->Create(r));
    if (!s.pending_request) {
      SetThumbprint(s.certificate, created.certificate.thumbprint);
      return Done("created " + created.certificate.thumbprint);
    }
    XCERT_ASSIGN_OR_RETURN(Issuer * issuer, IssuerOf(s));
    XCERT_ASSIGN_OR_RETURN(std::string path,
                           issuer->Submit(CsrFileName(s.certificate, s.server), created.csr_pem));
    return Done("request " + created.certificate.thumbprint + " created; CSR written to " + path +
                ": submit it to the CA and put the signed certificate in the inbox");
  }

  Result<ImportRequest> ImportDataOf(const Step& s) {
    switch (s.source) {
      case ImportSource::kFile:
      case ImportSource::kInbox: {
        XCERT_ASSIGN_OR_RETURN(Issuer * issuer, IssuerOf(s));
        return issuer->ImportData(s.source_path);
      }
      case ImportSource::kArtifact: {
        std::lock_guard<std::mutex> lock(artifacts_mutex_);
        auto it = artifacts_.find(s.certificate);
        if (it == artifacts_.end() || !it->second.has_import) {
          return Internal("no earlier step produced " + Quote(s.certificate) + " for import");
        }
        return it->second.import;
      }
      case ImportSource::kBackup: {
        if (!ctx_.backups) return FailedPrecondition("no backup folder to restore from");
        XCERT_ASSIGN_OR_RETURN(std::string path,
                               ctx_.backups->Prove(s.server, s.thumbprint, ctx_.backup_password,
                                                   /*with_key=*/true));
        XCERT_ASSIGN_OR_RETURN(std::string data, ReadFile(path, Links::kRefuse));
        ImportRequest r;
        r.data = std::move(data);
        r.password = ctx_.backup_password;
        return r;
      }
      case ImportSource::kNone: break;
    }
    return Internal("import step " + std::to_string(s.id) + " has no source");
  }

  Result<StepOutcome> Import(const Step& s) {
    XCERT_ASSIGN_OR_RETURN(Store * store, StoreOf(s));
    if (!s.thumbprint.empty()) {
      XCERT_ASSIGN_OR_RETURN(std::optional<CertificateInfo> have, store->Get(s.thumbprint));
      if (have && !have->pending_request) {
        SetThumbprint(s.certificate, s.thumbprint);
        return AlreadyDone(s.thumbprint + " is already in the store");
      }
    }
    XCERT_ASSIGN_OR_RETURN(ImportRequest r, ImportDataOf(s));
    r.exportable = s.exportable;
    if (!s.friendly_name.empty()) r.friendly_name = s.friendly_name;
    XCERT_ASSIGN_OR_RETURN(CertificateInfo imported, store->Import(r));
    if (!s.thumbprint.empty() && imported.thumbprint != s.thumbprint) {
      return FailedPrecondition("imported " + imported.thumbprint + " but the plan expected " +
                                s.thumbprint +
                                " (the source changed since the plan); run xcert plan again");
    }
    SetThumbprint(s.certificate, imported.thumbprint);
    return Done("imported " + imported.thumbprint);
  }

  Result<StepOutcome> Export(const Step& s) {
    XCERT_ASSIGN_OR_RETURN(Store * store, StoreOf(s));
    XCERT_ASSIGN_OR_RETURN(std::string thumb, ThumbprintOf(s));
    ImportRequest r;
    r.password = RandomTransitPassword();
    XCERT_ASSIGN_OR_RETURN(r.data, store->Export(thumb, r.password));
    SetThumbprint(s.certificate, thumb);
    SetImport(s.certificate, std::move(r));
    return Done("exported " + thumb + " (kept in memory for the copies)");
  }

  Result<StepOutcome> Enable(const Step& s) {
    XCERT_ASSIGN_OR_RETURN(Store * store, StoreOf(s));
    XCERT_ASSIGN_OR_RETURN(std::string thumb, ThumbprintOf(s));
    XCERT_ASSIGN_OR_RETURN(std::optional<CertificateInfo> cert, store->Get(thumb));
    if (!cert) return NotFound(thumb + " is not in the store of " + s.server);
    if (cert->services.Contains(s.services)) {
      // Replacing the default SMTP certificate is done once this certificate
      // is the internal transport certificate.
      bool is_default = true;
      if (s.replace_default_smtp) {
        XCERT_ASSIGN_OR_RETURN(ServerState state, store->List());
        is_default = EqualsIgnoreCase(state.bindings.internal_transport, thumb);
      }
      if (is_default) {
        return AlreadyDone(thumb + " already serves " + s.services.ToString() +
                           (s.replace_default_smtp ? " as the default SMTP certificate" : ""));
      }
    }
    XCERT_RETURN_IF_ERROR(
        CheckRealTime(thumb + " on " + s.server, cert->not_before, cert->not_after));
    XCERT_RETURN_IF_ERROR(store->Enable(thumb, s.services, EnableOptions{s.replace_default_smtp}));
    return Done(thumb + " now serves " + s.services.ToString());
  }

  // The backup-export step of the same certificate that `s` depends on.
  const Step* BackupStepOf(const Step& s) const {
    for (int d : s.depends_on) {
      const Step& b = plan_.steps[size_t(d - 1)];
      if (b.kind == StepKind::kBackupExport && b.server == s.server &&
          EqualsIgnoreCase(b.thumbprint, s.thumbprint)) {
        return &b;
      }
    }
    return nullptr;
  }

  // Nothing is removed unless a backup that decrypts to it exists at that
  // moment: the backup is read again just before the removal.
  Result<StepOutcome> Remove(const Step& s) {
    XCERT_ASSIGN_OR_RETURN(Store * store, StoreOf(s));
    XCERT_ASSIGN_OR_RETURN(std::optional<CertificateInfo> cert, store->Get(s.thumbprint));
    if (!cert) return AlreadyDone(s.thumbprint + " is already gone");
    const std::string where = s.server + "/" + s.thumbprint;
    const Step* backup = BackupStepOf(s);
    if (!backup) {
      return FailedPrecondition(where + " was not removed: the plan has no backup step for it; " +
                                "run xcert plan again");
    }
    if (!ctx_.backups) {
      return FailedPrecondition(where + " was not removed: no backup folder is configured");
    }
    Result<std::string> proven =
        ctx_.backups->Prove(s.server, s.thumbprint, ctx_.backup_password, BackupHoldsKey(*cert));
    if (!proven.ok()) {
      return FailedPrecondition(where + " was not removed: its backup is not proven now (" +
                                proven.status().message() +
                                "); restore the backup file or run xcert apply again to write a "
                                "new one before the certificate is removed");
    }
    XCERT_RETURN_IF_ERROR(store->Remove(s.thumbprint));
    return Done("removed " + s.thumbprint + " (backup verified: " + *proven + ")");
  }

  // A one-run password for PKCS#12 copies between servers (never stored).
  static std::string RandomTransitPassword() {
    static thread_local std::random_device rd;
    static const char kAlphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    std::string p;
    for (int i = 0; i < 32; ++i) p += kAlphabet[rd() % (sizeof kAlphabet - 1)];
    return p;
  }

  const Plan& plan_;
  const ApplyContext& ctx_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::set<size_t> ready_;
  std::vector<size_t> waiting_;
  std::vector<std::vector<size_t>> dependents_;
  std::vector<StepOutcome> outcomes_;
  size_t finished_ = 0;
  std::mutex artifacts_mutex_;
  std::map<std::string, Artifact> artifacts_;
  std::mutex warnings_mutex_;
  std::vector<std::string> warnings_;
};

}  // namespace

int DefaultParallelism() { return 4 * int(std::max(1u, std::thread::hardware_concurrency())); }

ApplyReport Apply(const Plan& plan, const ApplyContext& context, const ApplyOptions& options) {
  return Executor(plan, context).Run(options.parallelism);
}

}  // namespace xcert
