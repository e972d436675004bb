// The acme issuer against Debian's pebble (real http-01 validation through
// xcert's own listener and through an nginx webroot, dns-01 through BIND with
// TSIG, external account binding): the bundle it returns
// holds a fresh key and pebble's certificate for it, which `openssl verify`
// accepts against pebble's root; a failure to connect is kept and repeated
// for every step; the plan-time check names each setting without the
// network and writes nothing.
#include "resources/issuers/acme_issuer.h"

#include <sys/stat.h>

#include <algorithm>

#include <gtest/gtest.h>

#include "resources/x509/parse.h"
#include "resources/x509/pem.h"
#include "tests/resources/acme/acme_test_util.h"

namespace xcert::issuers {
namespace {

using acme::testing::Nginx;
using acme::testing::OpensslVerify;
using acme::testing::Pebble;
using acme::testing::PebbleRoot;
using acme::testing::PebbleWithDns;
using xcert::testing::FindProgram;
using xcert::testing::FreeLoopbackPort;
using xcert::testing::NotInstalled;
using xcert::testing::TempDir;
namespace fs = std::filesystem;

const std::vector<std::string> kNames = {"mail.pocket-consultant.com",
                                         "autodiscover.pocket-consultant.com"};

IssueRequest MailRequest() {
  IssueRequest r;
  r.certificate = "mail";
  r.subject = "CN=mail.pocket-consultant.com";
  r.dns_names = kNames;
  r.key = KeySpec{KeyAlgorithm::kRsa, 2048, EcCurve::kNone, true};
  return r;
}

class AcmeIssuerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { servers_ = PebbleWithDns::Start(); }
  static void TearDownTestSuite() { servers_.reset(); }
  void SetUp() override {
    manifest_.base_dir = tmp_.path().string();
    manifest_.path = (tmp_.path() / "xcert.yaml").string();
    spec_.name = "pebble";
    spec_.type = IssuerType::kAcme;
    spec_.acme.contact = {"mailto:pki@pocket-consultant.com"};
    spec_.acme.accept_terms = true;
    spec_.acme.account_key = "acme/account.key";
    spec_.acme.challenge.type = "http-01";
    if (!servers_) return;
    pebble_ = &servers_->pebble();
    spec_.acme.directory = pebble_->directory();
    spec_.acme.ca_bundle = pebble_->tls().cert.string();
    spec_.acme.challenge.standalone = "127.0.0.1:" + std::to_string(pebble_->http_port());
  }
  void NeedPebble() {
    if (!servers_) GTEST_SKIP() << NotInstalled("pebble");
    ASSERT_TRUE(servers_->ready()) << servers_->Log();
  }
  std::unique_ptr<AcmeIssuer> Open() {
    manifest_.issuers = {spec_};
    IssuerContext ctx(manifest_, spec_, &diagnostics_);
    return AcmeIssuer::Open(ctx);
  }
  // The bundle's certificates (leaf first) and whether its key is the leaf's.
  void ExpectPebbleBundle(const IssuedCertificate& issued) {
    const auto certificates = x509::ReadCertificates(issued.pem_bundle);
    ASSERT_TRUE(certificates.ok()) << certificates.status().message();
    ASSERT_GE(certificates->size(), 2u) << "the leaf and pebble's intermediate";
    const auto blocks = x509::ParsePem(issued.pem_bundle);
    ASSERT_TRUE(blocks.ok());
    std::string key_pem;
    for (const x509::PemBlock& b : *blocks) {
      if (b.label == "PRIVATE KEY") key_pem = x509::ToPem(b.label, b.der);
    }
    const auto key = x509::PrivateKey::Parse(key_pem);
    ASSERT_TRUE(key.ok()) << key.status().message();
    EXPECT_TRUE(key->Matches(certificates->front())) << "the bundle's key is the leaf's";
    const auto leaf = x509::ParseCertificate(certificates->front());
    ASSERT_TRUE(leaf.ok());
    EXPECT_EQ(leaf->key_bits, 2048);
    std::string chain;
    for (const std::string& der : *certificates) chain += x509::ToPem("CERTIFICATE", der);
    const std::string verified = OpensslVerify(tmp_.path(), chain, PebbleRoot(*pebble_),
                                               "autodiscover.pocket-consultant.com");
    EXPECT_NE(verified.find(": OK"), std::string::npos) << verified;
  }

  static inline std::unique_ptr<PebbleWithDns> servers_;
  const Pebble* pebble_ = nullptr;
  TempDir tmp_;
  Manifest manifest_;
  IssuerSpec spec_;
  Diagnostics diagnostics_;
};

TEST_F(AcmeIssuerTest, IssuesAFreshKeyAndPebblesCertificateForItThroughItsOwnListener) {
  NeedPebble();
  std::unique_ptr<AcmeIssuer> issuer = Open();
  EXPECT_EQ(issuer->Facts().acme_challenge,
            "http-01 on 127.0.0.1:" + std::to_string(pebble_->http_port()));
  const Result<IssuedCertificate> issued = issuer->Issue(MailRequest());
  ASSERT_TRUE(issued.ok()) << issued.status().message() << pebble_->Log();
  ExpectPebbleBundle(*issued);
  struct stat st {};
  ASSERT_EQ(::stat((tmp_.path() / "acme/account.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // A second certificate reuses the account (the key file is not replaced).
  const std::string account = xcert::testing::ReadFileOrDie(tmp_.path() / "acme/account.key");
  ASSERT_TRUE(issuer->Issue(MailRequest()).ok());
  EXPECT_EQ(xcert::testing::ReadFileOrDie(tmp_.path() / "acme/account.key"), account);
}

TEST_F(AcmeIssuerTest, ValidatesThroughAWebrootServedByNginx) {
  NeedPebble();
  if (!FindProgram("nginx")) GTEST_SKIP() << NotInstalled("nginx");
  // nginx answers on the port pebble validates against; xcert only writes files.
  const fs::path root = tmp_.path() / "www";
  fs::create_directories(root);
  Pebble pebble(tmp_.path(), servers_->Options());
  ASSERT_TRUE(pebble.ready()) << pebble.Log();
  Nginx nginx(tmp_.path(), root, pebble.http_port());
  ASSERT_TRUE(nginx.ready()) << nginx.Log();
  spec_.acme.directory = pebble.directory();
  spec_.acme.ca_bundle = pebble.tls().cert.string();
  spec_.acme.challenge.standalone.clear();
  spec_.acme.challenge.webroot = "www";
  const Result<IssuedCertificate> issued = Open()->Issue(MailRequest());
  ASSERT_TRUE(issued.ok()) << issued.status().message() << pebble.Log();
  EXPECT_TRUE(fs::is_empty(root)) << "token files and the folders made for them are removed";
}

TEST_F(AcmeIssuerTest, TheEabKeyComesFromItsVariableAndAWrongOneIsRefusedWithoutShowingIt) {
  NeedPebble();
  // A CA that requires external account binding, like ZeroSSL or Sectigo.
  const std::string mac = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";
  acme::testing::PebbleOptions options = servers_->Options();
  options.eab_required = true;
  options.mac_keys = {{"kid-1", mac}};
  Pebble pebble(tmp_.path(), options);
  ASSERT_TRUE(pebble.ready()) << pebble.Log();
  spec_.acme.directory = pebble.directory();
  spec_.acme.ca_bundle = pebble.tls().cert.string();
  spec_.acme.challenge.standalone = "127.0.0.1:" + std::to_string(pebble.http_port());
  spec_.acme.eab_key_id = "kid-1";
  spec_.acme.eab_hmac_key.env = "XCERT_TEST_EAB_HMAC";

  const std::string wrong = "d3JvbmctbWFjLWtleS13cm9uZy1tYWMta2V5LXdyb25nLW1hYy1rZXk";
  ::setenv("XCERT_TEST_EAB_HMAC", wrong.c_str(), 1);
  const Result<IssuedCertificate> refused = Open()->Issue(MailRequest());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("issuer 'pebble'"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(refused.status().message().find(wrong), std::string::npos) << "the key is a secret";

  ::setenv("XCERT_TEST_EAB_HMAC", mac.c_str(), 1);
  fs::remove(tmp_.path() / "acme/account.key");  // a new account, bound this time
  const Result<IssuedCertificate> issued = Open()->Issue(MailRequest());
  ::unsetenv("XCERT_TEST_EAB_HMAC");
  ASSERT_TRUE(issued.ok()) << issued.status().message() << pebble.Log();
}

TEST_F(AcmeIssuerTest, Dns01ThroughBindWithTheTsigSecretFromAFile) {
  NeedPebble();
  if (!FindProgram("named")) GTEST_SKIP() << NotInstalled("named");
  // BIND is the zone's primary and the DNS pebble asks: the TXT records the
  // issuer adds by a TSIG-signed update are what pebble validates.
  const std::string secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=";
  acme::testing::Named named(tmp_.path(), "pocket-consultant.com", "xcert-key", secret);
  ASSERT_TRUE(named.ready()) << named.Log();
  acme::testing::PebbleOptions options;
  options.dns_server = named.address();
  Pebble pebble(tmp_.path(), options);
  ASSERT_TRUE(pebble.ready()) << pebble.Log();
  tmp_.Write("tsig.secret", secret + "\n");
  ::chmod((tmp_.path() / "tsig.secret").c_str(), 0600);
  spec_.acme.directory = pebble.directory();
  spec_.acme.ca_bundle = pebble.tls().cert.string();
  spec_.acme.challenge = {.type = "dns-01",
                          .rfc2136_server = named.address(),
                          .rfc2136_zone = "pocket-consultant.com",
                          .tsig_key_name = "xcert-key",
                          .tsig_secret = {.file = "tsig.secret"}};
  IssueRequest wildcard = MailRequest();
  wildcard.dns_names = {"pocket-consultant.com", "*.pocket-consultant.com"};
  wildcard.subject = "CN=pocket-consultant.com";
  const Result<IssuedCertificate> issued = Open()->Issue(wildcard);
  ASSERT_TRUE(issued.ok()) << issued.status().message() << named.Log();
  EXPECT_EQ(named.DigTxt("_acme-challenge.pocket-consultant.com"), "") << "the record is removed";
  const auto leaf = x509::ParseCertificate(x509::ReadCertificates(issued->pem_bundle)->front());
  ASSERT_TRUE(leaf.ok());
  std::vector<std::string> names = leaf->dns_names;
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"*.pocket-consultant.com", "pocket-consultant.com"}));
}

TEST_F(AcmeIssuerTest, AFailureToConnectIsKeptAndEveryCertificateFailsTheSameWay) {
  spec_.acme.directory = "https://127.0.0.1:" + std::to_string(FreeLoopbackPort()) + "/dir";
  std::unique_ptr<AcmeIssuer> issuer = Open();
  const Result<IssuedCertificate> first = issuer->Issue(MailRequest());
  ASSERT_FALSE(first.ok());
  EXPECT_NE(first.status().message().find("issuer 'pebble' (" + spec_.acme.directory + ")"),
            std::string::npos)
      << first.status().message();
  const Result<IssuedCertificate> second = issuer->Issue(MailRequest());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().message(), first.status().message());
}

TEST_F(AcmeIssuerTest, CheckReadyNamesEachSettingWithoutTheNetworkAndWritesNothing) {
  spec_.acme.directory = "https://acme.invalid/dir";
  spec_.acme.challenge.standalone.clear();
  spec_.acme.challenge.webroot = "no-such-folder";
  spec_.acme.eab_key_id = "kid-1";
  spec_.acme.eab_hmac_key.env = "XCERT_TEST_UNSET_EAB_KEY";
  EXPECT_FALSE(Open()->CheckReady(&diagnostics_));
  std::string all;
  for (const Diagnostic& d : diagnostics_.items()) all += d.message + "; " + d.hint + "\n";
  EXPECT_NE(all.find("XCERT_TEST_UNSET_EAB_KEY"), std::string::npos) << all;
  EXPECT_NE(all.find("is not a folder"), std::string::npos) << all;
  EXPECT_FALSE(fs::exists(tmp_.path() / "acme")) << "the account key is made by apply, not plan";

  // An account key others may read is refused with the chmod to run.
  diagnostics_ = Diagnostics();
  spec_.acme.challenge.webroot = ".";
  spec_.acme.eab_key_id.clear();
  fs::create_directories(tmp_.path() / "acme");
  const std::string pem =
      x509::PrivateKey::Generate(KeySpec{KeyAlgorithm::kEcdsa, 0, EcCurve::kP256, false})
          ->ToPkcs8Pem();
  std::ofstream(tmp_.path() / "acme/account.key") << pem;
  ::chmod((tmp_.path() / "acme/account.key").c_str(), 0644);
  EXPECT_FALSE(Open()->CheckReady(&diagnostics_));
  ASSERT_EQ(diagnostics_.items().size(), 1u);
  EXPECT_NE(diagnostics_.items()[0].message.find("chmod 600"), std::string::npos)
      << diagnostics_.items()[0].message;
  EXPECT_EQ(diagnostics_.items()[0].message.find("PRIVATE KEY"), std::string::npos);
}

TEST(DescribeChallengeTest, SaysHowTheNamesAreValidated) {
  AcmeChallengeSpec c{.type = "http-01"};
  c.standalone = ":80";
  EXPECT_EQ(DescribeChallenge(c), "http-01 on :80");
  c = {.type = "http-01", .webroot = "/var/www/html"};
  EXPECT_EQ(DescribeChallenge(c), "http-01 through the webroot /var/www/html");
  c = {.type = "dns-01", .rfc2136_server = "192.0.2.53"};
  EXPECT_EQ(DescribeChallenge(c), "dns-01 through RFC 2136 at 192.0.2.53");
  c = {.type = "dns-01", .exec = {"./dns-hook.sh", "--zone", "x"}};
  EXPECT_EQ(DescribeChallenge(c), "dns-01 through the hook ./dns-hook.sh");
}

}  // namespace
}  // namespace xcert::issuers
