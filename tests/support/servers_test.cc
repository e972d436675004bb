// The real servers of tests/support/servers.h serve the files they are given
// and serve new ones after their reload command, as the openssl command line
// (s_client, x509 -fingerprint) sees them: an oracle independent of xcert.
#include "tests/support/servers.h"

#include <chrono>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace xcert::testing {
namespace {

// The SHA-1 thumbprint of the certificate `openssl s_client` is served, or
// "" when it gets none.
std::string ServedThumbprint(const fs::path& dir, uint16_t port, const std::string& sni,
                             const std::string& starttls = "") {
  std::vector<std::string> argv = {FindProgram("openssl")->string(), "s_client", "-connect",
                                   "127.0.0.1:" + std::to_string(port)};
  if (!sni.empty()) argv.insert(argv.end(), {"-servername", sni});
  if (!starttls.empty()) argv.insert(argv.end(), {"-starttls", starttls});
  const RunResult r = Run(argv);
  const size_t begin = r.out.find("-----BEGIN CERTIFICATE-----");
  const std::string end_marker = "-----END CERTIFICATE-----";
  const size_t end = r.out.find(end_marker, begin);
  if (begin == std::string::npos || end == std::string::npos) return "";
  const fs::path pem = dir / "served.pem";
  std::ofstream(pem) << r.out.substr(begin, end + end_marker.size() - begin) << "\n";
  return OpensslPki::Thumbprint(pem);
}

// Polls until `served()` returns `want` (a reloaded server switches workers
// shortly after its reload command returns).
template <typename F>
std::string Eventually(const std::string& want, F served) {
  std::string got;
  for (int i = 0; i < 100; ++i) {
    got = served();
    if (got == want) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return got;
}

class ServersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = OpensslServer::Unavailable()) GTEST_SKIP() << *why;
    pki_ = std::make_unique<OpensslPki>(dir_.path() / "pki");
  }
  TempDir dir_;
  std::unique_ptr<OpensslPki> pki_;
};

TEST_F(ServersTest, NginxServesEachSiteBySniAndTheNewFilesAfterReload) {
  if (auto why = NginxServer::Unavailable()) GTEST_SKIP() << *why;
  const ServiceFiles a = ServiceFilesAt(dir_.path() / "a", "IIS");
  const ServiceFiles b = ServiceFilesAt(dir_.path() / "b", "IIS");
  const std::string ta = pki_->Issue(a, {.names = {"a.xcert.test"}});
  const std::string tb = pki_->Issue(b, {.names = {"b.xcert.test"}});
  NginxServer nginx(dir_.path() / "nginx", {{{"a.xcert.test"}, a}, {{"b.xcert.test"}, b}});
  EXPECT_EQ(ServedThumbprint(dir_.path(), nginx.port(), "a.xcert.test"), ta) << nginx.Log();
  EXPECT_EQ(ServedThumbprint(dir_.path(), nginx.port(), "b.xcert.test"), tb);
  EXPECT_EQ(ServedThumbprint(dir_.path(), nginx.port(), ""), ta) << "the first site is the default";

  const std::string ta2 = pki_->Issue(a, {.names = {"a.xcert.test"}});
  ASSERT_NE(ta2, ta);
  nginx.Reload();
  EXPECT_EQ(
      Eventually(ta2, [&] { return ServedThumbprint(dir_.path(), nginx.port(), "a.xcert.test"); }),
      ta2)
      << nginx.Log();
}

TEST_F(ServersTest, PostfixOffersStartTlsWithItsFilesAndReloads) {
  if (auto why = PostfixServer::Unavailable()) GTEST_SKIP() << *why;
  const ServiceFiles smtp = ServiceFilesAt(dir_.path(), "SMTP");
  const std::string t1 = pki_->Issue(smtp, {.names = {"mail.xcert.test"}});
  PostfixServer postfix(dir_.path() / "postfix", smtp);
  EXPECT_EQ(ServedThumbprint(dir_.path(), postfix.port(), "", "smtp"), t1) << postfix.Log();

  const std::string t2 = pki_->Issue(smtp, {.names = {"mail.xcert.test"}});
  postfix.Reload();
  EXPECT_EQ(
      Eventually(t2, [&] { return ServedThumbprint(dir_.path(), postfix.port(), "", "smtp"); }), t2)
      << postfix.Log();
}

TEST_F(ServersTest, DovecotServesImapAndPopFilesOnAllFourPortsAndReloads) {
  if (auto why = DovecotServer::Unavailable()) GTEST_SKIP() << *why;
  const ServiceFiles imap = ServiceFilesAt(dir_.path(), "IMAP");
  const ServiceFiles pop = ServiceFilesAt(dir_.path(), "POP");
  const std::string ti = pki_->Issue(imap, {.names = {"imap.xcert.test"}});
  const std::string tp = pki_->Issue(pop, {.names = {"pop.xcert.test"}});
  DovecotServer dovecot(dir_.path() / "dovecot", imap, pop);
  EXPECT_EQ(ServedThumbprint(dir_.path(), dovecot.imaps_port(), ""), ti) << dovecot.Log();
  EXPECT_EQ(ServedThumbprint(dir_.path(), dovecot.imap_port(), "", "imap"), ti);
  EXPECT_EQ(ServedThumbprint(dir_.path(), dovecot.pop3s_port(), ""), tp);
  EXPECT_EQ(ServedThumbprint(dir_.path(), dovecot.pop3_port(), "", "pop3"), tp);

  const std::string ti2 = pki_->Issue(imap, {.names = {"imap.xcert.test"}});
  dovecot.Reload();
  EXPECT_EQ(
      Eventually(ti2, [&] { return ServedThumbprint(dir_.path(), dovecot.imaps_port(), ""); }), ti2)
      << dovecot.Log();
}

TEST_F(ServersTest, OpensslServerSendsTheLeafAloneAndStopsByPid) {
  const ServiceFiles f = ServiceFilesAt(dir_.path(), "IIS");
  const std::string t = pki_->Issue(f, {.names = {"edge.xcert.test"}});
  OpensslServer server(dir_.path() / "s_server", f.cert(), f.key());
  EXPECT_EQ(ServedThumbprint(dir_.path(), server.port(), ""), t) << server.Log();
  EXPECT_TRUE(server.reload_command().empty());
  const uint16_t port = server.port();
  server.Stop();
  EXPECT_FALSE(PortAccepts("127.0.0.1", port));
}

TEST_F(ServersTest, PkiMakesExpiredAndSelfSignedLeavesAsAsked) {
  const ServiceFiles f = ServiceFilesAt(dir_.path(), "IIS");
  pki_->Issue(f, {.names = {"old.xcert.test"}, .valid_from_days = -30, .valid_to_days = -1});
  const std::string openssl = FindProgram("openssl")->string();
  // `openssl verify` at today's date: the chain is fine, the leaf expired.
  RunResult r = testing::Run({openssl, "verify", "-CAfile", pki_->root_cert().string(),
                              "-untrusted", pki_->intermediate_cert().string(), f.cert().string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE((r.out + r.err).find("certificate has expired"), std::string::npos) << r.out << r.err;

  pki_->Issue(f, {.names = {"self.xcert.test"}, .self_signed = true});
  r = testing::Run({openssl, "x509", "-in", f.cert().string(), "-noout", "-subject", "-issuer"});
  EXPECT_NE(r.out.find("subject=CN = self.xcert.test\nissuer=CN = self.xcert.test"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(fs::status(f.key()).permissions() & fs::perms::others_all, fs::perms::none);
}

}  // namespace
}  // namespace xcert::testing
