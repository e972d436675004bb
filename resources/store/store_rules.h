// The rules of the Exchange certificate cmdlets (reference/exchange.md §0,
// §2) that every Store implementation enforces, in one place so that the
// in-memory, local and Exchange stores refuse the same things with the same
// words. Pure functions: no I/O, no locking.
//
// Every refusal names the server and the thumbprint and says what to do;
// the texts follow Exchange's own where it has one ("A certificate with the
// thumbprint … already exists").
#pragma once

#include <string>
#include <string_view>

#include "engine/apply/store.h"
#include "engine/model/certificate.h"
#include "engine/model/server_state.h"
#include "engine/util/status.h"
#include "engine/util/time.h"

namespace xcert::store {

// A thumbprint as the cmdlets accept it: upper-cased, with the spaces of the
// "AB CD EF …" form removed. Does not check the result (see IsThumbprint).
std::string NormalizeThumbprint(std::string_view thumbprint);

// Whether `text` is 40 upper-case hexadecimal characters.
bool IsThumbprint(std::string_view text);

// NotFound: "The certificate with thumbprint T was not found on S; …".
Status CertificateNotFound(const std::string& server, const std::string& thumbprint);

// Exchange's limit on FriendlyName: shorter than 64 characters.
inline constexpr size_t kMaxFriendlyName = 63;

// A friendly name Exchange accepts; `context` starts the message
// ("New certificate 'CN=a' on S").
Status CheckFriendlyName(const std::string& context, const std::string& friendly_name);

// New-ExchangeCertificate: a friendly name Exchange accepts, a subject, and
// (for a self-signed certificate) a positive validity. Key sizes, DNS names
// and the subject's syntax are checked by the X.509 toolkit when it builds.
Status CheckCreate(const std::string& server, const CreateRequest& request);

// Import-ExchangeCertificate: AlreadyExists when the server has `thumbprint`.
Status CheckImport(const std::string& server, const std::string& thumbprint, bool exists);

// Import of a certificate without a private key and without a pending
// request whose key matches it.
Status NoKeyForImport(const std::string& server, const CertificateInfo& certificate);

// Enable-ExchangeCertificate: `certificate` may serve `services` on a server
// of `identity` at `now`. Refuses an empty set, a pending request, a
// certificate without private key, Federation, services the server's roles
// and version do not have (WhyNotEnableable) and an expired certificate for
// UM/UMCallRouter.
Status CheckEnable(const std::string& server, const ServerIdentity& identity,
                   const CertificateInfo& certificate, ServiceSet services, TimePoint now);

// The bindings after enabling `services` for `thumbprint` (only adds):
// IIS takes the front end (:443) from its previous holder and leaves the back
// end alone; IMAP, POP, UM and UMCallRouter have one holder each; SMTP joins
// the SMTP set and becomes the internal transport (default SMTP) certificate
// when `options.replace_default_smtp` is set or there is none yet.
// REQUIRES: CheckEnable passed.
Bindings ApplyEnable(Bindings bindings, const std::string& thumbprint, ServiceSet services,
                     const EnableOptions& options);

// Export-ExchangeCertificate: a certificate (not a pending request) with a
// private key that is exportable, and a non-empty password.
Status CheckExport(const std::string& server, const CertificateInfo& certificate,
                   const std::string& password);

// Remove-ExchangeCertificate, with the guard rails Exchange lacks: refuses
// every Bindings::ProtectionOf reason (Auth current/next, back end :444,
// internal transport, connector, an exclusive service) and says what to do
// first. Pending requests are never protected.
Status CheckRemove(const std::string& server, const Bindings& bindings,
                   const std::string& thumbprint);

// The bindings after `thumbprint` is gone: it leaves the SMTP set (the only
// reference CheckRemove lets through).
Bindings WithoutCertificate(Bindings bindings, const std::string& thumbprint);

}  // namespace xcert::store
