#include "resources/store/show_render.h"

#include <cstdio>
#include <cstdlib>

#include "engine/plan/json_writer.h"
#include "resources/x509/digest.h"

namespace xcert::store {

namespace {

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
      if (!c.attributes_known) {
        // RawData only: Services and Status are unknown, not "none" and "Valid".
        *out += Pad(c.thumbprint, 42) + Pad("?", 10) + c.subject + "  [attributes unknown]\n";
        continue;
      }
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
  // What the store records beside the certificate is null when the store
  // could not read it (RawData only): unknown, not false or empty.
  const bool known = c.attributes_known;
  auto unknown = [&w](std::string_view key) {
    w.Key(key);
    w.Null();
  };
  known ? w.Field("has_private_key", c.has_private_key) : unknown("has_private_key");
  known ? w.Field("private_key_exportable", c.exportable) : unknown("private_key_exportable");
  known ? w.Field("friendly_name", c.friendly_name) : unknown("friendly_name");
  w.Key("services");
  if (known) {
    w.BeginArray();
    for (Service s : c.services.ToVector()) w.String(ServiceName(s));
    w.EndArray();
    w.Field("services_string", c.services.ToString());
    w.Field("services_letters", c.services.ToLetters());
    w.Key("services_value");
    w.Uint(c.services.bits());
    w.Field("status", CertStatusName(status.status));
    w.Field("status_detail", status.detail);
    w.Field("root_ca_type", RootCaTypeName(c.root_ca_type));
  } else {
    w.Null();
    for (std::string_view key : {"services_string", "services_letters", "services_value", "status",
                                 "status_detail", "root_ca_type"}) {
      unknown(key);
    }
  }
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
  return out;
}

}  // namespace xcert::store
