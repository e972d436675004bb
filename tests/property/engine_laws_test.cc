// The engine's laws, checked with rapidcheck over random manifests and random
// actual stores (fresh, partially applied, holding expired, foreign or
// damaged certificates), through the real pipeline: in-memory stores, the
// real issuers (a CA made in a temporary folder), diff, plan and apply.
//
//   1. apply, then plan, finds nothing to do;
//   2. applying again changes nothing;
//   3. every step comes after the steps it depends on, and after every
//      backup of its server;
//   4. no certificate loses a service or is removed without a backup written
//      earlier in the same run;
//   5. plans are deterministic;
//   6. no certificate is removed unless, at that moment, a backup file that
//      decrypts to it (with its private key, when exportable) exists, even
//      when backups are truncated, replaced or deleted between steps;
//   7. the plans of N shards, each made from its own servers' stores only,
//      hold together exactly the steps of the unsharded plan, none twice.
#include <algorithm>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "engine/apply/executor.h"
#include "engine/apply/observe.h"
#include "engine/manifest/load.h"
#include "engine/plan/plan_json.h"
#include "engine/plan/shard.h"
#include "engine/util/strings.h"
#include "resources/issuers/open_issuers.h"
#include "resources/store/backup_dir.h"
#include "resources/store/memory_store.h"
#include "resources/store/setup_certificates.h"
#include "resources/x509/builder.h"
#include "resources/x509/digest.h"
#include "resources/x509/pem.h"
#include "resources/x509/pkcs12.h"
#include "tests/support/test_util.h"

namespace xcert {
namespace {

using testing::TempDir;

const TimePoint kNow = TimePoint(std::chrono::sys_days(std::chrono::year(2026) / 11 / 25));

// Setup certificates cost three RSA keys per server: made once per process.
const store::ServerSeed& Seed(const std::string& name, Role role) {
  static std::mutex mutex;
  static std::map<std::string, store::ServerSeed> seeds;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = seeds.find(name);
  if (it != seeds.end()) return it->second;
  ServerIdentity id{name, ToLower(name) + ".example.com", {role}, ExchangeVersion::k2019};
  auto seed = store::MakeSetupSeed(id, "example.com", kNow - std::chrono::days(30));
  if (!seed.ok()) throw std::runtime_error(seed.status().message());
  return seeds.emplace(name, *seed).first->second;
}

// A CA in a temporary folder, shared by all cases.
struct TestCa {
  TempDir dir;
  std::string cert_path, key_path;
  TestCa() {
    auto key = x509::PrivateKey::Generate(KeySpec{KeyAlgorithm::kEcdsa, 0, EcCurve::kP256, false});
    x509::CertificateTemplate t;
    t.subject = "CN=Law Test CA, O=xcert";
    t.not_before = kNow - std::chrono::days(365);
    t.not_after = kNow + std::chrono::days(3650);
    t.is_ca = true;
    auto der = x509::SelfSign(t, *key);
    cert_path = dir.Write("ca.pem", x509::ToPem("CERTIFICATE", *der)).string();
    key_path = dir.Write("ca.key", key->ToPkcs8Pem()).string();
    fs::permissions(key_path, fs::perms::owner_read | fs::perms::owner_write);
  }
};
const TestCa& Ca() {
  static TestCa ca;
  return ca;
}

struct World {
  Manifest manifest;
  std::vector<std::pair<std::string, Role>> servers;
};

// The generator must only make manifests the real loader accepts.
void AssertValid(const Manifest& m) {
  const LoadResult loaded = LoadManifestText(SerializeManifest(m), "generated.yaml", "/");
  for (const Diagnostic& d : loaded.diagnostics.items()) {
    if (d.severity == Severity::kError) RC_LOG() << d.ToString() << "\n";
  }
  RC_ASSERT(loaded.manifest.has_value());
}

// A random valid manifest: 1-3 Mailbox servers and maybe an Edge, 1-5
// certificates with random names, issuers, servers and services, keeping
// Exchange's rule of one certificate per server for IIS, IMAP and POP.
rc::Gen<World> GenWorld() {
  return rc::gen::exec([] {
    World w;
    const int mailboxes = *rc::gen::inRange(1, 4);
    for (int i = 1; i <= mailboxes; ++i)
      w.servers.push_back({"MBX" + std::to_string(i), Role::kMailbox});
    if (*rc::gen::arbitrary<bool>()) w.servers.push_back({"EDGE1", Role::kEdgeTransport});
    Manifest& m = w.manifest;
    m.organization.domain = "example.com";
    m.prune = *rc::gen::arbitrary<bool>();
    m.store.path = "store";
    m.backup.path = "backups";
    m.backup.password.env = "XCERT_BACKUP_PASSWORD";
    m.issuers.push_back({"self", IssuerType::kSelfSigned});
    IssuerSpec ca{"corp-ca", IssuerType::kCa};
    ca.certificate = Ca().cert_path;
    ca.key = Ca().key_path;
    m.issuers.push_back(ca);
    for (const auto& [name, role] : w.servers) {
      ServerSpec spec;
      spec.name = name;
      spec.fqdn = ToLower(name) + ".example.com";
      spec.roles = {role};
      m.servers.push_back(spec);
    }
    std::map<std::string, ServiceSet> taken;  // exclusive services used per server
    std::set<std::string> default_smtp_taken;
    const int certs = *rc::gen::inRange(1, 6);
    for (int i = 0; i < certs; ++i) {
      CertificateSpec c;
      c.name = "cert" + std::to_string(i);
      const std::string host = c.name + ".example.com";
      c.subject = "CN=" + host;
      c.dns_names = {host};
      if (*rc::gen::arbitrary<bool>())
        c.dns_names.push_back("alt" + std::to_string(i) + ".example.com");
      c.issuer = *rc::gen::element<std::string>("self", "corp-ca");
      c.key =
          KeySpec{KeyAlgorithm::kEcdsa, 0, *rc::gen::element(EcCurve::kP256, EcCurve::kP384), true};
      c.validity = Seconds(365LL * 86400);
      c.renew_before = Seconds(30LL * 86400);
      // Servers of one role, so that the services fit all of them.
      const Role role = *rc::gen::element(Role::kMailbox, Role::kEdgeTransport);
      for (const auto& [name, r] : w.servers) {
        if (r == role && *rc::gen::arbitrary<bool>()) c.servers.push_back(name);
      }
      if (c.servers.empty()) continue;
      c.per_server = c.servers.size() > 1 && *rc::gen::arbitrary<bool>();
      if (c.per_server) {
        c.subject = "CN={server}-" + host;
        c.dns_names = {"{server}-" + host};
      }
      for (Service s : {Service::kIis, Service::kImap, Service::kPop, Service::kSmtp}) {
        if (role == Role::kEdgeTransport && s != Service::kSmtp) continue;
        if (!*rc::gen::arbitrary<bool>()) continue;
        bool free = true;
        for (const std::string& server : c.servers)
          free &= s == Service::kSmtp || !taken[server].Has(s);
        if (!free) continue;
        c.services.Add(s);
        for (const std::string& server : c.servers) taken[server].Add(s);
      }
      // One default SMTP certificate per server, and it must have an RSA key
      // (slow to make, so this is the only RSA key the laws generate).
      bool replaceable = c.services.Has(Service::kSmtp) && *rc::gen::inRange(0, 3) == 0;
      for (const std::string& server : c.servers) replaceable &= !default_smtp_taken.count(server);
      if (replaceable) {
        c.replace_default_smtp = true;
        c.key = KeySpec{KeyAlgorithm::kRsa, 2048, EcCurve::kP256, true};
        default_smtp_taken.insert(c.servers.begin(), c.servers.end());
      }
      m.certificates.push_back(c);
    }
    AssertValid(m);
    return w;
  });
}

// A BackupSink in memory that remembers what was saved.
class MemoryBackups final : public BackupSink {
 public:
  Result<std::string> Prove(const std::string& server, const std::string& t, const std::string&,
                            bool) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (saved_.count({server, t})) return server + "/" + t;
    return NotFound("no backup");
  }
  Result<std::string> KeepAside(const std::string&, const std::string&) override {
    return std::string();
  }
  Result<std::string> Save(const std::string& server, const CertificateInfo& c,
                           const std::optional<std::string>&) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!saved_.insert({server, c.thumbprint}).second) return AlreadyExists("backup exists");
    return server + "/" + c.thumbprint;
  }
  bool Has(const std::string& server, const std::string& t) {
    std::lock_guard<std::mutex> lock(mutex_);
    return saved_.count({server, t}) > 0;
  }

 private:
  std::mutex mutex_;
  std::set<std::pair<std::string, std::string>> saved_;
};

// Checks law 4 on every mutation: whatever loses a service or is removed
// must already be backed up.
class GuardedStore final : public Store {
 public:
  GuardedStore(Store* inner, MemoryBackups* backups, std::vector<std::string>* violations,
               std::mutex* mutex)
      : inner_(inner), backups_(backups), violations_(violations), mutex_(mutex) {}
  const std::string& server() const override { return inner_->server(); }
  Result<ServerState> List() override { return inner_->List(); }
  Result<std::optional<CertificateInfo>> Get(const std::string& t) override {
    return inner_->Get(t);
  }
  Result<CreateResult> Create(const CreateRequest& r) override { return inner_->Create(r); }
  Result<CertificateInfo> Import(const ImportRequest& r) override { return inner_->Import(r); }
  Result<std::string> Export(const std::string& t, const std::string& p) override {
    return inner_->Export(t, p);
  }
  Status Enable(const std::string& t, ServiceSet services, const EnableOptions& o) override {
    Result<ServerState> before = inner_->List();
    if (before.ok()) {
      for (Service s : services.ToVector()) {
        std::string loser = before->bindings.HolderOf(s);
        if (s == Service::kSmtp && o.replace_default_smtp)
          loser = before->bindings.internal_transport;
        if (!loser.empty() && loser != t) Check(loser, "loses " + std::string(ServiceName(s)));
      }
    }
    return inner_->Enable(t, services, o);
  }
  Status Remove(const std::string& t) override {
    Check(t, "is removed");
    return inner_->Remove(t);
  }

 private:
  void Check(const std::string& t, const std::string& what) {
    if (backups_->Has(server(), t)) return;
    std::lock_guard<std::mutex> lock(*mutex_);
    violations_->push_back(server() + "/" + t + " " + what + " without a backup");
  }
  Store* inner_;
  MemoryBackups* backups_;
  std::vector<std::string>* violations_;
  std::mutex* mutex_;
};

class GuardedSet final : public StoreSet {
 public:
  GuardedSet(StoreSet* inner, MemoryBackups* backups) : inner_(inner), backups_(backups) {}
  Store* Find(const std::string& server) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = stores_.find(server);
    if (it != stores_.end()) return it->second.get();
    Store* s = inner_->Find(server);
    if (!s) return nullptr;
    return stores_
        .emplace(server,
                 std::make_unique<GuardedStore>(s, backups_, &violations_, &violation_mutex_))
        .first->second.get();
  }
  std::vector<std::string> violations() {
    std::lock_guard<std::mutex> lock(violation_mutex_);
    return violations_;
  }

 private:
  StoreSet* inner_;
  MemoryBackups* backups_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<GuardedStore>> stores_;
  std::mutex violation_mutex_;
  std::vector<std::string> violations_;
};

std::vector<std::string> ServerNames(const Manifest& m) {
  std::vector<std::string> out;
  for (const ServerSpec& s : m.servers) out.push_back(s.name);
  return out;
}

struct Pipeline {
  const Manifest& manifest;
  StoreSet& stores;
  const Clock& clock;

  ActualState Read() { return Observe(stores, ServerNames(manifest), 2); }

  // Plans from what the stores hold now; the issuers are opened on the way.
  Plan MakePlan(const ActualState& actual, std::unique_ptr<IssuerSet>* issuers) {
    Diagnostics d;
    issuers::OpenedIssuers opened = issuers::OpenIssuers(manifest, actual, clock.Now(), &d);
    RC_ASSERT(!d.has_errors());
    const Desired desired = Expand(manifest, opened.facts);
    if (issuers) *issuers = std::move(opened.issuers);
    Result<Plan> plan =
        BuildPlan(desired, actual, Diff(desired, actual, clock.Now()), {}, clock.Now());
    RC_ASSERT(plan.ok());
    return *plan;
  }

  ApplyReport Apply(const Plan& plan, IssuerSet* issuers, BackupSink* backups, int parallelism) {
    ApplyContext ctx;
    ctx.stores = &stores;
    ctx.issuers = issuers;
    ctx.backups = backups;
    ctx.backup_password = "law-test";
    NullJournal journal;
    ctx.journal = &journal;
    ctx.clock = &clock;
    return xcert::Apply(plan, ctx, ApplyOptions{parallelism});
  }
};

// Law 3, beyond VerifyOrder: per server, every mutation after every backup.
void AssertBackupsFirst(const Plan& plan) {
  std::map<std::string, int> last_backup;
  for (const Step& s : plan.steps) {
    if (s.kind == StepKind::kBackupExport) last_backup[s.server] = s.id;
  }
  for (const Step& s : plan.steps) {
    const bool mutation = s.kind == StepKind::kCreate || s.kind == StepKind::kImport ||
                          s.kind == StepKind::kEnable || s.kind == StepKind::kRemove;
    if (mutation && last_backup.count(s.server)) RC_ASSERT(s.id > last_backup[s.server]);
  }
}

// Seeds the stores: setup certificates, then perhaps an expired or foreign
// certificate and part of the plan already applied.
void Perturb(const World& w, store::MemoryStoreSet* set, FixedClock* clock) {
  for (const auto& [name, role] : w.servers) set->Add(Seed(name, role));
  for (const auto& [name, role] : w.servers) {
    Store* s = set->Find(name);
    if (*rc::gen::inRange(0, 4) == 0) {  // a foreign certificate someone installed by hand
      (void)s->Create({"CN=legacy.example.com",
                       {"legacy.example.com"},
                       KeySpec{KeyAlgorithm::kEcdsa, 0, EcCurve::kP256, true},
                       Seconds(86400 * 400),
                       "legacy"});
    }
    if (!w.manifest.certificates.empty() && *rc::gen::inRange(0, 4) == 0) {
      // A version of a wanted certificate made 400 days ago: expired now.
      const CertificateSpec& c = w.manifest.certificates.front();
      if (c.per_server || c.issuer != "self") continue;
      clock->Advance(-Seconds(400LL * 86400));
      (void)s->Create({c.subject, c.dns_names, c.key, c.validity, c.name});
      clock->Advance(Seconds(400LL * 86400));
    }
  }
}

RC_GTEST_PROP(EngineLaws, ApplyConvergesSafelyAndDeterministically, ()) {
  const World w = *GenWorld();
  FixedClock clock(kNow);
  store::MemoryStoreSet memory(clock);
  Perturb(w, &memory, &clock);
  MemoryBackups backups;
  GuardedSet stores(&memory, &backups);
  Pipeline p{w.manifest, stores, clock};

  // Perhaps a partially applied earlier run: a prefix of the plan's steps.
  if (*rc::gen::arbitrary<bool>()) {
    std::unique_ptr<IssuerSet> issuers;
    Plan first = p.MakePlan(p.Read(), &issuers);
    const size_t keep = *rc::gen::inRange<size_t>(0, first.steps.size() + 1);
    first.steps.resize(keep);
    p.Apply(first, issuers.get(), &backups, 1);
  }

  const ActualState before = p.Read();
  std::unique_ptr<IssuerSet> issuers;
  const Plan plan = p.MakePlan(before, &issuers);
  RC_ASSERT(VerifyOrder(plan.steps).ok());  // law 3
  AssertBackupsFirst(plan);
  RC_ASSERT(PlanToJsonText(plan) == PlanToJsonText(p.MakePlan(before, nullptr)));  // law 5

  const ApplyReport report = p.Apply(plan, issuers.get(), &backups, *rc::gen::inRange(1, 5));
  for (const StepOutcome& o : report.outcomes) RC_ASSERT(o.status != StepStatus::kFailed);
  RC_ASSERT(report.ok());
  for (const std::string& v : stores.violations()) RC_LOG() << v << "\n";
  RC_ASSERT(stores.violations().empty());  // law 4

  const ActualState after = p.Read();
  const Plan again = p.MakePlan(after, &issuers);  // law 1
  RC_ASSERT(again.steps.empty());
  RC_ASSERT(again.diff.ActionableCount() == 0u);

  p.Apply(again, issuers.get(), &backups, 2);  // law 2
  const ActualState twice = p.Read();
  for (const auto& [server, state] : after) {
    RC_ASSERT(ObservedSummary(state) == ObservedSummary(twice.at(server)));
  }
}

// Law 6: a store that, at each removal, looks for a backup file in `dir` that
// decrypts to the certificate (an oracle independent of BackupSink::Prove),
// and that damages backup files when a step starts (Get is every step's
// first store call), as a disk, a person or another tool might.
class TamperingStore final : public Store {
 public:
  enum Tamper : int { kNone, kTruncate, kJunk, kSwap, kDelete, kTamperCount };
  TamperingStore(Store* inner, fs::path dir, std::vector<int>* tampers, std::mutex* mutex,
                 std::vector<std::string>* violations, int* removed)
      : inner_(inner),
        dir_(std::move(dir)),
        tampers_(tampers),
        mutex_(mutex),
        violations_(violations),
        removed_(removed) {}
  const std::string& server() const override { return inner_->server(); }
  Result<ServerState> List() override { return inner_->List(); }
  Result<std::optional<CertificateInfo>> Get(const std::string& t) override {
    TamperNext();
    return inner_->Get(t);
  }
  Result<CreateResult> Create(const CreateRequest& r) override { return inner_->Create(r); }
  Result<CertificateInfo> Import(const ImportRequest& r) override { return inner_->Import(r); }
  Result<std::string> Export(const std::string& t, const std::string& p) override {
    return inner_->Export(t, p);
  }
  Status Enable(const std::string& t, ServiceSet services, const EnableOptions& o) override {
    return inner_->Enable(t, services, o);
  }
  Status Remove(const std::string& t) override {
    Result<std::optional<CertificateInfo>> cert = inner_->Get(t);
    const bool with_key = cert.ok() && *cert && (*cert)->has_private_key && (*cert)->exportable;
    if (!BackedUp(t, with_key)) {
      std::lock_guard<std::mutex> lock(*mutex_);
      violations_->push_back(server() + "/" + t + " removed without a backup that decrypts to it");
    }
    Status st = inner_->Remove(t);
    if (st.ok()) {
      std::lock_guard<std::mutex> lock(*mutex_);
      ++*removed_;
    }
    return st;
  }

 private:
  bool BackedUp(const std::string& t, bool with_key) const {
    std::error_code ec;
    const fs::path pfx = dir_ / server() / (t + ".pfx");
    if (fs::is_regular_file(pfx, ec)) {
      Result<x509::Pkcs12Contents> p = x509::ReadPkcs12(testing::ReadFileOrDie(pfx), "law-test");
      if (p.ok() && x509::Sha1Hex(p->certificate_der) == t &&
          (!with_key || (p->key.valid() && p->key.Matches(p->certificate_der)))) {
        return true;
      }
    }
    const fs::path crt = dir_ / server() / (t + ".crt");
    if (with_key || !fs::is_regular_file(crt, ec)) return false;
    Result<std::vector<x509::PemBlock>> pem = x509::ParsePem(testing::ReadFileOrDie(crt));
    return pem.ok() && !pem->empty() && x509::Sha1Hex(pem->front().der) == t;
  }

  // Applies the next tamper of the list to one backup file of this server.
  void TamperNext() {
    std::lock_guard<std::mutex> lock(*mutex_);
    if (tampers_->size() < 2) return;
    const int what = tampers_->back() % kTamperCount;
    const size_t which = size_t(tampers_->at(tampers_->size() - 2));
    tampers_->resize(tampers_->size() - 2);
    std::vector<fs::path> files;  // this server's backups, in name order
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_ / server(), ec)) {
      const std::string ext = e.path().extension().string();
      if (ext == ".pfx" || ext == ".crt") files.push_back(e.path());
    }
    if (files.empty() || what == kNone) return;
    std::sort(files.begin(), files.end());
    const fs::path& f = files[which % files.size()];
    const std::string bytes = testing::ReadFileOrDie(f);
    switch (what) {
      case kTruncate: std::ofstream(f, std::ios::trunc) << bytes.substr(0, bytes.size() / 2); break;
      case kJunk: std::ofstream(f, std::ios::trunc) << "8 bytes!"; break;
      case kSwap:
        std::ofstream(f, std::ios::trunc)
            << testing::ReadFileOrDie(files[(which + 1) % files.size()]);
        break;
      case kDelete: fs::remove(f, ec); break;
      default: break;
    }
  }

  Store* inner_;
  fs::path dir_;
  std::vector<int>* tampers_;
  std::mutex* mutex_;
  std::vector<std::string>* violations_;
  int* removed_;
};

class TamperingSet final : public StoreSet {
 public:
  TamperingSet(StoreSet* inner, fs::path dir, std::vector<int> tampers)
      : inner_(inner), dir_(std::move(dir)), tampers_(std::move(tampers)) {}
  Store* Find(const std::string& server) override {
    std::lock_guard<std::mutex> lock(find_mutex_);
    auto it = stores_.find(server);
    if (it != stores_.end()) return it->second.get();
    Store* s = inner_->Find(server);
    if (!s) return nullptr;
    return stores_
        .emplace(server, std::make_unique<TamperingStore>(s, dir_, &tampers_, &mutex_, &violations_,
                                                          &removed_))
        .first->second.get();
  }
  void StopTampering() {
    std::lock_guard<std::mutex> lock(mutex_);
    tampers_.clear();
  }
  std::vector<std::string> violations() {
    std::lock_guard<std::mutex> lock(mutex_);
    return violations_;
  }
  int removed() {
    std::lock_guard<std::mutex> lock(mutex_);
    return removed_;
  }

 private:
  StoreSet* inner_;
  fs::path dir_;
  std::mutex find_mutex_;
  std::map<std::string, std::unique_ptr<TamperingStore>> stores_;
  std::mutex mutex_;
  std::vector<int> tampers_;
  std::vector<std::string> violations_;
  int removed_ = 0;
};

RC_GTEST_PROP(EngineLaws, NothingIsRemovedWithoutABackupThatDecryptsToIt, ()) {
  World w = *GenWorld();
  w.manifest.prune = true;
  FixedClock clock(kNow);
  store::MemoryStoreSet memory(clock);
  Perturb(w, &memory, &clock);
  // Something to prune on every server: a foreign certificate, its key
  // exportable or not.
  for (const auto& [name, role] : w.servers) {
    (void)memory.Find(name)->Create(
        {"CN=old.example.com",
         {"old.example.com"},
         KeySpec{KeyAlgorithm::kEcdsa, 0, EcCurve::kP256, *rc::gen::arbitrary<bool>()},
         Seconds(86400 * 400),
         "old"});
  }
  TempDir dir;
  store::BackupDir backups(dir.path());
  // Pairs (file index, what) consumed from the back, one pair per step.
  TamperingSet stores(&memory, dir.path(),
                      *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 1000)));
  Pipeline p{w.manifest, stores, clock};

  std::unique_ptr<IssuerSet> issuers;
  const Plan plan = p.MakePlan(p.Read(), &issuers);
  RC_PRE(plan.CountOf(StepKind::kRemove) > 0u);
  p.Apply(plan, issuers.get(), &backups, 1);
  for (const std::string& v : stores.violations()) RC_LOG() << v << "\n";
  RC_ASSERT(stores.violations().empty());

  // Without tampering, apply again converges: it writes the backups again
  // (keeping damaged files aside) and removes what is left, each removal
  // with a backup that decrypts to it.
  stores.StopTampering();
  const Plan again = p.MakePlan(p.Read(), &issuers);
  const ApplyReport report = p.Apply(again, issuers.get(), &backups, 2);
  for (const StepOutcome& o : report.outcomes) {
    if (o.status == StepStatus::kFailed) RC_LOG() << o.detail << "\n";
  }
  RC_ASSERT(report.ok());
  RC_ASSERT(stores.violations().empty());
  RC_ASSERT(p.MakePlan(p.Read(), &issuers).CountOf(StepKind::kRemove) == 0u);
}

RC_GTEST_PROP(EngineLaws, DamagedServerIsNeverTouched, ()) {
  World w = *GenWorld();
  FixedClock clock(kNow);
  store::MemoryStoreSet memory(clock);
  for (const auto& [name, role] : w.servers) memory.Add(Seed(name, role));
  const std::string damaged = w.servers.front().first;
  static_cast<store::MemoryStore*>(memory.Find(damaged))
      ->AddProblem("certificates/X/cert.pem: damaged");
  MemoryBackups backups;
  Pipeline p{w.manifest, memory, clock};
  const ActualState before = p.Read();
  std::unique_ptr<IssuerSet> issuers;
  const Plan plan = p.MakePlan(before, &issuers);
  for (const Step& s : plan.steps) RC_ASSERT(s.server != damaged);
  p.Apply(plan, issuers.get(), &backups, 2);
  const ActualState after = p.Read();
  RC_ASSERT(ObservedSummary(before.at(damaged)) == ObservedSummary(after.at(damaged)));
}

// A step as a user reads it, without its number (numbers differ between
// the shards' plans and the whole one).
std::string StepKey(const Step& s) {
  return std::string(StepKindName(s.kind)) + "|" + s.server + "|" + s.certificate + "|" +
         s.thumbprint + "|" + s.source_server + "|" + s.services.ToString() + "|" + s.summary;
}

RC_GTEST_PROP(EngineLaws, ShardsSplitThePlanWithoutLosingOrRepeatingAStep, ()) {
  const World w = *GenWorld();
  FixedClock clock(kNow);
  store::MemoryStoreSet memory(clock);
  Perturb(w, &memory, &clock);
  Pipeline p{w.manifest, memory, clock};
  const ActualState actual = p.Read();
  std::multiset<std::string> whole;
  for (const Step& s : p.MakePlan(actual, nullptr).steps) whole.insert(StepKey(s));

  const int total = *rc::gen::inRange(1, 6);
  std::multiset<std::string> sharded;
  std::set<std::string> seen_servers;
  for (int k = 1; k <= total; ++k) {
    const std::vector<std::string> servers = ShardServers(w.manifest, ShardSpec{k, total});
    const std::set<std::string> covered(servers.begin(), servers.end());
    for (const std::string& s : servers) RC_ASSERT(seen_servers.insert(s).second);
    // What a shard's job reads: its own servers' stores, nothing else.
    const ActualState part = Observe(memory, servers, 2);
    Diagnostics d;
    issuers::OpenedIssuers opened = issuers::OpenIssuers(w.manifest, part, kNow, &d);
    RC_ASSERT(!d.has_errors());
    Desired desired = Expand(w.manifest, opened.facts);
    RestrictToServers(&desired, covered);
    Result<Plan> plan = BuildPlan(desired, part, Diff(desired, part, kNow), {}, kNow);
    RC_ASSERT(plan.ok());
    RC_ASSERT(VerifyOrder(plan->steps).ok());
    for (const Step& s : plan->steps) {
      // Steps on a server are the shard's own; a CA's issue step has no server.
      if (!s.server.empty() && !covered.count(s.server))
        RC_LOG() << "shard " << k << "/" << total << ": " << StepKey(s);
      RC_ASSERT(s.server.empty() || covered.count(s.server) > 0);
      sharded.insert(StepKey(s));
    }
  }
  RC_ASSERT(seen_servers.size() == w.manifest.servers.size());
  for (const std::string& k : whole) {
    if (!sharded.count(k)) RC_LOG() << "missing from the shards: " << k << "\n";
  }
  RC_ASSERT(sharded == whole);
}

}  // namespace
}  // namespace xcert
