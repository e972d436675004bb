// The protocols an endpoint can be probed with, and how each one reaches TLS:
// directly after connecting (implicit TLS) or after a plaintext STARTTLS
// exchange (RFC 3207 SMTP, RFC 3501 IMAP, RFC 2595 POP3 STLS).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace xcert::probe {

enum class Protocol : uint8_t {
  kHttps,  // TLS on connect, port 443
  kSmtp,   // EHLO, STARTTLS; port 25 (587 for submission)
  kSmtps,  // TLS on connect, port 465
  kImap,   // STARTTLS; port 143
  kImaps,  // TLS on connect, port 993
  kPop3,   // STLS; port 110
  kPop3s,  // TLS on connect, port 995
};

inline constexpr Protocol kAllProtocols[] = {Protocol::kHttps, Protocol::kSmtp,  Protocol::kSmtps,
                                             Protocol::kImap,  Protocol::kImaps, Protocol::kPop3,
                                             Protocol::kPop3s};

// "https", "smtp", "smtps", "imap", "imaps", "pop3", "pop3s".
std::string_view ProtocolName(Protocol p);
// Case-insensitive inverse of ProtocolName.
std::optional<Protocol> ParseProtocol(std::string_view name);
// The IANA port: 443, 25, 465, 143, 993, 110, 995.
uint16_t DefaultPort(Protocol p);
// Whether TLS starts after a plaintext exchange (smtp, imap, pop3).
bool UsesStartTls(Protocol p);

}  // namespace xcert::probe
