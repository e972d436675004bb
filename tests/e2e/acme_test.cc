// The acme issuer with the real binary against Debian's pebble, which
// validates every challenge for real (its DNS is pebble-challtestsrv,
// answering 127.0.0.1 for every name): validate, plan, apply, then nothing
// left to do and no drift; the served chain checked by `openssl verify`
// against pebble's own root. And what goes wrong: a challenge nobody
// answers, an ACME server that is down, a missing EAB secret: exit 1, an
// error naming the certificate (or the setting) and what to do, and the
// store unchanged.
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/resources/acme/acme_test_util.h"
#include "tests/support/test_util.h"

namespace xcert::testing {
namespace {

using acme::testing::OpensslVerify;
using acme::testing::Pebble;
using acme::testing::PebbleRoot;
using acme::testing::PebbleWithDns;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kBackupPassword = "e2e-acme-backup-password";

class AcmeIssuerE2e : public ::testing::Test {
 protected:
  // Nonce rejection stays on (pebble's default 5%): the client must retry.
  static void SetUpTestSuite() {
    servers_ = PebbleWithDns::Start({{"PEBBLE_WFE_NONCEREJECT", "5"}});
  }
  static void TearDownTestSuite() { servers_.reset(); }
  void SetUp() override {
    if (!servers_) GTEST_SKIP() << NotInstalled("pebble");
    ASSERT_TRUE(servers_->ready()) << servers_->Log();
    pebble_ = &servers_->pebble();
  }

  // A manifest for one Mailbox server whose `mail` certificate comes from
  // pebble; `challenge` and `extra` (more issuer settings) vary per test.
  void WriteManifest(const std::string& challenge, const std::string& extra = "",
                     const std::string& directory = "") {
    std::ofstream(dir() / "xcert.yaml")
        << "version: 1\n"
           "organization: {domain: pocket-consultant.com}\n"
           "store: {type: local, path: ./store}\n"
           "backup: {path: ./backups, passwordEnv: XCERT_BACKUP_PASSWORD}\n"
           "issuers:\n"
           "  - name: pebble\n"
           "    type: acme\n"
           "    directory: "
        << (directory.empty() ? pebble_->directory() : directory)
        << "\n"
           "    contact: [mailto:pki@pocket-consultant.com]\n"
           "    acceptTerms: true\n"
           "    accountKey: ./acme/account.key\n"
           "    caBundle: "
        << pebble_->tls().cert.string() << "\n    challenge: " << challenge << "\n"
        << extra
        << "servers:\n"
           "  - {name: MailServer21, fqdn: MailServer21.pocket-consultant.com, roles: [Mailbox]}\n"
           "certificates:\n"
           "  - name: mail\n"
           "    issuer: pebble\n"
           "    subject: CN=mail.pocket-consultant.com\n"
           "    dnsNames: [mail.pocket-consultant.com, autodiscover.pocket-consultant.com]\n"
           "    key: {algorithm: RSA, size: 2048, exportable: true}\n"
           "    servers: [MailServer21]\n"
           "    services: [IIS, SMTP]\n";
  }
  std::string Standalone(uint16_t port) const {
    return "{type: http-01, standalone: \"127.0.0.1:" + std::to_string(port) + "\"}";
  }
  RunResult Xcert(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    env.emplace("XCERT_BACKUP_PASSWORD", kBackupPassword);
    return RunXcert(args, dir(), env);
  }
  void InitStore() {
    const RunResult init = Xcert({"store", "init", "-f", "xcert.yaml"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }
  const fs::path& dir() const { return tmp_.path(); }
  std::string Served(const std::string& file) const {
    const fs::path p = dir() / "store/MailServer21/services/IIS" / file;
    return fs::exists(p) ? ReadFileOrDie(p) : "";
  }

  static inline std::unique_ptr<PebbleWithDns> servers_;
  const Pebble* pebble_ = nullptr;
  TempDir tmp_;
};

TEST_F(AcmeIssuerE2e, PlanApplyThenInSyncAndTheServedChainVerifies) {
  WriteManifest(Standalone(pebble_->http_port()));
  InitStore();
  const std::string before = Served("cert.pem");

  const RunResult validate = Xcert({"validate"});
  EXPECT_EQ(validate.exit_code, 0) << validate.err;
  const RunResult plan = Xcert({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("issue 'mail' from pebble (RSA 2048; ACME http-01 on 127.0.0.1:" +
                                  std::to_string(pebble_->http_port()) +
                                  " for mail.pocket-consultant.com, "
                                  "autodiscover.pocket-consultant.com; the ACME server sets the "
                                  "validity)"));
  EXPECT_FALSE(fs::exists(dir() / "acme/account.key")) << "plan must not create the account key";

  const RunResult apply = Xcert({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err << pebble_->Log();
  struct stat st {};
  ASSERT_EQ(::stat((dir() / "acme/account.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "the account key is private";

  // What IIS serves now is pebble's certificate, and its chain verifies
  // against pebble's root for both names (openssl is the judge).
  const std::string fullchain = Served("fullchain.pem");
  ASSERT_NE(Served("cert.pem"), before) << "IIS still serves the setup certificate";
  for (const char* name : {"mail.pocket-consultant.com", "autodiscover.pocket-consultant.com"}) {
    const std::string verified = OpensslVerify(dir(), fullchain, PebbleRoot(*pebble_), name);
    EXPECT_THAT(verified, HasSubstr(": OK")) << verified;
  }

  // Applied once: nothing left to do, no drift, and a second apply orders nothing.
  const RunResult again = Xcert({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  const RunResult drift = Xcert({"drift"});
  EXPECT_EQ(drift.exit_code, 0) << drift.out << drift.err;
  // show names pebble's intermediate as the issuer, and the chain as untrusted
  // (pebble's root is in no trust store).
  const RunResult show = Xcert({"show", "--server", "MailServer21", "--format", "json"});
  EXPECT_THAT(show.out, HasSubstr("Pebble Intermediate")) << show.out;
  EXPECT_THAT(Xcert({"show", "--server", "MailServer21"}).out,
              HasSubstr("CN=mail.pocket-consultant.com  [Untrusted]"));
}

TEST_F(AcmeIssuerE2e, AChallengeNobodyAnswersFailsNamingTheCertificateAndChangesNothing) {
  // xcert listens on a port pebble does not validate against.
  WriteManifest(Standalone(FreeLoopbackPort()));
  InitStore();
  const std::string before = Served("cert.pem");
  const RunResult apply = Xcert({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1) << apply.out << apply.err;
  EXPECT_THAT(apply.out + apply.err, HasSubstr("'mail'"));
  EXPECT_THAT(apply.out + apply.err, HasSubstr("mail.pocket-consultant.com"));
  EXPECT_EQ(Served("cert.pem"), before) << "IIS must keep its certificate";
  const RunResult plan = Xcert({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << "the issue step is still to do: " << plan.out;
}

TEST_F(AcmeIssuerE2e, AnAcmeServerThatIsDownIsAnErrorNamingItAndTheStoreIsUnchanged) {
  const uint16_t nobody = FreeLoopbackPort();
  WriteManifest(Standalone(pebble_->http_port()), "",
                "https://127.0.0.1:" + std::to_string(nobody) + "/dir");
  InitStore();
  const std::string before = Served("cert.pem");
  const RunResult apply = Xcert({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1) << apply.out << apply.err;
  EXPECT_THAT(apply.out + apply.err, HasSubstr("issuer 'pebble'"));
  EXPECT_THAT(apply.out + apply.err, HasSubstr("127.0.0.1:" + std::to_string(nobody)));
  EXPECT_EQ(Served("cert.pem"), before);
}

TEST_F(AcmeIssuerE2e, AMissingEabSecretStopsThePlanAtItsSettingBeforeAnythingHappens) {
  WriteManifest(Standalone(pebble_->http_port()),
                "    eab: {keyId: kid-1, hmacKeyEnv: XCERT_TEST_EAB_UNSET}\n");
  InitStore();
  const RunResult plan = Xcert({"plan"});
  EXPECT_EQ(plan.exit_code, 1) << plan.out;
  EXPECT_THAT(plan.err, HasSubstr("xcert.yaml:"));
  EXPECT_THAT(plan.err, HasSubstr("XCERT_TEST_EAB_UNSET"));
  EXPECT_FALSE(fs::exists(dir() / "acme")) << "nothing is written for a plan that fails";
}

TEST_F(AcmeIssuerE2e, AWildcardWithHttp01IsRefusedByValidateAtItsLine) {
  WriteManifest(Standalone(pebble_->http_port()));
  EditFileOrDie(dir() / "xcert.yaml", "autodiscover.pocket-consultant.com]",
                "\"*.pocket-consultant.com\"]");
  const RunResult validate = Xcert({"validate"});
  EXPECT_EQ(validate.exit_code, 1);
  EXPECT_THAT(validate.err, HasSubstr("xcert.yaml:"));
  EXPECT_THAT(validate.err, HasSubstr("cannot be validated by http-01"));
  EXPECT_THAT(validate.err, HasSubstr("dns-01"));
}

}  // namespace
}  // namespace xcert::testing
