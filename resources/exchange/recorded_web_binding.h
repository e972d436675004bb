// Recorded IIS `Get-WebBinding | Export-Clixml`: which certificate each
// HTTPS binding presents. On an Exchange server "Default Web Site" (id 1,
// :443, front end) and "Exchange Back End" (id 2, :444) matter; the IIS
// services of a certificate are named by site id ("IIS://SERVER/W3SVC/1").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"
#include "resources/exchange/clixml.h"

namespace xcert::exchange {

inline constexpr std::string_view kWebBindingType =
    "Microsoft.IIs.PowerShell.Framework.ConfigurationElement";

struct RecordedWebBinding {
  std::string protocol;             // "http", "https", "net.tcp", ...
  std::string binding_information;  // as recorded: "*:443:", "127.0.0.1:443:", "808:*"
  // Parts of binding_information for http and https ("ip:port:host"):
  std::string ip_address;  // "*", "127.0.0.1", "[::1]", or "" (all)
  int port = 0;            // 0 when not an ip:port:host binding
  std::string host_name;   // SNI / host header, "" for none
  int64_t ssl_flags = 0;
  std::string certificate_hash;        // upper case; "" when no certificate
  std::string certificate_store_name;  // "MY", "WebHosting"; "" when none
  // The site, from ItemXPath "/system.applicationHost/sites/site[@name='Default Web Site' and
  // @id='1']"; "" / 0 when not recorded.
  std::string site_name;
  int site_id = 0;
};

Result<RecordedWebBinding> RecordedWebBindingFromObject(const PsObject& object);

Result<std::vector<RecordedWebBinding>> ReadRecordedWebBindings(std::string_view clixml_text,
                                                                const std::string& source_name);

}  // namespace xcert::exchange
