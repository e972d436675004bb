// The Issuer seam's defaults (engine/apply/issuer.h): an issuer does only
// what its type supports; asking it for anything else fails with a message
// that names the issuer, and never succeeds with empty data.
#include "engine/apply/issuer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/model_fixtures.h"

namespace xcert {
namespace {

using ::testing::HasSubstr;

// An issuer that overrides nothing: every operation is refused.
class BareIssuer final : public Issuer {
 public:
  explicit BareIssuer(std::string name) : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }

 private:
  std::string name_;
};

// An issuer of the `request` kind: it takes CSRs, and only that.
class OutboxOnly final : public Issuer {
 public:
  const std::string& name() const override { return name_; }
  Result<std::string> Submit(const std::string& file_name, const std::string& csr_pem) override {
    submitted = file_name + ":" + csr_pem;
    return "outbox/" + file_name;
  }
  std::string submitted;

 private:
  std::string name_ = "public";
};

TEST(IssuerTest, IssueIsRefusedByIssuersThatDoNotSign) {
  BareIssuer issuer("bought-2025");
  IssueRequest request;
  request.subject = "CN=mail.pocket-consultant.com";
  request.dns_names = {"mail.pocket-consultant.com"};
  request.now = testing::Now();
  Result<IssuedCertificate> r = issuer.Issue(request);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().message(), "issuer 'bought-2025' does not issue certificates itself");
}

TEST(IssuerTest, SubmitIsRefusedByIssuersWithoutAnOutbox) {
  BareIssuer issuer("corp-ca");
  Result<std::string> r = issuer.Submit("mail@MailServer21.csr", "-----BEGIN CERTIFICATE REQUEST");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().message(), "issuer 'corp-ca' takes no certificate requests");
}

TEST(IssuerTest, ImportDataIsRefusedByIssuersWithoutFiles) {
  BareIssuer issuer("self");
  Result<ImportRequest> r = issuer.ImportData("inbox/mail.cer");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().message(), "issuer 'self' supplies no certificate files");
}

TEST(IssuerTest, AnOverriddenOperationIsUsedAndTheOthersStayRefused) {
  OutboxOnly issuer;
  Issuer& seam = issuer;  // apply calls through the interface
  Result<std::string> path = seam.Submit("mail@MailServer21.csr", "CSR");
  ASSERT_TRUE(path.ok()) << path.status().message();
  EXPECT_EQ(*path, "outbox/mail@MailServer21.csr");
  EXPECT_EQ(issuer.submitted, "mail@MailServer21.csr:CSR");

  Result<IssuedCertificate> issued = seam.Issue(IssueRequest{});
  ASSERT_FALSE(issued.ok());
  EXPECT_THAT(issued.status().message(), HasSubstr("'public'"));
  Result<ImportRequest> data = seam.ImportData("x");
  ASSERT_FALSE(data.ok());
  EXPECT_THAT(data.status().message(), HasSubstr("'public'"));
}

}  // namespace
}  // namespace xcert
