// Google Benchmark micro-benchmarks of the pure core, at 10, 1,000 and
// 10,000 certificates (servers x 5 certificates, the layout of bench/gen), so
// that growth is visible: every line must grow about linearly.
//
//   build-rel/bench/xcert_bench_micro [--benchmark_filter=Diff] [...]
//
// Inputs are built in memory: the manifest text (the bench/gen layout: one
// shared SAN certificate per four Mailbox servers, per-server certificates,
// every tenth server an Edge Transport server), and two actual states: "in
// sync" (every desired certificate present and bound, plus the three setup
// certificates of `xcert store init`) and "fresh" (the setup certificates
// only, so the plan creates everything: about two steps per certificate).
#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include "engine/manifest/load.h"
#include "engine/plan/desired.h"
#include "engine/plan/diff.h"
#include "engine/plan/drift_report.h"
#include "engine/plan/plan.h"
#include "engine/plan/plan_json.h"
#include "engine/plan/render.h"

namespace {

using namespace xcert;

constexpr char kCaSubject[] = "CN=Contoso Bench Issuing CA, O=Contoso, C=US";
constexpr char kCaKeyId[] = "0A1B2C3D4E5F60718293A4B5C6D7E8F901234567";
const TimePoint kT0 = TimePoint(std::chrono::seconds(1798761600));  // 2027-01-01

// The manifest of bench/gen for `certificates` store certificates
// (certificates / 5 servers, --per-server 5, --keys mix).
std::string ManifestText(int certificates) {
  const int n = std::max(2, certificates / 5);
  std::string y =
      "version: 1\norganization: {domain: contoso.com, autodiscover: true}\n"
      "store: {type: local, path: ./store}\n"
      "backup: {path: ./backups, passwordEnv: XCERT_BACKUP_PASSWORD}\n"
      "issuers:\n  - {name: corp-ca, type: ca, certificate: pki/ca.pem, key: pki/ca.key}\n"
      "  - {name: self, type: self-signed}\nservers:\n";
  std::vector<std::string> mailbox, edge;
  const char* versions[] = {"2016", "2019", "SE"};
  char buf[256];
  for (int i = 0; i < n; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "EX%05d", i);
    if (i % 10 == 9) {
      edge.push_back(name);
      std::snprintf(buf, sizeof buf,
                    "  - {name: %s, fqdn: ex%05d.edge.contoso.com, roles: [EdgeTransport]}\n", name,
                    i);
    } else {
      mailbox.push_back(name);
      std::snprintf(buf, sizeof buf,
                    "  - {name: %s, fqdn: ex%05d.contoso.com, roles: [Mailbox], version: \"%s\"}\n",
                    name, i, versions[i % 3]);
    }
    y += buf;
  }
  y += "certificates:\n";
  for (size_t g = 0; g < mailbox.size(); g += 4) {
    const size_t k = g / 4;
    std::string servers;
    for (size_t j = g; j < std::min(g + 4, mailbox.size()); ++j) {
      servers += (servers.empty() ? "" : ", ") + mailbox[j];
    }
    std::snprintf(buf, sizeof buf,
                  "  - name: web%05zu\n    subject: CN=mail%zu.contoso.com, O=Contoso, C=US\n"
                  "    dnsNames: [mail%zu.contoso.com, autodiscover.contoso.com, "
                  "owa%zu.contoso.com]\n",
                  k, k, k, k);
    y += buf;
    y += "    issuer: corp-ca\n    key: {algorithm: RSA, size: 2048}\n    servers: [" + servers +
         "]\n    services: [IIS, IMAP, POP, SMTP]\n";
  }
  const char* variants[][2] = {{"corp-ca", "{algorithm: RSA, size: 2048}"},
                               {"corp-ca", "{algorithm: ECDSA, curve: P-256}"},
                               {"self", "{algorithm: RSA, size: 2048}"},
                               {"corp-ca", "{algorithm: RSA, size: 3072}"},
                               {"self", "{algorithm: ECDSA, curve: P-256}"}};
  int entry = 0;
  for (int slot = 0; slot < 4; ++slot) {
    std::vector<std::string> names;
    if (slot == 0) names = mailbox;
    names.insert(names.end(), edge.begin(), edge.end());
    for (size_t g = 0; g < names.size(); g += 10, ++entry) {
      std::string servers;
      for (size_t j = g; j < std::min(g + 10, names.size()); ++j) {
        servers += (servers.empty() ? "" : ", ") + names[j];
      }
      std::snprintf(buf, sizeof buf,
                    "  - name: host%d-%04zu\n    perServer: true\n"
                    "    friendlyName: host%d {server}\n    subject: CN=host%d.{fqdn}\n"
                    "    dnsNames: [\"host%d.{fqdn}\", \"{fqdn}\"]\n",
                    slot, g / 10, slot, slot, slot);
      y += buf;
      y += std::string("    issuer: ") + variants[entry % 5][0] +
           "\n    key: " + variants[entry % 5][1] + "\n    servers: [" + servers + "]\n";
      if (slot == 0) y += "    services: [SMTP]\n";
    }
  }
  return y;
}

std::string Thumb(uint64_t i) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%016llX%024llX", static_cast<unsigned long long>(i),
                static_cast<unsigned long long>(i * 2654435761ULL));
  return buf;
}

CertificateInfo Cert(uint64_t id, const std::string& subject, std::vector<std::string> names,
                     bool self_signed, const std::string& friendly) {
  CertificateInfo c;
  c.thumbprint = Thumb(id);
  c.sha256 = c.thumbprint + c.thumbprint.substr(0, 24);
  c.subject = subject;
  c.issuer = self_signed ? subject : kCaSubject;
  c.authority_key_id = self_signed ? "" : kCaKeyId;
  c.dns_names = std::move(names);
  c.not_before = kT0 - std::chrono::hours(24);
  c.not_after = kT0 + std::chrono::hours(24 * 300);
  c.key_bits = 2048;
  c.self_signed = self_signed;
  c.has_private_key = true;
  c.exportable = true;
  c.friendly_name = friendly;
  c.status = CertStatus::kValid;
  return c;
}

struct Fixture {
  Manifest manifest;
  Desired desired;
  ActualState in_sync;
  ActualState fresh;
  Plan fresh_plan;
  size_t store_certificates = 0;
};

// The setup certificates of `xcert store init` on `server` (ids from `id`).
void AddSetup(ServerState* s, const ServerSpec& spec, uint64_t* id) {
  CertificateInfo def =
      Cert((*id)++, "CN=" + spec.name, {spec.name, spec.fqdn}, true, "Microsoft Exchange");
  s->bindings.smtp = {def.thumbprint};
  s->bindings.internal_transport = def.thumbprint;
  s->bindings.iis_back_end = def.thumbprint;
  const bool edge = spec.roles.front() == Role::kEdgeTransport;
  if (!edge) {
    s->bindings.iis = s->bindings.imap = s->bindings.pop = def.thumbprint;
    CertificateInfo auth = Cert((*id)++, "CN=Microsoft Exchange Server Auth Certificate", {}, true,
                                "Microsoft Exchange Server Auth Certificate");
    s->bindings.auth_current = auth.thumbprint;
    s->certificates.push_back(std::move(auth));
    s->certificates.push_back(Cert((*id)++, "CN=WMSvc-SHA2-" + spec.name, {}, true, "WMSVC-SHA2"));
  } else {
    s->bindings.iis_back_end.clear();
  }
  s->certificates.push_back(std::move(def));
}

std::unique_ptr<Fixture> Make(int certificates) {
  auto f = std::make_unique<Fixture>();
  LoadResult loaded = LoadManifestText(ManifestText(certificates), "bench.yaml", "/tmp");
  if (!loaded.manifest) {
    for (const Diagnostic& d : loaded.diagnostics.items())
      std::fprintf(stderr, "%s\n", d.ToString().c_str());
    std::abort();
  }
  f->manifest = std::move(*loaded.manifest);
  std::map<std::string, IssuerFacts> issuers;
  IssuerFacts ca;
  ca.name = "corp-ca";
  ca.type = IssuerType::kCa;
  ca.ca_subject = kCaSubject;
  ca.ca_key_id = kCaKeyId;
  ca.ca_not_after = kT0 + std::chrono::hours(24 * 3650);
  issuers["corp-ca"] = ca;
  IssuerFacts self;
  self.name = "self";
  issuers["self"] = self;
  f->desired = Expand(f->manifest, issuers);
  uint64_t id = 1;
  for (const ServerSpec& spec : f->manifest.servers) {
    ServerState s;
    s.server = spec.name;
    s.identity = {spec.name, spec.fqdn, spec.roles, spec.version};
    AddSetup(&s, spec, &id);
    f->fresh[spec.name] = s;
    f->in_sync[spec.name] = std::move(s);
  }
  for (const DesiredCertificate& d : f->desired.certificates) {
    const bool self_signed = d.issuer_type == IssuerType::kSelfSigned;
    CertificateInfo c = Cert(id++, d.subject, d.dns_names, self_signed, d.friendly_name);
    c.key_algorithm = d.key.algorithm;
    c.key_bits = d.key.algorithm == KeyAlgorithm::kRsa ? d.key.rsa_bits : 256;
    c.curve = d.key.curve;
    for (const std::string& server : d.servers) {
      ServerState& s = f->in_sync[server];
      CertificateInfo here = c;
      here.services = d.services;
      s.certificates.push_back(here);
      if (d.services.Has(Service::kIis)) s.bindings.iis = c.thumbprint;
      if (d.services.Has(Service::kImap)) s.bindings.imap = c.thumbprint;
      if (d.services.Has(Service::kPop)) s.bindings.pop = c.thumbprint;
      if (d.services.Has(Service::kSmtp)) s.bindings.smtp.push_back(c.thumbprint);
    }
  }
  for (auto& [name, s] : f->in_sync) {
    std::sort(s.bindings.smtp.begin(), s.bindings.smtp.end());
    std::sort(s.certificates.begin(), s.certificates.end(),
              [](const CertificateInfo& a, const CertificateInfo& b) {
                return a.thumbprint < b.thumbprint;
              });
    f->store_certificates += s.certificates.size();
  }
  for (auto& [name, s] : f->fresh) {
    std::sort(s.certificates.begin(), s.certificates.end(),
              [](const CertificateInfo& a, const CertificateInfo& b) {
                return a.thumbprint < b.thumbprint;
              });
  }
  DiffResult check = Diff(f->desired, f->in_sync, kT0);
  if (check.HasDrift()) {
    std::fprintf(stderr, "micro: the in-sync state has drift (%zu changes)\n",
                 check.changes.size());
    std::abort();
  }
  Result<Plan> plan = BuildPlan(f->desired, f->fresh, Diff(f->desired, f->fresh, kT0), {}, kT0);
  if (!plan.ok()) std::abort();
  f->fresh_plan = std::move(*plan);
  // The streaming JSON writer must print what the nlohmann document prints.
  if (PlanToJsonText(f->fresh_plan) != PlanToJson(f->fresh_plan).dump(2) + "\n") {
    std::fprintf(stderr, "micro: PlanToJsonText differs from PlanToJson\n");
    std::abort();
  }
  return f;
}

Fixture& Get(int certificates) {
  static std::map<int, std::unique_ptr<Fixture>> cache;
  auto& slot = cache[certificates];
  if (!slot) slot = Make(certificates);
  return *slot;
}

void Counters(benchmark::State& state, const Fixture& f) {
  state.counters["certs"] = double(f.store_certificates);
  state.counters["per_cert"] = benchmark::Counter(
      double(f.store_certificates),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_ManifestLoad(benchmark::State& state) {
  const std::string text = ManifestText(int(state.range(0)));
  for (auto _ : state) {
    LoadResult r = LoadManifestText(text, "bench.yaml", "/tmp");
    benchmark::DoNotOptimize(r.manifest);
  }
  Counters(state, Get(int(state.range(0))));
}

void BM_Expand(benchmark::State& state) {
  Fixture& f = Get(int(state.range(0)));
  for (auto _ : state) {
    Desired d = Expand(f.manifest, f.desired.issuers);
    benchmark::DoNotOptimize(d);
  }
  Counters(state, f);
}

void BM_DiffInSync(benchmark::State& state) {
  Fixture& f = Get(int(state.range(0)));
  for (auto _ : state) {
    DiffResult d = Diff(f.desired, f.in_sync, kT0);
    benchmark::DoNotOptimize(d);
  }
  Counters(state, f);
}

void BM_PlanInSync(benchmark::State& state) {
  Fixture& f = Get(int(state.range(0)));
  for (auto _ : state) {
    Result<Plan> p = BuildPlan(f.desired, f.in_sync, Diff(f.desired, f.in_sync, kT0), {}, kT0);
    benchmark::DoNotOptimize(p);
  }
  Counters(state, f);
}

void BM_DiffFresh(benchmark::State& state) {
  Fixture& f = Get(int(state.range(0)));
  for (auto _ : state) {
    DiffResult d = Diff(f.desired, f.fresh, kT0);
    benchmark::DoNotOptimize(d);
  }
  Counters(state, f);
  state.counters["changes"] = double(f.fresh_plan.diff.changes.size());
}

void BM_PlanFresh(benchmark::State& state) {
  Fixture& f = Get(int(state.range(0)));
  for (auto _ : state) {
    Result<Plan> p = BuildPlan(f.desired, f.fresh, Diff(f.desired, f.fresh, kT0), {}, kT0);
    benchmark::DoNotOptimize(p);
  }
  Counters(state, f);
  state.counters["steps"] = double(f.fresh_plan.steps.size());
}

template <typename Render>
void RenderBench(benchmark::State& state, Render render) {
  Fixture& f = Get(int(state.range(0)));
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out = render(f.fresh_plan);
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  Counters(state, f);
  state.counters["steps"] = double(f.fresh_plan.steps.size());
  state.counters["bytes"] = double(bytes);
}

void BM_RenderText(benchmark::State& state) {
  RenderBench(state, [](const Plan& p) { return RenderPlanText(p, false); });
}
void BM_RenderJson(benchmark::State& state) {
  RenderBench(state, [](const Plan& p) { return PlanToJsonText(p); });
}
void BM_RenderMarkdown(benchmark::State& state) {
  RenderBench(state, [](const Plan& p) { return RenderPlanMarkdown(p); });
}
void BM_RenderDot(benchmark::State& state) {
  RenderBench(state, [](const Plan& p) { return RenderPlanDot(p); });
}
void BM_RenderDriftText(benchmark::State& state) {
  RenderBench(state, [](const Plan& p) { return RenderDriftText(p.diff, false); });
}

#define XCERT_SIZES Arg(10)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)
BENCHMARK(BM_ManifestLoad)->XCERT_SIZES;
BENCHMARK(BM_Expand)->XCERT_SIZES;
BENCHMARK(BM_DiffInSync)->XCERT_SIZES;
BENCHMARK(BM_PlanInSync)->XCERT_SIZES;
BENCHMARK(BM_DiffFresh)->XCERT_SIZES;
BENCHMARK(BM_PlanFresh)->XCERT_SIZES;
BENCHMARK(BM_RenderText)->XCERT_SIZES;
BENCHMARK(BM_RenderJson)->XCERT_SIZES;
BENCHMARK(BM_RenderMarkdown)->XCERT_SIZES;
BENCHMARK(BM_RenderDot)->XCERT_SIZES;
BENCHMARK(BM_RenderDriftText)->XCERT_SIZES;

}  // namespace

BENCHMARK_MAIN();
