// A fake Exchange Management Shell for the tests of resources/exchange: a
// transport command that reads xcert's session from stdin (checking that it
// opens with the marker line and bootstrap.ps1, and that each request is
// exactly common + prelude + arguments + an operation script, as
// script_protocol.h builds them), performs each operation's intent against a
// LOCAL STORE (resources/store) and answers in the projection format, the way
// the real scripts do on Exchange, ending each answer with the marker line.
// It ends when stdin ends.
//
//   fake_ems --store DIR [--log FILE] [--starts FILE] [--fault KIND] [--fault-op OP]
//
// --log appends one line per call ("<operation>"); --starts one line per
// start of this program ("start"). --fault injects a failure (only for
// operation OP when --fault-op is given):
//   exit:N          prints to stderr and exits N without an answer
//   sleep:S         sleeps S seconds first (for timeouts), then answers
//   malformed       answers with a result line that is not JSON
//   truncated       prints the first half of the answer and exits 0
//   no-result       prints a banner and no result line
//   banner          prints banners before and after a normal answer
//   access-denied   WinRM-style "Access is denied" on stderr, exit 1
//   ssh-denied      ssh "Permission denied (publickey,password)." on stderr, exit 255
//   rbac-denied     a script-level error: {"ok":false,...,"category":"PermissionDenied"}
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>

#include "engine/util/strings.h"
#include "resources/exchange/projection.h"
#include "resources/exchange/script_protocol.h"
#include "resources/store/local_store.h"
#include "resources/x509/digest.h"

namespace {

using nlohmann::json;
using namespace xcert;
using namespace xcert::exchange;

struct Options {
  std::string store;
  std::string log;
  std::string starts;
  std::string fault;
  std::string fault_op;
};

std::string AdminDisplayVersion(ExchangeVersion v) {
  switch (v) {
    case ExchangeVersion::k2013: return "Version 15.0 (Build 1497.2)";
    case ExchangeVersion::k2016: return "Version 15.1 (Build 2507.6)";
    case ExchangeVersion::k2019: return "Version 15.2 (Build 1118.7)";
    case ExchangeVersion::kSE: return "Version 15.2 (Build 2562.17)";
  }
  return "";
}

bool HasRole(const ServerIdentity& id, Role r) {
  return std::find(id.roles.begin(), id.roles.end(), r) != id.roles.end();
}

ProjectedServer ServerFacts(const ServerIdentity& id) {
  ProjectedServer s;
  s.name = id.name;
  s.fqdn = id.fqdn;
  s.admin_display_version = AdminDisplayVersion(id.version);
  std::vector<std::string> roles;
  for (Role r : id.roles)
    roles.push_back(r == Role::kEdgeTransport ? "Edge" : std::string(RoleName(r)));
  s.server_role = Join(roles, ", ");
  s.is_edge_server = HasRole(id, Role::kEdgeTransport);
  s.is_mailbox_server = HasRole(id, Role::kMailbox);
  s.is_client_access_server = s.is_mailbox_server || HasRole(id, Role::kClientAccess);
  s.is_hub_transport_server = s.is_mailbox_server;
  s.is_unified_messaging_server = s.is_mailbox_server && (id.version == ExchangeVersion::k2013 ||
                                                          id.version == ExchangeVersion::k2016);
  return s;
}

// X509CertificateName as Enable-ExchangeCertificate sets it: the holder's first FQDN.
std::string FirstDomain(const ServerState& state, const std::string& holder) {
  const CertificateInfo* c = state.Find(holder);
  if (!c) return "";
  std::vector<std::string> domains = CertificateDomains(*c);
  return domains.empty() ? "" : domains.front();
}

bool Covers(const CertificateInfo& c, const std::string& name) {
  if (name.empty()) return false;
  for (const std::string& d : CertificateDomains(c)) {
    if (EqualsIgnoreCase(d, name)) return true;
  }
  return false;
}

// AllowedServices as Get-ExchangeCertificate derives them (reference §0.2).
int ExchangeServices(const ServerState& s, const CertificateInfo& c, const std::string& pop,
                     const std::string& imap) {
  const Bindings& b = s.bindings;
  const std::string& t = c.thumbprint;
  int flags = 0;
  if (Covers(c, imap)) flags |= int(Service::kImap);
  if (Covers(c, pop)) flags |= int(Service::kPop);
  if (b.um == t) flags |= int(Service::kUm);
  if (b.iis == t || b.iis_back_end == t) flags |= int(Service::kIis);
  if (b.internal_transport == t || std::find(b.smtp.begin(), b.smtp.end(), t) != b.smtp.end()) {
    flags |= int(Service::kSmtp);
  }
  if (b.um_call_router == t) flags |= int(Service::kUmCallRouter);
  return flags;
}

// The projection of `state`; with `only`, just those certificates and the
// ones sharing the POP/IMAP name (like Get-XcertFacts -Thumbprints).
Projection Project(const ServerState& state, const std::vector<std::string>* only) {
  Projection p;
  const ServerIdentity& id = state.identity;
  p.server = ServerFacts(id);
  p.local = true;
  const bool edge = p.server->is_edge_server;
  const std::string pop = edge ? "" : FirstDomain(state, state.bindings.pop);
  const std::string imap = edge ? "" : FirstDomain(state, state.bindings.imap);
  for (const CertificateInfo& c : state.certificates) {
    const bool wanted = !only ||
                        std::find(only->begin(), only->end(), c.thumbprint) != only->end() ||
                        Covers(c, pop) || Covers(c, imap);
    if (!wanted) continue;
    ProjectedCertificate pc;
    pc.thumbprint = c.thumbprint;
    pc.raw_data = c.der;
    pc.subject = c.subject;
    pc.issuer = c.issuer;
    pc.attributes_known = c.attributes_known;
    pc.services = ExchangeServices(state, c, pop, imap);
    pc.status = std::string(CertStatusName(c.status));
    pc.root_ca_type = std::string(RootCaTypeName(c.root_ca_type));
    pc.private_key_exportable = c.exportable;
    pc.has_private_key = c.has_private_key;
    pc.friendly_name = c.friendly_name;
    pc.iis_services = c.iis_services;
    pc.certificate_request = c.csr_pem;
    p.certificates.push_back(std::move(pc));
  }
  const Bindings& b = state.bindings;
  if (!edge) {
    p.auth_config = ProjectedAuthConfig{b.auth_current, b.auth_next, ""};
    p.web_bindings =
        std::vector<ProjectedWebBinding>{{"Default Web Site", "*:443:", b.iis, "My"},
                                         {"Exchange Back End", "*:444:", b.iis_back_end, "My"}};
    p.pop_certificate_name = pop;
    p.imap_certificate_name = imap;
  }
  p.internal_transport = b.internal_transport;
  if (p.server->is_unified_messaging_server) {
    p.um_thumbprint = b.um;
    p.um_call_router_thumbprint = b.um_call_router;
  }
  p.connectors.emplace();
  for (const std::string& t : b.connector_refs) {
    if (const CertificateInfo* c = state.Find(t)) {
      p.connectors->push_back({"Send", "Connector for " + t, TlsCertificateNameOf(*c)});
    }
  }
  p.problems = state.problems;
  return p;
}

std::string Category(Code code) {
  switch (code) {
    case Code::kNotFound: return "ObjectNotFound";
    case Code::kAlreadyExists: return "ResourceExists";
    case Code::kPermissionDenied: return "PermissionDenied";
    case Code::kInvalidArgument: return "InvalidArgument";
    default: return "InvalidOperation";
  }
}

json Failure(const Status& s) {
  return {
      {"ok", false}, {"error", s.message()}, {"category", Category(s.code())}, {"command", "fake"}};
}

// The State of one certificate after a change.
Result<json> StateOf(Store& store, const std::string& thumbprint) {
  XCERT_ASSIGN_OR_RETURN(ServerState state, store.List());
  std::vector<std::string> only = {thumbprint};
  return ProjectionToJson(Project(state, &only));
}

KeySpec KeyOf(const json& a) {
  KeySpec k;
  k.algorithm = a.value("keyAlgorithm", std::string("RSA")) == "ECDSA" ? KeyAlgorithm::kEcdsa
                                                                       : KeyAlgorithm::kRsa;
  k.rsa_bits = a.value("keySize", 2048);
  const std::string curve = a.value("curve", std::string());
  k.curve = curve == "P-256" ? EcCurve::kP256 : curve == "P-384" ? EcCurve::kP384 : EcCurve::kNone;
  k.exportable = a.value("exportable", false);
  return k;
}

Result<json> Perform(Store& store, const Invocation& inv) {
  const json& a = inv.args;
  const std::string thumbprint = a.value("thumbprint", std::string());
  json answer = {{"ok", true}};
  switch (inv.op) {
    case Operation::kList: {
      XCERT_ASSIGN_OR_RETURN(ServerState state, store.List());
      answer["State"] = ProjectionToJson(Project(state, nullptr));
      return answer;
    }
    case Operation::kGet: {
      XCERT_ASSIGN_OR_RETURN(answer["State"], StateOf(store, thumbprint));
      return answer;
    }
    case Operation::kCreate: {
      CreateRequest r{a.value("subject", std::string()),
                      a.value("dnsNames", std::vector<std::string>{}),
                      KeyOf(a),
                      Seconds(a.value("validitySeconds", int64_t{0})),
                      a.value("friendlyName", std::string()),
                      a.value("pendingRequest", false)};
      XCERT_ASSIGN_OR_RETURN(CreateResult created, store.Create(r));
      answer["Thumbprint"] = created.certificate.thumbprint;
      answer["Csr"] = created.csr_pem.empty() ? json(nullptr) : json(created.csr_pem);
      XCERT_ASSIGN_OR_RETURN(answer["State"], StateOf(store, created.certificate.thumbprint));
      return answer;
    }
    case Operation::kImport: {
      XCERT_ASSIGN_OR_RETURN(std::string data, x509::Base64Decode(a.value("data", std::string())));
      ImportRequest r{data, a.value("password", std::string()), a.value("exportable", false),
                      a.value("friendlyName", std::string())};
      XCERT_ASSIGN_OR_RETURN(CertificateInfo imported, store.Import(r));
      answer["Thumbprint"] = imported.thumbprint;
      XCERT_ASSIGN_OR_RETURN(answer["State"], StateOf(store, imported.thumbprint));
      return answer;
    }
    case Operation::kEnable: {
      ServiceSet services;
      for (const std::string& name : a.value("services", std::vector<std::string>{})) {
        if (std::optional<Service> s = ParseService(name)) services.Add(*s);
      }
      XCERT_RETURN_IF_ERROR(
          store.Enable(thumbprint, services, EnableOptions{a.value("replaceDefaultSmtp", false)}));
      answer["Thumbprint"] = thumbprint;
      answer["Notes"] = json::array();
      XCERT_ASSIGN_OR_RETURN(answer["State"], StateOf(store, thumbprint));
      return answer;
    }
    case Operation::kExport: {
      XCERT_ASSIGN_OR_RETURN(std::string pfx,
                             store.Export(thumbprint, a.value("password", std::string())));
      answer["Data"] = x509::Base64Encode(pfx);
      return answer;
    }
    case Operation::kRemove: {
      XCERT_RETURN_IF_ERROR(store.Remove(thumbprint));
      answer["Thumbprint"] = thumbprint;
      return answer;
    }
  }
  return Internal("unknown operation");
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--store") o.store = value;
    if (flag == "--log") o.log = value;
    if (flag == "--starts") o.starts = value;
    if (flag == "--fault") o.fault = value;
    if (flag == "--fault-op") o.fault_op = value;
  }
  return o;
}

// What one request makes the fake do: print its answer and go on, or end
// the whole shell with an exit code.
struct Outcome {
  std::optional<int> exit;
};

Outcome Serve(const Options& options, const std::string& request) {
  Result<Invocation> inv = ParsePayload(request);
  if (!inv.ok()) {
    std::cerr << "fake_ems: not an xcert script: " << inv.status().message() << "\n";
    return {3};
  }
  const std::string op(OperationName(inv->op));
  if (!options.log.empty()) std::ofstream(options.log, std::ios::app) << op << "\n";
  const bool fault = !options.fault.empty() && (options.fault_op.empty() || options.fault_op == op);
  const std::string kind = fault ? options.fault.substr(0, options.fault.find(':')) : "";
  const std::string arg = fault && options.fault.find(':') != std::string::npos
                              ? options.fault.substr(options.fault.find(':') + 1)
                              : "";
  if (kind == "exit") {
    std::cerr << "fake_ems: simulated failure\n";
    return {std::stoi(arg)};
  }
  if (kind == "sleep") std::this_thread::sleep_for(std::chrono::seconds(std::stoi(arg)));
  if (kind == "access-denied") {
    std::cerr << "[ex01] Connecting to remote server ex01 failed with the following error message "
                 ": Access is "
                 "denied. For more information, see the about_Remote_Troubleshooting Help topic.\n";
    return {1};
  }
  if (kind == "ssh-denied") {
    std::cerr << "admin@ex01.pocket-consultant.com: Permission denied (publickey,password).\n";
    return {255};
  }
  if (kind == "no-result") {
    std::cout << "Microsoft Windows [Version 10.0.17763.1]\nC:\\Users\\admin>\n";
    return {};
  }
  if (kind == "malformed") {
    std::cout << "XCERT-RESULT: <html><body>Service Unavailable</body></html>\n";
    return {};
  }
  if (kind == "rbac-denied") {
    std::cout << FormatResultLine(
        {{"ok", false},
         {"error", "Access is denied. The user isn't assigned to any management roles."},
         {"category", "PermissionDenied"},
         {"command", "Get-ExchangeCertificate"}});
    return {};
  }
  xcert::store::LocalStore store(options.store, inv->args.value("server", std::string()));
  Result<json> answer = Perform(store, *inv);
  const std::string line = FormatResultLine(answer.ok() ? *answer : Failure(answer.status()));
  if (kind == "truncated") {
    std::cout << line.substr(0, line.size() / 2);
    return {0};
  }
  if (kind == "banner")
    std::cout
        << "Windows PowerShell\r\nCopyright (C) Microsoft Corporation. All rights reserved.\r\n";
  std::cout << line;
  if (kind == "banner")
    std::cout << "WARNING: The names of some imported commands include unapproved verbs.\r\n";
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = ParseOptions(argc, argv);
  if (!options.starts.empty()) std::ofstream(options.starts, std::ios::app) << "start\n";
  // The opening: the marker line and bootstrap.ps1.
  std::string opening, line;
  for (int i = 0; i < 2 && std::getline(std::cin, line); ++i) opening += line + "\n";
  Result<std::string> marker = ParseSessionOpening(opening);
  if (!marker.ok()) {
    std::cerr << "fake_ems: not an xcert session: " << marker.status().message() << "\n";
    return 3;
  }
  std::string request;
  while (std::getline(std::cin, line)) {
    if (line != *marker) {
      request += line + "\n";
      continue;
    }
    const Outcome outcome = Serve(options, request);
    std::cout.flush();
    if (outcome.exit) return *outcome.exit;
    std::cout << *marker << "\n" << std::flush;
    request.clear();
  }
  return 0;
}
