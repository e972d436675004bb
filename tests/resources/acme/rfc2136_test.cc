// RFC 2136 updates with TSIG against BIND 9, read back with dig.
#include "resources/acme/rfc2136.h"

#include <gtest/gtest.h>

#include "resources/acme/jws.h"
#include "tests/resources/acme/acme_test_util.h"

namespace xcert::acme {
namespace {

using namespace xcert::acme::testing;  // NOLINT

const std::string kSecret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=";

class BindTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!FindProgram("named") || !FindProgram("dig")) GTEST_SKIP() << NotInstalled("bind9");
    named_ = std::make_unique<Named>(dir_.path(), "example.net", "xcert-key", kSecret);
    ASSERT_TRUE(named_->ready()) << named_->Log();
  }
  Rfc2136Config Config(const std::string& secret = kSecret) const {
    return {.server = named_->address(),
            .zone = "example.net",
            .tsig_key_name = "xcert-key",
            .tsig_secret = secret,
            .propagation_timeout = std::chrono::seconds(5),
            .propagation_interval = std::chrono::milliseconds(100)};
  }
  TempDir dir_;
  std::unique_ptr<Named> named_;
};

TEST_F(BindTest, AddsTheTxtRecordDigSeesAndRemovesOnlyIt) {
  Rfc2136Solver solver(Config());
  const ChallengeTask a{"www.example.net", "t1", "t1.thumb"};
  const ChallengeTask wildcard{"www.example.net", "t2", "t2.thumb"};  // *.www shares the name
  ASSERT_TRUE(solver.Present(a).ok());
  ASSERT_TRUE(solver.Present(wildcard).ok());
  const std::string both = named_->DigTxt("_acme-challenge.www.example.net");
  EXPECT_NE(both.find("\"" + Dns01TxtValue("t1.thumb") + "\""), std::string::npos) << both;
  EXPECT_NE(both.find("\"" + Dns01TxtValue("t2.thumb") + "\""), std::string::npos) << both;
  ASSERT_TRUE(solver.CleanUp(a).ok());
  const std::string one = named_->DigTxt("_acme-challenge.www.example.net");
  EXPECT_EQ(one.find(Dns01TxtValue("t1.thumb")), std::string::npos) << one;
  EXPECT_NE(one.find(Dns01TxtValue("t2.thumb")), std::string::npos) << one;
  ASSERT_TRUE(solver.CleanUp(wildcard).ok());
  EXPECT_EQ(named_->DigTxt("_acme-challenge.www.example.net"), "");
  const auto values = QueryTxt(named_->address(), "_acme-challenge.www.example.net");
  ASSERT_TRUE(values.ok());
  EXPECT_TRUE(values->empty());
}

TEST_F(BindTest, AWrongSecretIsRefusedWithoutShowingItAndAddsNothing) {
  const std::string wrong = "d3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmc=";
  Rfc2136Solver solver(Config(wrong));
  const ChallengeTask task{"mail.example.net", "t", "t.k"};
  const Status s = solver.Present(task);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("mail.example.net"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("'xcert-key'"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find(wrong), std::string::npos);
  EXPECT_EQ(named_->DigTxt("_acme-challenge.mail.example.net"), "");
}

TEST_F(BindTest, ANameOutsideTheZoneIsRefusedBeforeSending) {
  Rfc2136Solver solver(Config());
  const Status s = solver.Present({"mail.contoso.com", "t", "t.k"});
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("not inside zone example.net"), std::string::npos) << s.message();
}

TEST(Rfc2136Test, ServerDownIsUnavailable) {
  Rfc2136Config c{.server = "127.0.0.1:" + std::to_string(FreeLoopbackPort()),
                  .zone = "example.net",
                  .tsig_key_name = "k",
                  .tsig_secret = kSecret};
  Rfc2136Solver solver(c);
  const Status s = solver.Present({"a.example.net", "t", "t.k"});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(c.server), std::string::npos) << s.message();
}

}  // namespace
}  // namespace xcert::acme
