// Problem documents as RFC 8555 shows them, turned into messages.
#include "resources/acme/problem.h"

#include <gtest/gtest.h>

namespace xcert::acme {
namespace {

TEST(ProblemTest, SubproblemsNameEachIdentifier) {
  // The example of RFC 8555 §6.7.1.
  const auto p = ParseProblem(std::string_view(R"({
    "type": "urn:ietf:params:acme:error:malformed",
    "detail": "Some of the identifiers requested were rejected",
    "subproblems": [
      {"type": "urn:ietf:params:acme:error:malformed",
       "detail": "Invalid underscore in DNS name \"_example.org\"",
       "identifier": {"type": "dns", "value": "_example.org"}},
      {"type": "urn:ietf:params:acme:error:rejectedIdentifier",
       "detail": "This CA will not issue for \"example.net\"",
       "identifier": {"type": "dns", "value": "example.net"}}
    ]})"));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ShortType(), "malformed");
  ASSERT_EQ(p->subproblems.size(), 2u);
  const Status s = ProblemStatus(*p, "creating an order for _example.org, example.net");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("\n  _example.org: Invalid underscore"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("\n  example.net: This CA will not issue for \"example.net\" "
                             "(rejectedIdentifier)"),
            std::string::npos)
      << s.message();
}

TEST(ProblemTest, CodesFollowTheType) {
  auto code = [](const std::string& type) {
    return ProblemStatus(Problem{std::string(kErrorPrefix) + type, "d", 400, "", {}}, "c").code();
  };
  EXPECT_EQ(code("rateLimited"), Code::kUnavailable);
  EXPECT_EQ(code("badNonce"), Code::kUnavailable);
  EXPECT_EQ(code("accountDoesNotExist"), Code::kNotFound);
  EXPECT_EQ(code("incorrectResponse"), Code::kFailedPrecondition);
  EXPECT_EQ(code("externalAccountRequired"), Code::kInvalidArgument);
  EXPECT_FALSE(ParseProblem(std::string_view("{\"status\":\"valid\"}")).has_value());
  EXPECT_FALSE(ParseProblem(std::string_view("not json")).has_value());
}

TEST(ProblemTest, AdviceSaysWhatToDoPerChallengeType) {
  const Problem refused{"urn:ietf:params:acme:error:connection", "Connection refused", 400, "", {}};
  EXPECT_EQ(ChallengeAdvice("http-01", "mail.contoso.com", "TOKEN", refused),
            "token not served at http://mail.contoso.com/.well-known/acme-challenge/TOKEN: make "
            "port 80 of mail.contoso.com reach the server that answers the challenge (webroot or "
            "standalone)");
  const Problem wrong{"urn:ietf:params:acme:error:unauthorized", "no TXT", 403, "", {}};
  EXPECT_NE(ChallengeAdvice("dns-01", "contoso.com", "T", wrong)
                .find("_acme-challenge.contoso.com was not seen by the CA"),
            std::string::npos);
  const Problem eab{"urn:ietf:params:acme:error:externalAccountRequired", "", 400, "", {}};
  EXPECT_NE(ProblemStatus(eab, "registering").message().find("eab.keyId"), std::string::npos);
  const Problem terms{"urn:ietf:params:acme:error:userActionRequired",
                      "new terms",
                      403,
                      "https://ca.example/tos",
                      {}};
  EXPECT_NE(ProblemStatus(terms, "x").message().find("visit https://ca.example/tos"),
            std::string::npos);
}

}  // namespace
}  // namespace xcert::acme
