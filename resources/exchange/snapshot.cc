#include "resources/exchange/snapshot.h"

#include <filesystem>

#include "engine/util/file_util.h"
#include "engine/util/strings.h"
#include "resources/exchange/recorded_auth_config.h"
#include "resources/exchange/recorded_certificate.h"
#include "resources/exchange/recorded_connector.h"
#include "resources/exchange/recorded_exchange_server.h"
#include "resources/exchange/recorded_web_binding.h"
#include "resources/store/store_rules.h"

namespace xcert::exchange {

using nlohmann::json;

namespace {

template <typename T, typename Reader>
Result<std::vector<T>> ReadRecorded(const std::string& path, Reader read) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status().WithContext(path);
  return read(*text, path);
}

template <typename E>
std::string EnumName(int value, int last, std::string_view (*name)(E)) {
  return value >= 0 && value <= last ? std::string(name(E(value))) : "Unknown";
}

ProjectedCertificate FromRecorded(const RecordedCertificate& r) {
  ProjectedCertificate c;
  c.thumbprint = r.thumbprint;
  c.raw_data = r.raw_der;
  c.attributes_known = r.attributes_known;
  if (!r.attributes_known) return c;
  c.services = r.services;
  c.status = EnumName<CertStatus>(r.status, int(CertStatus::kPendingRequest), CertStatusName);
  c.root_ca_type = EnumName<RootCaType>(r.root_ca_type, int(RootCaType::kUnknown), RootCaTypeName);
  c.private_key_exportable = r.private_key_exportable;
  // SerializationData has no HasPrivateKey; Get-ExchangeCertificate lists
  // only certificates with a key, and the serialized store element names
  // where the key lives (KEY_PROV_INFO) when there is one.
  c.has_private_key = r.has_private_key_info;
  c.friendly_name = r.friendly_name;
  c.iis_services = r.iis_services;
  return c;
}

// IIS sites by name, or by port when the recording did not keep the site.
std::string SiteOf(const RecordedWebBinding& b) {
  if (!b.site_name.empty()) return b.site_name;
  if (b.port == 443) return "Default Web Site";
  if (b.port == 444) return "Exchange Back End";
  return "";
}

Status AddWebBindings(const std::string& path, Projection* p) {
  XCERT_ASSIGN_OR_RETURN(std::vector<RecordedWebBinding> bindings,
                         ReadRecorded<RecordedWebBinding>(path, ReadRecordedWebBindings));
  p->web_bindings.emplace();
  for (const RecordedWebBinding& b : bindings) {
    if (!EqualsIgnoreCase(b.protocol, "https")) continue;
    p->web_bindings->push_back(
        {SiteOf(b), b.binding_information, b.certificate_hash, b.certificate_store_name});
  }
  return Status::Ok();
}

Status AddConnectors(const std::string& path, Projection* p) {
  XCERT_ASSIGN_OR_RETURN(std::vector<RecordedConnector> connectors,
                         ReadRecorded<RecordedConnector>(path, ReadRecordedConnectors));
  if (!p->connectors) p->connectors.emplace();
  for (const RecordedConnector& c : connectors) {
    std::string name;
    if (c.tls_certificate_name)
      name = "<I>" + c.tls_certificate_name->issuer + "<S>" + c.tls_certificate_name->subject;
    p->connectors->push_back(
        {c.kind == ConnectorKind::kReceive ? "Receive" : "Send", c.identity, name});
  }
  return Status::Ok();
}

Status AddExchangeServer(const std::string& path, const std::string& server, Projection* p) {
  XCERT_ASSIGN_OR_RETURN(std::vector<RecordedExchangeServer> servers,
                         ReadRecorded<RecordedExchangeServer>(path, ReadRecordedExchangeServers));
  const RecordedExchangeServer* found = nullptr;
  std::vector<std::string> names;
  for (const RecordedExchangeServer& s : servers) {
    names.push_back(s.name);
    if (EqualsIgnoreCase(s.name, server) || (servers.size() == 1)) found = &s;
  }
  if (!found) {
    return InvalidArgument(path + ": no Exchange server named " + server + " in it (it has " +
                           QuotedList(names) + ")");
  }
  ProjectedServer ps;
  ps.name = found->name;
  ps.fqdn = found->fqdn;
  ps.admin_display_version = found->admin_display_version;
  ps.server_role = found->server_role;
  ps.is_edge_server = found->is_edge_server;
  ps.is_client_access_server = found->is_client_access_server;
  ps.is_hub_transport_server = found->is_hub_transport_server;
  ps.is_mailbox_server = found->is_mailbox_server;
  p->server = ps;
  return Status::Ok();
}

}  // namespace

std::string WhyInvalidSnapshotServer(const std::string& server) {
  if (server.empty()) return "the server name is empty";
  if (server == "." || server == ".." || server.find_first_of("/\\:") != std::string::npos) {
    return "'" + server + "' cannot be a file name (no '/', '\\', ':', '.' or '..')";
  }
  return "";
}

Result<Projection> BuildSnapshot(const std::string& server, const SnapshotFiles& files,
                                 TimePoint now, SnapshotReport* report) {
  if (std::string why = WhyInvalidSnapshotServer(server); !why.empty())
    return InvalidArgument("--server: " + why);
  Projection p;
  XCERT_ASSIGN_OR_RETURN(
      std::vector<RecordedCertificate> recorded,
      ReadRecorded<RecordedCertificate>(files.certificates, ReadRecordedCertificates));
  json source = {{"ImportedBy", "xcert snapshot import"},
                 {"ImportedAt", FormatIso8601(now)},
                 {"Certificates", files.certificates}};
  std::string computer;
  for (const RecordedCertificate& r : recorded) {
    p.certificates.push_back(FromRecorded(r));
    if (!r.attributes_known) ++report->attributes_unknown;
    if (computer.empty()) computer = r.ps_computer_name;
  }
  report->certificates = recorded.size();
  if (!computer.empty()) source["PSComputerName"] = computer;
  if (report->attributes_unknown > 0) {
    report->warnings.push_back(
        std::to_string(report->attributes_unknown) + " of " + std::to_string(recorded.size()) +
        " certificates were recorded with RawData only (their Exchange attributes did not survive "
        "serialization): plan and drift see them as present with unknown attributes and take no "
        "destructive "
        "step on them; export again from an elevated Exchange Management Shell on the server to "
        "fix it");
  }
  if (!files.auth_config.empty()) {
    Result<std::string> text = ReadFile(files.auth_config);
    if (!text.ok()) return text.status().WithContext(files.auth_config);
    XCERT_ASSIGN_OR_RETURN(RecordedAuthConfig auth,
                           ReadRecordedAuthConfig(*text, files.auth_config));
    p.auth_config = ProjectedAuthConfig{
        auth.current_thumbprint, auth.next_thumbprint,
        auth.next_effective_date ? FormatIso8601(*auth.next_effective_date) : ""};
    source["AuthConfig"] = files.auth_config;
  } else {
    report->warnings.push_back(
        "no --auth-config: the Auth certificates are not known, so the plan protects them only by "
        "their "
        "subject (the .ps1 checks Get-AuthConfig on the server before removing anything)");
  }
  if (!files.web_bindings.empty()) {
    XCERT_RETURN_IF_ERROR(AddWebBindings(files.web_bindings, &p));
    source["WebBindings"] = files.web_bindings;
  }
  if (!files.receive_connectors.empty()) {
    XCERT_RETURN_IF_ERROR(AddConnectors(files.receive_connectors, &p));
    source["ReceiveConnectors"] = files.receive_connectors;
  }
  if (!files.send_connectors.empty()) {
    XCERT_RETURN_IF_ERROR(AddConnectors(files.send_connectors, &p));
    source["SendConnectors"] = files.send_connectors;
  }
  if (!files.exchange_server.empty()) {
    XCERT_RETURN_IF_ERROR(AddExchangeServer(files.exchange_server, server, &p));
    source["ExchangeServer"] = files.exchange_server;
  }
  if (!files.internal_transport.empty()) {
    XCERT_ASSIGN_OR_RETURN(
        std::vector<RecordedCertificate> transport,
        ReadRecorded<RecordedCertificate>(files.internal_transport, ReadRecordedCertificates));
    if (transport.size() != 1) {
      return InvalidArgument(files.internal_transport +
                             ": expected one certificate (the internal transport "
                             "certificate), found " +
                             std::to_string(transport.size()));
    }
    p.internal_transport = transport.front().thumbprint;
    source["InternalTransport"] = files.internal_transport;
  } else {
    report->warnings.push_back(
        "no --internal-transport: the internal transport (default SMTP) certificate is not known; "
        "the .ps1 "
        "checks it on the server before removing anything");
  }
  p.source = std::move(source);
  return p;
}

std::string SnapshotPath(const std::string& dir, const std::string& server) {
  return (std::filesystem::path(dir) / (server + ".json")).string();
}

Status WriteSnapshot(const std::string& dir, const std::string& server,
                     const Projection& projection) {
  if (std::string why = WhyInvalidSnapshotServer(server); !why.empty()) return InvalidArgument(why);
  XCERT_RETURN_IF_ERROR(CreateDirsDurable(dir));
  return WriteFileAtomic(SnapshotPath(dir, server), ProjectionToJson(projection).dump(2) + "\n");
}

Result<Projection> ReadSnapshot(const std::string& dir, const std::string& server) {
  if (std::string why = WhyInvalidSnapshotServer(server); !why.empty()) return InvalidArgument(why);
  const std::string path = SnapshotPath(dir, server);
  Result<std::string> text = ReadFile(path);
  if (!text.ok() && text.status().code() == Code::kNotFound) {
    return NotFound("no snapshot of " + server + " (" + path +
                    "); record one with: xcert snapshot import --server " + server + " --store " +
                    dir + " certificates.xml (docs/commands/snapshot.md)");
  }
  if (!text.ok()) return text.status().WithContext(path);
  json j;
  try {
    j = json::parse(*text);
  } catch (const json::exception& e) {
    return DataLoss(path + ": not valid JSON: " + e.what() + "; import the snapshot again");
  }
  Result<Projection> p = ProjectionFromJson(j);
  if (!p.ok()) return DataLoss(path + ": " + p.status().message() + "; import the snapshot again");
  return p;
}

Status SnapshotStore::ReadOnly() const {
  return FailedPrecondition(spec_.name + ": " + std::string(kSnapshotReadOnly));
}

Result<ServerState> SnapshotStore::List() {
  XCERT_ASSIGN_OR_RETURN(Projection p, ReadSnapshot(dir_, spec_.name));
  ServerState s = ToServerState(p, spec_.name, &spec_);
  s.read_only = true;
  return s;
}

Result<std::optional<CertificateInfo>> SnapshotStore::Get(const std::string& thumbprint) {
  XCERT_ASSIGN_OR_RETURN(ServerState s, List());
  const CertificateInfo* c = s.Find(store::NormalizeThumbprint(thumbprint));
  return c ? std::optional<CertificateInfo>(*c) : std::nullopt;
}

Store* SnapshotStoreSet::Find(const std::string& server) {
  auto it = stores_.find(server);
  return it == stores_.end() ? nullptr : it->second.get();
}

void SnapshotStoreSet::Add(std::unique_ptr<SnapshotStore> store) {
  const std::string name = store->server();
  stores_[name] = std::move(store);
}

Result<std::unique_ptr<StoreSet>> OpenSnapshotStores(const Manifest& manifest) {
  if (manifest.store.path.empty()) {
    return InvalidArgument(
        manifest.source.Find("/store").ToString() +
        ": a snapshot store needs a path: store: {type: snapshot, path: ./snapshots}");
  }
  const std::string dir = manifest.Resolve(manifest.store.path);
  auto set = std::make_unique<SnapshotStoreSet>();
  for (const ServerSpec& server : manifest.servers)
    set->Add(std::make_unique<SnapshotStore>(dir, server));
  return std::unique_ptr<StoreSet>(std::move(set));
}

}  // namespace xcert::exchange
