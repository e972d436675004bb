// A challenge solver that runs a program: any DNS provider (or web server)
// through a script, in the shape of uacme's hook.
//
//   COMMAND... add    IDENT TOKEN KEYAUTH     (Present)
//   COMMAND... remove IDENT TOKEN KEYAUTH     (CleanUp)
//
// IDENT is the DNS name (no "*." for wildcards), TOKEN the challenge token,
// KEYAUTH the key authorization (RFC 8555 §8.1). For dns-01 the TXT record to
// publish is _acme-challenge.IDENT with value base64url(SHA-256(KEYAUTH))
// (§8.4); the hook also gets both ready-made in its environment:
//   XCERT_ACME_CHALLENGE  dns-01 | http-01
//   XCERT_ACME_TXT_NAME   _acme-challenge.IDENT   (dns-01)
//   XCERT_ACME_TXT_VALUE  base64url(SHA-256(KEYAUTH)) (dns-01)
// The command runs directly (argv, no shell), stdin is /dev/null, and it must
// exit 0 within `timeout` (else it is killed and the step fails). For
// "add", exit 0 means the CA can validate now: a DNS hook waits for its
// provider to publish the record before exiting. The last 1000 bytes of its
// output are in the error message when it fails.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "resources/acme/solver.h"

namespace xcert::acme {

class ExecHookSolver final : public ChallengeSolver {
 public:
  ExecHookSolver(std::vector<std::string> command, std::string challenge_type = "dns-01",
                 std::chrono::seconds timeout = std::chrono::seconds(300))
      : command_(std::move(command)), type_(std::move(challenge_type)), timeout_(timeout) {}
  std::string type() const override { return type_; }
  Status Present(const ChallengeTask& task) override;
  Status CleanUp(const ChallengeTask& task) override;

 private:
  Status Run(const std::string& action, const ChallengeTask& task);
  std::vector<std::string> command_;
  std::string type_;
  std::chrono::seconds timeout_;
};

}  // namespace xcert::acme
