// What Exchange setup creates on a new server (reference/exchange.md §3.1),
// for `xcert store init`:
//
//  Mailbox / ClientAccess servers
//   - "Microsoft Exchange": CN=<server>, DNS names <server> and <fqdn> (plus
//     <domain> and autodiscover.<domain> when a domain is given), RSA 2048,
//     not exportable, 60 months; bound to IIS (:443, when the roles serve it),
//     the Exchange Back End site (:444, Mailbox role), IMAP and POP (when the
//     roles serve them), SMTP and as the internal transport certificate.
//   - "Microsoft Exchange Server Auth Certificate": no DNS names, no EKU
//     (not a TLS certificate), exportable, 1800 days; the current Auth
//     certificate.
//   - "WMSVC-SHA2": CN=WMSvc-SHA2-<server>, exportable, 120 months, no services.
//  EdgeTransport servers
//   - only the SMTP certificate: CN=<server>, DNS names <server> and <fqdn>,
//     bound to SMTP and as the internal transport certificate.
#pragma once

#include <string>

#include "engine/model/server_state.h"
#include "engine/util/status.h"
#include "engine/util/time.h"
#include "resources/store/material.h"

namespace xcert::store {

inline constexpr std::string_view kDefaultFriendlyName = "Microsoft Exchange";
inline constexpr std::string_view kAuthSubject = "CN=Microsoft Exchange Server Auth Certificate";
inline constexpr std::string_view kAuthFriendlyName = "Microsoft Exchange Server Auth Certificate";
inline constexpr std::string_view kWmsvcFriendlyName = "WMSVC-SHA2";

// Whether Exchange setup could install such a server: a server name and FQDN
// that are DNS names, at least one role, roles that exist in the version
// (ClientAccess only in 2013), EdgeTransport alone, and a valid domain when
// one is given. The error names the value and says what to give instead.
Status CheckSetupIdentity(const ServerIdentity& identity, const std::string& domain);

// The certificates and bindings setup creates for `identity` at `now`.
// REQUIRES: CheckSetupIdentity passed.
Result<ServerSeed> MakeSetupSeed(const ServerIdentity& identity, const std::string& domain,
                                 TimePoint now);

// `t` plus `months` calendar months (a day past the month's end becomes its last day).
TimePoint AddMonths(TimePoint t, int months);

}  // namespace xcert::store
