// Recorded `Get-ExchangeServer | Export-Clixml`: each server's name, FQDN,
// roles and version, which decide the services a certificate can have there
// (engine/model/exchange.h EnableableServices).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model/exchange.h"
#include "engine/util/status.h"
#include "resources/exchange/clixml.h"

namespace xcert::exchange {

inline constexpr std::string_view kExchangeServerType =
    "Microsoft.Exchange.Data.Directory.Management.ExchangeServer";

// Exchange SE RTM is 15.2.2562; 15.2 builds below it are Exchange 2019.
inline constexpr int kFirstSeBuild = 2562;

struct ServerBuild {
  int major = 0, minor = 0, build = 0, revision = 0;
  bool operator==(const ServerBuild&) const = default;
};

// "Version 15.2 (Build 986.5)" (AdminDisplayVersion as text); all zero when
// the text is not in that form.
ServerBuild ParseServerBuild(std::string_view text);

// ServerRole as Exchange writes it ("Mailbox, ClientAccess", "Edge") -> the
// roles xcert models; other role names (HubTransport, UnifiedMessaging, ...)
// are parts of these. `is_edge` adds EdgeTransport.
std::vector<Role> ParseServerRoles(std::string_view server_role, bool is_edge);

// 15.0 -> 2013, 15.1 -> 2016, 15.2 -> 2019 or SE (by build); nullopt for
// other versions (Exchange 2010 and older are not supported).
std::optional<ExchangeVersion> VersionOfBuild(const ServerBuild& build);

struct RecordedExchangeServer {
  std::string name;
  std::string fqdn;
  std::string server_role;            // as recorded: "Mailbox", "Mailbox, ClientAccess", "Edge"
  std::vector<Role> roles;            // the roles xcert models, from server_role and IsEdgeServer
  std::string admin_display_version;  // "Version 15.2 (Build 986.5)"
  ServerBuild build;
  std::optional<ExchangeVersion> version;
  std::string edition;  // "Standard", "Enterprise", "StandardEvaluation", ...
  std::string site;     // AD site, e.g. "Solo.com/Configuration/Sites/Default-First-Site-Name"
  bool is_edge_server = false;
  bool is_mailbox_server = false;
  bool is_client_access_server = false;
  bool is_hub_transport_server = false;
  bool is_frontend_transport_server = false;
  std::string ps_computer_name;
};

Result<RecordedExchangeServer> RecordedExchangeServerFromObject(const PsObject& object);

// Every server in the file, in file order.
Result<std::vector<RecordedExchangeServer>> ReadRecordedExchangeServers(
    std::string_view clixml_text, const std::string& source_name);

}  // namespace xcert::exchange
