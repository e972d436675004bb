#include "resources/store/show_render.h"

#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "engine/plan/json_writer.h"
#include "resources/store/chain_status.h"
#include "resources/x509/digest.h"

namespace xcert::store {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string RolesText(const std::vector<Role>& roles) {
  std::string out;
  for (Role r : roles) {
    if (!out.empty()) out += ", ";
    out += RoleName(r);
  }
  return out;
}

std::string Header(const ShowServer& s) {
  std::string out = s.name;
  const ServerIdentity& id = s.state.identity;
  if (s.error.empty() && !id.name.empty()) {
    out += " (" + (id.fqdn.empty() ? std::string("?") : id.fqdn) + "; " + RolesText(id.roles) +
           "; Exchange " + std::string(VersionName(id.version)) + ")";
  }
  return out + "\n";
}

void RenderServerText(const ShowServer& s, std::string* out) {
  *out += Header(s);
  if (!s.error.empty()) {
    *out += "  ! " + s.error + "\n";
    return;
  }
  *out += "\n";
  if (s.state.certificates.empty()) {
    *out += "  (no certificates)\n";
  } else {
    *out += Pad("Thumbprint", 42) + Pad("Services", 10) + "Subject\n";
    *out += Pad("----------", 42) + Pad("--------", 10) + "-------\n";
    for (size_t i = 0; i < s.state.certificates.size(); ++i) {
      const CertificateInfo& c = s.state.certificates[i];
      const CertStatus status = i < s.status.size() ? s.status[i].status : c.status;
      std::string line = Pad(c.thumbprint, 42) + Pad(c.services.ToLetters(), 10) + c.subject;
      if (status != CertStatus::kValid) line += "  [" + std::string(CertStatusName(status)) + "]";
      *out += line + "\n";
    }
  }
  for (const std::string& p : s.state.problems) *out += "  ! " + p + "\n";
}

std::string ModeText(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

ordered_json BindingsJson(const Bindings& b) {
  return ordered_json{{"iis", b.iis},
                      {"iis_back_end", b.iis_back_end},
                      {"imap", b.imap},
                      {"pop", b.pop},
                      {"um", b.um},
                      {"um_call_router", b.um_call_router},
                      {"smtp", b.smtp},
                      {"internal_transport", b.internal_transport},
                      {"auth_current", b.auth_current},
                      {"auth_next", b.auth_next},
                      {"connectors", b.connector_refs}};
}

ordered_json CertificateJson(const CertificateInfo& c, const x509::ChainResult& status,
                             const local::ItemFiles* files) {
  json services = json::array();
  for (Service s : c.services.ToVector()) services.push_back(ServiceName(s));
  ordered_json j;
  j["thumbprint"] = c.thumbprint;
  j["sha256"] = c.sha256;
  j["subject"] = c.subject;
  j["issuer"] = c.issuer;
  j["dns_names"] = c.dns_names;
  j["not_before"] = c.pending_request ? "" : FormatIso8601(c.not_before);
  j["not_after"] = c.pending_request ? "" : FormatIso8601(c.not_after);
  j["key_algorithm"] = KeyAlgorithmName(c.key_algorithm);
  j["key_size"] = c.key_bits;
  j["curve"] = CurveName(c.curve);
  j["serial_number"] = c.serial;
  j["signature_algorithm"] = c.signature_algorithm;
  j["subject_key_identifier"] = c.subject_key_id;
  j["authority_key_identifier"] = c.authority_key_id;
  j["public_key_sha1"] = c.public_key_sha1;
  j["is_self_signed"] = c.self_signed;
  j["is_ca"] = c.is_ca;
  j["has_private_key"] = c.has_private_key;
  j["private_key_exportable"] = c.exportable;
  j["friendly_name"] = c.friendly_name;
  j["services"] = services;
  j["services_string"] = c.services.ToString();
  j["services_letters"] = c.services.ToLetters();
  j["services_value"] = c.services.bits();
  j["status"] = CertStatusName(status.status);
  j["status_detail"] = status.detail;
  j["root_ca_type"] = RootCaTypeName(RootCaTypeOf(c, status.status));
  j["pending_request"] = c.pending_request;
  j["certificate_request"] = c.csr_pem;
  j["iis_services"] = c.iis_services;
  j["attributes_known"] = c.attributes_known;
  j["raw_data"] = x509::Base64Encode(c.der);
  j["path"] = files ? json(files->dir.string()) : json(nullptr);
  j["key_file_mode"] = files && files->key_mode ? json(ModeText(*files->key_mode)) : json(nullptr);
  j["chain_length"] = files ? files->chain_der.size() : 0;
  return j;
}

ordered_json ServerJson(const ShowServer& s) {
  const ServerIdentity& id = s.state.identity;
  json roles = json::array();
  for (Role r : id.roles) roles.push_back(RoleName(r));
  ordered_json j;
  j["name"] = s.name;
  j["fqdn"] = id.fqdn;
  j["roles"] = roles;
  j["exchange_version"] = id.name.empty() ? "" : VersionName(id.version);
  j["path"] = s.dir ? json(s.dir->string()) : json(nullptr);
  j["complete"] = s.error.empty() && s.state.complete();
  j["error"] = s.error.empty() ? json(nullptr) : json(s.error);
  j["problems"] = s.state.problems;
  j["bindings"] = BindingsJson(s.state.bindings);
  ordered_json certs = ordered_json::array();
  for (size_t i = 0; i < s.state.certificates.size(); ++i) {
    const CertificateInfo& c = s.state.certificates[i];
    const x509::ChainResult status =
        i < s.status.size() ? s.status[i] : x509::ChainResult{c.status, ""};
    certs.push_back(CertificateJson(c, status, i < s.files.size() ? &s.files[i] : nullptr));
  }
  j["certificates"] = std::move(certs);
  return j;
}

}  // namespace

std::string RenderShowText(const ShowReport& report) {
  std::string out;
  for (size_t i = 0; i < report.servers.size(); ++i) {
    if (i > 0) out += "\n";
    RenderServerText(report.servers[i], &out);
  }
  if (report.servers.empty())
    out += report.store + " holds no servers yet; add one with xcert store init\n";
  return out;
}

namespace {

// The nlohmann document of RenderShowJson: the reference the direct writer
// below must match byte for byte (checked in debug builds).
[[maybe_unused]] std::string ShowJsonDocument(const ShowReport& report) {
  ordered_json j;
  j["format_version"] = kShowFormatVersion;
  j["store"] = report.store;
  j["at"] = FormatIso8601(report.at);
  ordered_json servers = ordered_json::array();
  for (const ShowServer& s : report.servers) servers.push_back(ServerJson(s));
  j["servers"] = std::move(servers);
  return j.dump(2) + "\n";
}

void WriteCertificate(JsonWriter& w, const CertificateInfo& c, const x509::ChainResult& status,
                      const local::ItemFiles* files) {
  w.BeginObject();
  w.Field("thumbprint", c.thumbprint);
  w.Field("sha256", c.sha256);
  w.Field("subject", c.subject);
  w.Field("issuer", c.issuer);
  w.Key("dns_names");
  w.Strings(c.dns_names);
  w.Field("not_before", c.pending_request ? std::string() : FormatIso8601(c.not_before));
  w.Field("not_after", c.pending_request ? std::string() : FormatIso8601(c.not_after));
  w.Field("key_algorithm", KeyAlgorithmName(c.key_algorithm));
  w.Field("key_size", c.key_bits);
  w.Field("curve", CurveName(c.curve));
  w.Field("serial_number", c.serial);
  w.Field("signature_algorithm", c.signature_algorithm);
  w.Field("subject_key_identifier", c.subject_key_id);
  w.Field("authority_key_identifier", c.authority_key_id);
  w.Field("public_key_sha1", c.public_key_sha1);
  w.Field("is_self_signed", c.self_signed);
  w.Field("is_ca", c.is_ca);
  w.Field("has_private_key", c.has_private_key);
  w.Field("private_key_exportable", c.exportable);
  w.Field("friendly_name", c.friendly_name);
  w.Key("services");
  w.BeginArray();
  for (Service s : c.services.ToVector()) w.String(ServiceName(s));
  w.EndArray();
  w.Field("services_string", c.services.ToString());
  w.Field("services_letters", c.services.ToLetters());
  w.Key("services_value");
  w.Uint(c.services.bits());
  w.Field("status", CertStatusName(status.status));
  w.Field("status_detail", status.detail);
  w.Field("root_ca_type", RootCaTypeName(RootCaTypeOf(c, status.status)));
  w.Field("pending_request", c.pending_request);
  w.Field("certificate_request", c.csr_pem);
  w.Key("iis_services");
  w.Strings(c.iis_services);
  w.Field("attributes_known", c.attributes_known);
  w.Field("raw_data", x509::Base64Encode(c.der));
  w.Key("path");
  files ? w.String(files->dir.string()) : w.Null();
  w.Key("key_file_mode");
  files && files->key_mode ? w.String(ModeText(*files->key_mode)) : w.Null();
  w.Field("chain_length", files ? files->chain_der.size() : 0);
  w.EndObject();
}

void WriteBindings(JsonWriter& w, const Bindings& b) {
  w.BeginObject();
  w.Field("iis", b.iis);
  w.Field("iis_back_end", b.iis_back_end);
  w.Field("imap", b.imap);
  w.Field("pop", b.pop);
  w.Field("um", b.um);
  w.Field("um_call_router", b.um_call_router);
  w.Key("smtp");
  w.Strings(b.smtp);
  w.Field("internal_transport", b.internal_transport);
  w.Field("auth_current", b.auth_current);
  w.Field("auth_next", b.auth_next);
  w.Key("connectors");
  w.Strings(b.connector_refs);
  w.EndObject();
}

void WriteServer(JsonWriter& w, const ShowServer& s) {
  const ServerIdentity& id = s.state.identity;
  w.BeginObject();
  w.Field("name", s.name);
  w.Field("fqdn", id.fqdn);
  w.Key("roles");
  w.BeginArray();
  for (Role r : id.roles) w.String(RoleName(r));
  w.EndArray();
  w.Field("exchange_version", id.name.empty() ? std::string_view() : VersionName(id.version));
  w.Key("path");
  s.dir ? w.String(s.dir->string()) : w.Null();
  w.Field("complete", s.error.empty() && s.state.complete());
  w.Key("error");
  s.error.empty() ? w.Null() : w.String(s.error);
  w.Key("problems");
  w.Strings(s.state.problems);
  w.Key("bindings");
  WriteBindings(w, s.state.bindings);
  w.Key("certificates");
  w.BeginArray();
  for (size_t i = 0; i < s.state.certificates.size(); ++i) {
    const CertificateInfo& c = s.state.certificates[i];
    const x509::ChainResult status =
        i < s.status.size() ? s.status[i] : x509::ChainResult{c.status, ""};
    WriteCertificate(w, c, status, i < s.files.size() ? &s.files[i] : nullptr);
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace

std::string RenderShowJson(const ShowReport& report) {
  // Written directly (JsonWriter): building the nlohmann document of 10,000
  // certificates cost more than reading them.
  std::string out;
  size_t certificates = 0;
  for (const ShowServer& s : report.servers) certificates += s.state.certificates.size();
  out.reserve(4096 + 1024 * report.servers.size() + 3500 * certificates);
  JsonWriter w(&out);
  w.BeginObject();
  w.Field("format_version", kShowFormatVersion);
  w.Field("store", report.store);
  w.Field("at", FormatIso8601(report.at));
  w.Key("servers");
  w.BeginArray();
  for (const ShowServer& s : report.servers) WriteServer(w, s);
  w.EndArray();
  w.EndObject();
  out += "\n";
#ifndef NDEBUG
  if (out != ShowJsonDocument(report)) {
    std::fprintf(stderr, "xcert: RenderShowJson differs from its document; please report this\n");
    std::abort();
  }
#endif
  return out;
}

}  // namespace xcert::store
