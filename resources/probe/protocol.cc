#include "resources/probe/protocol.h"

#include "engine/util/strings.h"

namespace xcert::probe {

std::string_view ProtocolName(Protocol p) {
  switch (p) {
    case Protocol::kHttps: return "https";
    case Protocol::kSmtp: return "smtp";
    case Protocol::kSmtps: return "smtps";
    case Protocol::kImap: return "imap";
    case Protocol::kImaps: return "imaps";
    case Protocol::kPop3: return "pop3";
    case Protocol::kPop3s: return "pop3s";
  }
  return "?";
}

std::optional<Protocol> ParseProtocol(std::string_view name) {
  for (Protocol p : kAllProtocols) {
    if (EqualsIgnoreCase(name, ProtocolName(p))) return p;
  }
  return std::nullopt;
}

uint16_t DefaultPort(Protocol p) {
  switch (p) {
    case Protocol::kHttps: return 443;
    case Protocol::kSmtp: return 25;
    case Protocol::kSmtps: return 465;
    case Protocol::kImap: return 143;
    case Protocol::kImaps: return 993;
    case Protocol::kPop3: return 110;
    case Protocol::kPop3s: return 995;
  }
  return 0;
}

bool UsesStartTls(Protocol p) {
  return p == Protocol::kSmtp || p == Protocol::kImap || p == Protocol::kPop3;
}

}  // namespace xcert::probe
