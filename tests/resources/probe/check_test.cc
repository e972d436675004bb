// The checks on what real servers serve: openssl s_server sends exactly the
// certificates it is given (a full chain, the leaf alone, a self-signed
// leaf), made by the openssl command line with the dates and names each case
// needs; the findings are what a user must see.
#include "resources/probe/check.h"

#include <cstdlib>
#include <optional>

#include <gtest/gtest.h>

#include "engine/util/strings.h"
#include "resources/x509/digest.h"
#include "tests/support/servers.h"
#include "tests/support/test_util.h"

namespace xcert::probe {
namespace {

using testing::OpensslPki;
using testing::OpensslServer;
using testing::ServiceFiles;
using testing::ServiceFilesAt;
using testing::TempDir;

constexpr const char* kName = "mail.contoso.test";

TimePoint Now() { return SystemClock().Now(); }

class CheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = OpensslServer::Unavailable()) GTEST_SKIP() << *why;
    pki_.emplace(dir_.path() / "pki");
    auto anchors = LoadTrustAnchors(pki_->root_cert());
    ASSERT_TRUE(anchors.ok()) << anchors.status().message();
    checker_.emplace(*anchors);
  }

  // Serves `leaf` with s_server, sending fullchain.pem (leaf + intermediate)
  // or the leaf alone, and probes it with SNI `sni`.
  ProbeResult Serve(const OpensslPki::Leaf& leaf, bool send_chain, std::string* thumbprint,
                    const std::string& sni = kName) {
    const ServiceFiles files = ServiceFilesAt(dir_.path() / std::to_string(++n_), "IIS");
    *thumbprint = pki_->Issue(files, leaf);
    OpensslServer server(
        dir_.path() / ("s_server" + std::to_string(n_)), files.cert(), files.key(),
        send_chain && !leaf.self_signed ? files.fullchain() : std::filesystem::path());
    target_ = {"127.0.0.1", server.port(), Protocol::kHttps, sni};
    ProbeOptions options;
    options.timeout = std::chrono::seconds(10);
    ProbeResult r = Probe(target_, options);
    EXPECT_EQ(r.outcome, Outcome::kOk) << r.reason << "\n" << server.Log();
    return r;
  }

  std::vector<Problem> Problems(const Verdict& v) {
    std::vector<Problem> out;
    for (const Finding& f : v.findings) out.push_back(f.problem);
    return out;
  }

  TempDir dir_;
  std::optional<OpensslPki> pki_;
  std::optional<Checker> checker_;
  Target target_;
  int n_ = 0;
};

TEST_F(CheckTest, TheBoundCertificateWithItsChainAndNamesPasses) {
  std::string bound;
  const ProbeResult r = Serve({.names = {kName, "autodiscover.contoso.test"}}, true, &bound);
  // Thumbprints are compared without regard to case.
  const Verdict v = checker_->Check(
      target_, r, {.thumbprint = ToLower(bound), .names = {kName, "AutoDiscover.contoso.test"}},
      Now());
  EXPECT_TRUE(v.ok()) << (v.findings.empty() ? "" : v.findings[0].message);
  ASSERT_TRUE(v.served.has_value());
  EXPECT_EQ(v.served->subject, "CN=mail.contoso.test");
  ASSERT_TRUE(v.days_left.has_value());
  // openssl made it valid until 30 days after the second it ran.
  EXPECT_TRUE(*v.days_left == 29 || *v.days_left == 30) << *v.days_left;
}

TEST_F(CheckTest, AServerThatSendsNoChainDoesNotValidate) {
  std::string bound;
  const ProbeResult r = Serve({.names = {kName}}, /*send_chain=*/false, &bound);
  EXPECT_TRUE(r.chain_der.empty());
  const Verdict v = checker_->Check(target_, r, {.thumbprint = bound}, Now());
  ASSERT_EQ(Problems(v), std::vector<Problem>{Problem::kUntrustedChain});
  EXPECT_EQ(v.findings[0].message,
            "the chain does not lead to a trust anchor (unable to get local issuer certificate "
            "(depth 0, CN=mail.contoso.test); it sends 0 intermediate certificates): configure the "
            "service to send its intermediate certificates (fullchain.pem), or add the issuing "
            "root to the trust bundle");
  // The same leaf validates when the intermediate is known (here: in the
  // bundle): the finding is about what the server sends.
  auto root_and_intermediate = LoadTrustAnchors(pki_->root_cert());
  auto intermediate = LoadTrustAnchors(pki_->intermediate_cert());
  ASSERT_TRUE(root_and_intermediate.ok() && intermediate.ok());
  root_and_intermediate->push_back(intermediate->front());
  EXPECT_TRUE(Checker(*root_and_intermediate).Check(target_, r, {.thumbprint = bound}, Now()).ok());
}

TEST_F(CheckTest, ANameTheCertificateDoesNotCover) {
  std::string bound;
  const ProbeResult r = Serve({.names = {kName}}, true, &bound, "owa.contoso.test");
  // No names given: the SNI name is the one to cover.
  Verdict v = checker_->Check(target_, r, {.thumbprint = bound}, Now());
  ASSERT_EQ(Problems(v), std::vector<Problem>{Problem::kNameNotCovered});
  EXPECT_EQ(v.findings[0].message,
            "the certificate does not cover 'owa.contoso.test' (it covers 'mail.contoso.test'): "
            "bind a certificate with these names");
  v = checker_->Check(target_, r, {.names = {kName, "*.contoso.test", "a.b.contoso.test"}}, Now());
  ASSERT_EQ(Problems(v), std::vector<Problem>{Problem::kNameNotCovered});
  EXPECT_NE(v.findings[0].message.find("does not cover '*.contoso.test', 'a.b.contoso.test' ("),
            std::string::npos)
      << v.findings[0].message;
}

TEST_F(CheckTest, AnExpiredLeafIsOneFindingNotAChainFailureToo) {
  std::string bound;
  const ProbeResult r =
      Serve({.names = {kName}, .valid_from_days = -40, .valid_to_days = -3}, true, &bound);
  const Verdict v = checker_->Check(target_, r, {.thumbprint = bound}, Now());
  ASSERT_EQ(Problems(v), std::vector<Problem>{Problem::kExpired});
  EXPECT_NE(v.findings[0].message.find("(3 days ago): renew it"), std::string::npos)
      << v.findings[0].message;
  // Whole days rounded down: a moment more than three days ago is -4.
  EXPECT_TRUE(*v.days_left == -4 || *v.days_left == -3) << *v.days_left;
}

TEST_F(CheckTest, ALeafNotYetValid) {
  std::string bound;
  const ProbeResult r =
      Serve({.names = {kName}, .valid_from_days = 3, .valid_to_days = 90}, true, &bound);
  const Verdict v = checker_->Check(target_, r, {.thumbprint = bound}, Now());
  ASSERT_EQ(Problems(v), std::vector<Problem>{Problem::kNotYetValid});
  EXPECT_NE(v.findings[0].message.find("clients reject it until then"), std::string::npos);
}

TEST_F(CheckTest, AnotherCertificateThanTheBoundOneIsNamedWithBothThumbprints) {
  std::string served;
  const ProbeResult r = Serve({.names = {kName}}, true, &served);
  const std::string bound = "800BFCE9F8E1F1ECE1E4F6B4AF6B6C3C0F3B5A11";
  const Verdict v = checker_->Check(target_, r, {.thumbprint = bound}, Now());
  ASSERT_EQ(Problems(v), std::vector<Problem>{Problem::kWrongCertificate});
  const std::string expected = "serves " + served + " but the store binds " + bound +
                               ": the service still has another certificate loaded; reload or "
                               "restart it";
  EXPECT_EQ(v.findings[0].message.rfind(expected, 0), 0u) << v.findings[0].message;
  EXPECT_NE(v.findings[0].message.find("(served: CN=mail.contoso.test, valid until "),
            std::string::npos);
  EXPECT_TRUE(v.Has(Problem::kWrongCertificate));
  EXPECT_FALSE(v.Has(Problem::kUntrustedChain));
}

TEST_F(CheckTest, ASelfSignedLeafIsTrustedOnlyAsAnAnchorItself) {
  std::string bound;
  const ProbeResult r = Serve({.names = {kName}, .self_signed = true}, false, &bound);
  Verdict v = checker_->Check(target_, r, {.thumbprint = bound}, Now());
  ASSERT_EQ(Problems(v), std::vector<Problem>{Problem::kUntrustedChain});
  EXPECT_NE(v.findings[0].message.find("self-signed and not among the trust anchors"),
            std::string::npos);
  v = Checker({r.leaf_der}).Check(target_, r, {.thumbprint = bound}, Now());
  EXPECT_TRUE(v.ok()) << v.findings[0].message;
}

TEST_F(CheckTest, CheckAllGivesEveryResultItsOwnVerdictInOrder) {
  std::string t_good, t_bare;
  const ProbeResult good = Serve({.names = {kName}}, true, &t_good);
  const Target good_target = target_;
  const ProbeResult bare = Serve({.names = {kName}}, false, &t_bare);
  // Verifications are memoized per chain, leaf and moment: the same leaf
  // with and without its chain, and another leaf, must not be mixed up.
  const std::vector<Verdict> v =
      checker_->CheckAll({good_target, target_, good_target, target_}, {good, bare, good, bare},
                         {{.thumbprint = t_good},
                          {.thumbprint = t_bare},
                          {.thumbprint = t_bare},
                          {.thumbprint = t_bare}},
                         Now(), 3);
  ASSERT_EQ(v.size(), 4u);
  EXPECT_TRUE(v[0].ok());
  EXPECT_EQ(Problems(v[1]), std::vector<Problem>{Problem::kUntrustedChain});
  EXPECT_EQ(Problems(v[2]), std::vector<Problem>{Problem::kWrongCertificate});
  EXPECT_EQ(Problems(v[3]), std::vector<Problem>{Problem::kUntrustedChain});
  // Forty days on, the 30-day leaf has expired and nothing else changed.
  const Verdict later = checker_->Check(good_target, good, {.thumbprint = t_good},
                                        Now() + std::chrono::hours(24 * 40));
  EXPECT_EQ(Problems(later), std::vector<Problem>{Problem::kExpired});
}

TEST_F(CheckTest, AProbeThatFailedIsOneNotServedFinding) {
  ProbeResult down;
  down.outcome = Outcome::kUnreachable;
  down.reason = "cannot connect to 127.0.0.1:443: Connection refused";
  const Verdict v = checker_->Check({"127.0.0.1", 443, Protocol::kHttps, kName}, down,
                                    {.thumbprint = "AB"}, Now());
  ASSERT_EQ(Problems(v), std::vector<Problem>{Problem::kNotServed});
  EXPECT_EQ(v.findings[0].message,
            "unreachable: cannot connect to 127.0.0.1:443: Connection refused");
  EXPECT_FALSE(v.days_left.has_value());
  EXPECT_EQ(ProblemName(Problem::kNotServed), "NotServed");
}

TEST_F(CheckTest, TrustBundlesAndTheSystemAnchors) {
  auto anchors = LoadTrustAnchors(pki_->root_cert());
  ASSERT_TRUE(anchors.ok());
  ASSERT_EQ(anchors->size(), 1u);
  EXPECT_EQ(x509::Sha1Hex(anchors->front()), OpensslPki::Thumbprint(pki_->root_cert()));

  const auto missing = LoadTrustAnchors(dir_.path() / "missing.pem");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "trust bundle: reading " +
                                            (dir_.path() / "missing.pem").string() +
                                            ": No such file or directory");
  const auto not_pem = LoadTrustAnchors(dir_.Write("notes.txt", "not a certificate\n"));
  ASSERT_FALSE(not_pem.ok());
  EXPECT_NE(not_pem.status().message().find("expected PEM certificates"), std::string::npos);

  // $SSL_CERT_FILE names the system bundle, as for OpenSSL itself.
  const char* saved = std::getenv("SSL_CERT_FILE");
  const std::string before = saved ? saved : "";
  ::setenv("SSL_CERT_FILE", pki_->root_cert().c_str(), 1);
  auto system = SystemTrustAnchors();
  if (saved) {
    ::setenv("SSL_CERT_FILE", before.c_str(), 1);
  } else {
    ::unsetenv("SSL_CERT_FILE");
  }
  ASSERT_TRUE(system.ok()) << system.status().message();
  EXPECT_EQ(*system, *anchors);
}

}  // namespace
}  // namespace xcert::probe
