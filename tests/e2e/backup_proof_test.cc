// Backups are proven, not assumed (docs/commands/apply.md, "Backups"): with
// the real binary, a file that sits where a backup belongs but does not
// decrypt to the certificate is kept aside, the backup is written again, and
// only then is the certificate removed. The openssl command line is the
// oracle for what the backup holds.
#include <fstream>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace xcert::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kPassword = "e2e-backup-password";

class BackupProof : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy_file(SourceDir() / "examples/pocket-consultant/xcert.yaml",
                  dir_.path() / "xcert.yaml");
    RunResult r = X({"store", "init", "--store", "./store", "--server", "MailServer21", "--fqdn",
                     "MailServer21.pocket-consultant.com", "--roles", "Mailbox", "--domain",
                     "pocket-consultant.com"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::set<std::string> setup = Certificates();
    RunResult apply = X({"apply", "--auto-approve"});
    ASSERT_EQ(apply.exit_code, 0) << apply.err << apply.out;
    for (const std::string& t : Certificates()) {
      if (!setup.count(t)) mail_ = t;
    }
    ASSERT_EQ(mail_.size(), 40u);
    // A new name for the certificate, and prune: 'mail' is replaced and the
    // old one removed, after its backup.
    std::string m = ReadFileOrDie(dir_.path() / "xcert.yaml");
    const std::string names = "      - autodiscover.pocket-consultant.com\n";
    ASSERT_NE(m.find(names), std::string::npos);
    m.replace(m.find(names), names.size(), names + "      - owa.pocket-consultant.com\n");
    m = "prune: true\n" + m;
    std::ofstream(dir_.path() / "xcert.yaml", std::ios::trunc) << m;
    ASSERT_EQ(X({"validate"}).exit_code, 0);
  }

  RunResult X(const std::vector<std::string>& args) {
    return RunXcert(args, dir_.path(),
                    {{"XCERT_BACKUP_PASSWORD", kPassword},
                     {"XCERT_NOW", "2026-11-25T10:00:00Z"},
                     {"NO_COLOR", "1"}});
  }

  std::set<std::string> Certificates() {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_.path() / "store/MailServer21/certificates")) {
      const std::string name = e.path().filename().string();
      if (name.size() == 40) out.insert(name);
    }
    return out;
  }

  // The SHA-1 thumbprint of the certificate that openssl reads from a PKCS#12
  // backup with the backup password; "" when openssl cannot open it.
  std::string OpensslThumbprint(const fs::path& pfx) {
    const fs::path pem = dir_.path() / "oracle.pem";
    RunResult open = xcert::testing::Run({"/usr/bin/openssl", "pkcs12", "-in", pfx.string(),
                                          "-passin", std::string("pass:") + kPassword, "-nokeys",
                                          "-clcerts", "-out", pem.string()});
    if (open.exit_code != 0) return "";
    RunResult fp = xcert::testing::Run(
        {"/usr/bin/openssl", "x509", "-in", pem.string(), "-noout", "-fingerprint", "-sha1"});
    std::string hex;
    for (char c : fp.out.substr(fp.out.find('=') + 1)) {
      if (std::isxdigit(static_cast<unsigned char>(c))) hex += char(std::toupper(c));
    }
    return hex;
  }

  bool OpensslFindsKey(const fs::path& pfx) {
    RunResult r = xcert::testing::Run({"/usr/bin/openssl", "pkcs12", "-in", pfx.string(), "-passin",
                                       std::string("pass:") + kPassword, "-nocerts", "-nodes"});
    return r.exit_code == 0 && r.out.find("PRIVATE KEY-----") != std::string::npos;
  }

  TempDir dir_;
  std::string mail_;  // the thumbprint of the certificate the prune removes
};

// Issue 11, defect 1: 8 bytes of junk where the backup belongs counted as the
// backup, and the certificate was removed with its only private key.
TEST_F(BackupProof, JunkWhereTheBackupBelongsIsKeptAsideAndABackupWrittenBeforeTheRemoval) {
  const fs::path pfx = dir_.path() / "backups/MailServer21" / (mail_ + ".pfx");
  fs::create_directories(pfx.parent_path());
  std::ofstream(pfx) << "8 bytes!";

  RunResult apply = X({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err << apply.out;
  EXPECT_FALSE(Certificates().count(mail_)) << "prune removes the replaced certificate";
  EXPECT_EQ(OpensslThumbprint(pfx), mail_) << "the backup openssl reads is that certificate";
  EXPECT_TRUE(OpensslFindsKey(pfx)) << "with its private key";
  const fs::path aside = pfx.string() + ".unproven.1";
  ASSERT_TRUE(fs::exists(aside)) << "the junk is kept, not replaced";
  EXPECT_EQ(ReadFileOrDie(aside), "8 bytes!");
  EXPECT_THAT(apply.err + apply.out, HasSubstr("kept as " + aside.string()));
}

// A backup made with another password (the password changed) proves nothing
// either: the next backup is written with the password apply has now.
TEST_F(BackupProof, ABackupUnderAnotherPasswordIsNotTrusted) {
  const fs::path pfx = dir_.path() / "backups/MailServer21" / (mail_ + ".pfx");
  fs::create_directories(pfx.parent_path());
  const fs::path key = dir_.path() / "store/MailServer21/certificates" / mail_ / "key.pem";
  const fs::path cert = dir_.path() / "store/MailServer21/certificates" / mail_ / "cert.pem";
  ASSERT_TRUE(fs::exists(key)) << key;
  RunResult old = xcert::testing::Run({"/usr/bin/openssl", "pkcs12", "-export", "-inkey",
                                       key.string(), "-in", cert.string(), "-passout",
                                       "pass:an-old-password", "-out", pfx.string()});
  ASSERT_EQ(old.exit_code, 0) << old.err;

  RunResult apply = X({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err << apply.out;
  EXPECT_EQ(OpensslThumbprint(pfx), mail_);
  EXPECT_TRUE(fs::exists(pfx.string() + ".unproven.1"));
  EXPECT_THAT(apply.err + apply.out, Not(HasSubstr("an-old-password")));
}

// A backup that is proven is not written again.
TEST_F(BackupProof, AProvenBackupIsAlreadyDone) {
  ASSERT_EQ(X({"apply", "--auto-approve"}).exit_code, 0);
  const fs::path pfx = dir_.path() / "backups/MailServer21" / (mail_ + ".pfx");
  EXPECT_EQ(OpensslThumbprint(pfx), mail_);
  EXPECT_FALSE(fs::exists(pfx.string() + ".unproven.1"));
}

}  // namespace
}  // namespace xcert::testing
