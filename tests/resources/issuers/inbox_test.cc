#include "resources/issuers/inbox.h"

#include <gtest/gtest.h>

#include "tests/resources/issuers/issuers_test_util.h"

namespace xcert::issuers {
namespace {

using namespace testing;  // NOLINT

const std::vector<std::string> kNames = {"mail.pocket-consultant.com",
                                         "autodiscover.pocket-consultant.com"};

class InboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    now_ = TestNow();
    MakeCa(dir_, "ca");
    MakeRequest(dir_, "mail", "/CN=mail.pocket-consultant.com", kNames);
    pending_ = PendingFromCsr(dir_, "mail.csr", "REQ1");
    actual_ = WithPending("MailServer21", {pending_});
    fs::create_directories(inbox());
    IssuerSpec spec;
    spec.name = "ext";
    spec.type = IssuerType::kRequest;
    spec.outbox = "out";
    spec.inbox = "in";
    manifest_ = TestManifest(dir_, {spec});
  }

  fs::path inbox() const { return dir_.path() / "in"; }
  std::string In(const std::string& name) const { return (inbox() / name).string(); }

  // The CA answers the request "mail" into in/<file>.
  void Answer(const std::string& file, const LeafOptions& o = {}) {
    SignCsr(dir_, "mail.csr", "ca", "in/" + file, o);
  }

  InboxScan Scan(TimePoint now) {
    IssuerContext ctx(manifest_, manifest_.issuers[0], &diagnostics_);
    return ScanInbox(ctx, inbox().string(), actual_, now);
  }

  TempDir dir_;
  TimePoint now_;
  CertificateInfo pending_;
  ActualState actual_;
  Manifest manifest_;
  Diagnostics diagnostics_;
};

TEST_F(InboxTest, AnswerIsMatchedToItsRequestByKey) {
  Answer("mail.cer");
  const InboxScan scan = Scan(now_);
  EXPECT_TRUE(diagnostics_.empty()) << diagnostics_.ToString();
  ASSERT_EQ(scan.items.size(), 1u);
  const InboxItem& item = scan.items[0];
  EXPECT_EQ(item.path, In("mail.cer"));
  EXPECT_EQ(item.server, "MailServer21");
  EXPECT_EQ(item.request_thumbprint, "REQ1");
  EXPECT_EQ(item.problem, "");
  EXPECT_EQ(item.certificate.subject, "CN=mail.pocket-consultant.com");
  EXPECT_EQ(item.certificate.public_key_sha1, pending_.public_key_sha1);
  EXPECT_EQ(scan.leaf_of.at(In("mail.cer")), item.certificate.thumbprint);
}

TEST_F(InboxTest, DerAndPkcs7ChainAnswersAreRead) {
  Answer("mail.pem");
  Openssl(dir_, {"x509", "-in", "in/mail.pem", "-outform", "DER", "-out", "in/mail.der"});
  // A Windows CA's certnew.p7b: the CA first, then the certificate.
  Openssl(dir_, {"crl2pkcs7", "-nocrl", "-certfile", "ca.pem", "-certfile", "in/mail.pem",
                 "-outform", "DER", "-out", "in/certnew.p7b"});
  fs::remove(inbox() / "mail.pem");
  const InboxScan scan = Scan(now_);
  EXPECT_TRUE(diagnostics_.empty()) << diagnostics_.ToString();
  // Both answer the same request: one item, both files readable.
  ASSERT_EQ(scan.items.size(), 1u);
  EXPECT_EQ(scan.items[0].request_thumbprint, "REQ1");
  ASSERT_EQ(scan.leaf_of.size(), 2u);
  EXPECT_EQ(scan.leaf_of.at(In("mail.der")), scan.leaf_of.at(In("certnew.p7b")));
}

TEST_F(InboxTest, AnswerMissingARequestedNameCannotComplete) {
  Answer("mail.cer", {.dns_names = {"mail.pocket-consultant.com"}});
  const InboxScan scan = Scan(now_);
  EXPECT_TRUE(diagnostics_.empty()) << diagnostics_.ToString();
  ASSERT_EQ(scan.items.size(), 1u);
  EXPECT_EQ(scan.items[0].problem,
            In("mail.cer") +
                ": it does not cover autodiscover.pocket-consultant.com; have the CA sign the "
                "request again and replace the file");
}

TEST_F(InboxTest, WildcardAnswerCoversTheNames) {
  Answer("mail.cer", {.dns_names = {"*.pocket-consultant.com"}});
  const InboxScan scan = Scan(now_);
  ASSERT_EQ(scan.items.size(), 1u);
  EXPECT_EQ(scan.items[0].problem, "");
}

TEST_F(InboxTest, ExpiredAndNotYetValidAnswersCannotComplete) {
  Answer("mail.cer", {.days = 10});
  const InboxScan later = Scan(now_ + Days(11));
  ASSERT_EQ(later.items.size(), 1u);
  const CertificateInfo& c = later.items[0].certificate;
  EXPECT_EQ(later.items[0].problem,
            In("mail.cer") + ": it expired on " + DateOf(c.not_after) +
                "; have the CA sign the request again and replace the file");
  const InboxScan earlier = Scan(now_ - Days(1));
  ASSERT_EQ(earlier.items.size(), 1u);
  EXPECT_EQ(earlier.items[0].problem,
            In("mail.cer") + ": it is valid only from " + DateOf(c.not_before) +
                "; have the CA sign the request again and replace the file");
}

TEST_F(InboxTest, AnswerForAnotherSubjectCannotComplete) {
  Answer("mail.cer");
  pending_.subject = "CN=mail.pocket-consultant.com, O=Pocket Consultant";
  actual_ = WithPending("MailServer21", {pending_});
  const InboxScan scan = Scan(now_);
  ASSERT_EQ(scan.items.size(), 1u);
  EXPECT_EQ(scan.items[0].problem,
            In("mail.cer") +
                ": it is issued to 'CN=mail.pocket-consultant.com', the request is for "
                "'CN=mail.pocket-consultant.com, O=Pocket Consultant'; have the CA sign the "
                "request again and replace the file");
}

TEST_F(InboxTest, TheGoodAnswerWinsOverABadOne) {
  Answer("a-bad.cer", {.dns_names = {"mail.pocket-consultant.com"}});
  Answer("b-good.cer");
  Answer("c-bad.cer", {.dns_names = {"mail.pocket-consultant.com"}});
  const InboxScan scan = Scan(now_);
  ASSERT_EQ(scan.items.size(), 1u);
  EXPECT_EQ(scan.items[0].path, In("b-good.cer"));
  EXPECT_EQ(scan.items[0].problem, "");
}

TEST_F(InboxTest, AnswerMatchingNoRequestIsAWarningNamingTheFile) {
  MakeRequest(dir_, "stray", "/CN=stray.pocket-consultant.com", {"stray.pocket-consultant.com"});
  SignCsr(dir_, "stray.csr", "ca", "in/stray.cer", {.dns_names = {"stray.pocket-consultant.com"}});
  const std::string thumbprint = Scan(now_).leaf_of.at(In("stray.cer"));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:19:7: warning: issuer 'ext': inbox file " + In("stray.cer") +
                " ('CN=stray.pocket-consultant.com', " + thumbprint +
                ") answers no pending request: its key matches none on the servers; remove it "
                "from the inbox; xcert completes only the requests it created and that are still "
                "pending\n");
}

TEST_F(InboxTest, AnswerAlreadyImportedIsSkippedSilently) {
  Answer("mail.cer");
  const std::string thumbprint = Scan(now_).leaf_of.at(In("mail.cer"));
  // The request was completed: the store holds the certificate, not the request.
  CertificateInfo done = pending_;
  done.pending_request = false;
  done.thumbprint = thumbprint;
  actual_ = WithPending("MailServer21", {done});
  diagnostics_ = Diagnostics();
  const InboxScan scan = Scan(now_);
  EXPECT_TRUE(scan.items.empty());
  EXPECT_TRUE(diagnostics_.empty()) << diagnostics_.ToString();
}

TEST_F(InboxTest, CorruptAndCaOnlyFilesAreWarningsAndHiddenFilesAreSkipped) {
  dir_.Write("in/broken.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n");
  fs::copy_file(dir_.path() / "ca.pem", inbox() / "root.pem");
  dir_.Write("in/.DS_Store", "junk");
  fs::create_directories(inbox() / "archive");
  Answer("mail.cer");
  const InboxScan scan = Scan(now_);
  ASSERT_EQ(scan.items.size(), 1u);
  ASSERT_EQ(diagnostics_.items().size(), 2u) << diagnostics_.ToString();
  const Diagnostic& broken = diagnostics_.items()[0];
  EXPECT_EQ(broken.severity, Severity::kWarning);
  EXPECT_TRUE(broken.message.starts_with("issuer 'ext': inbox file " + In("broken.pem") +
                                         " holds no readable certificate: "))
      << broken.message;
  EXPECT_EQ(broken.hint, "put the CA's answer there as PEM, DER or PKCS#7 (.p7b), or remove it");
  EXPECT_EQ(diagnostics_.items()[1].ToString(),
            "xcert.yaml:19:7: warning: issuer 'ext': inbox file " + In("root.pem") +
                " holds only CA certificates; put the signed certificate itself there (its chain "
                "may come with it)");
}

TEST_F(InboxTest, MissingInboxIsEmpty) {
  fs::remove_all(inbox());
  const InboxScan scan = Scan(now_);
  EXPECT_TRUE(scan.items.empty());
  EXPECT_TRUE(diagnostics_.empty());
}

TEST(AnswerProblemTest, ListsEveryProblem) {
  CertificateInfo request;
  request.subject = "CN=a.example.com";
  request.dns_names = {"a.example.com", "b.example.com", "c.example.com"};
  CertificateInfo answer;
  answer.subject = "CN=a.example.com";
  answer.dns_names = {"a.example.com"};
  answer.not_before = ParseIso8601("2025-01-01").value();
  answer.not_after = ParseIso8601("2026-01-01").value();
  EXPECT_EQ(AnswerProblem("/in/a.cer", answer, request, ParseIso8601("2026-06-01").value()),
            "/in/a.cer: it does not cover b.example.com, c.example.com; it expired on 2026-01-01; "
            "have the CA sign the request again and replace the file");
  answer.dns_names = request.dns_names;
  EXPECT_EQ(AnswerProblem("/in/a.cer", answer, request, ParseIso8601("2025-06-01").value()), "");
}

}  // namespace
}  // namespace xcert::issuers
