// The issuer examples (examples/org-ca, examples/ca-request,
// examples/purchased) with the real binary: the flow each run.sh shows, with
// the CAs, the CA's answers and the purchased files made by the x509 toolkit
// (not by parsing the openssl command line's output); the scripts themselves;
// and each issuer's bad inputs at the command line: exit 1, an error naming
// the file and what to do, and the store unchanged.
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "engine/util/time.h"
#include "resources/x509/builder.h"
#include "resources/x509/key.h"
#include "resources/x509/parse.h"
#include "resources/x509/pem.h"
#include "resources/x509/pkcs12.h"
#include "tests/support/test_util.h"

namespace xcert::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using Env = std::map<std::string, std::string>;

// Every command runs at this time (XCERT_NOW), so dates and days left in the
// output are fixed.
constexpr const char* kNow = "2026-11-25T10:00:00Z";
constexpr const char* kCaPassword = "e2e-ca-password";
constexpr const char* kPfxPassword = "e2e-pfx-password";
constexpr const char* kBackupPassword = "e2e-backup-password";

TimePoint At(const char* iso) { return ParseIso8601(iso).value(); }
Seconds Days(int n) { return Seconds(86400LL * n); }

KeySpec Rsa2048() { return KeySpec{KeyAlgorithm::kRsa, 2048, EcCurve::kNone, true}; }
KeySpec P256() { return KeySpec{KeyAlgorithm::kEcdsa, 0, EcCurve::kP256, false}; }

x509::PrivateKey NewKey(const KeySpec& spec) {
  Result<x509::PrivateKey> key = x509::PrivateKey::Generate(spec);
  EXPECT_TRUE(key.ok()) << key.status().message();
  return key.ok() ? *key : x509::PrivateKey();
}

// A key and the certificate made for it.
struct KeyAndCertificate {
  x509::PrivateKey key;
  std::string der;

  std::string Pem() const { return x509::ToPem("CERTIFICATE", der); }
  std::string Thumbprint() const {
    Result<CertificateInfo> info = x509::ParseCertificateOpenSsl(der);
    EXPECT_TRUE(info.ok());
    return info.ok() ? info->thumbprint : "";
  }
};

// A self-signed CA (basicConstraints CA:TRUE, keyCertSign) valid for ten
// years from a year before kNow; with `is_ca` false, a certificate that is
// not a CA (what a user might point `certificate` at by mistake).
KeyAndCertificate MakeCa(const std::string& subject, bool is_ca = true) {
  KeyAndCertificate ca{NewKey(P256()), ""};
  x509::CertificateTemplate t;
  t.subject = subject;
  t.not_before = At(kNow) - Days(365);
  t.not_after = t.not_before + Days(3650);
  t.is_ca = is_ca;
  Result<std::string> der = x509::SelfSign(t, ca.key);
  EXPECT_TRUE(der.ok()) << der.status().message();
  if (der.ok()) ca.der = *der;
  return ca;
}

// A server certificate for `public_key_der` signed by `ca`, as a CA operator
// or a vendor signs a request.
std::string Sign(const KeyAndCertificate& ca, const std::string& subject,
                 const std::vector<std::string>& dns_names, std::string_view public_key_der,
                 TimePoint not_before, TimePoint not_after) {
  x509::CertificateTemplate t;
  t.subject = subject;
  t.dns_names = dns_names;
  t.not_before = not_before;
  t.not_after = not_after;
  Result<std::string> der = x509::SignWithCa(t, public_key_der, ca.der, ca.key);
  EXPECT_TRUE(der.ok()) << der.status().message();
  return der.ok() ? *der : "";
}

// `key` as encrypted PKCS#8 PEM (AES-256-CBC), as `openssl genpkey
// -aes-256-cbc` writes a CA key.
std::string EncryptedPem(const x509::PrivateKey& key, const std::string& password) {
  BIO* bio = BIO_new(BIO_s_mem());
  std::string pem;
  if (PEM_write_bio_PKCS8PrivateKey(bio, key.get(), EVP_aes_256_cbc(), nullptr, 0, nullptr,
                                    const_cast<char*>(password.c_str())) == 1) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    pem.assign(data, static_cast<size_t>(n));
  }
  BIO_free(bio);
  EXPECT_FALSE(pem.empty());
  return pem;
}

void Chmod(const fs::path& path, mode_t mode) { ASSERT_EQ(::chmod(path.c_str(), mode), 0); }

// Every file under `root` (relative path -> content): equal before and after
// a refused command proves it wrote nothing.
std::map<std::string, std::string> Snapshot(const fs::path& root) {
  std::map<std::string, std::string> out;
  if (!fs::exists(root)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    out[fs::relative(e.path(), root).string()] =
        e.is_regular_file() ? ReadFileOrDie(e.path()) : "<dir>";
  }
  return out;
}

size_t Position(const std::string& text, const std::string& part) {
  const size_t at = text.find(part);
  EXPECT_NE(at, std::string::npos) << "'" << part << "' not in:\n" << text;
  return at;
}

// A copy of examples/<name>/xcert.yaml in a temporary folder, and the real
// binary run there with the example's secrets in the environment.
class ExampleTest : public ::testing::Test {
 protected:
  void CopyExample(const std::string& name) {
    fs::copy_file(SourceDir() / "examples" / name / "xcert.yaml", dir_.path() / "xcert.yaml");
  }

  // `env` adds to, or overrides, the defaults.
  RunResult X(const std::vector<std::string>& args, const Env& env = {}) {
    Env all = {{"XCERT_NOW", kNow},
               {"NO_COLOR", "1"},
               {"XCERT_BACKUP_PASSWORD", kBackupPassword},
               {"CA_KEY_PASSWORD", kCaPassword},
               {"MAIL_PFX_PASSWORD", kPfxPassword}};
    for (const auto& [k, v] : env) all.insert_or_assign(k, v);
    return RunXcert(args, dir_.path(), all);
  }

  void Init(const std::string& server, const std::string& fqdn, const std::string& roles) {
    std::vector<std::string> args = {"store", "init",   "--store", "./store", "--server",
                                     server,  "--fqdn", fqdn,      "--roles", roles};
    if (roles == "Mailbox") args.insert(args.end(), {"--domain", "pocket-consultant.com"});
    RunResult r = X(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // The certificates `xcert show --format json` lists on `server`.
  json Certificates(const std::string& server) {
    RunResult r = X({"show", "--server", server, "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    json doc = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || doc["servers"].empty()) return json::array();
    return doc["servers"][0]["certificates"];
  }

  // The certificate on `server` whose subject starts with `subject`, or null.
  json CertificateWithSubject(const std::string& server, const std::string& subject) {
    for (const json& c : Certificates(server)) {
      if (c["subject"].get<std::string>().starts_with(subject)) return c;
    }
    ADD_FAILURE() << "no certificate '" << subject << "' on " << server;
    return json();
  }

  // Runs `args`; expects exit 1 with every part of `error` on stderr, and
  // the store and the backups as they were.
  void ExpectRefused(const std::vector<std::string>& args, const Env& env,
                     const std::vector<std::string>& error) {
    const auto store = Snapshot(dir_.path() / "store");
    const auto backups = Snapshot(dir_.path() / "backups");
    RunResult r = X(args, env);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    for (const std::string& part : error) EXPECT_THAT(r.err, HasSubstr(part));
    EXPECT_EQ(Snapshot(dir_.path() / "store"), store) << "the store must not change";
    EXPECT_EQ(Snapshot(dir_.path() / "backups"), backups) << "nothing may be backed up";
  }

  std::string Abs(const std::string& relative) const { return (dir_.path() / relative).string(); }

  TempDir dir_;
};

// ---------------------------------------------------------------- org-ca --

class OrgCaExample : public ExampleTest {
 protected:
  void SetUp() override {
    CopyExample("org-ca");
    ca_ = MakeCa("CN=Pocket Consultant Issuing CA, O=Pocket Consultant, C=US");
    WriteCa(ca_, ca_.key);
    Init("MailServer21", "MailServer21.pocket-consultant.com", "Mailbox");
    Init("MailServer22", "MailServer22.pocket-consultant.com", "Mailbox");
    Init("Edge01", "edge01.pocket-consultant.com", "EdgeTransport");
  }

  // ca/ca.pem (0644) with `certificate`, ca/ca.key (0600) with `key`
  // encrypted with kCaPassword, as run.sh makes them.
  void WriteCa(const KeyAndCertificate& certificate, const x509::PrivateKey& key) {
    dir_.Write("ca/ca.pem", certificate.Pem());
    Chmod(dir_.path() / "ca/ca.pem", 0644);
    dir_.Write("ca/ca.key", EncryptedPem(key, kCaPassword));
    Chmod(dir_.path() / "ca/ca.key", 0600);
  }

  KeyAndCertificate ca_;
};

TEST_F(OrgCaExample, OneSharedCertificateWithTheSameThumbprintOnBothMailboxServers) {
  RunResult validate = X({"validate"});
  EXPECT_EQ(validate.exit_code, 0) << validate.err;

  RunResult plan = X({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("# MailServer21/certificate/mail will be created"));
  EXPECT_THAT(plan.out, HasSubstr("# MailServer22/certificate/mail will be created"));
  EXPECT_THAT(plan.out, HasSubstr("# Edge01/certificate/edge-smtp@Edge01 will be created"));
  // As the example's comment says: issued once by the CA, imported on both
  // (no export from one server to the other), and the plan names the issuer.
  EXPECT_THAT(plan.out, HasSubstr("+ certificate \"mail\" on MailServer22 (issued by corp-ca)"));
  EXPECT_THAT(plan.out, HasSubstr(". issue 'mail' from corp-ca (RSA 2048, 1y)\n"));
  EXPECT_THAT(plan.out, HasSubstr(". import 'mail' issued by corp-ca on MailServer21"));
  EXPECT_THAT(plan.out, HasSubstr(". import 'mail' issued by corp-ca on MailServer22"));
  EXPECT_THAT(plan.out, Not(HasSubstr(". export 'mail'")));
  EXPECT_THAT(ReadFileOrDie(dir_.path() / "xcert.yaml"),
              HasSubstr("issued once by the CA\n#     and imported on both"));

  RunResult apply = X({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err << apply.out;
  EXPECT_THAT(apply.out, HasSubstr("Apply complete!"));

  RunResult again = X({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out;
  EXPECT_THAT(again.out, HasSubstr("No changes."));
  RunResult drift = X({"drift"});
  EXPECT_EQ(drift.exit_code, 0) << drift.out;
  EXPECT_THAT(drift.out, HasSubstr("In sync: 3 certificates match the manifest."));

  const json mail21 = CertificateWithSubject("MailServer21", "CN=mail.pocket-consultant.com");
  const json mail22 = CertificateWithSubject("MailServer22", "CN=mail.pocket-consultant.com");
  ASSERT_FALSE(mail21.is_null());
  ASSERT_FALSE(mail22.is_null());
  EXPECT_EQ(mail21["thumbprint"], mail22["thumbprint"]) << "one certificate, not two";
  for (const json& mail : {mail21, mail22}) {
    EXPECT_EQ(mail["issuer"], "CN=Pocket Consultant Issuing CA, O=Pocket Consultant, C=US");
    EXPECT_EQ(mail["services_letters"], "IP.WS..");
    EXPECT_EQ(mail["status"], "Valid") << "the chain to the CA is installed with it";
    EXPECT_EQ(mail["dns_names"],
              json::array({"mail.pocket-consultant.com", "autodiscover.pocket-consultant.com"}));
  }
  const json edge = CertificateWithSubject("Edge01", "CN=edge01.pocket-consultant.com");
  ASSERT_FALSE(edge.is_null());
  EXPECT_EQ(edge["friendly_name"], "SMTP Edge01");
  EXPECT_EQ(edge["dns_names"], json::array({"edge01.pocket-consultant.com", "Edge01"}));
  EXPECT_EQ(edge["services_letters"], "....S..");
  EXPECT_EQ(edge["issuer"], mail21["issuer"]);

  RunResult nothing = X({"apply", "--auto-approve"});
  EXPECT_EQ(nothing.exit_code, 0);
  EXPECT_THAT(nothing.out, HasSubstr("Nothing to do."));
}

// The known gap of issue 5: the CA key (and its password) is read only when
// a step issues, so a CI drift job needs no CA secret.
TEST_F(OrgCaExample, DriftAndPlansThatIssueNothingNeedNoCaKeyPassword) {
  const Env no_password = {{"CA_KEY_PASSWORD", ""}};
  const std::string missing =
      "error: issuer 'corp-ca': keyPasswordEnv: the environment variable CA_KEY_PASSWORD is not "
      "set; export it before running xcert";

  // Nothing issued yet: drift reports the drift, plan and apply need the key.
  RunResult drift = X({"drift"}, no_password);
  EXPECT_EQ(drift.exit_code, 2) << drift.out << drift.err;
  EXPECT_THAT(drift.out, HasSubstr("Missing"));
  EXPECT_THAT(drift.err, Not(HasSubstr("CA_KEY_PASSWORD")));
  ExpectRefused({"plan"}, no_password, {missing});
  ExpectRefused({"apply", "--auto-approve"}, no_password, {missing});
  // A plan saved by someone who had the password is refused the same way.
  ASSERT_EQ(X({"plan", "-o", "plan.json"}).exit_code, 0);
  ExpectRefused({"apply", "plan.json"}, no_password, {missing});

  ASSERT_EQ(X({"apply", "--auto-approve"}).exit_code, 0);

  drift = X({"drift"}, no_password);
  EXPECT_EQ(drift.exit_code, 0) << drift.out << drift.err;
  EXPECT_THAT(drift.out, HasSubstr("In sync: 3 certificates match the manifest."));
  RunResult plan = X({"plan", "--detailed-exitcode"}, no_password);
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("No changes."));
}

TEST_F(OrgCaExample, WrongCaKeyPasswordChangesNothing) {
  ExpectRefused({"apply", "--auto-approve"}, {{"CA_KEY_PASSWORD", "not-the-password"}},
                {"xcert.yaml:",
                 "error: issuer 'corp-ca': wrong password for the encrypted private "
                 "key ca/ca.key; check keyPasswordEnv CA_KEY_PASSWORD"});
}

TEST_F(OrgCaExample, CaCertificateWithoutCaTrueChangesNothing) {
  const KeyAndCertificate not_a_ca = MakeCa("CN=mail.pocket-consultant.com", /*is_ca=*/false);
  WriteCa(not_a_ca, not_a_ca.key);
  const std::vector<std::string> error = {
      "error: issuer 'corp-ca': ca/ca.pem is not a CA certificate (basicConstraints CA:TRUE is "
      "missing); point certificate at the CA's own certificate"};
  ExpectRefused({"apply", "--auto-approve"}, {}, error);
  ExpectRefused({"drift"}, {}, error);
}

TEST_F(OrgCaExample, CaKeyThatIsNotTheCertificatesChangesNothing) {
  WriteCa(ca_, NewKey(P256()));
  ExpectRefused({"apply", "--auto-approve"}, {},
                {"error: issuer 'corp-ca': the private key ca/ca.key does not belong to the CA "
                 "certificate ca/ca.pem ('CN=Pocket Consultant Issuing CA, O=Pocket Consultant, "
                 "C=US'); give the key the CA certificate was made for"});
}

// Tests may run as root, who can read any file: the check is on the mode.
TEST_F(OrgCaExample, WorldReadableCaKeyChangesNothing) {
  Chmod(dir_.path() / "ca/ca.key", 0644);
  ExpectRefused({"apply", "--auto-approve"}, {},
                {"error: issuer 'corp-ca': the private key file ca/ca.key can be read by other "
                 "users (mode 0644); run chmod 600 " +
                 Abs("ca/ca.key")});
}

TEST_F(OrgCaExample, CorruptCaCertificateChangesNothing) {
  dir_.Write("ca/ca.pem",
             "-----BEGIN CERTIFICATE-----\nnot base64 @@@\n-----END CERTIFICATE-----\n");
  const std::vector<std::string> error = {
      "error: issuer 'corp-ca': ca/ca.pem holds no readable "
      "certificate",
      "give the CA certificate as PEM, DER or PKCS#7 (.p7b)"};
  ExpectRefused({"apply", "--auto-approve"}, {}, error);
  ExpectRefused({"drift"}, {}, error);
}

// ------------------------------------------------------------ ca-request --

class CaRequestExample : public ExampleTest {
 protected:
  void SetUp() override {
    CopyExample("ca-request");
    ca_ = MakeCa("CN=Pocket Consultant Enterprise CA, O=Pocket Consultant, C=US");
    Init("MailServer21", "MailServer21.pocket-consultant.com", "Mailbox");
  }

  // Apply creates the key and the pending request; returns the CSR's path.
  std::string CreateRequest() {
    RunResult apply = X({"apply", "--auto-approve"});
    EXPECT_EQ(apply.exit_code, 0) << apply.err << apply.out;
    const std::string csr = Abs("outbox/mail@MailServer21.csr");
    EXPECT_TRUE(fs::exists(csr)) << apply.out << apply.err;
    return csr;
  }

  // "The CA signs it": the request's key and subject, `dns_names` (the
  // request's when empty), for a year; saved in inbox/<file> with the CA
  // after it, as a chain download. Returns the signed certificate's DER.
  std::string Answer(const std::string& file, std::vector<std::string> dns_names = {}) {
    Result<x509::CsrInfo> csr =
        x509::ParseCsr(ReadFileOrDie(dir_.path() / "outbox/mail@MailServer21.csr"));
    EXPECT_TRUE(csr.ok()) << csr.status().message();
    if (!csr.ok()) return "";
    if (dns_names.empty()) dns_names = csr->dns_names;
    const std::string der =
        Sign(ca_, csr->subject, dns_names, csr->public_key_der, At(kNow), At(kNow) + Days(365));
    dir_.Write("inbox/" + file, x509::ToPem("CERTIFICATE", der) + ca_.Pem());
    return der;
  }

  KeyAndCertificate ca_;
};

TEST_F(CaRequestExample, PendingUntilTheCaAnswersThenImportedAndEnabled) {
  RunResult validate = X({"validate"});
  EXPECT_EQ(validate.exit_code, 0) << validate.err;
  RunResult plan = X({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("# MailServer21/certificate/mail will be created"));

  const std::string csr = CreateRequest();
  Result<x509::CsrInfo> request = x509::ParseCsr(ReadFileOrDie(csr));
  ASSERT_TRUE(request.ok()) << request.status().message();
  EXPECT_EQ(request->subject, "CN=mail.pocket-consultant.com, O=Pocket Consultant, C=US");
  EXPECT_EQ(request->dns_names, (std::vector<std::string>{"mail.pocket-consultant.com",
                                                          "autodiscover.pocket-consultant.com"}));

  // Pending: drift exits 2 and names the CSR to submit; nothing to apply.
  RunResult drift = X({"drift"});
  EXPECT_EQ(drift.exit_code, 2) << drift.out << drift.err;
  EXPECT_THAT(drift.out, HasSubstr("pending MailServer21/certificate/mail"));
  EXPECT_THAT(drift.out, HasSubstr("Pending: submit " + csr + " to the CA"));
  const json pending = CertificateWithSubject("MailServer21", "CN=mail.pocket-consultant.com");
  EXPECT_EQ(pending["status"], "PendingRequest");
  const auto store = Snapshot(dir_.path() / "store");
  RunResult nothing = X({"apply", "--auto-approve"});
  EXPECT_EQ(nothing.exit_code, 0) << nothing.err;
  EXPECT_THAT(nothing.out, HasSubstr("Nothing to do."));
  EXPECT_EQ(Snapshot(dir_.path() / "store"), store) << "no second key, no second request";

  // The CA answers.
  const std::string answer = Answer("mail.cer");
  plan = X({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("complete the request of 'mail' on MailServer21 with " +
                                  Abs("inbox/mail.cer")));
  EXPECT_THAT(plan.out, HasSubstr("enable 'mail' for IIS on MailServer21"));
  EXPECT_THAT(plan.out, HasSubstr("enable 'mail' for IMAP, POP on MailServer21"));
  EXPECT_THAT(plan.out, HasSubstr("enable 'mail' for SMTP on MailServer21"));

  RunResult apply = X({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err << apply.out;
  drift = X({"drift"});
  EXPECT_EQ(drift.exit_code, 0) << drift.out;
  EXPECT_THAT(drift.out, HasSubstr("In sync: 1 certificate matches the manifest."));

  const json mail = CertificateWithSubject("MailServer21", "CN=mail.pocket-consultant.com");
  EXPECT_EQ(mail["thumbprint"], (KeyAndCertificate{{}, answer}.Thumbprint()));
  EXPECT_EQ(mail["has_private_key"], true) << "joined to the key made with the request";
  EXPECT_EQ(mail["status"], "Valid");
  EXPECT_EQ(mail["services_letters"], "IP.WS..");
}

TEST_F(CaRequestExample, AnswerMissingARequestedNameStaysPendingAndSaysWhy) {
  CreateRequest();
  Answer("mail.cer", {"mail.pocket-consultant.com"});
  const std::string why = Abs("inbox/mail.cer") +
                          ": it does not cover autodiscover.pocket-consultant.com; have the CA "
                          "sign the request again and replace the file";
  RunResult drift = X({"drift"});
  EXPECT_EQ(drift.exit_code, 2) << drift.out;
  EXPECT_THAT(drift.out, HasSubstr(why));
  RunResult plan = X({"plan"});
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr(why));

  const auto store = Snapshot(dir_.path() / "store");
  RunResult apply = X({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 0) << apply.err;
  EXPECT_THAT(apply.out, HasSubstr("Nothing to do."));
  EXPECT_EQ(Snapshot(dir_.path() / "store"), store) << "the bad answer is not imported";
}

TEST_F(CaRequestExample, AnswerMatchingNoPendingRequestIsReportedAndLeftAlone) {
  CreateRequest();
  const x509::PrivateKey other = NewKey(Rsa2048());
  const std::string der = Sign(ca_, "CN=mail.pocket-consultant.com", {"mail.pocket-consultant.com"},
                               other.PublicKeyDer(), At(kNow), At(kNow) + Days(365));
  dir_.Write("inbox/stray.cer", x509::ToPem("CERTIFICATE", der));
  const std::string thumbprint = KeyAndCertificate{{}, der}.Thumbprint();

  const auto store = Snapshot(dir_.path() / "store");
  RunResult apply = X({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 0) << apply.err;
  EXPECT_THAT(apply.err,
              HasSubstr("warning: issuer 'corp-adcs': inbox file " + Abs("inbox/stray.cer") +
                        " ('CN=mail.pocket-consultant.com', " + thumbprint +
                        ") answers no pending request: its key matches none on the servers; "
                        "remove it from the inbox"));
  EXPECT_EQ(Snapshot(dir_.path() / "store"), store);
  EXPECT_TRUE(fs::exists(dir_.path() / "inbox/stray.cer")) << "xcert never deletes an answer";
  EXPECT_EQ(X({"drift"}).exit_code, 2) << "still pending";
}

TEST_F(CaRequestExample, CorruptAnswerIsReportedByName) {
  CreateRequest();
  dir_.Write("inbox/broken.cer",
             "-----BEGIN CERTIFICATE-----\nnot base64 @@@\n-----END CERTIFICATE-----\n");
  RunResult drift = X({"drift"});
  EXPECT_EQ(drift.exit_code, 2) << drift.out << drift.err;
  EXPECT_THAT(drift.err, HasSubstr("warning: issuer 'corp-adcs': inbox file " +
                                   Abs("inbox/broken.cer") + " holds no readable certificate"));
  EXPECT_THAT(drift.err,
              HasSubstr("put the CA's answer there as PEM, DER or PKCS#7 (.p7b), or remove it"));
}

// ------------------------------------------------------------- purchased --

class PurchasedExample : public ExampleTest {
 protected:
  void SetUp() override {
    CopyExample("purchased");
    vendor_ = MakeCa("CN=Demo Vendor TLS CA, O=Demo Vendor, C=US");
    Init("MailServer21", "MailServer21.pocket-consultant.com", "Mailbox");
  }

  // "Buying" mail.pocket-consultant.com: a new RSA 2048 key, signed by the
  // vendor, in certs/mail.pfx (0600) with the vendor's chain and kPfxPassword.
  KeyAndCertificate Buy(TimePoint not_before, TimePoint not_after) {
    KeyAndCertificate mail{NewKey(Rsa2048()), ""};
    mail.der = Sign(vendor_, "CN=mail.pocket-consultant.com, O=Pocket Consultant, C=US",
                    {"mail.pocket-consultant.com", "autodiscover.pocket-consultant.com"},
                    mail.key.PublicKeyDer(), not_before, not_after);
    Result<std::string> pfx = x509::WritePkcs12(mail.key, mail.der, {vendor_.der},
                                                "mail.pocket-consultant.com", kPfxPassword);
    EXPECT_TRUE(pfx.ok()) << pfx.status().message();
    dir_.Write("certs/mail.pfx", pfx.ok() ? *pfx : "");
    Chmod(dir_.path() / "certs/mail.pfx", 0600);
    return mail;
  }

  // The manifest with the certificate and key as PEM files instead.
  void UsePemFiles(const KeyAndCertificate& certificate, const x509::PrivateKey& key) {
    std::string yaml = ReadFileOrDie(dir_.path() / "xcert.yaml");
    const std::string pkcs12 =
        "    pkcs12: certs/mail.pfx          # replace this file with the renewal when it arrives\n"
        "    passwordEnv: MAIL_PFX_PASSWORD  # the .pfx password, from the environment\n";
    const size_t at = yaml.find(pkcs12);
    ASSERT_NE(at, std::string::npos) << "examples/purchased/xcert.yaml changed";
    yaml.replace(at, pkcs12.size(), "    certificate: certs/mail.pem\n    key: certs/mail.key\n");
    dir_.Write("xcert.yaml", yaml);
    dir_.Write("certs/mail.pem", certificate.Pem() + vendor_.Pem());
    dir_.Write("certs/mail.key", key.ToPkcs8Pem());
    Chmod(dir_.path() / "certs/mail.key", 0600);
  }

  KeyAndCertificate vendor_;
};

TEST_F(PurchasedExample, ImportedThenRenewedWithABackupFirstThenRenewalDue) {
  const KeyAndCertificate first = Buy(At(kNow) - Days(1), At("2027-06-01T00:00:00Z"));
  RunResult validate = X({"validate"});
  EXPECT_EQ(validate.exit_code, 0) << validate.err;
  RunResult apply = X({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err << apply.out;
  RunResult drift = X({"drift"});
  EXPECT_EQ(drift.exit_code, 0) << drift.out;
  const json mail = CertificateWithSubject("MailServer21", "CN=mail.pocket-consultant.com");
  EXPECT_EQ(mail["thumbprint"], first.Thumbprint()) << "imported as supplied";
  EXPECT_EQ(mail["services_letters"], "IP.WS..");
  EXPECT_EQ(mail["status"], "Valid");

  // The renewal: a new key and serial, same names, in the same file.
  const KeyAndCertificate renewed = Buy(At(kNow), At("2027-11-25T10:00:00Z"));
  RunResult plan = X({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("# MailServer21/certificate/mail will be replaced"));
  EXPECT_THAT(plan.out, HasSubstr("RenewedFile: the file " + Abs("certs/mail.pfx") +
                                  " holds a renewal, " + renewed.Thumbprint().substr(0, 8) +
                                  "… valid until 2027-11-25; the store has " +
                                  first.Thumbprint().substr(0, 8) + "… valid until 2027-06-01"));
  EXPECT_THAT(plan.out, Not(HasSubstr("IssuerMismatch")));

  apply = X({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err << apply.out;
  // The old certificate was exported before its server changed.
  EXPECT_LT(Position(apply.err, "done         backup-export MailServer21 " + first.Thumbprint()),
            Position(apply.err, "done         import MailServer21 mail"))
      << apply.err;
  const fs::path backup = dir_.path() / "backups/MailServer21" / (first.Thumbprint() + ".pfx");
  ASSERT_TRUE(fs::exists(backup)) << apply.err;
  Result<x509::Pkcs12Contents> saved = x509::ReadPkcs12(ReadFileOrDie(backup), kBackupPassword);
  ASSERT_TRUE(saved.ok()) << saved.status().message();
  EXPECT_EQ(saved->certificate_der, first.der);
  EXPECT_TRUE(saved->key.valid()) << "the backup holds the private key";

  drift = X({"drift"});
  EXPECT_EQ(drift.exit_code, 0) << drift.out;
  std::map<std::string, std::string> services;  // thumbprint -> services letters
  for (const json& c : Certificates("MailServer21"))
    services[c["thumbprint"]] = c["services_letters"];
  EXPECT_EQ(services[renewed.Thumbprint()], "IP.WS..");
  // The old one stays (prune is off) without IMAP, POP and IIS: the letters
  // are IPUW... ; SMTP may be served by several certificates.
  ASSERT_EQ(services.count(first.Thumbprint()), 1u);
  EXPECT_EQ(services[first.Thumbprint()].substr(0, 4), "....");

  // The day after the old one expired it still serves SMTP: in sync (the
  // manifest's certificate is fine), but drift and plan warn and say what
  // removes it.
  const std::string serving_expired =
      "MailServer21: " + first.Thumbprint().substr(0, 8) +
      "… (CN=mail.pocket-consultant.com, O=Pocket Consultant, C=US) expired on 2027-06-01 and "
      "still serves SMTP; clients that get it fail TLS (Exchange shows it as DateInvalid); set "
      "prune: true to remove it after a backup, or remove it by hand";
  RunResult after = X({"drift"}, {{"XCERT_NOW", "2027-06-02T10:00:00Z"}});
  EXPECT_EQ(after.exit_code, 0) << after.out << after.err;
  EXPECT_THAT(after.err, HasSubstr("warning: " + serving_expired));
  RunResult plan_after = X({"plan"}, {{"XCERT_NOW", "2027-06-02T10:00:00Z"}});
  EXPECT_THAT(plan_after.out, HasSubstr("Warning: " + serving_expired));
  RunResult before = X({"drift"}, {{"XCERT_NOW", "2027-05-31T10:00:00Z"}});
  EXPECT_THAT(before.err, Not(HasSubstr("still serves"))) << "not expired yet";

  // Ten days before the renewal expires: only the vendor can help.
  RunResult due = X({"drift"}, {{"XCERT_NOW", "2027-11-15T10:00:00Z"}});
  EXPECT_EQ(due.exit_code, 2) << due.out << due.err;
  EXPECT_THAT(due.out,
              HasSubstr("RenewalDue: expires on 2027-11-25 (10 days left, renewBefore 30d); renew "
                        "it with the CA that sold it and replace " +
                        Abs("certs/mail.pfx")));
}

TEST_F(PurchasedExample, WrongPkcs12PasswordChangesNothing) {
  Buy(At(kNow) - Days(1), At(kNow) + Days(365));
  const std::vector<std::string> error = {
      "error: issuer 'bought': wrong password for PKCS#12 certs/mail.pfx; check passwordEnv "
      "MAIL_PFX_PASSWORD"};
  ExpectRefused({"apply", "--auto-approve"}, {{"MAIL_PFX_PASSWORD", "not-the-password"}}, error);
  ExpectRefused({"drift"}, {{"MAIL_PFX_PASSWORD", "not-the-password"}}, error);
}

TEST_F(PurchasedExample, ExpiredPurchasedCertificateChangesNothing) {
  Buy(At(kNow) - Days(400), At("2026-11-15T00:00:00Z"));
  ExpectRefused({"apply", "--auto-approve"}, {},
                {"error: issuer 'bought': the certificate in certs/mail.pfx "
                 "('CN=mail.pocket-consultant.com, O=Pocket Consultant, C=US') expired on "
                 "2026-11-15; renew it with the CA that sold it and replace certs/mail.pfx"});
}

TEST_F(PurchasedExample, KeyThatIsNotTheCertificatesChangesNothing) {
  const KeyAndCertificate mail = Buy(At(kNow) - Days(1), At(kNow) + Days(365));
  UsePemFiles(mail, NewKey(Rsa2048()));
  ExpectRefused({"apply", "--auto-approve"}, {},
                {"error: issuer 'bought': the private key certs/mail.key does not belong to the "
                 "certificate certs/mail.pem",
                 "give the key that was created with the certificate's request"});
}

TEST_F(PurchasedExample, WorldReadableKeyChangesNothing) {
  const KeyAndCertificate mail = Buy(At(kNow) - Days(1), At(kNow) + Days(365));
  UsePemFiles(mail, mail.key);
  ASSERT_EQ(X({"validate"}).exit_code, 0);
  Chmod(dir_.path() / "certs/mail.key", 0644);
  ExpectRefused({"apply", "--auto-approve"}, {},
                {"error: issuer 'bought': the private key file certs/mail.key can be read by "
                 "other users (mode 0644); run chmod 600 " +
                 Abs("certs/mail.key")});
}

TEST_F(PurchasedExample, CorruptPemCertificateChangesNothing) {
  const KeyAndCertificate mail = Buy(At(kNow) - Days(1), At(kNow) + Days(365));
  UsePemFiles(mail, mail.key);
  dir_.Write("certs/mail.pem",
             "-----BEGIN CERTIFICATE-----\nnot base64 @@@\n-----END CERTIFICATE-----\n");
  ExpectRefused({"apply", "--auto-approve"}, {},
                {"error: issuer 'bought': certs/mail.pem holds no readable certificate",
                 "give the purchased certificate as PEM, DER or PKCS#7 (.p7b)"});
}

// ------------------------------------------------------------- run.sh --

// Each example's run.sh, run twice in a copy of its folder: the story works
// end to end, and running it again is safe.
class ExampleScript : public ::testing::TestWithParam<std::string> {};

TEST_P(ExampleScript, RunsEndToEndAndAgain) {
  if (::access("/usr/bin/openssl", X_OK) != 0) GTEST_SKIP() << "needs the openssl command line";
  TempDir dir;
  const fs::path example = dir.path() / "examples" / GetParam();
  fs::create_directories(example);
  for (const char* file : {"xcert.yaml", "run.sh"}) {
    fs::copy_file(SourceDir() / "examples" / GetParam() / file, example / file);
  }
  const Env env = {{"XCERT", XcertBinary().string()}, {"NO_COLOR", "1"}};
  for (int run = 1; run <= 2; ++run) {
    RunResult r = ::xcert::testing::Run({"/bin/bash", "run.sh"}, example, env);
    ASSERT_EQ(r.exit_code, 0) << "run " << run << "\n" << r.out << r.err;
    if (GetParam() == "org-ca") {
      EXPECT_THAT(r.out, HasSubstr("# the same certificate on both servers"));
      EXPECT_THAT(r.out, HasSubstr("In sync: 3 certificates match the manifest."));
    } else if (GetParam() == "ca-request") {
      EXPECT_THAT(r.out, HasSubstr("In sync: 1 certificate matches the manifest."));
      if (run == 1) {
        EXPECT_THAT(r.out, HasSubstr("Pending: submit "));
      }
    } else {
      EXPECT_THAT(r.out, HasSubstr("will be replaced"));
      EXPECT_THAT(r.out, HasSubstr("(10 days left, renewBefore 30d)"));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(IssuerExamples, ExampleScript,
                         ::testing::Values("org-ca", "ca-request", "purchased"), [](const auto& p) {
                           std::string name = p.param;
                           std::erase(name, '-');
                           return name;
                         });

}  // namespace
}  // namespace xcert::testing
