// The challenge solvers' interface: make one identifier's challenge
// answerable, and undo that afterwards.
//
// Contract for every solver:
//  - Present and CleanUp may be called from several threads at once (orders
//    for different certificates run in parallel and share a solver).
//  - CleanUp is called for every task whose Present was called, whether the
//    order succeeded or not, and removes everything Present made, even when
//    Present failed half-way: nothing is left behind (no token file, no TXT
//    record, no listening socket).
//  - Errors name the identifier and what to do; they never contain secrets
//    (TSIG keys).
#pragma once

#include <string>

#include "engine/util/status.h"

namespace xcert::acme {

struct ChallengeTask {
  std::string identifier;         // the authorization's DNS name (no "*." for wildcards)
  std::string token;              // the challenge token
  std::string key_authorization;  // token "." account key thumbprint (RFC 8555 §8.1)
};

class ChallengeSolver {
 public:
  virtual ~ChallengeSolver() = default;
  // "http-01" or "dns-01".
  virtual std::string type() const = 0;
  // When Present returns OK, the CA can validate the challenge now (a DNS
  // solver waits until the record is served).
  virtual Status Present(const ChallengeTask& task) = 0;
  virtual Status CleanUp(const ChallengeTask& task) = 0;
};

}  // namespace xcert::acme
