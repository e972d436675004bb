#include "resources/probe/verify.h"

#include <algorithm>
#include <optional>
#include <set>

#include "engine/model/smtp_preference.h"
#include "engine/util/strings.h"

namespace xcert::probe {

std::vector<Protocol> ProtocolsOf(Service service) {
  switch (service) {
    case Service::kIis: return {Protocol::kHttps};
    case Service::kSmtp: return {Protocol::kSmtp, Protocol::kSmtps};
    case Service::kImap: return {Protocol::kImaps, Protocol::kImap};
    case Service::kPop: return {Protocol::kPop3s, Protocol::kPop3};
    default: return {};
  }
}

std::vector<uint16_t> ProbePorts(const ProbeSpec& spec, Protocol protocol) {
  auto it = spec.ports.find(std::string(ProtocolName(protocol)));
  if (it == spec.ports.end()) {
    switch (protocol) {
      case Protocol::kSmtp: return {25, 587};
      case Protocol::kSmtps: return {};
      default: return {DefaultPort(protocol)};
    }
  }
  std::vector<uint16_t> ports;
  for (int port : it->second) {
    if (port >= 1 && port <= 65535) ports.push_back(static_cast<uint16_t>(port));
  }
  return ports;
}

std::string EndpointCheck::Describe() const {
  // target.Describe() is "https 10.0.0.21:443 (SNI mail.contoso.com)": one
  // pair of brackets here.
  std::string where = target.Describe();
  if (const size_t open = where.rfind(" ("); open != std::string::npos && where.ends_with(')')) {
    where = where.substr(0, open) + ", " + where.substr(open + 2, where.size() - open - 3);
  }
  return std::string(ServiceName(service)) + " on " + server + " (" + where + ")";
}

namespace {

// SMTP's bound certificates, the one a server should serve first
// (engine/model/smtp_preference.h). When every bound
// certificate is known, only that one is expected: an old certificate still
// bound to SMTP must not hide a server that was not reloaded.
std::vector<std::string> SmtpBound(const ServerState& state) {
  const Bindings& b = state.bindings;
  if (b.smtp.size() <= 1) return b.smtp;
  std::optional<SmtpRank> best;
  for (const std::string& t : b.smtp) {
    const CertificateInfo* cert = state.Find(t);
    if (!cert) return b.smtp;  // unknown: any bound one is accepted
    SmtpRank rank = RankForSmtp(b, t, cert->self_signed, cert->not_after);
    if (!best || rank > *best) best = std::move(rank);
  }
  return {std::get<3>(*best)};
}

std::vector<std::string> BoundTo(const ServerState& state, Service service) {
  const Bindings& b = state.bindings;
  if (service == Service::kSmtp) return SmtpBound(state);
  const std::string& holder = b.HolderOf(service);
  if (holder.empty()) return {};
  return {holder};
}

// The names clients use for the certificate, as reference names: wildcard
// entries are patterns, not names a client asks for.
std::vector<std::string> ReferenceNames(const ServerState& state,
                                        const std::vector<std::string>& bound) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const std::string& thumbprint : bound) {
    const CertificateInfo* cert = state.Find(thumbprint);
    if (!cert) continue;
    for (const std::string& name : cert->dns_names) {
      if (name.find('*') != std::string::npos) continue;
      if (seen.insert(ToLower(name)).second) names.push_back(name);
    }
  }
  return names;
}

}  // namespace

std::vector<EndpointCheck> PlanEndpoints(const ServerSpec& server, const ServerState& state) {
  std::vector<EndpointCheck> checks;
  for (Service service : kProbedServices) {
    if (!server.probe.services.empty() &&
        std::find(server.probe.services.begin(), server.probe.services.end(), service) ==
            server.probe.services.end()) {
      continue;
    }
    const std::vector<std::string> bound = BoundTo(state, service);
    if (bound.empty()) continue;
    // Several bound certificates (SMTP): any one may be served, so no one's
    // names are required (the served one covers its own).
    const std::vector<std::string> names =
        bound.size() == 1 ? ReferenceNames(state, bound) : std::vector<std::string>{};
    for (Protocol protocol : ProtocolsOf(service)) {
      for (uint16_t port : ProbePorts(server.probe, protocol)) {
        EndpointCheck base;
        base.server = server.name;
        base.service = service;
        base.target = Target{server.ProbeAddress(), port, protocol, ""};
        base.bound = bound;
        if (protocol == Protocol::kHttps) {
          for (const std::string& name : names) {
            EndpointCheck sni = base;
            sni.target.sni = name;
            sni.names = {name};
            checks.push_back(std::move(sni));
          }
        }
        base.names = names;
        checks.push_back(std::move(base));
      }
    }
  }
  return checks;
}

size_t VerifyReport::FailedCount() const {
  return static_cast<size_t>(std::count_if(endpoints.begin(), endpoints.end(),
                                           [](const EndpointResult& r) { return !r.ok(); }));
}

VerifyReport RunVerify(std::vector<EndpointCheck> checks, const Checker& checker,
                       const ProbeOptions& options, TimePoint now) {
  std::vector<Target> targets;
  std::vector<Expectation> expected;
  targets.reserve(checks.size());
  expected.reserve(checks.size());
  for (const EndpointCheck& c : checks) {
    targets.push_back(c.target);
    // One bound thumbprint: the checker compares. Several (SMTP): any one is
    // right, compared below.
    expected.push_back({c.bound.size() == 1 ? c.bound.front() : "", c.names});
  }
  const std::vector<ProbeResult> results = ProbeAll(targets, options);
  std::vector<Verdict> verdicts = checker.CheckAll(targets, results, expected, now);
  VerifyReport report;
  report.endpoints.reserve(checks.size());
  for (size_t i = 0; i < checks.size(); ++i) {
    EndpointResult r;
    r.check = std::move(checks[i]);
    r.outcome = results[i].outcome;
    r.served = results[i].thumbprint;
    r.tls_version = results[i].tls_version;
    r.elapsed = results[i].elapsed;
    r.verdict = std::move(verdicts[i]);
    if (r.check.bound.size() > 1 && results[i].ok() &&
        std::none_of(r.check.bound.begin(), r.check.bound.end(),
                     [&](const std::string& t) { return EqualsIgnoreCase(t, r.served); })) {
      std::vector<std::string> upper;
      for (const std::string& t : r.check.bound) upper.push_back(ToUpper(t));
      r.verdict.findings.insert(
          r.verdict.findings.begin(),
          {Problem::kWrongCertificate, "serves " + r.served + " but the store binds " +
                                           Join(upper, " or ") +
                                           ": the service still has another certificate loaded; "
                                           "reload or restart it"});
    }
    report.endpoints.push_back(std::move(r));
  }
  return report;
}

std::string ServedMismatchLine(const EndpointResult& r) {
  auto shorten = [](const std::string& t) { return t.size() > 8 ? t.substr(0, 8) + "…" : t; };
  std::vector<std::string> bound;
  for (const std::string& t : r.check.bound) bound.push_back(shorten(ToUpper(t)));
  return std::string(ServiceName(r.check.service)) + " on " + r.check.server + " serves " +
         shorten(r.served) + " but the store binds " + Join(bound, " or ");
}

}  // namespace xcert::probe
