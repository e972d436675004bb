// RFC 9773: the certificate identifier of §4.1's example, RenewalInfo
// objects (§4.2, §4.3) and the renewal decision.
#include "resources/acme/ari.h"

#include <gtest/gtest.h>

#include "tests/resources/acme/acme_test_util.h"

namespace xcert::acme {
namespace {

using namespace xcert::acme::testing;  // NOLINT

TEST(AriCertificateIdTest, MatchesTheRfcExample) {
  // RFC 9773 §4.1: keyIdentifier 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4 and
  // serial 00:87:65:43:21 give "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE". The certificate is made
  // by the openssl command line with a CA whose subject key identifier is that value.
  TempDir dir;
  const fs::path ca_key = dir.path() / "ca.key", ca = dir.path() / "ca.pem",
                 key = dir.path() / "leaf.key", csr = dir.path() / "leaf.csr",
                 leaf = dir.path() / "leaf.der", ext = dir.path() / "ext.cnf";
  std::ofstream(ext)
      << "[req]\ndistinguished_name = dn\n[dn]\n"
         "[ca]\nbasicConstraints=critical,CA:TRUE\n"
         "subjectKeyIdentifier=69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4\n"
         "[leaf]\nauthorityKeyIdentifier=keyid:always\n";
  const RunResult made_ca =
      RunTool("openssl", {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                          "-nodes", "-subj", "/CN=ARI CA", "-keyout", ca_key.string(), "-out",
                          ca.string(), "-days", "2", "-config", ext.string(), "-extensions", "ca"});
  ASSERT_EQ(made_ca.exit_code, 0) << made_ca.err;
  ASSERT_EQ(RunTool("openssl", {"req", "-new", "-newkey", "ec", "-pkeyopt",
                                "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=leaf", "-keyout",
                                key.string(), "-out", csr.string(), "-config", ext.string()})
                .exit_code,
            0);
  const RunResult signed_leaf =
      RunTool("openssl", {"x509",      "-req",     "-in",           csr.string(),  "-CA",
                          ca.string(), "-CAkey",   ca_key.string(), "-set_serial", "0x87654321",
                          "-days",     "1",        "-extfile",      ext.string(),  "-extensions",
                          "leaf",      "-outform", "DER",           "-out",        leaf.string()});
  ASSERT_EQ(signed_leaf.exit_code, 0) << signed_leaf.err;
  const auto id = AriCertificateId(xcert::testing::ReadFileOrDie(leaf));
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(*id, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
}

const TimePoint kFetched = ParseIso8601("2026-03-01T00:00:00Z").value();

RenewalInfo Window(const std::string& start, const std::string& end) {
  return ParseRenewalInfo(nlohmann::json{{"suggestedWindow", {{"start", start}, {"end", end}}}},
                          std::nullopt, kFetched)
      .value();
}

TEST(RenewalInfoTest, ParsesTheWindowAndClampsRetryAfter) {
  const nlohmann::json body = {
      {"suggestedWindow", {{"start", "2026-03-10T00:00:00Z"}, {"end", "2026-03-12T00:00:00.123Z"}}},
      {"explanationURL", "https://ca.example/why"}};
  const auto info = ParseRenewalInfo(body, std::chrono::seconds(3600), kFetched);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(FormatIso8601(info->window_end), "2026-03-12T00:00:00Z");
  EXPECT_EQ(info->explanation_url, "https://ca.example/why");
  EXPECT_EQ(info->next_check, kFetched + std::chrono::hours(1));
  EXPECT_EQ(ParseRenewalInfo(body, std::chrono::seconds(5), kFetched)->next_check,
            kFetched + std::chrono::minutes(1));
  EXPECT_EQ(ParseRenewalInfo(body, std::chrono::hours(100), kFetched)->next_check,
            kFetched + std::chrono::hours(24));
  EXPECT_EQ(ParseRenewalInfo(body, std::nullopt, kFetched)->next_check,
            kFetched + std::chrono::hours(6));
}

TEST(RenewalInfoTest, AWindowThatEndsBeforeItStartsIsRefused) {
  const auto info = ParseRenewalInfo(
      nlohmann::json{{"suggestedWindow",
                      {{"start", "2026-03-12T00:00:00Z"}, {"end", "2026-03-10T00:00:00Z"}}}},
      std::nullopt, kFetched);
  ASSERT_FALSE(info.ok());
  EXPECT_NE(info.status().message().find("renewBefore applies"), std::string::npos);
}

TEST(DecideRenewalTest, StablePointInsideTheWindow) {
  const RenewalInfo w = Window("2026-03-10T00:00:00Z", "2026-03-12T00:00:00Z");
  const auto before = DecideRenewal(w, ParseIso8601("2026-03-01T00:00:00Z").value(), "cert-a");
  EXPECT_FALSE(before.renew_now);
  EXPECT_GE(before.renew_at, w.window_start);
  EXPECT_LT(before.renew_at, w.window_end);
  // The same certificate gets the same point on every read; another one usually another.
  EXPECT_EQ(DecideRenewal(w, kFetched, "cert-a").renew_at, before.renew_at);
  EXPECT_NE(DecideRenewal(w, kFetched, "cert-b").renew_at, before.renew_at);
  EXPECT_TRUE(DecideRenewal(w, before.renew_at, "cert-a").renew_now);
  EXPECT_FALSE(DecideRenewal(w, before.renew_at - std::chrono::seconds(1), "cert-a").renew_now);
}

TEST(DecideRenewalTest, AWindowInThePastRenewsNowAndSaysSo) {
  const RenewalInfo w = Window("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z");
  const auto d = DecideRenewal(w, kFetched, "cert-a");
  EXPECT_TRUE(d.renew_now);
  EXPECT_NE(d.reason.find("has passed"), std::string::npos);
}

TEST(DecideRenewalTest, OneOrderPerWindowEvenWhenTheWindowMoves) {
  const TimePoint now = ParseIso8601("2026-03-11T12:00:00Z").value();
  const RenewalInfo w = Window("2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z");
  ASSERT_TRUE(DecideRenewal(w, now, "cert-a").renew_now);
  const TimePoint ordered = ParseIso8601("2026-03-11T11:00:00Z").value();
  EXPECT_FALSE(DecideRenewal(w, now, "cert-a", ordered).renew_now);
  // The CA moves the window earlier (e.g. a revocation): still no second order.
  const RenewalInfo moved = Window("2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z");
  const auto d = DecideRenewal(moved, now, "cert-a", ordered);
  EXPECT_FALSE(d.renew_now);
  EXPECT_NE(d.reason.find("resume it"), std::string::npos);
  // An order placed before this window opened does not count.
  EXPECT_TRUE(
      DecideRenewal(w, now, "cert-a", ParseIso8601("2026-02-01T00:00:00Z").value()).renew_now);
}

}  // namespace
}  // namespace xcert::acme
