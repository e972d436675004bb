#include "resources/issuers/open_issuers.h"

#include <cstdlib>

#include <gtest/gtest.h>

#include "engine/plan/diff.h"
#include "resources/issuers/issuer_context.h"
#include "resources/store/memory_store.h"
#include "tests/resources/issuers/issuers_test_util.h"

namespace xcert::issuers {
namespace {

using namespace testing;  // NOLINT

IssuerSpec SelfSigned() { return IssuerSpec{.name = "self", .type = IssuerType::kSelfSigned}; }
IssuerSpec Ca() {
  return IssuerSpec{
      .name = "corp-ca", .type = IssuerType::kCa, .certificate = "ca.pem", .key = "ca.key"};
}
IssuerSpec Request() {
  return IssuerSpec{.name = "ext",
                    .type = IssuerType::kRequest,
                    .outbox = "requests/out",
                    .inbox = "requests/in"};
}
IssuerSpec File() {
  return IssuerSpec{
      .name = "purchased", .type = IssuerType::kFile, .certificate = "mail.pem", .key = "mail.key"};
}

class OpenIssuersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    now_ = TestNow();
    MakeCa(dir_, "ca");
    MakeLeaf(dir_, "mail", "ca");
  }

  // Plans `manifest_` against the store as it is now: opens the issuers
  // (into opened_ and diagnostics_) and diffs.
  DiffResult Plan() { return PlanAt(now_); }
  DiffResult PlanAt(TimePoint now) {
    ActualState actual;
    actual["MailServer21"] = store_.List().value();
    diagnostics_ = Diagnostics();
    opened_ = OpenIssuers(manifest_, actual, now, &diagnostics_);
    return Diff(Expand(manifest_, opened_.facts), actual, now);
  }

  // The certificate-level change for "mail" on MailServer21, or nullptr.
  static const Change* CertificateChange(const DiffResult& r) {
    for (const Change& c : r.changes) {
      if (c.address == "MailServer21/certificate/mail") return &c;
    }
    return nullptr;
  }

  TempDir dir_;
  TimePoint now_;
  Manifest manifest_;
  Diagnostics diagnostics_;
  OpenedIssuers opened_;
  store::MemoryStore store_{store::ServerSeed{ServerIdentity{"MailServer21",
                                                             "MailServer21.pocket-consultant.com",
                                                             {Role::kMailbox},
                                                             ExchangeVersion::k2019},
                                              {},
                                              {},
                                              {}}};
};

TEST_F(OpenIssuersTest, OpensEveryType) {
  manifest_ =
      TestManifest(dir_, {SelfSigned(), Ca(), Request(), File()}, {MailCertificate("purchased")});
  const auto before = Snapshot(dir_.path());
  opened_ = OpenIssuers(manifest_, {}, now_, &diagnostics_);
  EXPECT_TRUE(diagnostics_.empty()) << diagnostics_.ToString();
  ASSERT_EQ(opened_.facts.size(), 4u);
  EXPECT_EQ(opened_.facts.at("self").type, IssuerType::kSelfSigned);
  EXPECT_EQ(opened_.facts.at("corp-ca").ca_subject, "CN=Corp Issuing CA, O=Pocket Consultant");
  EXPECT_EQ(opened_.facts.at("ext").outbox, (dir_.path() / "requests/out").string());
  EXPECT_EQ(opened_.facts.at("purchased").supplied.thumbprint, OpensslThumbprint(dir_, "mail.pem"));
  for (const char* name : {"self", "corp-ca", "ext", "purchased"}) {
    ASSERT_NE(opened_.issuers->Find(name), nullptr) << name;
    EXPECT_EQ(opened_.issuers->Find(name)->name(), name);
  }
  EXPECT_EQ(opened_.issuers->Find("unknown"), nullptr);
  EXPECT_EQ(Snapshot(dir_.path()), before);  // opening writes nothing
}

TEST_F(OpenIssuersTest, AnIssuerWithErrorsIsNotUsableButTheOthersAre) {
  MakeCa(dir_, "notca", {.ca = false});
  IssuerSpec bad = Ca();
  bad.certificate = "notca.pem";
  bad.key = "notca.key";
  manifest_ = TestManifest(dir_, {SelfSigned(), bad});
  const auto before = Snapshot(dir_.path());
  opened_ = OpenIssuers(manifest_, {}, now_, &diagnostics_);
  EXPECT_EQ(diagnostics_.ToString(),
            "xcert.yaml:33:7: error: issuer 'corp-ca': notca.pem is not a CA certificate "
            "(basicConstraints CA:TRUE is missing); point certificate at the CA's own "
            "certificate\n");
  EXPECT_EQ(opened_.facts.at("corp-ca").name, "corp-ca");
  EXPECT_EQ(opened_.facts.at("corp-ca").type, IssuerType::kCa);
  EXPECT_EQ(opened_.facts.at("corp-ca").ca_subject, "");
  EXPECT_EQ(opened_.issuers->Find("corp-ca"), nullptr);
  EXPECT_NE(opened_.issuers->Find("self"), nullptr);
  EXPECT_EQ(Snapshot(dir_.path()), before);
}

// ca: the plan issues, apply imports the bundle; the next plan is satisfied.
TEST_F(OpenIssuersTest, CaFlowIssuesOnceAndIsThenSatisfied) {
  manifest_ = TestManifest(dir_, {Ca()}, {MailCertificate("corp-ca")});
  DiffResult first = Plan();
  ASSERT_TRUE(diagnostics_.empty()) << diagnostics_.ToString();
  const Change* c = CertificateChange(first);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->provision, Provision::kImportIssued);

  const CertificateSpec& spec = manifest_.certificates[0];
  auto issued = opened_.issuers->Find("corp-ca")->Issue(
      IssueRequest{spec.subject, spec.dns_names, spec.key, spec.validity, now_});
  ASSERT_TRUE(issued.ok()) << issued.status().message();
  ASSERT_TRUE(store_.Import(ImportRequest{issued->pem_bundle, "", true, "mail"}).ok());

  EXPECT_EQ(CertificateChange(Plan()), nullptr);
}

// The CA key's password is needed to issue, not to check: once the
// certificate is issued, drift (a diff) runs without it, and PrepareToIssue
// is what asks for it.
TEST_F(OpenIssuersTest, DriftWorksWithoutTheCaKeyPassword) {
  constexpr const char* kEnv = "XCERT_TEST_FLOW_CA_PASSWORD";
  Openssl(dir_,
          {"pkey", "-in", "ca.key", "-aes256", "-passout", "pass:ca-secret", "-out", "ca.enc.key"});
  Chmod(dir_.path() / "ca.enc.key", 0600);
  IssuerSpec ca = Ca();
  ca.key = "ca.enc.key";
  ca.key_password.env = kEnv;
  manifest_ = TestManifest(dir_, {ca}, {MailCertificate("corp-ca")});

  // Issue once, with the password, as apply does.
  ::setenv(kEnv, "ca-secret", 1);
  const DiffResult plan = Plan();
  const Change* first = CertificateChange(plan);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->provision, Provision::kImportIssued);
  Diagnostics prepared;
  PrepareToIssue(*opened_.issuers, {"corp-ca"}, &prepared);
  EXPECT_TRUE(prepared.empty()) << prepared.ToString();
  const CertificateSpec& spec = manifest_.certificates[0];
  auto issued = opened_.issuers->Find("corp-ca")->Issue(
      IssueRequest{spec.subject, spec.dns_names, spec.key, spec.validity, now_});
  ASSERT_TRUE(issued.ok()) << issued.status().message();
  ASSERT_TRUE(store_.Import(ImportRequest{issued->pem_bundle, "", true, "mail"}).ok());

  // A CI job without the secret: in sync, no diagnostics.
  ::unsetenv(kEnv);
  DiffResult drift = Plan();
  EXPECT_TRUE(diagnostics_.empty()) << diagnostics_.ToString();
  EXPECT_EQ(CertificateChange(drift), nullptr) << "the issued certificate satisfies the entry";
  ASSERT_NE(opened_.issuers->Find("corp-ca"), nullptr);

  // Preparing nothing asks for nothing; preparing the CA asks for its password.
  PrepareToIssue(*opened_.issuers, {}, &prepared);
  PrepareToIssue(*opened_.issuers, {"unknown"}, &prepared);
  EXPECT_TRUE(prepared.empty()) << prepared.ToString();
  PrepareToIssue(*opened_.issuers, {"corp-ca"}, &prepared);
  EXPECT_EQ(prepared.ToString(),
            "xcert.yaml:16:7: error: issuer 'corp-ca': keyPasswordEnv: the environment variable "
            "XCERT_TEST_FLOW_CA_PASSWORD is not set; export it before running xcert\n");
}

// request: create the request once, report it pending with its CSR, explain a
// bad answer, complete with a good one, and be satisfied afterwards.
TEST_F(OpenIssuersTest, RequestFlowFromCsrToCompletedCertificate) {
  manifest_ = TestManifest(dir_, {Request()}, {MailCertificate("ext")});

  // 1. Nothing yet: the plan creates a request on the first server.
  DiffResult plan = Plan();
  ASSERT_TRUE(diagnostics_.empty()) << diagnostics_.ToString();
  ASSERT_NE(CertificateChange(plan), nullptr);
  EXPECT_EQ(CertificateChange(plan)->provision, Provision::kCreateRequest);

  // Apply: the store makes the key and request; the CSR goes to the outbox.
  const CertificateSpec& spec = manifest_.certificates[0];
  CreateRequest create{spec.subject, spec.dns_names, spec.key, spec.validity, "mail", true};
  auto created = store_.Create(create);
  ASSERT_TRUE(created.ok()) << created.status().message();
  auto csr_path =
      opened_.issuers->Find("ext")->Submit(CsrFileName("mail", "MailServer21"), created->csr_pem);
  ASSERT_TRUE(csr_path.ok()) << csr_path.status().message();
  EXPECT_EQ(*csr_path, (dir_.path() / "requests/out/mail@MailServer21.csr").string());

  // 2. Pending: no new request (no new key), drift, and where the CSR is.
  plan = Plan();
  EXPECT_EQ(plan.ActionableCount(), 0u);
  EXPECT_TRUE(plan.HasDrift());
  ASSERT_EQ(plan.pending.size(), 1u);
  EXPECT_EQ(plan.pending[0].thumbprint, created->certificate.thumbprint);
  EXPECT_EQ(plan.pending[0].csr_path, *csr_path);
  EXPECT_EQ(plan.pending[0].problem, "");

  // 3. The CA operator signs the CSR from the outbox, forgetting a name.
  fs::create_directories(dir_.path() / "requests/in");
  SignCsr(dir_, "requests/out/mail@MailServer21.csr", "ca", "requests/in/mail.cer",
          {.dns_names = {"mail.pocket-consultant.com"}});
  const std::string answer = (dir_.path() / "requests/in/mail.cer").string();
  plan = Plan();
  EXPECT_EQ(plan.ActionableCount(), 0u);
  ASSERT_EQ(plan.pending.size(), 1u);
  EXPECT_EQ(plan.pending[0].problem,
            answer +
                ": it does not cover autodiscover.pocket-consultant.com; have the CA sign the "
                "request again and replace the file");

  // 4. The right answer: the plan completes the request where it is pending.
  SignCsr(dir_, "requests/out/mail@MailServer21.csr", "ca", "requests/in/mail.cer", {});
  plan = Plan();
  EXPECT_TRUE(plan.pending.empty());
  const Change* complete = CertificateChange(plan);
  ASSERT_NE(complete, nullptr);
  EXPECT_EQ(complete->provision, Provision::kCompleteRequest);
  EXPECT_EQ(complete->source_path, answer);

  // Apply: import the answer; the store joins it to the pending key.
  auto data = opened_.issuers->Find("ext")->ImportData(answer);
  ASSERT_TRUE(data.ok()) << data.status().message();
  auto imported = store_.Import(*data);
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  EXPECT_EQ(imported->thumbprint, OpensslThumbprint(dir_, "requests/in/mail.cer"));
  EXPECT_TRUE(imported->has_private_key);
  auto state = store_.List();
  ASSERT_EQ(state->certificates.size(), 1u);
  EXPECT_FALSE(state->certificates[0].pending_request);

  // 5. Done: satisfied, and the answer left in the inbox causes no warning.
  plan = Plan();
  EXPECT_EQ(CertificateChange(plan), nullptr);
  EXPECT_TRUE(plan.pending.empty());
  EXPECT_TRUE(diagnostics_.empty()) << diagnostics_.ToString();
}

// file: imported as supplied; a renewed file is a replace with the reason.
TEST_F(OpenIssuersTest, FileFlowImportsAndReplacesARenewedFile) {
  manifest_ = TestManifest(dir_, {File()}, {MailCertificate("purchased")});
  DiffResult plan = Plan();
  ASSERT_TRUE(diagnostics_.empty()) << diagnostics_.ToString();
  const Change* c = CertificateChange(plan);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->provision, Provision::kImportFile);
  EXPECT_EQ(c->source_path, (dir_.path() / "mail.pem").string());
  auto data = opened_.issuers->Find("purchased")->ImportData(c->source_path);
  ASSERT_TRUE(data.ok()) << data.status().message();
  data->exportable = true;  // as apply does for key.exportable
  auto imported = store_.Import(*data);
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  EXPECT_EQ(imported->thumbprint, OpensslThumbprint(dir_, "mail.pem"));
  EXPECT_EQ(CertificateChange(Plan()), nullptr);

  // Ten days before it expires (renewBefore 30d) only its vendor can help:
  // drift without a step, with the days left.
  const TimePoint late = imported->not_after - Days(10);
  DiffResult due = PlanAt(late);
  ASSERT_TRUE(diagnostics_.empty()) << diagnostics_.ToString();
  const Change* note = CertificateChange(due);
  ASSERT_NE(note, nullptr);
  EXPECT_TRUE(note->drift_only());
  EXPECT_TRUE(due.HasDrift());
  ASSERT_EQ(note->reasons.size(), 1u);
  EXPECT_EQ(note->reasons[0].reason, Reason::kRenewalDue);
  EXPECT_EQ(note->reasons[0].detail, "expires on " + DateOf(imported->not_after) +
                                         " (10 days left, renewBefore 30d); renew it with the CA "
                                         "that sold it and replace " +
                                         (dir_.path() / "mail.pem").string());

  // The vendor's renewal replaces the files.
  MakeLeaf(dir_, "mail", "ca");
  plan = Plan();
  ASSERT_TRUE(diagnostics_.empty()) << diagnostics_.ToString();
  c = CertificateChange(plan);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->action, ChangeAction::kReplace);
  EXPECT_EQ(c->provision, Provision::kImportFile);
  EXPECT_EQ(c->current, imported->thumbprint);
  ASSERT_FALSE(c->reasons.empty());
  // Made within the same second or later: a renewal, or (same NotAfter) another certificate.
  EXPECT_TRUE(c->reasons[0].reason == Reason::kRenewedFile ||
              c->reasons[0].reason == Reason::kIssuerMismatch)
      << ReasonName(c->reasons[0].reason);
  const std::string& detail = c->reasons[0].detail;
  EXPECT_NE(detail.find((dir_.path() / "mail.pem").string()), std::string::npos) << detail;
  EXPECT_NE(detail.find(imported->thumbprint.substr(0, 8) + "…"), std::string::npos) << detail;
  EXPECT_NE(detail.find(OpensslThumbprint(dir_, "mail.pem").substr(0, 8) + "…"), std::string::npos)
      << detail;
}

// A legacy PKCS#12 (RC2/3DES, as older Windows exports) goes to the store as
// supplied, with its password, and arrives with its key.
TEST_F(OpenIssuersTest, LegacyPkcs12IsImportedAsSupplied) {
  Openssl(dir_, {"pkcs12", "-export", "-legacy", "-in", "mail.pem", "-inkey", "mail.key",
                 "-certfile", "ca.pem", "-passout", "pass:pfx-secret", "-out", "mail.pfx"});
  ::setenv("XCERT_TEST_FLOW_PFX", "pfx-secret", 1);
  manifest_ = TestManifest(dir_,
                           {IssuerSpec{.name = "purchased",
                                       .type = IssuerType::kFile,
                                       .pkcs12 = "mail.pfx",
                                       .password = {.env = "XCERT_TEST_FLOW_PFX"}}},
                           {MailCertificate("purchased")});
  DiffResult plan = Plan();
  ASSERT_TRUE(diagnostics_.empty()) << diagnostics_.ToString();
  const Change* c = CertificateChange(plan);
  ASSERT_NE(c, nullptr);
  auto data = opened_.issuers->Find("purchased")->ImportData(c->source_path);
  ::unsetenv("XCERT_TEST_FLOW_PFX");
  ASSERT_TRUE(data.ok()) << data.status().message();
  EXPECT_EQ(data->data, ReadFileOrDie(dir_.path() / "mail.pfx"));
  data->exportable = true;
  auto imported = store_.Import(*data);
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  EXPECT_EQ(imported->thumbprint, OpensslThumbprint(dir_, "mail.pem"));
  EXPECT_TRUE(imported->has_private_key);
}

}  // namespace
}  // namespace xcert::issuers
