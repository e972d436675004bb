// The projection: one Exchange server's certificates and the facts that decide
// which certificate serves what, as plain JSON values (never ConvertTo-Json of
// the cmdlet objects). Three producers write it and one parser (this file)
// reads it:
//   - list.ps1 / get.ps1 on a live server (the "State" of their answer),
//   - `xcert snapshot import` from recorded CliXml (<snapshot dir>/<server>.json),
//   - the fake Exchange Management Shell of the tests.
//
//   {"Format":"xcert-exchange-projection","Version":1,
//    "Server":{"Name","Fqdn","AdminDisplayVersion","ServerRole","IsEdgeServer",
//              "IsClientAccessServer","IsHubTransportServer","IsMailboxServer",
//              "IsUnifiedMessagingServer"} | null,
//    "Local": bool,                       the script ran on the server itself
//    "Certificates":[{"Thumbprint","RawData"(base64 DER),"Subject","Issuer",
//        "AttributesKnown", and when known: "Services"(AllowedServices number),
//        "Status","RootCAType"(names),"PrivateKeyExportable","HasPrivateKey",
//        "FriendlyName","IISServices":[...],"CertificateRequest"(pending: PKCS#10)}],
//    "AuthConfig":{"CurrentCertificateThumbprint","NextCertificateThumbprint",
//                  "NextCertificateEffectiveDate"(ISO 8601 or null)} | null,
//    "InternalTransportCertificateThumbprint": string | null,
//    "WebBindings":[{"Site","BindingInformation","CertificateHash",
//                    "CertificateStoreName"}] | null,
//    "PopSettings":{"X509CertificateName"} | null, "ImapSettings": likewise,
//    "UMCertificateThumbprint", "UMCallRouterCertificateThumbprint": string | null,
//    "Connectors":[{"Kind":"Receive"|"Send","Identity","TlsCertificateName"}] | null,
//    "Problems":[string],
//    "Source": {...} (snapshots: where the data came from; not interpreted)}
//
// null means "not read" (not applicable to the server, or a snapshot without
// that file); Problems lists what could not be read, and a server with
// problems gets no destructive step.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/model/certificate.h"
#include "engine/model/manifest.h"
#include "engine/model/server_state.h"
#include "engine/util/status.h"

namespace xcert::exchange {

inline constexpr std::string_view kProjectionFormat = "xcert-exchange-projection";
inline constexpr int kProjectionVersion = 1;

struct ProjectedCertificate {
  std::string thumbprint;  // as the server reports it
  std::string raw_data;    // DER bytes; "" when absent (pending requests may have none)
  std::string subject;     // .NET forms as Exchange shows them; "" when not reported
  std::string issuer;
  bool attributes_known = false;  // false: RawData only (the rest is absent)
  int services = 0;               // AllowedServices flags
  std::string status;             // "Valid", "PendingRequest", ...
  std::string root_ca_type;       // "Registry", "None", ...
  bool private_key_exportable = false;
  bool has_private_key = false;
  std::string friendly_name;
  std::vector<std::string> iis_services;  // "IIS://SERVER/W3SVC/1"
  std::string certificate_request;        // pending requests: PKCS#10, PEM or base64
  std::string problem;  // why the entry is unreadable ("RawData is not base64"); not written
  bool operator==(const ProjectedCertificate&) const = default;
};

struct ProjectedServer {
  std::string name;
  std::string fqdn;
  std::string admin_display_version;  // "Version 15.2 (Build 1118.7)"
  std::string server_role;            // "Mailbox", "Mailbox, ClientAccess", "Edge"
  bool is_edge_server = false;
  bool is_client_access_server = false;
  bool is_hub_transport_server = false;
  bool is_mailbox_server = false;
  bool is_unified_messaging_server = false;
  bool operator==(const ProjectedServer&) const = default;
};

struct ProjectedAuthConfig {
  std::string current_thumbprint;
  std::string next_thumbprint;
  std::string next_effective_date;  // ISO 8601 UTC, "" when not scheduled
  bool operator==(const ProjectedAuthConfig&) const = default;
};

struct ProjectedWebBinding {
  std::string site;                 // "Default Web Site", "Exchange Back End"
  std::string binding_information;  // "*:443:", "127.0.0.1:443:"
  std::string certificate_hash;
  std::string certificate_store_name;
  bool operator==(const ProjectedWebBinding&) const = default;
};

struct ProjectedConnector {
  std::string kind;  // "Receive" or "Send"
  std::string identity;
  std::string tls_certificate_name;  // "<I>issuer<S>subject", "" when not set
  bool operator==(const ProjectedConnector&) const = default;
};

struct Projection {
  std::optional<ProjectedServer> server;
  bool local = false;
  std::vector<ProjectedCertificate> certificates;
  std::optional<ProjectedAuthConfig> auth_config;
  std::optional<std::string> internal_transport;
  std::optional<std::vector<ProjectedWebBinding>> web_bindings;
  std::optional<std::string> pop_certificate_name;   // PopSettings.X509CertificateName
  std::optional<std::string> imap_certificate_name;  // ImapSettings.X509CertificateName
  std::optional<std::string> um_thumbprint;
  std::optional<std::string> um_call_router_thumbprint;
  std::optional<std::vector<ProjectedConnector>> connectors;
  std::vector<std::string> problems;
  nlohmann::json source;  // null, or where a snapshot came from
  bool operator==(const Projection&) const = default;
};

// Reads a projection. Errors name the JSON path and what was expected:
// "Certificates[2].Services: expected a number".
Result<Projection> ProjectionFromJson(const nlohmann::json& j);
nlohmann::json ProjectionToJson(const Projection& p);

// The server the projection describes. Certificates come from RawData
// (pending requests from their PKCS#10); a certificate that cannot be read
// becomes a problem and the rest is still read. Bindings, as Exchange derives
// them (reference/exchange.md §0.2):
//   IIS        the Default Web Site :443 binding's hash (else IISServices W3SVC/1)
//   back end   the Exchange Back End :444 binding's hash (else IISServices W3SVC/2)
//   IMAP/POP   the certificate covering X509CertificateName (else the one whose
//              Services has the flag); among several: CA-issued before
//              self-signed, then the latest NotAfter, NotBefore, thumbprint
//   SMTP       every certificate whose Services has SMTP, and the internal
//              transport certificate
//   internal transport, Auth current/next, UM, UMCallRouter: as reported
//   connectors certificates whose issuer and subject a TlsCertificateName names
// Services are Exchange's recorded AllowedServices (ServicesOf these bindings
// when the attributes are unknown). `spec` fills the identity
// where the projection has no Server facts.
ServerState ToServerState(const Projection& p, const std::string& server, const ServerSpec* spec);

// The certificate's FQDNs as Exchange lists them (CertificateDomains): the CN
// first when it is a DNS name, then the DNS names, without duplicates.
std::vector<std::string> CertificateDomains(const CertificateInfo& c);

// "<I>issuer<S>subject", how a connector names a certificate.
std::string TlsCertificateNameOf(const CertificateInfo& c);

// A PKCS#10 request as Exchange writes it (PEM with any label, or bare
// base64) as PEM "CERTIFICATE REQUEST".
Result<std::string> CsrPem(std::string_view text);

// CertStatus / RootCaType by name (case-insensitive); kUnknown when unknown.
CertStatus ParseCertStatus(std::string_view name);
RootCaType ParseRootCaType(std::string_view name);

}  // namespace xcert::exchange
