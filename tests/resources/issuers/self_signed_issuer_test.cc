#include "resources/issuers/self_signed_issuer.h"

#include <gtest/gtest.h>

namespace xcert::issuers {
namespace {

TEST(SelfSignedIssuerTest, FactsAreNameAndTypeOnly) {
  SelfSignedIssuer issuer("self");
  const IssuerFacts f = issuer.Facts();
  EXPECT_EQ(f.name, "self");
  EXPECT_EQ(f.type, IssuerType::kSelfSigned);
  EXPECT_EQ(f.ca_subject, "");
  EXPECT_EQ(f.supplied_path, "");
  EXPECT_EQ(f.outbox, "");
  EXPECT_TRUE(f.inbox.empty());
}

TEST(SelfSignedIssuerTest, RefusesEveryIssuerCall) {
  SelfSignedIssuer issuer("self");
  EXPECT_EQ(issuer.name(), "self");
  IssueRequest r;
  r.subject = "CN=mail.pocket-consultant.com";
  EXPECT_EQ(issuer.Issue(r).status(),
            FailedPrecondition("issuer 'self' does not issue certificates itself"));
  EXPECT_EQ(issuer.Submit("mail@MailServer21.csr", "csr").status(),
            FailedPrecondition("issuer 'self' takes no certificate requests"));
  EXPECT_EQ(issuer.ImportData("/tmp/x.pfx").status(),
            FailedPrecondition("issuer 'self' supplies no certificate files"));
}

}  // namespace
}  // namespace xcert::issuers
