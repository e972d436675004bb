// xcert store init, run as a user would: the files it writes verify with the
// openssl command line and their SHA-1 fingerprints are the thumbprints it
// prints; a second run changes nothing and says so.
#include <sys/stat.h>

#include <regex>

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace xcert::testing {
namespace {

const std::vector<std::string> kInit = {
    "store",    "init",         "--store",  "./store",
    "--server", "MailServer21", "--fqdn",   "MailServer21.pocket-consultant.com",
    "--roles",  "Mailbox",      "--domain", "pocket-consultant.com"};

// The thumbprints at the start of the indented lines of store init's output.
std::vector<std::string> PrintedThumbprints(const std::string& out) {
  std::vector<std::string> t;
  const std::regex line("\n  ([0-9A-F]{40})  ");
  for (auto it = std::sregex_iterator(out.begin(), out.end(), line); it != std::sregex_iterator();
       ++it) {
    t.push_back((*it)[1]);
  }
  return t;
}

std::string OpensslSha1(const fs::path& pem) {
  RunResult r =
      Run({"/usr/bin/openssl", "x509", "-noout", "-fingerprint", "-sha1", "-in", pem.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string hex;
  for (char c : r.out.substr(r.out.find('=') + 1)) {
    if (std::isxdigit(static_cast<unsigned char>(c))) hex += char(std::toupper(c));
  }
  return hex;
}

TEST(StoreInitE2eTest, CreatesWhatExchangeSetupCreates) {
  TempDir dir;
  RunResult r = RunXcert(kInit, dir.path(), {{"XCERT_NOW", "2026-03-01T12:00:00Z"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      r.out.rfind(
          "Created MailServer21 (MailServer21.pocket-consultant.com; Mailbox; Exchange 2019) in "
          "./store with 3 certificates:\n",
          0),
      0u)
      << r.out;
  EXPECT_NE(r.out.find("  IP.WS..  CN=MailServer21  (Microsoft Exchange, not exportable, valid "
                       "until 2031-03-01)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(
      r.out.find(
          "  .......  CN=Microsoft Exchange Server Auth Certificate  (Microsoft Exchange Server "
          "Auth Certificate, exportable, valid until 2031-02-03)\n"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  .......  CN=WMSvc-SHA2-MailServer21  (WMSVC-SHA2, exportable, valid "
                       "until 2036-03-01)\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.err, "List them with: xcert show --store ./store --server MailServer21\n");

  const std::vector<std::string> thumbprints = PrintedThumbprints(r.out);
  ASSERT_EQ(thumbprints.size(), 3u) << r.out;
  for (const std::string& t : thumbprints) {
    const fs::path d = dir.path() / "store" / "MailServer21" / "certificates" / t;
    EXPECT_EQ(OpensslSha1(d / "cert.pem"), t);
    RunResult key = xcert::testing::Run(
        {"/usr/bin/openssl", "pkey", "-noout", "-in", (d / "key.pem").string()});
    EXPECT_EQ(key.exit_code, 0) << key.err;
    RunResult verify =
        xcert::testing::Run({"/usr/bin/openssl", "verify", "-attime", "1772366400", "-CAfile",
                             (d / "cert.pem").string(), (d / "cert.pem").string()});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    struct stat st;
    ASSERT_EQ(::stat((d / "key.pem").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
  }
}

TEST(StoreInitE2eTest, ASecondRunChangesNothingAndSaysSo) {
  TempDir dir;
  ASSERT_EQ(RunXcert(kInit, dir.path()).exit_code, 0);
  const std::string bindings =
      ReadFileOrDie(dir.path() / "store" / "MailServer21" / "bindings.json");
  RunResult again = RunXcert(kInit, dir.path());
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "MailServer21 already exists in ./store; nothing changed\n");
  EXPECT_EQ(again.err, "");
  EXPECT_EQ(ReadFileOrDie(dir.path() / "store" / "MailServer21" / "bindings.json"), bindings);

  std::vector<std::string> other = kInit;
  other[7] = "mail21.pocket-consultant.com";
  RunResult differs = RunXcert(other, dir.path());
  EXPECT_EQ(differs.exit_code, 0);
  EXPECT_NE(
      differs.err.find("store/MailServer21 describes MailServer21.pocket-consultant.com; Mailbox; "
                       "Exchange 2019; store init never changes an existing server"),
      std::string::npos)
      << differs.err;
}

TEST(StoreInitE2eTest, EdgeTransportGetsOnlyItsSmtpCertificate) {
  TempDir dir;
  RunResult r = RunXcert({"store", "init", "--store", "s", "--server", "Edge01", "--fqdn",
                          "edge01.pocket-consultant.com", "--roles", "EdgeTransport"},
                         dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("with 1 certificate:\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  ....S..  CN=Edge01  (Microsoft Exchange, not exportable"),
            std::string::npos)
      << r.out;
}

TEST(StoreInitE2eTest, BadInputIsAnErrorAndWritesNothing) {
  TempDir dir;
  RunResult r = RunXcert({"store", "init", "--store", "s", "--server", "S1", "--fqdn",
                          "s1.contoso.com", "--roles", "Mailbox,Hub"},
                         dir.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: --roles: unknown role 'Hub' (known: Mailbox, ClientAccess, EdgeTransport)\n");
  r = RunXcert({"store", "init", "--store", "s", "--server", "S1", "--fqdn", "s1.contoso.com",
                "--roles", "ClientAccess"},
               dir.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(
      r.err,
      "error: --roles: ClientAccess exists only in Exchange 2013 (from 2016 on, Mailbox includes "
      "the client access services); use Mailbox, or --version 2013\n");
  r = RunXcert({"store", "init", "--store", "s", "--server", "S1", "--fqdn", "s1.contoso.com",
                "--roles", "Mailbox", "--version", "2010"},
               dir.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: --version: unknown Exchange version '2010' (known: 2013, 2016, 2019, SE)\n");
  EXPECT_FALSE(fs::exists(dir.path() / "s"));
  r = RunXcert({"store", "init", "--store", "s", "--server", "S1"}, dir.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--fqdn"), std::string::npos) << r.err;
}

TEST(StoreInitE2eTest, Exchange2013ClientAccess) {
  TempDir dir;
  RunResult r = RunXcert({"store", "init", "--store", "s", "--server", "Cas01", "--fqdn",
                          "cas01.contoso.com", "--roles", "ClientAccess", "--version", "2013"},
                         dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(cas01.contoso.com; ClientAccess; Exchange 2013)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  IP.WS..  CN=Cas01"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace xcert::testing
