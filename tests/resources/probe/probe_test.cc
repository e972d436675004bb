// Probes against real servers on loopback (nginx, Postfix, Dovecot, openssl
// s_server; tests/support/servers.h) serving certificates the openssl command
// line made: the thumbprints the probe reports must be the ones `openssl x509
// -fingerprint -sha1` computes, before and after the server reloads new files.
#include "resources/probe/probe.h"

#include <chrono>
#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include "resources/x509/digest.h"
#include "tests/support/servers.h"
#include "tests/support/test_util.h"

namespace xcert::probe {
namespace {

using std::chrono::milliseconds;
using testing::DovecotOptions;
using testing::DovecotServer;
using testing::NginxServer;
using testing::OpensslPki;
using testing::PostfixOptions;
using testing::PostfixServer;
using testing::ServiceFiles;
using testing::ServiceFilesAt;
using testing::TempDir;

constexpr const char* kLocal = "127.0.0.1";

ProbeOptions Options(milliseconds timeout = milliseconds(10000)) {
  ProbeOptions o;
  o.timeout = timeout;
  return o;
}

// Probes until the served thumbprint is `want` or five seconds passed (a
// reloaded server switches workers a moment after its reload command).
ProbeResult ProbeUntilServed(const Target& t, const std::string& want) {
  ProbeResult r;
  for (int i = 0; i < 100; ++i) {
    r = Probe(t, Options());
    if (r.thumbprint == want) break;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return r;
}

class ProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = testing::OpensslServer::Unavailable()) GTEST_SKIP() << *why;
    pki_.emplace(dir_.path() / "pki");
  }
  // The intermediate's thumbprint as openssl computes it: what a full chain sends.
  std::string IntermediateThumbprint() const {
    return OpensslPki::Thumbprint(pki_->intermediate_cert());
  }

  TempDir dir_;
  std::optional<OpensslPki> pki_;
};

TEST_F(ProbeTest, NginxHttpsServesEachNameBySniAndTheDefaultWithout) {
  if (auto why = NginxServer::Unavailable()) GTEST_SKIP() << *why;
  const ServiceFiles owa = ServiceFilesAt(dir_.path() / "owa", "IIS");
  const ServiceFiles autodiscover = ServiceFilesAt(dir_.path() / "ad", "IIS");
  const std::string t_owa = pki_->Issue(owa, {.names = {"mail.contoso.test"}});
  const std::string t_ad = pki_->Issue(autodiscover, {.names = {"autodiscover.contoso.test"}});
  NginxServer nginx(dir_.path() / "nginx",
                    {{{"mail.contoso.test"}, owa}, {{"autodiscover.contoso.test"}, autodiscover}});

  const std::vector<Target> targets = {
      {kLocal, nginx.port(), Protocol::kHttps, "mail.contoso.test"},
      {kLocal, nginx.port(), Protocol::kHttps, "autodiscover.contoso.test"},
      {kLocal, nginx.port(), Protocol::kHttps, ""},
  };
  const std::vector<ProbeResult> r = ProbeAll(targets, Options());
  ASSERT_EQ(r.size(), 3u);
  for (const ProbeResult& p : r) {
    ASSERT_EQ(p.outcome, Outcome::kOk) << p.reason << "\n" << nginx.Log();
    EXPECT_EQ(p.reason, "");
    EXPECT_EQ(p.tls_version, "TLSv1.3");
    EXPECT_FALSE(p.cipher.empty());
    EXPECT_EQ(x509::Sha1Hex(p.leaf_der), p.thumbprint);
    // fullchain.pem: the leaf, then the intermediate.
    ASSERT_EQ(p.chain_der.size(), 1u);
    EXPECT_EQ(x509::Sha1Hex(p.chain_der[0]), IntermediateThumbprint());
  }
  EXPECT_EQ(r[0].thumbprint, t_owa);
  EXPECT_EQ(r[1].thumbprint, t_ad);
  EXPECT_EQ(r[2].thumbprint, t_owa) << "without SNI nginx serves its default server";

  // New files in place, then the reload a hook would run.
  const std::string t_owa2 = pki_->Issue(owa, {.names = {"mail.contoso.test"}});
  ASSERT_NE(t_owa2, t_owa);
  EXPECT_EQ(Probe(targets[0], Options()).thumbprint, t_owa) << "nginx has not reloaded yet";
  nginx.Reload();
  EXPECT_EQ(ProbeUntilServed(targets[0], t_owa2).thumbprint, t_owa2) << nginx.Log();
}

TEST_F(ProbeTest, PostfixSmtpStartTlsAndWhatOtherProtocolsMakeOfIt) {
  if (auto why = PostfixServer::Unavailable()) GTEST_SKIP() << *why;
  const ServiceFiles smtp = ServiceFilesAt(dir_.path(), "SMTP");
  const std::string t1 = pki_->Issue(smtp, {.names = {"mail.contoso.test"}});
  PostfixServer postfix(dir_.path() / "postfix", smtp);

  const Target target{kLocal, postfix.port(), Protocol::kSmtp, "mail.contoso.test"};
  const ProbeResult ok = Probe(target, Options());
  ASSERT_EQ(ok.outcome, Outcome::kOk) << ok.reason << "\n" << postfix.Log();
  EXPECT_EQ(ok.thumbprint, t1);
  ASSERT_EQ(ok.chain_der.size(), 1u);
  EXPECT_EQ(x509::Sha1Hex(ok.chain_der[0]), IntermediateThumbprint());

  // The same port probed as implicit TLS: the greeting is not a TLS record.
  const ProbeResult https = Probe({kLocal, postfix.port(), Protocol::kHttps, ""}, Options());
  EXPECT_EQ(https.outcome, Outcome::kHandshakeFailed);
  EXPECT_NE(https.reason.find("did not answer with TLS"), std::string::npos) << https.reason;
  // ... and as IMAP: an SMTP greeting is not an IMAP one.
  const ProbeResult imap = Probe({kLocal, postfix.port(), Protocol::kImap, ""}, Options());
  EXPECT_EQ(imap.outcome, Outcome::kProtocolError);
  EXPECT_NE(imap.reason.find("not an IMAP greeting: '220 mail.xcert.test ESMTP Postfix"),
            std::string::npos)
      << imap.reason;

  const std::string t2 = pki_->Issue(smtp, {.names = {"mail.contoso.test"}});
  postfix.Reload();
  EXPECT_EQ(ProbeUntilServed(target, t2).thumbprint, t2) << postfix.Log();
}

TEST_F(ProbeTest, DovecotImapAndPopWithStartTlsAndImplicitTls) {
  if (auto why = DovecotServer::Unavailable()) GTEST_SKIP() << *why;
  const ServiceFiles imap = ServiceFilesAt(dir_.path(), "IMAP");
  const ServiceFiles pop = ServiceFilesAt(dir_.path(), "POP");
  const std::string t_imap = pki_->Issue(imap, {.names = {"imap.contoso.test"}});
  const std::string t_pop = pki_->Issue(pop, {.names = {"pop.contoso.test"}});
  DovecotServer dovecot(dir_.path() / "dovecot", imap, pop);

  const std::vector<Target> targets = {
      {kLocal, dovecot.imap_port(), Protocol::kImap, "imap.contoso.test"},
      {kLocal, dovecot.imaps_port(), Protocol::kImaps, "imap.contoso.test"},
      {kLocal, dovecot.pop3_port(), Protocol::kPop3, ""},
      {kLocal, dovecot.pop3s_port(), Protocol::kPop3s, ""},
  };
  const std::vector<ProbeResult> r = ProbeAll(targets, Options());
  for (size_t i = 0; i < r.size(); ++i) {
    ASSERT_EQ(r[i].outcome, Outcome::kOk) << targets[i].Describe() << ": " << r[i].reason << "\n"
                                          << dovecot.Log();
  }
  EXPECT_EQ(r[0].thumbprint, t_imap);
  EXPECT_EQ(r[1].thumbprint, t_imap);
  EXPECT_EQ(r[2].thumbprint, t_pop);
  EXPECT_EQ(r[3].thumbprint, t_pop);

  const std::string t_pop2 = pki_->Issue(pop, {.names = {"pop.contoso.test"}});
  dovecot.Reload();
  EXPECT_EQ(ProbeUntilServed(targets[2], t_pop2).thumbprint, t_pop2) << dovecot.Log();
  EXPECT_EQ(ProbeUntilServed(targets[3], t_pop2).thumbprint, t_pop2);
  EXPECT_EQ(Probe(targets[1], Options()).thumbprint, t_imap) << "IMAP's files did not change";
}

TEST_F(ProbeTest, PostfixWithoutTlsRefusesStartTls) {
  if (auto why = PostfixServer::Unavailable()) GTEST_SKIP() << *why;
  const ServiceFiles smtp = ServiceFilesAt(dir_.path(), "SMTP");
  pki_->Issue(smtp, {.names = {"mail.contoso.test"}});
  PostfixServer postfix(dir_.path() / "postfix", smtp, PostfixOptions{.tls = false});
  const ProbeResult r = Probe({kLocal, postfix.port(), Protocol::kSmtp, ""}, Options());
  EXPECT_EQ(r.outcome, Outcome::kStartTlsRefused);
  EXPECT_NE(r.reason.find("the server does not offer STARTTLS (its EHLO reply lists PIPELINING"),
            std::string::npos)
      << r.reason;
  EXPECT_TRUE(r.thumbprint.empty());
}

TEST_F(ProbeTest, DovecotWithoutTlsRefusesStartTlsAndStls) {
  if (auto why = DovecotServer::Unavailable()) GTEST_SKIP() << *why;
  const ServiceFiles files = ServiceFilesAt(dir_.path(), "IMAP");
  pki_->Issue(files, {.names = {"imap.contoso.test"}});
  DovecotServer dovecot(dir_.path() / "dovecot", files, files, DovecotOptions{.tls = false});
  const std::vector<ProbeResult> r = ProbeAll({{kLocal, dovecot.imap_port(), Protocol::kImap, ""},
                                               {kLocal, dovecot.pop3_port(), Protocol::kPop3, ""}},
                                              Options());
  EXPECT_EQ(r[0].outcome, Outcome::kStartTlsRefused) << r[0].reason;
  EXPECT_NE(r[0].reason.find("the server refused STARTTLS: 'x1 "), std::string::npos)
      << r[0].reason;
  EXPECT_EQ(r[1].outcome, Outcome::kStartTlsRefused) << r[1].reason;
  EXPECT_NE(r[1].reason.find("the server refused STLS: '-ERR"), std::string::npos) << r[1].reason;
}

TEST(ProbeFailureTest, AnEndpointThatIsDownIsUnreachableAtOnce) {
  const uint16_t port = testing::FreeLoopbackPort();
  const auto start = std::chrono::steady_clock::now();
  // An empty label makes the resolver fail without asking a DNS server, so
  // the test does not depend on the network.
  const std::vector<ProbeResult> r =
      ProbeAll({{kLocal, port, Protocol::kHttps, "mail.contoso.test"},
                {"no-such-host..invalid", 443, Protocol::kHttps, ""}},
               Options());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(r[0].outcome, Outcome::kUnreachable);
  EXPECT_EQ(r[0].reason,
            "cannot connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
  EXPECT_EQ(r[1].outcome, Outcome::kUnreachable);
  EXPECT_NE(r[1].reason.find("cannot resolve 'no-such-host..invalid': "), std::string::npos)
      << r[1].reason;
}

TEST(ProbeFailureTest, AServerThatNeverAnswersTimesOutWithinTheBound) {
  testing::SilentListener silent;
  const auto start = std::chrono::steady_clock::now();
  const std::vector<ProbeResult> r = ProbeAll({{kLocal, silent.port(), Protocol::kHttps, ""},
                                               {kLocal, silent.port(), Protocol::kSmtp, ""},
                                               {kLocal, silent.port(), Protocol::kPop3s, ""}},
                                              Options(milliseconds(300)));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::seconds(2)) << "the three probes run side by side";
  for (const ProbeResult& p : r) {
    EXPECT_EQ(p.outcome, Outcome::kTimeout) << p.reason;
    EXPECT_GE(p.elapsed, milliseconds(300));
  }
  EXPECT_EQ(r[0].reason, "the TLS handshake did not complete within 300 ms");
  EXPECT_EQ(r[1].reason,
            "the server did not send the SMTP greeting within 300 ms (is this an implicit TLS "
            "port?)");
}

TEST(ProbeFailureTest, ConcurrencyBoundsTheProbesInFlightAndResultsKeepInputOrder) {
  testing::SilentListener silent;
  const uint16_t down = testing::FreeLoopbackPort();
  // Eight silent endpoints at two at a time take four rounds of the timeout;
  // the refused ones in between finish at once and keep their places.
  std::vector<Target> targets;
  for (int i = 0; i < 8; ++i) {
    targets.push_back({kLocal, silent.port(), Protocol::kImaps, "s" + std::to_string(i)});
    targets.push_back({kLocal, down, Protocol::kImaps, "d" + std::to_string(i)});
  }
  ProbeOptions o = Options(milliseconds(250));
  o.concurrency = 2;
  o.threads = 2;
  const auto start = std::chrono::steady_clock::now();
  const std::vector<ProbeResult> r = ProbeAll(targets, o);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, milliseconds(4 * 250));
  EXPECT_LT(took, std::chrono::seconds(4));
  ASSERT_EQ(r.size(), targets.size());
  for (size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(r[i].outcome, i % 2 == 0 ? Outcome::kTimeout : Outcome::kUnreachable) << i;
  }

  o.concurrency = 16;  // all at once: one round
  const auto start16 = std::chrono::steady_clock::now();
  ProbeAll(targets, o);
  EXPECT_LT(std::chrono::steady_clock::now() - start16, milliseconds(3 * 250));
}

TEST(ProbeFailureTest, DescribeNamesProtocolEndpointAndSni) {
  EXPECT_EQ((Target{"10.0.0.21", 0, Protocol::kHttps, "mail.contoso.com"}).Describe(),
            "https 10.0.0.21:443 (SNI mail.contoso.com)");
  EXPECT_EQ((Target{"::1", 2525, Protocol::kSmtp, ""}).Describe(), "smtp [::1]:2525 (no SNI)");
  EXPECT_EQ(OutcomeName(Outcome::kStartTlsRefused), "starttls refused");
  EXPECT_TRUE(ProbeAll({}, Options()).empty());
}

}  // namespace
}  // namespace xcert::probe
