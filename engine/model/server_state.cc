#include "engine/model/server_state.h"

#include <algorithm>
#include <cstdio>

namespace xcert {

ServiceSet Bindings::ServicesOf(const std::string& t) const {
  ServiceSet s;
  if (t.empty()) return s;
  if (iis == t) s.Add(Service::kIis);
  if (imap == t) s.Add(Service::kImap);
  if (pop == t) s.Add(Service::kPop);
  if (um == t) s.Add(Service::kUm);
  if (um_call_router == t) s.Add(Service::kUmCallRouter);
  if (std::find(smtp.begin(), smtp.end(), t) != smtp.end() || internal_transport == t) {
    s.Add(Service::kSmtp);
  }
  return s;
}

const std::string& Bindings::HolderOf(Service s) const {
  static const std::string kNone;
  switch (s) {
    case Service::kIis: return iis;
    case Service::kImap: return imap;
    case Service::kPop: return pop;
    case Service::kUm: return um;
    case Service::kUmCallRouter: return um_call_router;
    default: return kNone;
  }
}

std::string Bindings::ProtectionOf(const std::string& t) const {
  if (t.empty()) return "";
  if (t == auth_current) return "it is the current Auth (OAuth) certificate";
  if (t == auth_next) return "it is the next Auth (OAuth) certificate";
  if (t == iis_back_end) return "it is bound to the Exchange Back End site (:444)";
  if (t == internal_transport) return "it is the internal transport (default SMTP) certificate";
  if (std::find(connector_refs.begin(), connector_refs.end(), t) != connector_refs.end()) {
    return "a connector names it in TlsCertificateName";
  }
  // SMTP alone does not hold a certificate: several may have it (key ACL) and
  // Remove-ExchangeCertificate only refuses the internal transport one.
  const ServiceSet bound = ServicesOf(t).Minus(ServiceSet{Service::kSmtp});
  if (!bound.empty()) return "it still serves " + bound.ToString();
  return "";
}

const CertificateInfo* ServerState::Find(const std::string& thumbprint) const {
  auto it = std::lower_bound(
      certificates.begin(), certificates.end(), thumbprint,
      [](const CertificateInfo& c, const std::string& t) { return c.thumbprint < t; });
  if (it != certificates.end() && it->thumbprint == thumbprint) return &*it;
  // Stores promise sorted output, but a linear fallback keeps Find correct
  // for hand-built states in tests.
  for (const CertificateInfo& c : certificates) {
    if (c.thumbprint == thumbprint) return &c;
  }
  return nullptr;
}

std::map<std::string, std::string> ObservedSummary(const ServerState& state) {
  std::map<std::string, std::string> out;
  for (const CertificateInfo& c : state.certificates) {
    std::string v = "services=" + c.services.ToLetters();
    v += c.has_private_key ? (c.exportable ? " key=exportable" : " key=non-exportable")
                           : " key=none";
    if (c.pending_request) v += " pending";
    if (!c.attributes_known) v += " attributes=unknown";
    out["certificate/" + c.thumbprint] = v;
  }
  const Bindings& b = state.bindings;
  const std::pair<const char*, const std::string*> singles[] = {
      {"IIS", &b.iis},
      {"IISBackEnd", &b.iis_back_end},
      {"IMAP", &b.imap},
      {"POP", &b.pop},
      {"UM", &b.um},
      {"UMCallRouter", &b.um_call_router},
      {"InternalTransport", &b.internal_transport},
      {"AuthCurrent", &b.auth_current},
      {"AuthNext", &b.auth_next}};
  for (const auto& [name, value] : singles) {
    if (!value->empty()) out[std::string("binding/") + name] = *value;
  }
  for (const auto& [service, remedy] : b.unknown_holders) {
    out["binding/" + std::string(ServiceName(service))] = "unknown";
  }
  for (const std::string& t : b.smtp) out["binding/SMTP/" + t] = "yes";
  for (const std::string& t : b.connector_refs) out["binding/Connector/" + t] = "yes";
  for (const std::string& p : state.problems) out["problem/" + p] = "unreadable";
  return out;
}

std::string ServerState::Fingerprint() const {
  // FNV-1a (64-bit) over the summary: a change detector, not a security
  // measure (a plan file is as trustworthy as the directory holding it).
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](const std::string& s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;
    h *= 1099511628211ULL;
  };
  for (const auto& [k, v] : ObservedSummary(*this)) {
    mix(k);
    mix(v);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace xcert
