#include "resources/exchange/projection.h"

#include <algorithm>
#include <tuple>

#include "engine/model/dn.h"
#include "engine/model/dns_name.h"
#include "engine/util/strings.h"
#include "resources/exchange/recorded_connector.h"
#include "resources/exchange/recorded_exchange_server.h"
#include "resources/x509/builder.h"
#include "resources/x509/digest.h"
#include "resources/x509/name_match.h"
#include "resources/x509/parse.h"
#include "resources/x509/pem.h"

namespace xcert::exchange {

using nlohmann::json;

namespace {

// Reads typed members, remembering the first type error with its path.
// Missing members and null read as empty values: the scripts write [string]
// casts that may produce either.
class Reader {
 public:
  std::string Str(const json& j, const char* key, const std::string& path) {
    const json* v = Member(j, key);
    if (!v) return "";
    if (!v->is_string()) return Fail<std::string>(path, key, "a string");
    return v->get<std::string>();
  }
  std::optional<std::string> OptStr(const json& j, const char* key, const std::string& path) {
    const json* v = Member(j, key);
    if (!v) return std::nullopt;
    if (!v->is_string()) return Fail<std::optional<std::string>>(path, key, "a string or null");
    return v->get<std::string>();
  }
  bool Bool(const json& j, const char* key, const std::string& path) {
    const json* v = Member(j, key);
    if (!v) return false;
    if (!v->is_boolean()) return Fail<bool>(path, key, "true or false");
    return v->get<bool>();
  }
  int Int(const json& j, const char* key, const std::string& path) {
    const json* v = Member(j, key);
    if (!v) return 0;
    if (!v->is_number_integer()) return Fail<int>(path, key, "an integer");
    return v->get<int>();
  }
  std::vector<std::string> Strings(const json& j, const char* key, const std::string& path) {
    std::vector<std::string> out;
    const json* v = Member(j, key);
    if (!v) return out;
    if (v->is_string()) return {v->get<std::string>()};  // PowerShell unrolls one-element arrays
    if (!v->is_array()) return Fail<std::vector<std::string>>(path, key, "a list of strings");
    for (const json& item : *v) {
      if (item.is_null()) continue;
      if (!item.is_string()) return Fail<std::vector<std::string>>(path, key, "a list of strings");
      out.push_back(item.get<std::string>());
    }
    return out;
  }
  // The members of an object list (a single object is taken as a list of one).
  std::optional<std::vector<const json*>> Objects(const json& j, const char* key,
                                                  const std::string& path) {
    const json* v = Member(j, key);
    if (!v) return std::nullopt;
    std::vector<const json*> out;
    if (v->is_object()) return std::vector<const json*>{v};
    if (!v->is_array())
      return Fail<std::optional<std::vector<const json*>>>(path, key, "a list of objects");
    for (const json& item : *v) {
      if (!item.is_object())
        return Fail<std::optional<std::vector<const json*>>>(path, key, "a list of objects");
      out.push_back(&item);
    }
    return out;
  }
  const json* Object(const json& j, const char* key, const std::string& path) {
    const json* v = Member(j, key);
    if (!v) return nullptr;
    if (!v->is_object()) return Fail<const json*>(path, key, "an object or null");
    return v;
  }

  const Status& status() const { return status_; }

 private:
  static const json* Member(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return nullptr;
    return &*it;
  }
  template <typename T>
  T Fail(const std::string& path, const char* key, const char* expected) {
    if (status_.ok()) {
      status_ = InvalidArgument((path.empty() ? "" : path + ".") + key + ": expected " + expected);
    }
    return T{};
  }
  Status status_;
};

json OrNull(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }
json NullIfEmpty(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

ProjectedCertificate ReadCertificate(Reader& r, const json& c, const std::string& path) {
  ProjectedCertificate pc;
  pc.thumbprint = r.Str(c, "Thumbprint", path);
  const std::string raw = r.Str(c, "RawData", path);
  if (!raw.empty()) {
    // A bad RawData is this certificate's problem, not the whole answer's:
    // ToServerState reports it for this certificate only.
    Result<std::string> der = x509::Base64Decode(raw);
    if (der.ok())
      pc.raw_data = std::move(der).value();
    else
      pc.problem = "RawData is not base64";
  }
  pc.subject = r.Str(c, "Subject", path);
  pc.issuer = r.Str(c, "Issuer", path);
  pc.attributes_known = r.Bool(c, "AttributesKnown", path);
  if (!pc.attributes_known) return pc;
  pc.services = r.Int(c, "Services", path);
  pc.status = r.Str(c, "Status", path);
  pc.root_ca_type = r.Str(c, "RootCAType", path);
  pc.private_key_exportable = r.Bool(c, "PrivateKeyExportable", path);
  pc.has_private_key = r.Bool(c, "HasPrivateKey", path);
  pc.friendly_name = r.Str(c, "FriendlyName", path);
  pc.iis_services = r.Strings(c, "IISServices", path);
  pc.certificate_request = r.Str(c, "CertificateRequest", path);
  return pc;
}

std::string Upper(const std::string& s) { return ToUpper(Trim(s)); }

// The DER of a PKCS#10 request written as PEM (any label) or bare base64.
Result<std::string> RequestDer(std::string_view text) {
  std::string body;
  for (const std::string& line : Split(text, '\n')) {
    std::string_view t = Trim(line);
    if (t.starts_with("-----")) continue;
    body += t;
  }
  if (body.empty()) return InvalidArgument("the pending request has no CertificateRequest");
  Result<std::string> der = x509::Base64Decode(body);
  if (!der.ok()) return InvalidArgument("CertificateRequest is not base64");
  return der;
}

Result<CertificateInfo> PendingRequest(const ProjectedCertificate& pc) {
  CertificateInfo c;
  if (Trim(pc.certificate_request).empty() && !pc.raw_data.empty()) {
    // A recording keeps the placeholder certificate Exchange stores with the
    // request (it carries the request's subject and key) but not the PKCS#10.
    Result<CertificateInfo> placeholder = x509::ParseCertificate(pc.raw_data);
    if (!placeholder.ok()) return placeholder.status().WithContext("RawData");
    c = std::move(placeholder).value();
  } else {
    XCERT_ASSIGN_OR_RETURN(std::string der, RequestDer(pc.certificate_request));
    Result<x509::CsrInfo> csr = x509::ParseCsr(der);
    if (!csr.ok()) return csr.status().WithContext("CertificateRequest");
    c.subject = csr->subject;
    c.dns_names = csr->dns_names;
    c.key_algorithm = csr->key_algorithm;
    c.key_bits = csr->key_bits;
    c.curve = csr->curve;
    c.public_key_sha1 = csr->public_key_sha1;
    c.csr_pem = x509::ToPem("CERTIFICATE REQUEST", der);
  }
  if (!pc.thumbprint.empty()) c.thumbprint = Upper(pc.thumbprint);
  c.pending_request = true;
  c.status = CertStatus::kPendingRequest;
  c.root_ca_type = RootCaType::kUnknown;
  c.has_private_key = true;
  c.exportable = pc.private_key_exportable;
  c.friendly_name = pc.friendly_name;
  return c;
}

Result<CertificateInfo> ToCertificate(const ProjectedCertificate& pc) {
  if (pc.attributes_known && ParseCertStatus(pc.status) == CertStatus::kPendingRequest) {
    return PendingRequest(pc);
  }
  if (!pc.problem.empty()) return InvalidArgument(pc.problem);
  if (pc.raw_data.empty()) return InvalidArgument("no RawData");
  Result<CertificateInfo> parsed = x509::ParseCertificate(pc.raw_data);
  if (!parsed.ok()) return parsed.status().WithContext("RawData");
  CertificateInfo c = std::move(parsed).value();
  if (!pc.thumbprint.empty() && Upper(pc.thumbprint) != c.thumbprint) {
    return InvalidArgument("Thumbprint " + Upper(pc.thumbprint) +
                           " does not match its RawData (SHA-1 " + c.thumbprint + ")");
  }
  c.attributes_known = pc.attributes_known;
  if (!pc.attributes_known) return c;
  c.has_private_key = pc.has_private_key;
  c.exportable = pc.private_key_exportable;
  c.friendly_name = pc.friendly_name;
  c.status = ParseCertStatus(pc.status);
  c.root_ca_type = ParseRootCaType(pc.root_ca_type);
  c.iis_services = pc.iis_services;
  return c;
}

// A certificate as read, with the projection entry it came from.
struct Entry {
  CertificateInfo info;
  const ProjectedCertificate* source = nullptr;
  bool HasService(Service s) const {
    return info.attributes_known && (source->services & int(s)) != 0;
  }
};

int PortOf(const std::string& binding_information) {
  // "ip:port:host"; IPv6 addresses are bracketed, so the port follows "]:" or the first ':'.
  const size_t close = binding_information.find(']');
  const size_t colon = binding_information.find(':', close == std::string::npos ? 0 : close);
  if (colon == std::string::npos) return 0;
  return std::atoi(binding_information.c_str() + colon + 1);
}

// The certificate hash of `site`'s https binding on `port`: the all-addresses
// binding without host name when there is one, else the first.
std::string BindingHash(const std::vector<ProjectedWebBinding>& bindings, std::string_view site,
                        int port) {
  const ProjectedWebBinding* best = nullptr;
  for (const ProjectedWebBinding& b : bindings) {
    if (!EqualsIgnoreCase(b.site, site) || PortOf(b.binding_information) != port) continue;
    const bool wildcard = b.binding_information.starts_with("*:") ||
                          b.binding_information.starts_with("0.0.0.0:") ||
                          b.binding_information.starts_with(":");
    const bool no_host = b.binding_information.ends_with(":");
    if (wildcard && no_host) return Upper(b.certificate_hash);
    if (!best) best = &b;
  }
  return best ? Upper(best->certificate_hash) : "";
}

std::string SiteHolder(const std::vector<Entry>& entries, std::string_view suffix) {
  for (const Entry& e : entries) {
    for (const std::string& s : e.info.iis_services) {
      if (s.ends_with(suffix)) return e.info.thumbprint;
    }
  }
  return "";
}

bool Covers(const CertificateInfo& c, const std::string& name) {
  for (const std::string& d : CertificateDomains(c)) {
    if (x509::NameCovers(d, name)) return true;
  }
  return false;
}

// Which certificate serves POP or IMAP (see ToServerState).
std::string ClientProtocolHolder(const std::vector<Entry>& entries,
                                 const std::optional<std::string>& name, Service service) {
  if (name && Trim(*name).empty()) return "";
  const Entry* best = nullptr;
  auto key = [service](const Entry& e) {
    return std::make_tuple(e.HasService(service), !e.info.self_signed, e.info.not_after,
                           e.info.not_before);
  };
  for (const Entry& e : entries) {
    if (e.info.pending_request) continue;
    const bool candidate = name ? Covers(e.info, std::string(Trim(*name))) : e.HasService(service);
    if (!candidate) continue;
    // Entries are sorted by thumbprint, so ">" keeps the smallest on ties.
    if (!best || key(e) > key(*best)) best = &e;
  }
  return best ? best->info.thumbprint : "";
}

std::vector<std::string> ConnectorRefs(const std::vector<Entry>& entries,
                                       const std::vector<ProjectedConnector>& connectors) {
  std::vector<std::string> refs;
  for (const ProjectedConnector& c : connectors) {
    if (Trim(c.tls_certificate_name).empty()) continue;
    Result<TlsCertificateName> name = ParseTlsCertificateName(Trim(c.tls_certificate_name));
    if (!name.ok()) continue;  // misconfigured: it names no certificate
    for (const Entry& e : entries) {
      if (e.info.pending_request) continue;
      if (SameDn(name->issuer, e.info.issuer) && SameDn(name->subject, e.info.subject)) {
        refs.push_back(e.info.thumbprint);
      }
    }
  }
  std::sort(refs.begin(), refs.end());
  refs.erase(std::unique(refs.begin(), refs.end()), refs.end());
  return refs;
}

Bindings DeriveBindings(const Projection& p, const std::vector<Entry>& entries) {
  Bindings b;
  if (p.web_bindings) {
    b.iis = BindingHash(*p.web_bindings, "Default Web Site", 443);
    b.iis_back_end = BindingHash(*p.web_bindings, "Exchange Back End", 444);
  } else {
    b.iis = SiteHolder(entries, "/W3SVC/1");
    b.iis_back_end = SiteHolder(entries, "/W3SVC/2");
  }
  b.imap = ClientProtocolHolder(entries, p.imap_certificate_name, Service::kImap);
  b.pop = ClientProtocolHolder(entries, p.pop_certificate_name, Service::kPop);
  b.internal_transport = p.internal_transport ? Upper(*p.internal_transport) : "";
  for (const Entry& e : entries) {
    if (e.HasService(Service::kSmtp) ||
        (!b.internal_transport.empty() && e.info.thumbprint == b.internal_transport)) {
      b.smtp.push_back(e.info.thumbprint);
    }
  }
  if (p.auth_config) {
    b.auth_current = Upper(p.auth_config->current_thumbprint);
    b.auth_next = Upper(p.auth_config->next_thumbprint);
  }
  b.um = p.um_thumbprint ? Upper(*p.um_thumbprint) : "";
  b.um_call_router = p.um_call_router_thumbprint ? Upper(*p.um_call_router_thumbprint) : "";
  if (p.connectors) b.connector_refs = ConnectorRefs(entries, *p.connectors);
  // A certificate recorded as RawData only may be the holder nobody named.
  const bool some_unknown = std::any_of(entries.begin(), entries.end(),
                                        [](const Entry& e) { return !e.info.attributes_known; });
  if (!some_unknown) return b;
  if (!p.web_bindings && b.iis.empty()) {
    b.unknown_holders[Service::kIis] =
        "record the https bindings too (Get-WebBinding -Protocol https | Export-Clixml) and "
        "import them with snapshot import --web-bindings";
  }
  const std::string reexport =
      "its certificates were recorded as RawData only: export them again from an elevated "
      "Exchange Management Shell so that their Services are recorded";
  if (!p.imap_certificate_name && b.imap.empty()) b.unknown_holders[Service::kImap] = reexport;
  if (!p.pop_certificate_name && b.pop.empty()) b.unknown_holders[Service::kPop] = reexport;
  return b;
}

ServerIdentity Identity(const Projection& p, const std::string& server, const ServerSpec* spec) {
  ServerIdentity id;
  id.name = server;
  if (spec) {
    id.fqdn = spec->fqdn;
    id.roles = spec->roles;
    id.version = spec->version;
  }
  if (!p.server) return id;
  if (!p.server->fqdn.empty()) id.fqdn = p.server->fqdn;
  std::vector<Role> roles = ParseServerRoles(p.server->server_role, p.server->is_edge_server);
  if (!roles.empty()) id.roles = roles;
  if (std::optional<ExchangeVersion> v =
          VersionOfBuild(ParseServerBuild(p.server->admin_display_version))) {
    id.version = *v;
  }
  return id;
}

}  // namespace

CertStatus ParseCertStatus(std::string_view name) {
  for (int i = 0; i <= int(CertStatus::kPendingRequest); ++i) {
    if (EqualsIgnoreCase(CertStatusName(CertStatus(i)), Trim(name))) return CertStatus(i);
  }
  return CertStatus::kUnknown;
}

RootCaType ParseRootCaType(std::string_view name) {
  for (int i = 0; i <= int(RootCaType::kUnknown); ++i) {
    if (EqualsIgnoreCase(RootCaTypeName(RootCaType(i)), Trim(name))) return RootCaType(i);
  }
  return RootCaType::kUnknown;
}

std::vector<std::string> CertificateDomains(const CertificateInfo& c) {
  std::vector<std::string> out;
  auto add = [&out](const std::string& name) {
    for (const std::string& have : out) {
      if (EqualsIgnoreCase(have, name)) return;
    }
    out.push_back(name);
  };
  Result<std::vector<Rdn>> rdns = ParseDn(c.subject);
  if (rdns.ok()) {
    const std::string cn = CommonName(*rdns);
    if (!cn.empty() && WhyInvalidDnsName(cn).empty()) add(cn);
  }
  for (const std::string& n : c.dns_names) add(n);
  return out;
}

Result<std::string> CsrPem(std::string_view text) {
  XCERT_ASSIGN_OR_RETURN(std::string der, RequestDer(text));
  return x509::ToPem("CERTIFICATE REQUEST", der);
}

std::string TlsCertificateNameOf(const CertificateInfo& c) {
  return "<I>" + c.issuer + "<S>" + c.subject;
}

Result<Projection> ProjectionFromJson(const json& j) {
  if (!j.is_object()) return InvalidArgument("expected a JSON object (the projection)");
  Reader r;
  const std::string format = r.Str(j, "Format", "");
  if (format != kProjectionFormat) {
    return InvalidArgument("Format: expected \"" + std::string(kProjectionFormat) + "\", found \"" +
                           format + "\"");
  }
  const int version = r.Int(j, "Version", "");
  if (version > kProjectionVersion) {
    return InvalidArgument("Version " + std::to_string(version) +
                           " was written by a newer xcert (this one reads " +
                           std::to_string(kProjectionVersion) + "); upgrade xcert");
  }
  Projection p;
  if (const json* s = r.Object(j, "Server", "")) {
    ProjectedServer ps;
    ps.name = r.Str(*s, "Name", "Server");
    ps.fqdn = r.Str(*s, "Fqdn", "Server");
    ps.admin_display_version = r.Str(*s, "AdminDisplayVersion", "Server");
    ps.server_role = r.Str(*s, "ServerRole", "Server");
    ps.is_edge_server = r.Bool(*s, "IsEdgeServer", "Server");
    ps.is_client_access_server = r.Bool(*s, "IsClientAccessServer", "Server");
    ps.is_hub_transport_server = r.Bool(*s, "IsHubTransportServer", "Server");
    ps.is_mailbox_server = r.Bool(*s, "IsMailboxServer", "Server");
    ps.is_unified_messaging_server = r.Bool(*s, "IsUnifiedMessagingServer", "Server");
    p.server = ps;
  }
  p.local = r.Bool(j, "Local", "");
  if (auto certs = r.Objects(j, "Certificates", "")) {
    for (size_t i = 0; i < certs->size(); ++i) {
      p.certificates.push_back(
          ReadCertificate(r, *(*certs)[i], "Certificates[" + std::to_string(i) + "]"));
    }
  }
  if (const json* a = r.Object(j, "AuthConfig", "")) {
    ProjectedAuthConfig ac;
    ac.current_thumbprint = r.Str(*a, "CurrentCertificateThumbprint", "AuthConfig");
    ac.next_thumbprint = r.Str(*a, "NextCertificateThumbprint", "AuthConfig");
    ac.next_effective_date = r.Str(*a, "NextCertificateEffectiveDate", "AuthConfig");
    p.auth_config = ac;
  }
  p.internal_transport = r.OptStr(j, "InternalTransportCertificateThumbprint", "");
  if (auto bindings = r.Objects(j, "WebBindings", "")) {
    p.web_bindings.emplace();
    for (size_t i = 0; i < bindings->size(); ++i) {
      const std::string path = "WebBindings[" + std::to_string(i) + "]";
      const json& b = *(*bindings)[i];
      p.web_bindings->push_back({r.Str(b, "Site", path), r.Str(b, "BindingInformation", path),
                                 r.Str(b, "CertificateHash", path),
                                 r.Str(b, "CertificateStoreName", path)});
    }
  }
  if (const json* pop = r.Object(j, "PopSettings", ""))
    p.pop_certificate_name = r.Str(*pop, "X509CertificateName", "PopSettings");
  if (const json* imap = r.Object(j, "ImapSettings", "")) {
    p.imap_certificate_name = r.Str(*imap, "X509CertificateName", "ImapSettings");
  }
  p.um_thumbprint = r.OptStr(j, "UMCertificateThumbprint", "");
  p.um_call_router_thumbprint = r.OptStr(j, "UMCallRouterCertificateThumbprint", "");
  if (auto connectors = r.Objects(j, "Connectors", "")) {
    p.connectors.emplace();
    for (size_t i = 0; i < connectors->size(); ++i) {
      const std::string path = "Connectors[" + std::to_string(i) + "]";
      const json& c = *(*connectors)[i];
      p.connectors->push_back({r.Str(c, "Kind", path), r.Str(c, "Identity", path),
                               r.Str(c, "TlsCertificateName", path)});
    }
  }
  p.problems = r.Strings(j, "Problems", "");
  if (j.contains("Source")) p.source = j["Source"];
  if (!r.status().ok()) return r.status();
  return p;
}

json ProjectionToJson(const Projection& p) {
  json j = json::object();
  j["Format"] = kProjectionFormat;
  j["Version"] = kProjectionVersion;
  if (p.server) {
    const ProjectedServer& s = *p.server;
    j["Server"] = {{"Name", s.name},
                   {"Fqdn", s.fqdn},
                   {"AdminDisplayVersion", s.admin_display_version},
                   {"ServerRole", s.server_role},
                   {"IsEdgeServer", s.is_edge_server},
                   {"IsClientAccessServer", s.is_client_access_server},
                   {"IsHubTransportServer", s.is_hub_transport_server},
                   {"IsMailboxServer", s.is_mailbox_server},
                   {"IsUnifiedMessagingServer", s.is_unified_messaging_server}};
  } else {
    j["Server"] = nullptr;
  }
  j["Local"] = p.local;
  j["Certificates"] = json::array();
  for (const ProjectedCertificate& c : p.certificates) {
    json e = {
        {"Thumbprint", c.thumbprint},
        {"RawData", c.raw_data.empty() ? json(nullptr) : json(x509::Base64Encode(c.raw_data))},
        {"Subject", c.subject},
        {"Issuer", c.issuer},
        {"AttributesKnown", c.attributes_known}};
    if (c.attributes_known) {
      e["Services"] = c.services;
      e["Status"] = c.status;
      e["RootCAType"] = c.root_ca_type;
      e["PrivateKeyExportable"] = c.private_key_exportable;
      e["HasPrivateKey"] = c.has_private_key;
      e["FriendlyName"] = c.friendly_name;
      e["IISServices"] = c.iis_services;
      e["CertificateRequest"] = c.certificate_request;
    }
    j["Certificates"].push_back(std::move(e));
  }
  if (p.auth_config) {
    j["AuthConfig"] = {
        {"CurrentCertificateThumbprint", p.auth_config->current_thumbprint},
        {"NextCertificateThumbprint", p.auth_config->next_thumbprint},
        {"NextCertificateEffectiveDate", NullIfEmpty(p.auth_config->next_effective_date)}};
  } else {
    j["AuthConfig"] = nullptr;
  }
  j["InternalTransportCertificateThumbprint"] = OrNull(p.internal_transport);
  if (p.web_bindings) {
    j["WebBindings"] = json::array();
    for (const ProjectedWebBinding& b : *p.web_bindings) {
      j["WebBindings"].push_back({{"Site", b.site},
                                  {"BindingInformation", b.binding_information},
                                  {"CertificateHash", b.certificate_hash},
                                  {"CertificateStoreName", b.certificate_store_name}});
    }
  } else {
    j["WebBindings"] = nullptr;
  }
  j["PopSettings"] = p.pop_certificate_name ? json{{"X509CertificateName", *p.pop_certificate_name}}
                                            : json(nullptr);
  j["ImapSettings"] = p.imap_certificate_name
                          ? json{{"X509CertificateName", *p.imap_certificate_name}}
                          : json(nullptr);
  j["UMCertificateThumbprint"] = OrNull(p.um_thumbprint);
  j["UMCallRouterCertificateThumbprint"] = OrNull(p.um_call_router_thumbprint);
  if (p.connectors) {
    j["Connectors"] = json::array();
    for (const ProjectedConnector& c : *p.connectors) {
      j["Connectors"].push_back({{"Kind", c.kind},
                                 {"Identity", c.identity},
                                 {"TlsCertificateName", c.tls_certificate_name}});
    }
  } else {
    j["Connectors"] = nullptr;
  }
  j["Problems"] = p.problems;
  if (!p.source.is_null()) j["Source"] = p.source;
  return j;
}

ServerState ToServerState(const Projection& p, const std::string& server, const ServerSpec* spec) {
  ServerState s;
  s.server = server;
  s.identity = Identity(p, server, spec);
  // New-ExchangeCertificate has no validity parameter: self-signed
  // certificates last 60 months (resources/exchange/scripts/create.ps1).
  s.fixed_self_signed_validity = std::chrono::days(5 * 365);
  std::vector<Entry> entries;
  for (const ProjectedCertificate& pc : p.certificates) {
    Result<CertificateInfo> c = ToCertificate(pc);
    if (!c.ok()) {
      const std::string name = pc.thumbprint.empty()
                                   ? "a certificate"
                                   : "certificate " + ShortThumb(Upper(pc.thumbprint));
      s.problems.push_back(name + ": " + c.status().message());
      continue;
    }
    entries.push_back({std::move(c).value(), &pc});
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.info.thumbprint < b.info.thumbprint;
  });
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].info.thumbprint == entries[i - 1].info.thumbprint) {
      s.problems.push_back("certificate " + ShortThumb(entries[i].info.thumbprint) +
                           " is listed twice");
      entries.erase(entries.begin() + long(i));
      --i;
    }
  }
  s.bindings = DeriveBindings(p, entries);
  for (Entry& e : entries) {
    // Services as Exchange records them (AllowedServices: a certificate bound
    // only to the back end still says IIS); the bindings are the separate
    // fact the plan works from. Unknown attributes: what the bindings show.
    e.info.services = e.info.attributes_known ? ServiceSet(uint8_t(e.source->services))
                                              : s.bindings.ServicesOf(e.info.thumbprint);
    s.certificates.push_back(std::move(e.info));
  }
  for (const std::string& problem : p.problems) s.problems.push_back(problem);
  return s;
}

}  // namespace xcert::exchange
