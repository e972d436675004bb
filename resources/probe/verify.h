// `xcert verify`: which endpoints of a server to probe for the services its
// store binds, and the verdict on each one (docs/commands/verify.md).
//
//   std::vector<EndpointCheck> checks = PlanEndpoints(server_spec, server_state);
//   VerifyReport report = RunVerify(std::move(checks), checker, ProbeOptions{}, now);
//   if (report.Failed()) ...   // exit 2
//
// PlanEndpoints is pure; RunVerify probes (resources/probe/probe.h) and
// judges (resources/probe/check.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/model/exchange.h"
#include "engine/model/manifest.h"
#include "engine/model/server_state.h"
#include "resources/probe/check.h"
#include "resources/probe/probe.h"

namespace xcert::probe {

// The services verify can probe, and the protocols that reach each one:
// IIS https; SMTP smtp, smtps; IMAP imaps, imap; POP pop3s, pop3.
inline constexpr Service kProbedServices[] = {Service::kIis, Service::kSmtp, Service::kImap,
                                              Service::kPop};
std::vector<Protocol> ProtocolsOf(Service service);

// The ports `protocol` is probed on: `spec.ports[ProtocolName(protocol)]`
// when given, else the defaults (https 443; smtp 25 and 587; smtps none;
// imaps 993; imap 143; pop3s 995; pop3 110). Ports outside 1..65535 are
// dropped (the schema refuses them).
std::vector<uint16_t> ProbePorts(const ProbeSpec& spec, Protocol protocol);

// One endpoint to probe for one bound service of one server.
struct EndpointCheck {
  std::string server;
  Service service = Service::kIis;
  Target target;
  // The thumbprints the service must serve: the one the store binds to IIS,
  // IMAP, POP; for SMTP, of its bound certificates the one a server should
  // serve first (not the internal transport one, not self-signed, then
  // valid longest), or all of them (any is right) when the store does not
  // hold one of them.
  std::vector<std::string> bound;
  // The names the served certificate must cover: the SNI name for an SNI
  // probe, else the bound certificate's names (wildcards excluded); none
  // when several certificates are bound (SMTP).
  std::vector<std::string> names;

  // "IIS on MailServer21 (https 10.0.0.21:443, SNI mail.contoso.com)".
  std::string Describe() const;
};

// The endpoints of `server` for every service its store binds (only those
// in server.probe.services when that is not empty): HTTPS once per
// non-wildcard name of the certificate bound to IIS, with that name as SNI,
// and once without SNI; every other protocol once, without SNI. Each port
// of ProbePorts is its own endpoint. A service bound to a thumbprint the
// store does not hold still gets its probes (the names are then unknown).
std::vector<EndpointCheck> PlanEndpoints(const ServerSpec& server, const ServerState& state);

// The verdict on one endpoint.
struct EndpointResult {
  EndpointCheck check;
  Outcome outcome = Outcome::kUnreachable;  // of the probe
  std::string served;                       // thumbprint served, when the probe completed
  std::string tls_version;
  std::chrono::milliseconds elapsed{0};
  Verdict verdict;

  bool ok() const { return verdict.ok(); }
};

struct VerifyReport {
  std::vector<EndpointResult> endpoints;  // in PlanEndpoints order, server by server
  // Servers that could not be verified at all ("MailServer21: the store ...").
  std::vector<std::string> errors;

  size_t FailedCount() const;
  // Some endpoint does not serve what the store binds, or serves it badly.
  bool Failed() const { return FailedCount() > 0; }
};

// Probes every endpoint (ProbeAll: options.concurrency at a time, each
// within options.timeout) and checks what each serves with `checker` at
// `now`. SMTP's expectation is met by any of its bound thumbprints.
VerifyReport RunVerify(std::vector<EndpointCheck> checks, const Checker& checker,
                       const ProbeOptions& options, TimePoint now);

// The ServedMismatch line of drift --probe for a WrongCertificate verdict:
// "IIS on MailServer21 serves 6BEC23A0… but the store binds 800BFCE9…".
std::string ServedMismatchLine(const EndpointResult& r);

}  // namespace xcert::probe
