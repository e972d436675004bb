// Recorded `Get-ReceiveConnector` / `Get-SendConnector | Export-Clixml`:
// which certificate each SMTP connector asks for. A connector names its
// certificate by issuer and subject in TlsCertificateName,
// "<I>issuer<S>subject" (reference/exchange.md §1.1), so replacing a
// certificate whose connector names it needs the connector updated too.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"
#include "resources/exchange/clixml.h"

namespace xcert::exchange {

inline constexpr std::string_view kReceiveConnectorType =
    "Microsoft.Exchange.Data.Directory.SystemConfiguration.ReceiveConnector";
inline constexpr std::string_view kSendConnectorType =
    "Microsoft.Exchange.Data.Directory.SystemConfiguration.SendConnector";

enum class ConnectorKind : uint8_t { kReceive, kSend };

struct TlsCertificateName {
  std::string issuer;  // as written, e.g. "CN=WIN-CTD3L0RGEN4"
  std::string subject;
  bool operator==(const TlsCertificateName&) const = default;
};

// Parses "<I>issuer<S>subject". Errors (saying the expected form) when the
// markers are missing or out of order.
Result<TlsCertificateName> ParseTlsCertificateName(std::string_view text);

struct RecordedConnector {
  ConnectorKind kind = ConnectorKind::kReceive;
  std::string identity;  // receive: "SERVER\Name"; send: "Name"
  std::string name;
  std::string fqdn;                                        // "" when not set
  std::optional<TlsCertificateName> tls_certificate_name;  // nullopt when not set
  bool enabled = true;
  // Receive connectors: the server, its transport role ("FrontendTransport",
  // "HubTransport") and the bindings ("0.0.0.0:25", "[::]:25").
  std::string server;
  std::string transport_role;
  std::vector<std::string> bindings;
  // Send connectors: the servers that send through it.
  std::vector<std::string> source_transport_servers;
  std::string ps_computer_name;
};

Result<RecordedConnector> RecordedConnectorFromObject(const PsObject& object);

// Every connector in the file (receive and send may be mixed), in file order.
Result<std::vector<RecordedConnector>> ReadRecordedConnectors(std::string_view clixml_text,
                                                              const std::string& source_name);

}  // namespace xcert::exchange
