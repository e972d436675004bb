// dns-01 through an RFC 2136 dynamic update signed with TSIG (RFC 8945),
// sent with ldns (Debian libldns-dev): BIND, Knot, PowerDNS, Windows DNS
// (with a TSIG-capable setup) all accept it.
//
// Present adds one TXT record "_acme-challenge.IDENT. TTL IN TXT VALUE"
// (other TXT records at that name stay: a wildcard and its base name share
// it), then waits until every authoritative server of the zone answers it:
// the zone's NS records are read from `server`, each name server's addresses
// are found (through `server`, else the system resolver), and each is asked
// without recursion, on the port of `server`, until all of them serve the
// value or `propagation_timeout` passes. CleanUp deletes exactly that record
// (class NONE, RFC 2136 §2.5.4).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "resources/acme/solver.h"

namespace xcert::acme {

struct Rfc2136Config {
  std::string
      server;        // the primary: "ADDRESS", "ADDRESS:PORT", "[V6]:PORT" or a host name; port 53
  std::string zone;  // "example.com"; every identifier must be inside it
  std::string tsig_key_name;
  std::string tsig_algorithm = "hmac-sha256";  // hmac-sha1/224/256/384/512, hmac-md5
  std::string tsig_secret;                     // base64, as in the BIND key file
  uint32_t ttl = 60;
  std::chrono::seconds propagation_timeout{120};
  std::chrono::milliseconds propagation_interval{500};
};

class Rfc2136Solver final : public ChallengeSolver {
 public:
  explicit Rfc2136Solver(Rfc2136Config config) : config_(std::move(config)) {}
  std::string type() const override { return "dns-01"; }
  Status Present(const ChallengeTask& task) override;
  Status CleanUp(const ChallengeTask& task) override;

 private:
  Status Update(const ChallengeTask& task, bool add);
  Status WaitForAuthoritative(const ChallengeTask& task);
  Rfc2136Config config_;
};

// The TXT values of `name` (answers only, RD off) asked of `server`
// ("ADDRESS[:PORT]"): for tests and the propagation check.
Result<std::vector<std::string>> QueryTxt(const std::string& server, const std::string& name);

}  // namespace xcert::acme
