// Helpers for the apply tests: fast in-memory servers (EC keys, so nothing
// waits for RSA key generation under sanitizers), a test CA, a fake CA issuer,
// an in-memory BackupSink and Journal, and a Store decorator that traces
// every call (with begin/end order and concurrency) and can fail one.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/apply/executor.h"
#include "engine/apply/observe.h"
#include "engine/plan/diff.h"
#include "engine/plan/plan.h"
#include "resources/store/material.h"
#include "resources/store/memory_store.h"
#include "resources/x509/builder.h"
#include "resources/x509/digest.h"
#include "resources/x509/pem.h"
#include "tests/support/model_fixtures.h"

namespace xcert::apply_testing {

using xcert::testing::Now;

inline KeySpec Ec(bool exportable) {
  return KeySpec{KeyAlgorithm::kEcdsa, 0, EcCurve::kP256, exportable};
}

// --- a test CA and what it signs ---

inline constexpr const char* kCaSubject = "CN=Apply Test CA, O=Pocket Consultant";

struct TestCa {
  x509::PrivateKey key;
  std::string der;
};

inline const TestCa& Ca() {
  static const TestCa ca = [] {
    TestCa c;
    Result<x509::PrivateKey> key = x509::PrivateKey::Generate(Ec(false));
    EXPECT_TRUE(key.ok()) << key.status().message();
    c.key = std::move(key).value();
    x509::CertificateTemplate t{
        kCaSubject, {}, Now() - std::chrono::hours(24 * 30), Now() + std::chrono::hours(24 * 3650)};
    t.is_ca = true;
    Result<std::string> der = x509::SelfSign(t, c.key);
    EXPECT_TRUE(der.ok()) << der.status().message();
    c.der = der.ok() ? *der : "";
    return c;
  }();
  return ca;
}

// What the CA's IssuerFacts say (as resources/issuers would read them).
inline IssuerFacts CaFacts(const std::string& name = "corp-ca") {
  IssuerFacts f;
  f.name = name;
  f.type = IssuerType::kCa;
  f.ca_subject = kCaSubject;
  f.ca_not_after = Now() + std::chrono::hours(24 * 3650);
  return f;
}

// A certificate signed by the test CA, with its key, ready to seed a store.
inline store::StoredCertificate CaSigned(const std::string& subject,
                                         const std::vector<std::string>& dns_names, bool exportable,
                                         const std::string& friendly_name,
                                         TimePoint not_before = Now() - std::chrono::hours(24),
                                         Seconds validity = Seconds(365LL * 86400)) {
  store::StoredCertificate c;
  Result<x509::PrivateKey> key = x509::PrivateKey::Generate(Ec(exportable));
  EXPECT_TRUE(key.ok()) << key.status().message();
  c.key = std::move(key).value();
  x509::CertificateTemplate t{subject, dns_names, not_before, not_before + validity};
  Result<std::string> der = x509::SignWithCa(t, c.key.PublicKeyDer(), Ca().der, Ca().key);
  EXPECT_TRUE(der.ok()) << der.status().message();
  c.der = der.ok() ? *der : "";
  c.chain_der = {Ca().der};
  c.meta = {friendly_name, exportable, "import", not_before};
  return c;
}

inline std::string Thumbprint(const store::StoredCertificate& c) { return x509::Sha1Hex(c.der); }

// --- servers ---

// A Mailbox 2019 server as Exchange setup leaves it, with EC keys: the
// default certificate (not exportable) serving IIS, IIS back end, IMAP, POP,
// SMTP and internal transport; the Auth certificate.
inline store::ServerSeed FastSeed(const std::string& name) {
  store::ServerSeed seed;
  seed.identity = {name, name + ".pocket-consultant.com", {Role::kMailbox}, ExchangeVersion::k2019};
  CreateRequest def;
  def.subject = "CN=" + name;
  def.dns_names = {name, name + ".pocket-consultant.com"};
  def.key = Ec(false);
  def.validity = Seconds(5LL * 365 * 86400);
  def.friendly_name = "Microsoft Exchange";
  Result<store::StoredCertificate> d = store::MakeSelfSigned(def, Now() - std::chrono::hours(48));
  EXPECT_TRUE(d.ok()) << d.status().message();
  CreateRequest auth;
  auth.subject = "CN=Microsoft Exchange Server Auth Certificate";
  auth.key = Ec(true);
  auth.validity = Seconds(1800LL * 86400);
  auth.friendly_name = "Microsoft Exchange Server Auth Certificate";
  Result<store::StoredCertificate> a = store::MakeSelfSigned(auth, Now() - std::chrono::hours(48));
  EXPECT_TRUE(a.ok()) << a.status().message();
  const std::string dt = x509::Sha1Hex(d->der);
  seed.bindings.iis = seed.bindings.iis_back_end = seed.bindings.imap = seed.bindings.pop = dt;
  seed.bindings.smtp = {dt};
  seed.bindings.internal_transport = dt;
  seed.bindings.auth_current = x509::Sha1Hex(a->der);
  seed.certificates = {std::move(d).value(), std::move(a).value()};
  return seed;
}

inline std::string DefaultThumbprint(const store::ServerSeed& seed) {
  return seed.bindings.internal_transport;
}

// The desired shared "mail" certificate from the test CA, EC P-256.
inline DesiredCertificate Mail(std::vector<std::string> servers,
                               const std::string& issuer = "corp-ca") {
  DesiredCertificate d = testing::WantMail(std::move(servers));
  d.issuer = issuer;
  d.key = Ec(true);
  return d;
}

// --- a trace of everything apply did, in order ---

struct TraceEvent {
  size_t seq = 0;
  std::string
      op;  // "List", "Get", "Create", "Import", "Enable", "Export", "Remove", "Save", "Issue"
  std::string server;
  std::string arg;  // thumbprint, services, ...
  bool begin = true;
};

class Trace {
 public:
  // Records the start of an operation; returns its id for End().
  size_t Begin(const std::string& op, const std::string& server, const std::string& arg) {
    std::lock_guard<std::mutex> lock(mu_);
    const size_t id = events_.size();
    events_.push_back({id, op, server, arg, true});
    const int now = ++active_;
    max_active_ = std::max(max_active_, now);
    if (IsMutation(op)) {
      const int on_server = ++active_mutations_[server];
      max_mutations_per_server_ = std::max(max_mutations_per_server_, on_server);
    }
    return id;
  }
  void End(size_t begin_id) {
    std::lock_guard<std::mutex> lock(mu_);
    TraceEvent e = events_[begin_id];
    e.seq = events_.size();
    e.begin = false;
    --active_;
    if (IsMutation(e.op)) --active_mutations_[e.server];
    events_.push_back(e);
  }
  std::vector<TraceEvent> events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  int max_active() const {
    std::lock_guard<std::mutex> lock(mu_);
    return max_active_;
  }
  // Forgets the maximum so far (e.g. of the parallel reads that made a plan).
  void RestartMaxActive() {
    std::lock_guard<std::mutex> lock(mu_);
    max_active_ = active_;
  }
  static bool IsMutation(const std::string& op) {
    return op == "Create" || op == "Import" || op == "Enable" || op == "Remove";
  }

 private:
  mutable std::mutex mu_;
  std::vector<TraceEvent> events_;
  int active_ = 0;
  int max_active_ = 0;
  std::map<std::string, int> active_mutations_;
  int max_mutations_per_server_ = 0;
};

class TraceScope {
 public:
  TraceScope(Trace* trace, const std::string& op, const std::string& server, const std::string& arg)
      : trace_(trace), id_(trace->Begin(op, server, arg)) {}
  ~TraceScope() { trace_->End(id_); }
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;

 private:
  Trace* trace_;
  size_t id_;
};

// Lets `count` callers in at once and holds each until all of them are in
// (or `timeout` passed: then reached() is false and the test fails).
class Rendezvous {
 public:
  explicit Rendezvous(int count) : count_(count) {}
  void Arrive() {
    std::unique_lock<std::mutex> lock(mu_);
    if (arrived_ >= count_) return;  // only the first `count` meet
    ++arrived_;
    cv_.notify_all();
    if (!cv_.wait_for(lock, std::chrono::seconds(20), [this] { return arrived_ >= count_; })) {
      timed_out_ = true;
    }
  }
  bool reached() const {
    std::lock_guard<std::mutex> lock(mu_);
    return arrived_ >= count_ && !timed_out_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  const int count_;
  int arrived_ = 0;
  bool timed_out_ = false;
};

// A Store that forwards to another and traces every call. `hook`, when set,
// runs at the start of each call ("Import", server, arg) and may fail it.
class TracingStore final : public Store {
 public:
  using Hook = std::function<Status(const std::string& op, const std::string& arg)>;
  TracingStore(Store* inner, Trace* trace) : inner_(inner), trace_(trace) {}

  void set_hook(Hook hook) { hook_ = std::move(hook); }

  const std::string& server() const override { return inner_->server(); }
  Result<ServerState> List() override {
    TraceScope t(trace_, "List", server(), "");
    XCERT_RETURN_IF_ERROR(RunHook("List", ""));
    return inner_->List();
  }
  Result<std::optional<CertificateInfo>> Get(const std::string& thumbprint) override {
    TraceScope t(trace_, "Get", server(), thumbprint);
    XCERT_RETURN_IF_ERROR(RunHook("Get", thumbprint));
    return inner_->Get(thumbprint);
  }
  Result<CreateResult> Create(const CreateRequest& request) override {
    TraceScope t(trace_, "Create", server(), request.subject);
    XCERT_RETURN_IF_ERROR(RunHook("Create", request.subject));
    return inner_->Create(request);
  }
  Result<CertificateInfo> Import(const ImportRequest& request) override {
    TraceScope t(trace_, "Import", server(), "");
    XCERT_RETURN_IF_ERROR(RunHook("Import", ""));
    return inner_->Import(request);
  }
  Status Enable(const std::string& thumbprint, ServiceSet services,
                const EnableOptions& options) override {
    TraceScope t(trace_, "Enable", server(), services.ToString());
    XCERT_RETURN_IF_ERROR(RunHook("Enable", services.ToString()));
    return inner_->Enable(thumbprint, services, options);
  }
  Result<std::string> Export(const std::string& thumbprint, const std::string& password) override {
    TraceScope t(trace_, "Export", server(), thumbprint);
    XCERT_RETURN_IF_ERROR(RunHook("Export", thumbprint));
    return inner_->Export(thumbprint, password);
  }
  Status Remove(const std::string& thumbprint) override {
    TraceScope t(trace_, "Remove", server(), thumbprint);
    XCERT_RETURN_IF_ERROR(RunHook("Remove", thumbprint));
    return inner_->Remove(thumbprint);
  }

 private:
  Status RunHook(const std::string& op, const std::string& arg) {
    return hook_ ? hook_(op, arg) : Status::Ok();
  }
  Store* inner_;
  Trace* trace_;
  Hook hook_;
};

// In-memory stores, each behind a TracingStore.
class TracedStores final : public StoreSet {
 public:
  TracedStores(const Clock& clock, Trace* trace) : memory_(clock), trace_(trace) {}

  store::MemoryStore& Add(store::ServerSeed seed) {
    const std::string name = seed.identity.name;
    store::MemoryStore& m = memory_.Add(std::move(seed));
    traced_[name] = std::make_unique<TracingStore>(&m, trace_);
    return m;
  }
  TracingStore& traced(const std::string& server) { return *traced_.at(server); }
  Store* Find(const std::string& server) override {
    auto it = traced_.find(server);
    return it == traced_.end() ? nullptr : it->second.get();
  }

 private:
  store::MemoryStoreSet memory_;
  Trace* trace_;
  std::map<std::string, std::unique_ptr<TracingStore>> traced_;
};

// --- issuers ---

// A `ca` issuer signing with the test CA; can be made to fail, to warn, or
// to wait at a rendezvous.
class FakeCa final : public Issuer {
 public:
  FakeCa(std::string name, Trace* trace) : name_(std::move(name)), trace_(trace) {}
  const std::string& name() const override { return name_; }

  Result<IssuedCertificate> Issue(const IssueRequest& request) override {
    TraceScope t(trace_, "Issue", "", request.subject);
    ++issued_;
    if (!fail_.empty()) return Unavailable(fail_);
    XCERT_ASSIGN_OR_RETURN(x509::PrivateKey key, x509::PrivateKey::Generate(request.key));
    x509::CertificateTemplate tmpl{request.subject, request.dns_names, request.now,
                                   request.now + request.validity};
    XCERT_ASSIGN_OR_RETURN(std::string der,
                           x509::SignWithCa(tmpl, key.PublicKeyDer(), Ca().der, Ca().key));
    IssuedCertificate out;
    out.pem_bundle =
        x509::ToPem("CERTIFICATE", der) + key.ToPkcs8Pem() + x509::ToPem("CERTIFICATE", Ca().der);
    out.warnings = warnings_;
    return out;
  }

  // `file` issuer behaviour, for import steps with a file source.
  Result<ImportRequest> ImportData(const std::string& path) override {
    TraceScope t(trace_, "ImportData", "", path);
    if (!file_data_) return NotFound(path + " does not exist");
    return *file_data_;
  }

  void set_fail(std::string message) { fail_ = std::move(message); }
  void set_warnings(std::vector<std::string> w) { warnings_ = std::move(w); }
  void set_file_data(ImportRequest r) { file_data_ = std::move(r); }
  int issued() const { return issued_; }

 private:
  std::string name_;
  Trace* trace_;
  std::string fail_;
  std::vector<std::string> warnings_;
  std::optional<ImportRequest> file_data_;
  std::atomic<int> issued_{0};
};

class FakeIssuers final : public IssuerSet {
 public:
  FakeCa& Add(std::unique_ptr<FakeCa> issuer) {
    FakeCa& ref = *issuer;
    issuers_[issuer->name()] = std::move(issuer);
    return ref;
  }
  Issuer* Find(const std::string& name) override {
    auto it = issuers_.find(name);
    return it == issuers_.end() ? nullptr : it->second.get();
  }

 private:
  std::map<std::string, std::unique_ptr<FakeCa>> issuers_;
};

// --- backups and journal ---

struct SavedBackup {
  std::string server;
  std::string thumbprint;
  std::optional<std::string> pkcs12;
  bool tampered = false;
};

class MemoryBackups final : public BackupSink {
 public:
  explicit MemoryBackups(Trace* trace) : trace_(trace) {}

  // Proven unless tampered with (Tamper) or missing the key it must hold.
  Result<std::string> Prove(const std::string& server, const std::string& thumbprint,
                            const std::string&, bool with_key) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = saved_.find({server, thumbprint});
    if (it == saved_.end()) return NotFound("no backup of " + thumbprint);
    if (it->second.tampered) return FailedPrecondition(PathOf(it->second) + " is damaged");
    if (with_key && !it->second.pkcs12) {
      return FailedPrecondition(PathOf(it->second) + " has no private key");
    }
    return PathOf(it->second);
  }
  Result<std::string> KeepAside(const std::string& server, const std::string& thumbprint) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = saved_.find({server, thumbprint});
    if (it == saved_.end()) return std::string();
    kept_aside_.push_back(it->second);
    saved_.erase(it);
    return PathOf(kept_aside_.back()) + ".unproven." + std::to_string(kept_aside_.size());
  }
  // Damages the saved backup so that Prove no longer proves it.
  void Tamper(const std::string& server, const std::string& thumbprint) {
    std::lock_guard<std::mutex> lock(mu_);
    saved_.at({server, thumbprint}).tampered = true;
  }
  // Puts a backup in place as if an earlier run (or someone) had left it.
  void Put(SavedBackup b) {
    std::lock_guard<std::mutex> lock(mu_);
    saved_[{b.server, b.thumbprint}] = std::move(b);
  }
  std::vector<SavedBackup> kept_aside() const {
    std::lock_guard<std::mutex> lock(mu_);
    return kept_aside_;
  }
  Result<std::string> Save(const std::string& server, const CertificateInfo& certificate,
                           const std::optional<std::string>& pkcs12) override {
    TraceScope t(trace_, "Save", server, certificate.thumbprint);
    if (rendezvous_) rendezvous_->Arrive();
    if (!fail_.empty()) return IoError(fail_);
    std::lock_guard<std::mutex> lock(mu_);
    if (saved_.count({server, certificate.thumbprint})) return AlreadyExists("backup exists");
    SavedBackup b{server, certificate.thumbprint, pkcs12};
    saved_[{server, certificate.thumbprint}] = b;
    return PathOf(b);
  }

  std::map<std::pair<std::string, std::string>, SavedBackup> saved() const {
    std::lock_guard<std::mutex> lock(mu_);
    return saved_;
  }
  void set_rendezvous(Rendezvous* r) { rendezvous_ = r; }
  void set_fail(std::string message) { fail_ = std::move(message); }

 private:
  static std::string PathOf(const SavedBackup& b) {
    return "backups/" + b.server + "/" + b.thumbprint + (b.pkcs12 ? ".pfx" : ".crt");
  }
  Trace* trace_;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, SavedBackup> saved_;
  std::vector<SavedBackup> kept_aside_;
  Rendezvous* rendezvous_ = nullptr;
  std::string fail_;
};

struct JournalEntry {
  std::string event;
  int step = 0;  // 0: no step
  std::string detail;
};

class MemoryJournal final : public Journal {
 public:
  Status Record(const std::string& event, const Step* step, const std::string& detail) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!fail_.empty()) return IoError(fail_);
    entries_.push_back({event, step ? step->id : 0, detail});
    return Status::Ok();
  }
  Status RecordServer(const std::string& event, const std::string& server,
                      const std::string& detail,
                      const std::map<std::string, std::string>&) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!fail_.empty()) return IoError(fail_);
    entries_.push_back({event, 0, server + ": " + detail});
    return Status::Ok();
  }
  std::vector<JournalEntry> entries() const {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_;
  }
  void set_fail(std::string message) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_ = std::move(message);
  }

 private:
  mutable std::mutex mu_;
  std::vector<JournalEntry> entries_;
  std::string fail_;
};

// --- a world to apply plans in ---

class World {
 public:
  World() : stores_(clock_, &trace_), backups_(&trace_) {
    ca_ = &issuers_.Add(std::make_unique<FakeCa>("corp-ca", &trace_));
  }

  FixedClock& clock() { return clock_; }
  Trace& trace() { return trace_; }
  TracedStores& stores() { return stores_; }
  MemoryBackups& backups() { return backups_; }
  MemoryJournal& journal() { return journal_; }
  FakeIssuers& issuers() { return issuers_; }
  FakeCa& ca() { return *ca_; }

  // Adds a fast Mailbox server; returns its seed's default certificate thumbprint.
  std::string AddServer(const std::string& name, std::vector<store::StoredCertificate> extra = {}) {
    store::ServerSeed seed = FastSeed(name);
    const std::string def = DefaultThumbprint(seed);
    for (store::StoredCertificate& c : extra) seed.certificates.push_back(std::move(c));
    stores_.Add(std::move(seed));
    servers_.push_back(name);
    return def;
  }

  ActualState Observe() { return xcert::Observe(stores_, servers_, 4); }

  Plan MakePlan(const Desired& desired) {
    const ActualState actual = Observe();
    Result<Plan> p =
        BuildPlan(desired, actual, Diff(desired, actual, clock_.Now()), {}, clock_.Now());
    EXPECT_TRUE(p.ok()) << p.status().message();
    return p.ok() ? std::move(p).value() : Plan{};
  }

  ApplyContext Context() {
    ApplyContext ctx;
    ctx.stores = &stores_;
    ctx.issuers = &issuers_;
    ctx.backups = &backups_;
    ctx.backup_password = "backup-password";
    ctx.journal = &journal_;
    ctx.clock = &clock_;
    return ctx;
  }

  ApplyReport Apply(const Plan& plan, int parallelism = 4) {
    return xcert::Apply(plan, Context(), ApplyOptions{parallelism});
  }

  const std::vector<std::string>& servers() const { return servers_; }

 private:
  FixedClock clock_{Now()};
  Trace trace_;
  TracedStores stores_;
  MemoryBackups backups_;
  MemoryJournal journal_;
  FakeIssuers issuers_;
  FakeCa* ca_ = nullptr;
  std::vector<std::string> servers_;
};

// One line per step, "kind server services": for readable plan expectations.
inline std::vector<std::string> Kinds(const Plan& p) {
  std::vector<std::string> out;
  for (const Step& s : p.steps) {
    std::string k = std::string(StepKindName(s.kind)) + " " + s.server;
    if (s.kind == StepKind::kEnable) k += " " + s.services.ToString();
    out.push_back(k);
  }
  return out;
}

}  // namespace xcert::apply_testing
