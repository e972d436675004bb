// `xcert show` output.
//
// Text, like Get-ExchangeCertificate's default table, per server:
//
//   MailServer21 (MailServer21.contoso.com; Mailbox; Exchange 2019)
//
//   Thumbprint                                Services  Subject
//   ----------                                --------  -------
//   3C7E…                                     IP.WS..   CN=MailServer21
//   9A01…                                     .......   CN=mail.contoso.com  [PendingRequest]
//
// A status other than Valid follows the subject in brackets; problems follow
// the table ("  ! <path>: <reason>").
//
// JSON: every field, documented by schemas/show.schema.json (stable: fields
// are only added within a format_version).
#pragma once

#include <string>

#include "resources/store/show_report.h"

namespace xcert::store {

inline constexpr int kShowFormatVersion = 1;

std::string RenderShowText(const ShowReport& report);
std::string RenderShowJson(const ShowReport& report);

}  // namespace xcert::store
