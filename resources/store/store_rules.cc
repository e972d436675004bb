#include "resources/store/store_rules.h"

#include <algorithm>

#include "engine/util/strings.h"

namespace xcert::store {

namespace {

std::string OnServer(const std::string& thumbprint, const std::string& server) {
  return thumbprint + " on " + server;
}

// What to do before a protected certificate can go, by the reference that
// protects it (same order as Bindings::ProtectionOf).
std::string RemoveHint(const Bindings& b, const std::string& t) {
  if (t == b.auth_current || t == b.auth_next) {
    return "make another certificate the Auth certificate first (Set-AuthConfig); never remove "
           "the Auth certificate while Exchange uses it";
  }
  if (t == b.iis_back_end) {
    return "bind another certificate to the Exchange Back End site first; Exchange setup's "
           "self-signed certificate is meant to stay there";
  }
  if (t == b.internal_transport) {
    return "enable another certificate for SMTP as the default SMTP certificate first";
  }
  if (std::find(b.connector_refs.begin(), b.connector_refs.end(), t) != b.connector_refs.end()) {
    return "point the connector's TlsCertificateName at another certificate first";
  }
  return "enable another certificate for those services first, then remove this one";
}

}  // namespace

std::string NormalizeThumbprint(std::string_view thumbprint) {
  std::string out;
  out.reserve(thumbprint.size());
  for (char c : thumbprint) {
    if (c != ' ') out += c;
  }
  return ToUpper(out);
}

bool IsThumbprint(std::string_view text) {
  return text.size() == 40 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
         });
}

Status CertificateNotFound(const std::string& server, const std::string& thumbprint) {
  return NotFound("The certificate with thumbprint " + thumbprint + " was not found on " + server +
                  "; list the server's certificates with: xcert show --server " + server);
}

Status CheckFriendlyName(const std::string& context, const std::string& friendly_name) {
  if (friendly_name.size() <= kMaxFriendlyName) return Status::Ok();
  return InvalidArgument(context + ": the friendly name has " +
                         std::to_string(friendly_name.size()) +
                         " characters; Exchange allows at most 63: shorten it");
}

Status CheckCreate(const std::string& server, const CreateRequest& r) {
  const std::string what = "New certificate " + Quote(r.subject) + " on " + server;
  XCERT_RETURN_IF_ERROR(CheckFriendlyName(what, r.friendly_name));
  if (Trim(r.subject).empty()) {
    return InvalidArgument("New certificate on " + server +
                           ": the subject is empty; give one, "
                           "e.g. CN=mail.contoso.com");
  }
  if (!r.pending_request && r.validity.count() <= 0) {
    return InvalidArgument(what + ": the validity must be positive, e.g. 365d");
  }
  return Status::Ok();
}

Status CheckImport(const std::string& server, const std::string& thumbprint, bool exists) {
  if (!exists) return Status::Ok();
  return AlreadyExists("Cannot import certificate. A certificate with the thumbprint " +
                       thumbprint + " already exists on " + server +
                       "; it needs no import: enable it, or remove it first to import it again");
}

Status NoKeyForImport(const std::string& server, const CertificateInfo& c) {
  return FailedPrecondition(
      "Cannot import certificate " + c.thumbprint + " (" + c.subject + ") on " + server +
      ": the data holds no private key and no pending request on " + server +
      " has the matching key; import a PKCS#12 (.pfx) or PEM bundle that includes the private "
      "key, or import the CA's answer on the server that created the request");
}

Status CheckEnable(const std::string& server, const ServerIdentity& identity,
                   const CertificateInfo& c, ServiceSet services, TimePoint now) {
  const std::string where = OnServer(c.thumbprint, server);
  if (services.empty()) {
    return InvalidArgument("Enable " + where +
                           ": no services given; name at least one of IMAP, POP, UM, IIS, "
                           "SMTP, UMCallRouter");
  }
  if (c.pending_request) {
    return FailedPrecondition("Cannot enable " + where +
                              ": it is a pending request (Status PendingRequest); import the "
                              "CA's answer to complete it first");
  }
  if (!c.has_private_key) {
    return FailedPrecondition("Cannot enable " + where +
                              ": the certificate has no private key (PrivateKeyMissing); import "
                              "it again together with its private key");
  }
  for (Service s : services.ToVector()) {
    const std::string why = WhyNotEnableable(s, identity.roles, identity.version);
    if (!why.empty()) {
      return FailedPrecondition("Cannot enable " + std::string(ServiceName(s)) + " for " + where +
                                ": " + why);
    }
    if ((s == Service::kUm || s == Service::kUmCallRouter) && c.IsExpired(now)) {
      return FailedPrecondition("Cannot enable " + std::string(ServiceName(s)) + " for " + where +
                                ": the certificate expired on " + FormatIso8601(c.not_after) +
                                " and Unified Messaging refuses expired certificates; enable a "
                                "current certificate");
    }
  }
  return Status::Ok();
}

Bindings ApplyEnable(Bindings b, const std::string& t, ServiceSet services,
                     const EnableOptions& options) {
  if (services.Has(Service::kIis)) b.iis = t;
  if (services.Has(Service::kImap)) b.imap = t;
  if (services.Has(Service::kPop)) b.pop = t;
  if (services.Has(Service::kUm)) b.um = t;
  if (services.Has(Service::kUmCallRouter)) b.um_call_router = t;
  if (services.Has(Service::kSmtp)) {
    auto it = std::lower_bound(b.smtp.begin(), b.smtp.end(), t);
    if (it == b.smtp.end() || *it != t) b.smtp.insert(it, t);
    if (options.replace_default_smtp || b.internal_transport.empty()) b.internal_transport = t;
  }
  return b;
}

Status CheckExport(const std::string& server, const CertificateInfo& c,
                   const std::string& password) {
  const std::string what = "Cannot export " + OnServer(c.thumbprint, server);
  if (c.pending_request) {
    return FailedPrecondition(what +
                              ": it is a pending request, not a certificate; its CSR is the "
                              "certificateRequest field of xcert show --format json");
  }
  if (!c.has_private_key) {
    return FailedPrecondition(what +
                              ": the certificate doesn't have a private key; back up the "
                              "certificate alone instead");
  }
  if (!c.exportable) {
    return FailedPrecondition(what +
                              ": the certificate has a private key that is not exportable "
                              "(created or imported without an exportable key); back up the "
                              "certificate alone, or re-issue it with key.exportable: true");
  }
  if (password.empty()) {
    return InvalidArgument("Exporting " + OnServer(c.thumbprint, server) +
                           " requires that a password be specified");
  }
  return Status::Ok();
}

Status CheckRemove(const std::string& server, const Bindings& b, const std::string& t) {
  const std::string why = b.ProtectionOf(t);
  if (why.empty()) return Status::Ok();
  return FailedPrecondition("Cannot remove " + OnServer(t, server) + ": " + why + "; " +
                            RemoveHint(b, t));
}

Bindings WithoutCertificate(Bindings b, const std::string& t) {
  b.smtp.erase(std::remove(b.smtp.begin(), b.smtp.end(), t), b.smtp.end());
  return b;
}

}  // namespace xcert::store
