// Probing TLS endpoints: connect to an address and port, reach TLS the way
// the protocol does (resources/probe/protocol.h), complete the handshake and
// read the certificate the server serves. Nothing is verified during the
// handshake: the probe records what it was sent, and resources/probe/check.h
// judges it against what the store binds.
//
//   std::vector<Target> targets = {{"10.0.0.21", 443, Protocol::kHttps, "mail.contoso.com"},
//                                  {"10.0.0.21", 25, Protocol::kSmtp, ""}};
//   std::vector<ProbeResult> results = ProbeAll(targets, ProbeOptions{});
//
// Every failure is a result, never an exception or a crash: a refused
// connection, a silent server, a server that refuses STARTTLS or speaks
// another protocol all come back as an Outcome with a one-line reason.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "resources/probe/protocol.h"

namespace xcert::probe {

struct Target {
  std::string address;  // an IPv4/IPv6 literal or a host name to resolve
  uint16_t port = 0;    // 0: DefaultPort(protocol)
  Protocol protocol = Protocol::kHttps;
  std::string sni;  // the server name sent in the ClientHello; "" sends none

  uint16_t EffectivePort() const { return port != 0 ? port : DefaultPort(protocol); }
  // For messages: "https 10.0.0.21:443 (SNI mail.contoso.com)", "smtp [::1]:25 (no SNI)".
  std::string Describe() const;
};

enum class Outcome : uint8_t {
  kOk,               // the handshake completed; the certificate was read
  kUnreachable,      // no TCP connection: refused, no route, name not resolved, no answer
  kTimeout,          // connected, but the server stopped answering within the timeout
  kStartTlsRefused,  // the server does not offer STARTTLS/STLS or refused it
  kHandshakeFailed,  // the TLS handshake failed (alert, not TLS, closed)
  kProtocolError,    // the server does not speak the protocol (wrong port?)
};
// "ok", "unreachable", "timeout", "starttls refused", "handshake failed", "protocol error".
std::string_view OutcomeName(Outcome o);

struct ProbeResult {
  Outcome outcome = Outcome::kUnreachable;
  std::string reason;  // one line for the user; empty when kOk
  // When kOk:
  std::string leaf_der;                // the certificate served
  std::string thumbprint;              // SHA-1 of leaf_der, 40 upper-case hex
  std::vector<std::string> chain_der;  // the certificates sent after the leaf, in order
  std::string tls_version;             // "TLSv1.3"
  std::string cipher;                  // "TLS_AES_256_GCM_SHA384"
  // From the start of the connection to the end of the probe (name
  // resolution excluded, see ProbeAll).
  std::chrono::milliseconds elapsed{0};

  bool ok() const { return outcome == Outcome::kOk; }
};

struct ProbeOptions {
  // Per probe, from connect to the end of the handshake. A TCP connection
  // not established by then is kUnreachable ("no answer"); a server that
  // stops answering after it is kTimeout.
  std::chrono::milliseconds timeout{10000};
  // Probes in flight at once (at least 1).
  size_t concurrency = 64;
  // Event loops (threads) sharing the probes in flight; 0: one per core, at
  // most `concurrency`. bench/probe.cc measures the choices.
  size_t threads = 0;
  // The name sent with EHLO.
  std::string ehlo_name = "localhost";
};

// Probes every target and returns results[i] for targets[i].
//
// Host names are resolved first, each distinct name once, in parallel, with
// the system resolver (its own timeouts apply; resolution does not count
// against `timeout`); a name that does not resolve is kUnreachable. Then
// each probe runs on non-blocking sockets driven by poll(2), at most
// `concurrency` at a time. Each probe is a full handshake (no session
// resumption), accepts TLS 1.0 to 1.3 and any certificate and key size
// (OpenSSL security level 0): the point is to see what is served, and weak
// choices are reported by the checks, not hidden by a failed handshake.
// SIGPIPE is blocked on the probing threads while they run.
std::vector<ProbeResult> ProbeAll(const std::vector<Target>& targets, const ProbeOptions& options);

// ProbeAll of one target.
ProbeResult Probe(const Target& target, const ProbeOptions& options);

}  // namespace xcert::probe
