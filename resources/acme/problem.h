// ACME problem documents (RFC 8555 §6.7, RFC 7807) turned into one Status
// a user can act on: which identifier failed, why, and what to do.
//
// Messages are built from the server's type, detail and identifiers only;
// the request that failed (which may hold an EAB MAC or a CSR) is never
// echoed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/util/status.h"

namespace xcert::acme {

inline constexpr std::string_view kErrorPrefix = "urn:ietf:params:acme:error:";

struct Subproblem {
  std::string type;
  std::string detail;
  std::string identifier;  // the identifier's value ("mail.contoso.com"), may be empty
};

struct Problem {
  std::string type;  // full URN, e.g. "urn:ietf:params:acme:error:badNonce"
  std::string detail;
  int status = 0;
  std::string instance;  // userActionRequired: the page to visit
  std::vector<Subproblem> subproblems;

  // The part after kErrorPrefix ("badNonce"), or the whole type when it is
  // not an ACME error type.
  std::string ShortType() const;
  bool Is(std::string_view short_type) const { return ShortType() == short_type; }
};

// The problem in a JSON body, or nullopt when `body` is not one (no "type").
std::optional<Problem> ParseProblem(const nlohmann::json& body);
std::optional<Problem> ParseProblem(std::string_view body);

// What the identifier's owner should do about a failed challenge, by the
// challenge type and the problem type: "token not served at
// http://NAME/.well-known/acme-challenge/TOKEN: make port 80 of NAME reach
// the server that answers the challenge". Empty when there is nothing to add.
std::string ChallengeAdvice(std::string_view challenge_type, std::string_view identifier,
                            std::string_view token, const Problem& problem);

// The Status for `problem`, whose message is "`context`: <server's detail>
// (<short type>)", one line per subproblem naming its identifier, and
// `advice` when given. The Code follows the type: rateLimited,
// serverInternal and badNonce are Unavailable; unauthorized, incorrectResponse,
// connection, dns, caa, tls, rejectedIdentifier, userActionRequired and
// orderNotReady are FailedPrecondition; accountDoesNotExist is NotFound;
// externalAccountRequired and the request errors (malformed, badCSR, ...) are
// InvalidArgument.
Status ProblemStatus(const Problem& problem, std::string_view context,
                     std::string_view advice = {});

}  // namespace xcert::acme
