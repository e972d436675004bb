#include "resources/issuers/request_issuer.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "resources/x509/pem.h"
#include "tests/resources/issuers/issuers_test_util.h"

namespace xcert::issuers {
namespace {

using namespace testing;  // NOLINT

const std::vector<std::string> kNames = {"mail.pocket-consultant.com",
                                         "autodiscover.pocket-consultant.com"};

class RequestIssuerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    now_ = TestNow();
    MakeRequest(dir_, "mail", "/CN=mail.pocket-consultant.com", kNames);
  }

  IssuerSpec Spec(std::string outbox = "requests/out", std::string inbox = "requests/in") {
    IssuerSpec s;
    s.name = "ext";
    s.type = IssuerType::kRequest;
    s.outbox = std::move(outbox);
    s.inbox = std::move(inbox);
    return s;
  }

  std::unique_ptr<RequestIssuer> Open(const IssuerSpec& spec, const ActualState& actual = {}) {
    manifest_ = TestManifest(dir_, {spec});
    IssuerContext ctx(manifest_, manifest_.issuers[0], &diagnostics_);
    return RequestIssuer::Open(ctx, actual, now_);
  }

  std::string Csr() { return ReadFileOrDie(dir_.path() / "mail.csr"); }

  TempDir dir_;
  TimePoint now_;
  Manifest manifest_;
  Diagnostics diagnostics_;
};

TEST_F(RequestIssuerTest, SubmitWritesTheCsrToTheOutbox) {
  auto issuer = Open(Spec());
  ASSERT_TRUE(issuer) << diagnostics_.ToString();
  EXPECT_FALSE(fs::exists(dir_.path() / "requests"));  // opening writes nothing

  auto path = issuer->Submit(CsrFileName("mail", "MailServer21"), Csr());
  ASSERT_TRUE(path.ok()) << path.status().message();
  const fs::path expected = dir_.path() / "requests/out/mail@MailServer21.csr";
  EXPECT_EQ(*path, expected.string());
  // The same request, as clean PEM, that openssl verifies; readable by the CA operator.
  const std::string written = ReadFileOrDie(expected);
  EXPECT_TRUE(written.starts_with("-----BEGIN CERTIFICATE REQUEST-----\n"));
  EXPECT_EQ(x509::ParsePem(written)->front().der, x509::ParsePem(Csr())->front().der);
  EXPECT_TRUE(OpensslOk(dir_, {"req", "-in", expected.string(), "-verify", "-noout"}));
  struct stat st;
  ASSERT_EQ(::stat(expected.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  // Nothing else in the outbox (no temporary files left).
  EXPECT_EQ(std::distance(fs::directory_iterator(expected.parent_path()), fs::directory_iterator()),
            1);

  const IssuerFacts f = issuer->Facts();
  EXPECT_EQ(f.type, IssuerType::kRequest);
  EXPECT_EQ(f.outbox, (dir_.path() / "requests/out").string());
  EXPECT_EQ(f.outbox + "/" + CsrFileName("mail", "MailServer21"), *path);
}

TEST_F(RequestIssuerTest, SubmitAcceptsExchangeStylePemAndDer) {
  auto issuer = Open(Spec());
  ASSERT_TRUE(issuer);
  const std::string der = x509::ParsePem(Csr())->front().der;
  const std::string exchange = x509::ToPem("NEW CERTIFICATE REQUEST", der);
  ASSERT_TRUE(issuer->Submit("a.csr", exchange).ok());
  ASSERT_TRUE(issuer->Submit("b.csr", der).ok());
  const std::string clean = x509::ToPem("CERTIFICATE REQUEST", der);
  EXPECT_EQ(ReadFileOrDie(dir_.path() / "requests/out/a.csr"), clean);
  EXPECT_EQ(ReadFileOrDie(dir_.path() / "requests/out/b.csr"), clean);
}

TEST_F(RequestIssuerTest, SubmitRefusesBadNamesAndBadRequestsWritingNothing) {
  auto issuer = Open(Spec());
  ASSERT_TRUE(issuer);
  const auto before = Snapshot(dir_.path());
  EXPECT_EQ(issuer->Submit("../escape.csr", Csr()).status(),
            InvalidArgument("issuer 'ext' cannot write the request ../escape.csr: not a plain "
                            "file name"));
  EXPECT_EQ(issuer->Submit("", Csr()).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(issuer->Submit("..", Csr()).status().code(), Code::kInvalidArgument);
  auto garbage = issuer->Submit("x.csr",
                                "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END "
                                "CERTIFICATE REQUEST-----\n");
  ASSERT_FALSE(garbage.ok());
  EXPECT_TRUE(garbage.status().message().starts_with(
      "issuer 'ext' cannot write the request x.csr: the store returned no valid CSR: "))
      << garbage.status().message();
  EXPECT_EQ(Snapshot(dir_.path()), before);
}

TEST_F(RequestIssuerTest, FolderThatIsAFileIsAnError) {
  dir_.Write("requests/out", "not a folder");
  const auto before = Snapshot(dir_.path());
  EXPECT_FALSE(Open(Spec()));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:18:7: error: issuer 'ext': requests/out is a file, not a folder; point "
            "outbox at a folder (xcert creates it when missing)\n");
  EXPECT_EQ(Snapshot(dir_.path()), before);
}

TEST_F(RequestIssuerTest, OutboxAndInboxMustDiffer) {
  EXPECT_FALSE(Open(Spec("requests", "./requests/")));
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:19:7: error: issuer 'ext': outbox and inbox are the same folder "
            "./requests/; use two folders, e.g. outbox: requests/out and inbox: requests/in\n");
}

TEST_F(RequestIssuerTest, InboxAnswersBecomeFactsAndImportData) {
  MakeCa(dir_, "ca");
  fs::create_directories(dir_.path() / "requests/in");
  SignCsr(dir_, "mail.csr", "ca", "signed.pem", {.dns_names = kNames});
  // The answer comes as a chain: CA first, then the certificate.
  dir_.Write("requests/in/certnew.pem",
             ReadFileOrDie(dir_.path() / "ca.pem") + ReadFileOrDie(dir_.path() / "signed.pem"));
  const CertificateInfo pending = PendingFromCsr(dir_, "mail.csr", "REQ1");
  auto issuer = Open(Spec(), WithPending("MailServer21", {pending}));
  ASSERT_TRUE(issuer) << diagnostics_.ToString();
  const IssuerFacts f = issuer->Facts();
  ASSERT_EQ(f.inbox.size(), 1u);
  const std::string answer = (dir_.path() / "requests/in/certnew.pem").string();
  EXPECT_EQ(f.inbox[0].path, answer);
  EXPECT_EQ(f.inbox[0].server, "MailServer21");
  EXPECT_EQ(f.inbox[0].request_thumbprint, "REQ1");
  EXPECT_EQ(f.inbox[0].problem, "");

  auto data = issuer->ImportData(answer);
  ASSERT_TRUE(data.ok()) << data.status().message();
  EXPECT_EQ(data->password, "");
  auto blocks = x509::ParsePem(data->data);
  ASSERT_TRUE(blocks.ok());
  ASSERT_EQ(blocks->size(), 2u);  // the certificate first, then the CA; no key
  EXPECT_EQ((*blocks)[0].der,
            x509::ParsePem(ReadFileOrDie(dir_.path() / "signed.pem"))->front().der);
  EXPECT_EQ((*blocks)[1].der, x509::ParsePem(ReadFileOrDie(dir_.path() / "ca.pem"))->front().der);
  EXPECT_EQ(f.inbox[0].certificate.thumbprint, OpensslThumbprint(dir_, "signed.pem"));
}

TEST_F(RequestIssuerTest, ImportDataOnlyReadsTheInbox) {
  MakeCa(dir_, "ca");
  auto issuer = Open(Spec());
  ASSERT_TRUE(issuer);
  const std::string outside = (dir_.path() / "ca.pem").string();
  EXPECT_EQ(issuer->ImportData(outside).status(),
            InvalidArgument("issuer 'ext': the CA answer " + outside + " is not in the inbox " +
                            (dir_.path() / "requests/in").string()));
  const std::string gone = (dir_.path() / "requests/in/gone.cer").string();
  EXPECT_EQ(issuer->ImportData(gone).status(),
            NotFound("issuer 'ext': the CA answer " + gone + " cannot be read: " + gone +
                     " does not exist"));
  dir_.Write("requests/in/ca-only.pem", ReadFileOrDie(dir_.path() / "ca.pem"));
  const std::string ca_only = (dir_.path() / "requests/in/ca-only.pem").string();
  EXPECT_EQ(
      issuer->ImportData(ca_only).status(),
      FailedPrecondition("issuer 'ext': the CA answer " + ca_only + " holds only CA certificates"));
}

}  // namespace
}  // namespace xcert::issuers
