#include "resources/exchange/recorded_exchange_server.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "engine/util/strings.h"
#include "resources/exchange/recorded_objects.h"

namespace xcert::exchange {

namespace {

int IntProperty(const PsObject& object, std::string_view name) {
  const PsValue* v = object.Find(name);
  std::optional<int64_t> n = v ? v->AsInt64() : std::nullopt;
  return n && *n >= 0 && *n <= std::numeric_limits<int>::max() ? static_cast<int>(*n) : 0;
}

// AdminDisplayVersion is a ServerVersion object with Major/Minor/Build/
// Revision; a deserialised copy may carry only its text, "Version 15.2 (Build 986.5)".
ServerBuild ReadBuild(const PsValue* value) {
  ServerBuild b;
  if (!value) return b;
  if (value->object && value->object->Find("Major")) {
    const PsObject& v = *value->object;
    return {IntProperty(v, "Major"), IntProperty(v, "Minor"), IntProperty(v, "Build"),
            IntProperty(v, "Revision")};
  }
  return ParseServerBuild(value->AsText().value_or(""));
}

}  // namespace

// "Mailbox, ClientAccess" -> the roles xcert models; other Exchange role
// names (HubTransport, UnifiedMessaging, Cafe, ...) are parts of these.
std::vector<Role> ParseServerRoles(std::string_view server_role, bool is_edge) {
  std::vector<Role> roles;
  auto add = [&](Role r) {
    if (std::find(roles.begin(), roles.end(), r) == roles.end()) roles.push_back(r);
  };
  for (const std::string& part : Split(server_role, ',')) {
    std::string_view name = Trim(part);
    if (EqualsIgnoreCase(name, "Edge")) {
      add(Role::kEdgeTransport);
    } else if (std::optional<Role> role = ParseRole(name)) {
      add(*role);
    }
  }
  if (is_edge) add(Role::kEdgeTransport);
  return roles;
}

ServerBuild ParseServerBuild(std::string_view text) {
  ServerBuild b;
  const std::string s(text);
  if (std::sscanf(s.c_str(), "Version %d.%d (Build %d.%d)", &b.major, &b.minor, &b.build,
                  &b.revision) != 4) {
    return ServerBuild{};
  }
  return b;
}

std::optional<ExchangeVersion> VersionOfBuild(const ServerBuild& b) {
  if (b.major != 15) return std::nullopt;
  switch (b.minor) {
    case 0: return ExchangeVersion::k2013;
    case 1: return ExchangeVersion::k2016;
    case 2: return b.build >= kFirstSeBuild ? ExchangeVersion::kSE : ExchangeVersion::k2019;
    default: return std::nullopt;
  }
}

Result<RecordedExchangeServer> RecordedExchangeServerFromObject(const PsObject& object) {
  XCERT_RETURN_IF_ERROR(
      CheckRecordedType(object, {kExchangeServerType}, "an Exchange server", "Get-ExchangeServer"));
  RecordedExchangeServer out;
  out.name = object.FindText("Name").value_or("");
  if (out.name.empty()) return InvalidArgument("Exchange server without a Name");
  out.fqdn = object.FindText("Fqdn").value_or("");
  out.server_role = object.FindText("ServerRole").value_or("");
  out.is_edge_server = object.FindBool("IsEdgeServer").value_or(false);
  out.is_mailbox_server = object.FindBool("IsMailboxServer").value_or(false);
  out.is_client_access_server = object.FindBool("IsClientAccessServer").value_or(false);
  out.is_hub_transport_server = object.FindBool("IsHubTransportServer").value_or(false);
  out.is_frontend_transport_server = object.FindBool("IsFrontendTransportServer").value_or(false);
  out.roles = ParseServerRoles(out.server_role, out.is_edge_server);
  const PsValue* version = object.Find("AdminDisplayVersion");
  out.admin_display_version = version ? version->AsText().value_or("") : "";
  out.build = ReadBuild(version);
  out.version = VersionOfBuild(out.build);
  out.edition = object.FindText("Edition").value_or("");
  out.site = object.FindText("Site").value_or("");
  out.ps_computer_name = object.FindText("PSComputerName").value_or("");
  return out;
}

Result<std::vector<RecordedExchangeServer>> ReadRecordedExchangeServers(
    std::string_view clixml_text, const std::string& source_name) {
  return ReadRecordedObjects<RecordedExchangeServer>(clixml_text, source_name,
                                                     RecordedExchangeServerFromObject);
}

}  // namespace xcert::exchange
