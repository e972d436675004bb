#include "engine/plan/diff.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/model_fixtures.h"

namespace xcert {
namespace {

using namespace xcert::testing;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

CertificateInfo GoodMail(const std::string& tag = "M1") {
  CertificateInfo c = Cert(tag, "CN=mail.pocket-consultant.com",
                           {"mail.pocket-consultant.com", "autodiscover.pocket-consultant.com"});
  c.friendly_name = "mail";
  return c;
}

std::vector<std::string> Addresses(const DiffResult& r) {
  std::vector<std::string> out;
  for (const Change& c : r.changes)
    out.push_back(c.address + " " + std::string(ChangeActionName(c.action)));
  return out;
}

const Change& ChangeAt(const DiffResult& r, const std::string& address) {
  for (const Change& c : r.changes) {
    if (c.address == address) return c;
  }
  ADD_FAILURE() << "no change at " << address;
  static Change none;
  return none;
}

TEST(DiffTest, MissingCertificateIsCreatedAndTakesItsServices) {
  ActualState actual{
      {"MailServer21", MailboxServer("MailServer21", "mailserver21.pocket-consultant.com")}};
  const Desired desired = DesiredOf({WantMail({"MailServer21"})}, {CorpCa()});
  const DiffResult r = Diff(desired, actual, Now());
  EXPECT_THAT(Addresses(r),
              ElementsAre("MailServer21/certificate/mail create", "MailServer21/binding/IIS bind",
                          "MailServer21/binding/IMAP bind", "MailServer21/binding/POP bind",
                          "MailServer21/binding/SMTP bind"));
  const Change& create = r.changes[0];
  EXPECT_EQ(create.provision, Provision::kImportIssued);
  ASSERT_EQ(create.reasons.size(), 1u);
  EXPECT_EQ(create.reasons[0].reason, Reason::kMissing);
  EXPECT_EQ(create.reasons[0].where.ToString(), "xcert.yaml:20:5");
  const Change& iis = r.changes[1];
  EXPECT_EQ(iis.current, Thumb("DEFMailServer21"));
  EXPECT_EQ(iis.target, "");
  EXPECT_EQ(iis.reasons[0].detail,
            "IIS is served by 4445464D… (Microsoft Exchange); moves to the new 'mail'");
  // SMTP without the opt-in does not take the internal transport role away.
  const Change& smtp = ChangeAt(r, "MailServer21/binding/SMTP");
  EXPECT_EQ(smtp.current, "");
  EXPECT_EQ(smtp.reasons[0].detail, "SMTP is not enabled on the new 'mail'");
}

TEST(DiffTest, SatisfyingBoundCertificateIsAdoptedWithoutChanges) {
  ServerState s = MailboxServer("MailServer21", "mailserver21.pocket-consultant.com");
  CertificateInfo mail = GoodMail();
  // Set semantics, case-insensitive: order and case of DNS names do not matter.
  mail.dns_names = {"AUTODISCOVER.pocket-consultant.com", "Mail.Pocket-Consultant.com"};
  Put(&s, mail);
  BindAll(&s, mail.thumbprint,
          ServiceSet{Service::kIis, Service::kImap, Service::kPop, Service::kSmtp});
  const DiffResult r =
      Diff(DesiredOf({WantMail({"MailServer21"})}, {CorpCa()}), {{"MailServer21", s}}, Now());
  EXPECT_THAT(r.changes, IsEmpty());
  EXPECT_FALSE(r.HasDrift());
  // The default certificate is unmanaged and kept (back end, internal transport).
  ASSERT_EQ(r.unmanaged.size(), 2u);
  EXPECT_EQ(r.unmanaged[1].protection, "it is bound to the Exchange Back End site (:444)");
}

TEST(DiffTest, ExistingUnboundCertificateOnlyGetsBindings) {
  ServerState s = MailboxServer("MailServer21", "mailserver21.pocket-consultant.com");
  Put(&s, GoodMail());
  const DiffResult r =
      Diff(DesiredOf({WantMail({"MailServer21"})}, {CorpCa()}), {{"MailServer21", s}}, Now());
  EXPECT_THAT(Addresses(r),
              ElementsAre("MailServer21/binding/IIS bind", "MailServer21/binding/IMAP bind",
                          "MailServer21/binding/POP bind", "MailServer21/binding/SMTP bind"));
  EXPECT_EQ(r.changes[0].target, Thumb("M1"));
  EXPECT_EQ(r.changes[0].reasons[0].reason, Reason::kBindingMismatch);
}

TEST(DiffTest, ExtraServicesOnTheCertificateAreNotDrift) {
  ServerState s = MailboxServer("MailServer21", "mailserver21.pocket-consultant.com");
  Put(&s, GoodMail());
  BindAll(&s, Thumb("M1"),
          ServiceSet{Service::kIis, Service::kImap, Service::kPop, Service::kSmtp});
  DesiredCertificate want = WantMail({"MailServer21"});
  want.services = ServiceSet{Service::kIis};
  const DiffResult r = Diff(DesiredOf({want}, {CorpCa()}), {{"MailServer21", s}}, Now());
  EXPECT_THAT(r.changes, IsEmpty());
}

TEST(DiffTest, ChangedNamesReplaceTheCertificateNamingTheDifference) {
  ServerState s = MailboxServer("MailServer21", "mailserver21.pocket-consultant.com");
  CertificateInfo old = GoodMail();
  old.dns_names = {"mail.pocket-consultant.com", "legacy.pocket-consultant.com"};
  Put(&s, old);
  BindAll(&s, old.thumbprint, ServiceSet{Service::kIis});
  const DiffResult r =
      Diff(DesiredOf({WantMail({"MailServer21"})}, {CorpCa()}), {{"MailServer21", s}}, Now());
  const Change& c = ChangeAt(r, "MailServer21/certificate/mail");
  EXPECT_EQ(c.action, ChangeAction::kReplace);
  EXPECT_EQ(c.current, Thumb("M1"));
  ASSERT_EQ(c.reasons.size(), 1u);
  EXPECT_EQ(c.reasons[0].reason, Reason::kNamesMismatch);
  EXPECT_EQ(c.reasons[0].detail,
            "missing autodiscover.pocket-consultant.com; unexpected legacy.pocket-consultant.com");
  EXPECT_EQ(c.reasons[0].where.ToString(), "xcert.yaml:22:15");
  EXPECT_EQ(ChangeAt(r, "MailServer21/binding/IIS").current, Thumb("M1"));
  // The old version is reported as superseded.
  bool found = false;
  for (const UnmanagedCertificate& u : r.unmanaged)
    found |= u.certificate.thumbprint == Thumb("M1") && u.superseded == "mail";
  EXPECT_TRUE(found);
}

// Two versions that expire together (made in the same second): the one in
// use stands for the certificate, whatever the thumbprints.
TEST(DiffTest, OfVersionsThatExpireTogetherTheOneServingStandsForIt) {
  ServerState s = MailboxServer("MailServer21", "mailserver21.pocket-consultant.com");
  CertificateInfo idle = GoodMail("A0");  // the lower thumbprint
  idle.dns_names = {"mail.pocket-consultant.com"};
  CertificateInfo serving = GoodMail("B1");
  serving.dns_names = {"mail.pocket-consultant.com"};
  Put(&s, idle);
  Put(&s, serving);
  BindAll(&s, serving.thumbprint, ServiceSet{Service::kIis, Service::kImap});
  const DiffResult r =
      Diff(DesiredOf({WantMail({"MailServer21"})}, {CorpCa()}), {{"MailServer21", s}}, Now());
  EXPECT_EQ(ChangeAt(r, "MailServer21/certificate/mail").current, Thumb("B1"));
}

TEST(DiffTest, TimeReasonsInOrder) {
  struct Case {
    TimePoint not_before, not_after;
    Reason reason;
    std::string detail;
  };
  const Case cases[] = {
      {Day(2025, 1, 1), Day(2026, 11, 1), Reason::kExpired, "expired on 2026-11-01"},
      {Day(2026, 1, 1), Day(2026, 12, 10), Reason::kRenewalDue,
       "expires on 2026-12-10 (15 days left, renewBefore 30d)"},
      {Day(2026, 1, 1), Day(2026, 11, 26), Reason::kRenewalDue,
       "expires on 2026-11-26 (1 day left, renewBefore 30d)"},
      {Day(2026, 12, 1), Day(2027, 12, 1), Reason::kNotYetValid, "valid only from 2026-12-01"},
  };
  for (const Case& tc : cases) {
    ServerState s = MailboxServer("MailServer21", "x.pocket-consultant.com");
    CertificateInfo c = GoodMail();
    c.not_before = tc.not_before;
    c.not_after = tc.not_after;
    Put(&s, c);
    const DiffResult r =
        Diff(DesiredOf({WantMail({"MailServer21"})}, {CorpCa()}), {{"MailServer21", s}}, Now());
    const Change& ch = ChangeAt(r, "MailServer21/certificate/mail");
    ASSERT_EQ(ch.reasons.size(), 1u) << tc.detail;
    EXPECT_EQ(ch.reasons[0].reason, tc.reason);
    EXPECT_EQ(ch.reasons[0].detail, tc.detail);
  }
}

TEST(DiffTest, ReasonsAreListedInCatalogueOrder) {
  CertificateInfo c = GoodMail();
  c.has_private_key = false;
  c.key_bits = 4096;
  c.subject = "CN=old.pocket-consultant.com";
  c.issuer = "CN=Other CA";
  c.not_after = Day(2026, 1, 2);
  const auto reasons = Evaluate(WantMail({"S"}), CorpCa(), c, Now());
  std::vector<Reason> kinds;
  for (const ReasonDetail& r : reasons) kinds.push_back(r.reason);
  EXPECT_THAT(kinds,
              ElementsAre(Reason::kMissingPrivateKey, Reason::kKeySpecMismatch,
                          Reason::kSubjectMismatch, Reason::kIssuerMismatch, Reason::kExpired));
  EXPECT_EQ(reasons[1].detail, "has RSA 4096, wants RSA 2048");
}

TEST(DiffTest, ReKeyedCaMakesIssuerMismatch) {
  CertificateInfo c = GoodMail();
  c.authority_key_id = "BEEF";
  const auto reasons = Evaluate(WantMail({"S"}), CorpCa(), c, Now());
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0].reason, Reason::kIssuerMismatch);
  EXPECT_EQ(
      reasons[0].detail,
      "issued by an older key of 'CN=Corp Issuing CA, O=Pocket Consultant' (the CA was re-keyed)");
}

TEST(DiffTest, NonExportableKeyDoesNotMeetAnExportableSpec) {
  CertificateInfo c = GoodMail();
  c.exportable = false;
  const auto reasons = Evaluate(WantMail({"S"}), CorpCa(), c, Now());
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0].reason, Reason::kKeySpecMismatch);
}

TEST(DiffTest, SharedSelfSignedCertificateIsCreatedOnceAndCopied) {
  ActualState actual{{"MailServer21", MailboxServer("MailServer21", "a.pocket-consultant.com")},
                     {"MailServer22", MailboxServer("MailServer22", "b.pocket-consultant.com")}};
  DesiredCertificate want = WantMail({"MailServer21", "MailServer22"});
  want.issuer = "self";
  want.issuer_type = IssuerType::kSelfSigned;
  IssuerFacts self;
  self.name = "self";
  const DiffResult r = Diff(DesiredOf({want}, {self}), actual, Now());
  const Change& first = ChangeAt(r, "MailServer21/certificate/mail");
  const Change& second = ChangeAt(r, "MailServer22/certificate/mail");
  EXPECT_EQ(first.provision, Provision::kCreate);
  EXPECT_EQ(second.provision, Provision::kImportFromServer);
  EXPECT_EQ(second.source_server, "MailServer21");
}

TEST(DiffTest, SharedCertificateOnOneServerIsCopiedToTheOther) {
  ServerState a = MailboxServer("MailServer21", "a.pocket-consultant.com");
  Put(&a, GoodMail());
  BindAll(&a, Thumb("M1"),
          ServiceSet{Service::kIis, Service::kImap, Service::kPop, Service::kSmtp});
  ActualState actual{{"MailServer21", a},
                     {"MailServer22", MailboxServer("MailServer22", "b.pocket-consultant.com")}};
  const DiffResult r =
      Diff(DesiredOf({WantMail({"MailServer21", "MailServer22"})}, {CorpCa()}), actual, Now());
  const Change& c = ChangeAt(r, "MailServer22/certificate/mail");
  EXPECT_EQ(c.action, ChangeAction::kCreate);
  EXPECT_EQ(c.provision, Provision::kImportFromServer);
  EXPECT_EQ(c.source_server, "MailServer21");
  EXPECT_EQ(c.target, Thumb("M1"));
  for (const Change& ch : r.changes) EXPECT_NE(ch.server, "MailServer21") << ch.address;
}

TEST(DiffTest, DifferentCertificatesOnSharedServersConvergeOnOne) {
  ServerState a = MailboxServer("MailServer21", "a.pocket-consultant.com");
  ServerState b = MailboxServer("MailServer22", "b.pocket-consultant.com");
  CertificateInfo newer = GoodMail("M2");
  newer.not_after = Day(2027, 9, 1);
  Put(&a, newer);
  Put(&b, GoodMail("M1"));
  const DiffResult r = Diff(DesiredOf({WantMail({"MailServer21", "MailServer22"})}, {CorpCa()}),
                            {{"MailServer21", a}, {"MailServer22", b}}, Now());
  const Change& c = ChangeAt(r, "MailServer22/certificate/mail");
  EXPECT_EQ(c.action, ChangeAction::kReplace);
  EXPECT_EQ(c.target, Thumb("M2"));
  EXPECT_EQ(c.reasons[0].reason, Reason::kNotShared);
}

TEST(DiffTest, PerServerInstancesAreIndependent) {
  DesiredCertificate edge = WantMail({"Edge01"});
  edge.name = "edge-smtp";
  edge.artifact = "edge-smtp@Edge01";
  edge.subject = "CN=edge01.pocket-consultant.com";
  edge.dns_names = {"edge01.pocket-consultant.com", "Edge01"};
  edge.services = ServiceSet{Service::kSmtp};
  ServerState s;
  s.server = "Edge01";
  const DiffResult r = Diff(DesiredOf({edge}, {CorpCa()}), {{"Edge01", s}}, Now());
  EXPECT_THAT(Addresses(r), ElementsAre("Edge01/certificate/edge-smtp@Edge01 create",
                                        "Edge01/binding/SMTP bind"));
}

IssuerFacts PurchasedFile(const CertificateInfo& supplied) {
  IssuerFacts f;
  f.name = "digicert";
  f.type = IssuerType::kFile;
  f.supplied = supplied;
  f.supplied_path = "/etc/xcert/mail.pfx";
  return f;
}

TEST(DiffTest, PurchasedFileIsImportedWhereMissing) {
  DesiredCertificate want = WantMail({"MailServer21"});
  want.issuer = "digicert";
  want.issuer_type = IssuerType::kFile;
  CertificateInfo bought = GoodMail("F1");
  const DiffResult r =
      Diff(DesiredOf({want}, {PurchasedFile(bought)}),
           {{"MailServer21", MailboxServer("MailServer21", "a.pocket-consultant.com")}}, Now());
  const Change& c = ChangeAt(r, "MailServer21/certificate/mail");
  EXPECT_EQ(c.provision, Provision::kImportFile);
  EXPECT_EQ(c.source_path, "/etc/xcert/mail.pfx");
  // The import names what the file holds: a re-run sees it is there, and
  // apply sees when the file changed after the plan.
  EXPECT_EQ(c.target, bought.thumbprint);
}

TEST(DiffTest, AFileIssuerThatSuppliedNothingBlocksInsteadOfImportingNothing) {
  DesiredCertificate want = WantMail({"MailServer21"});
  want.issuer = "digicert";
  want.issuer_type = IssuerType::kFile;
  IssuerFacts empty = PurchasedFile(CertificateInfo{});
  empty.supplied_path.clear();
  const DiffResult r =
      Diff(DesiredOf({want}, {empty}),
           {{"MailServer21", MailboxServer("MailServer21", "a.pocket-consultant.com")}}, Now());
  EXPECT_TRUE(r.changes.empty());
  ASSERT_EQ(r.blocked.size(), 1u);
  EXPECT_EQ(r.blocked[0].address, "MailServer21/certificate/mail");
  EXPECT_EQ(r.blocked[0].reason, "the file issuer 'digicert' supplied no certificate to import");
}

TEST(DiffTest, PurchasedFileDueForRenewalIsDriftWithoutAStep) {
  DesiredCertificate want = WantMail({"MailServer21"});
  want.issuer = "digicert";
  want.issuer_type = IssuerType::kFile;
  CertificateInfo bought = GoodMail("F1");
  bought.not_after = Day(2026, 12, 5);
  ServerState s = MailboxServer("MailServer21", "a.pocket-consultant.com");
  Put(&s, bought);
  BindAll(&s, bought.thumbprint, want.services);
  const DiffResult r =
      Diff(DesiredOf({want}, {PurchasedFile(bought)}), {{"MailServer21", s}}, Now());
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_TRUE(r.changes[0].drift_only());
  EXPECT_EQ(
      r.changes[0].reasons[0].detail,
      "expires on 2026-12-05 (10 days left, renewBefore 30d); renew it with the CA that sold it "
      "and replace /etc/xcert/mail.pfx");
  EXPECT_EQ(r.ActionableCount(), 0u);
  EXPECT_TRUE(r.HasDrift());
}

// The vendor's file changed under an installed certificate: a later
// NotAfter is a renewal (not an error), a new intermediate is named, and a
// file that expires sooner than what is installed asks to be checked.
TEST(DiffTest, AChangedFileSaysRenewalNewIntermediateOrExpiresSooner) {
  DesiredCertificate want = WantMail({"MailServer21"});
  want.issuer = "digicert";
  want.issuer_type = IssuerType::kFile;
  const CertificateInfo installed = GoodMail("F1");  // valid until 2027-06-01
  const auto reasons_for = [&](const CertificateInfo& in_file) {
    return Evaluate(want, PurchasedFile(in_file), installed, Now());
  };

  CertificateInfo renewal = GoodMail("F2");
  renewal.not_after = Day(2028, 6, 1);
  auto reasons = reasons_for(renewal);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0].reason, Reason::kRenewedFile);
  EXPECT_EQ(ReasonName(reasons[0].reason), "RenewedFile");
  EXPECT_EQ(reasons[0].detail, "the file /etc/xcert/mail.pfx holds a renewal, " +
                                   Thumb("F2").substr(0, 8) +
                                   "… valid until 2028-06-01; the store has " +
                                   Thumb("F1").substr(0, 8) + "… valid until 2027-06-01");

  renewal.issuer = "CN=Corp Issuing CA 2, O=Pocket Consultant";
  reasons = reasons_for(renewal);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_THAT(reasons[0].detail,
              EndsWith("; issued by a new intermediate 'CN=Corp Issuing CA 2, O=Pocket "
                       "Consultant' (was 'CN=Corp Issuing CA, O=Pocket Consultant')"));

  renewal.issuer = installed.issuer;
  renewal.authority_key_id = "F00D";
  reasons = reasons_for(renewal);
  EXPECT_THAT(reasons[0].detail, EndsWith("; its issuing CA 'CN=Corp Issuing CA, O=Pocket "
                                          "Consultant' signed it with a new key"));

  CertificateInfo older = GoodMail("F3");
  older.not_after = Day(2027, 1, 1);
  reasons = reasons_for(older);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0].reason, Reason::kIssuerMismatch);
  EXPECT_EQ(reasons[0].detail,
            "is " + Thumb("F1").substr(0, 8) +
                "… (valid until 2027-06-01), the file /etc/xcert/mail.pfx holds " +
                Thumb("F3").substr(0, 8) +
                "… (valid until 2027-01-01), which expires sooner: check that it "
                "is the right file");

  CertificateInfo same_day = GoodMail("F4");
  same_day.not_after = installed.not_after + std::chrono::seconds(30);
  reasons = reasons_for(same_day);
  EXPECT_THAT(reasons[0].detail, HasSubstr("valid until 2027-06-01T00:00:30Z; the store has"))
      << "one day: full times tell them apart";

  EXPECT_TRUE(reasons_for(installed).empty()) << "the file's own certificate satisfies it";
}

IssuerFacts RequestIssuer() {
  IssuerFacts f;
  f.name = "adcs";
  f.type = IssuerType::kRequest;
  f.outbox = "/srv/outbox";
  return f;
}

DesiredCertificate WantRequested(std::vector<std::string> servers) {
  DesiredCertificate want = WantMail(std::move(servers));
  want.issuer = "adcs";
  want.issuer_type = IssuerType::kRequest;
  return want;
}

TEST(DiffTest, RequestIssuerCreatesOnePendingRequestAndBindsNothingYet) {
  ActualState actual{{"MailServer21", MailboxServer("MailServer21", "a.pocket-consultant.com")},
                     {"MailServer22", MailboxServer("MailServer22", "b.pocket-consultant.com")}};
  const DiffResult r =
      Diff(DesiredOf({WantRequested({"MailServer21", "MailServer22"})}, {RequestIssuer()}), actual,
           Now());
  EXPECT_THAT(Addresses(r), ElementsAre("MailServer21/certificate/mail create",
                                        "MailServer22/certificate/mail none"));
  EXPECT_EQ(r.changes[0].provision, Provision::kCreateRequest);
  EXPECT_EQ(r.changes[1].reasons.back().reason, Reason::kPending);
}

TEST(DiffTest, PendingRequestWithoutAnswerIsPendingDrift) {
  ServerState s = MailboxServer("MailServer21", "a.pocket-consultant.com");
  CertificateInfo req = GoodMail("R1");
  req.pending_request = true;
  req.status = CertStatus::kPendingRequest;
  Put(&s, req);
  const DiffResult r = Diff(DesiredOf({WantRequested({"MailServer21"})}, {RequestIssuer()}),
                            {{"MailServer21", s}}, Now());
  ASSERT_EQ(r.pending.size(), 1u);
  EXPECT_EQ(r.pending[0].csr_path, "/srv/outbox/mail@MailServer21.csr");
  EXPECT_EQ(r.ActionableCount(), 0u);
  EXPECT_TRUE(r.HasDrift());
}

TEST(DiffTest, InboxAnswerCompletesTheRequestAndIsCopied) {
  ServerState a = MailboxServer("MailServer21", "a.pocket-consultant.com");
  CertificateInfo req = GoodMail("R1");
  req.pending_request = true;
  Put(&a, req);
  IssuerFacts f = RequestIssuer();
  InboxItem answer;
  answer.path = "/srv/inbox/mail.cer";
  answer.certificate = GoodMail("S1");
  answer.server = "MailServer21";
  answer.request_thumbprint = Thumb("R1");
  f.inbox = {answer};
  ActualState actual{{"MailServer21", a},
                     {"MailServer22", MailboxServer("MailServer22", "b.pocket-consultant.com")}};
  const DiffResult r =
      Diff(DesiredOf({WantRequested({"MailServer21", "MailServer22"})}, {f}), actual, Now());
  EXPECT_EQ(ChangeAt(r, "MailServer21/certificate/mail").provision, Provision::kCompleteRequest);
  EXPECT_EQ(ChangeAt(r, "MailServer21/certificate/mail").target, Thumb("S1"));
  EXPECT_EQ(ChangeAt(r, "MailServer21/certificate/mail").source_path, "/srv/inbox/mail.cer");
  EXPECT_EQ(ChangeAt(r, "MailServer22/certificate/mail").provision, Provision::kImportFromServer);
  EXPECT_THAT(r.pending, IsEmpty());
}

TEST(DiffTest, CertificatesSignedElsewhereMayAddSubjectFieldsAndNames) {
  // A CA answering a request may add O/C to the subject and more names; a
  // purchased wildcard covers the wanted names. Both satisfy: equality would
  // re-request or re-import them forever.
  CertificateInfo answer = GoodMail("S1");
  answer.subject = "CN=mail.pocket-consultant.com, O=Pocket Consultant, C=US";
  answer.dns_names = {"mail.pocket-consultant.com", "autodiscover.pocket-consultant.com",
                      "www.pocket-consultant.com"};
  EXPECT_TRUE(Evaluate(WantRequested({"S"}), RequestIssuer(), answer, Now()).empty());
  CertificateInfo wildcard = GoodMail("W1");
  wildcard.dns_names = {"*.pocket-consultant.com"};
  EXPECT_TRUE(Evaluate(WantRequested({"S"}), RequestIssuer(), wildcard, Now()).empty());
  wildcard.dns_names = {"*.other.com"};
  const auto reasons = Evaluate(WantRequested({"S"}), RequestIssuer(), wildcard, Now());
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0].detail,
            "does not cover mail.pocket-consultant.com, autodiscover.pocket-consultant.com");
  // Certificates xcert makes itself must match exactly.
  EXPECT_EQ(Evaluate(WantMail({"S"}), CorpCa(), answer, Now()).size(), 2u);
}

IssuerFacts AcmeIssuer() {
  IssuerFacts f;
  f.name = "letsencrypt";
  f.type = IssuerType::kAcme;
  f.acme_challenge = "http-01 on :80";
  return f;
}

DesiredCertificate WantAcme(std::vector<std::string> servers) {
  DesiredCertificate want = WantMail(std::move(servers));
  want.issuer = "letsencrypt";
  want.issuer_type = IssuerType::kAcme;
  return want;
}

TEST(DiffTest, AcmeCertificatesAreIssuedOnceAndAnyCaForTheNamesSatisfiesThem) {
  ActualState actual{{"MailServer21", MailboxServer("MailServer21", "a.pocket-consultant.com")},
                     {"MailServer22", MailboxServer("MailServer22", "b.pocket-consultant.com")}};
  const DiffResult r =
      Diff(DesiredOf({WantAcme({"MailServer21", "MailServer22"})}, {AcmeIssuer()}), actual, Now());
  EXPECT_EQ(ChangeAt(r, "MailServer21/certificate/mail").provision, Provision::kImportIssued);
  EXPECT_EQ(ChangeAt(r, "MailServer22/certificate/mail").provision, Provision::kImportIssued);

  // The ACME server picks (and changes) its intermediate, may add names, and
  // may leave the subject empty: each of those still satisfies the entry.
  CertificateInfo issued = GoodMail("A1");
  issued.issuer = "CN=R11, O=Let's Encrypt, C=US";
  issued.authority_key_id = "C5CF46A4EAF4C3C07A6C95C42DB05E922F26E3B9";
  EXPECT_TRUE(Evaluate(WantAcme({"S"}), AcmeIssuer(), issued, Now()).empty());
  issued.subject = "";
  EXPECT_TRUE(Evaluate(WantAcme({"S"}), AcmeIssuer(), issued, Now()).empty())
      << "Let's Encrypt's profiles without a CN";
  // A self-signed certificate, or one that misses a name, does not.
  const auto self = Evaluate(WantAcme({"S"}), AcmeIssuer(), SelfSigned(GoodMail("B1")), Now());
  ASSERT_EQ(self.size(), 1u);
  EXPECT_EQ(self[0].detail,
            "self-signed, wants a certificate from the ACME server of issuer letsencrypt");
  issued.dns_names = {"mail.pocket-consultant.com"};
  const auto partial = Evaluate(WantAcme({"S"}), AcmeIssuer(), issued, Now());
  ASSERT_EQ(partial.size(), 1u);
  EXPECT_EQ(partial[0].detail, "does not cover autodiscover.pocket-consultant.com");
}

TEST(DiffTest, PruneRemovesOnlyUnprotectedUnboundCertificates) {
  ServerState s = MailboxServer("MailServer21", "a.pocket-consultant.com");
  Put(&s, GoodMail());
  BindAll(&s, Thumb("M1"),
          ServiceSet{Service::kIis, Service::kImap, Service::kPop, Service::kSmtp});
  CertificateInfo stray = SelfSigned(Cert("OLD", "CN=localhost", {"localhost"}));
  Put(&s, stray);
  CertificateInfo wmsvc = SelfSigned(Cert("WMS", "CN=WMSvc-SHA2-MailServer21", {}));
  Put(&s, wmsvc);
  Desired desired = DesiredOf({WantMail({"MailServer21"})}, {CorpCa()});
  desired.prune = true;
  const DiffResult r = Diff(desired, {{"MailServer21", s}}, Now());
  std::map<std::string, std::string> verdict;
  for (const UnmanagedCertificate& u : r.unmanaged) {
    verdict[u.certificate.thumbprint] = u.remove ? "remove" : u.protection;
  }
  EXPECT_EQ(verdict[Thumb("OLD")], "remove");
  EXPECT_EQ(verdict[Thumb("WMS")], "it is the IIS Web Management Service (WMSvc) certificate");
  EXPECT_EQ(verdict[Thumb("AUTHMailServer21")], "it is the current Auth (OAuth) certificate");
  EXPECT_EQ(verdict[Thumb("DEFMailServer21")], "it is bound to the Exchange Back End site (:444)");
}

// An old certificate that expired while it still serves SMTP: a warning
// (not drift: the manifest's certificate is fine) that says what removes it.
TEST(DiffTest, AnExpiredCertificateThatStillServesIsAWarningWithTheWayOut) {
  ServerState s = MailboxServer("MailServer21", "a.pocket-consultant.com");
  Put(&s, GoodMail());
  BindAll(&s, Thumb("M1"),
          ServiceSet{Service::kIis, Service::kImap, Service::kPop, Service::kSmtp});
  CertificateInfo old = GoodMail("OLD");
  old.not_after = Day(2026, 11, 1);
  Put(&s, old);
  s.bindings.smtp.push_back(old.thumbprint);
  CertificateInfo unbound = GoodMail("UNB");  // expired, serves nothing: no warning
  unbound.not_after = Day(2026, 10, 1);
  Put(&s, unbound);
  Desired desired = DesiredOf({WantMail({"MailServer21"})}, {CorpCa()});
  DiffResult r = Diff(desired, {{"MailServer21", s}}, Now());
  EXPECT_FALSE(r.HasDrift());
  const std::string head = "MailServer21: " + Thumb("OLD").substr(0, 8) +
                           "… (CN=mail.pocket-consultant.com) expired on 2026-11-01 and still "
                           "serves SMTP; clients that get it fail TLS (Exchange shows it as "
                           "DateInvalid); ";
  EXPECT_THAT(r.warnings, ElementsAre(head + "set prune: true to remove it after a backup, or "
                                             "remove it by hand"));
  desired.prune = true;
  r = Diff(desired, {{"MailServer21", s}}, Now());
  EXPECT_THAT(r.warnings, ElementsAre(head + "apply removes it (prune: true), after a backup"));
  s.bindings.internal_transport = old.thumbprint;
  r = Diff(desired, {{"MailServer21", s}}, Now());
  EXPECT_THAT(r.warnings,
              ElementsAre(head + "prune cannot remove it: it is the internal transport (default "
                                 "SMTP) certificate; move that to a valid certificate first"));
}

TEST(DiffTest, IncompleteStoreBlocksItsServer) {
  ServerState s = MailboxServer("MailServer21", "a.pocket-consultant.com");
  s.problems = {"/store/MailServer21/certificates/ABC/cert.pem: not a certificate"};
  const DiffResult r =
      Diff(DesiredOf({WantMail({"MailServer21"})}, {CorpCa()}), {{"MailServer21", s}}, Now());
  ASSERT_EQ(r.blocked.size(), 1u);
  EXPECT_EQ(r.blocked[0].reason,
            "the store of MailServer21 could not be read completely: "
            "/store/MailServer21/certificates/ABC/"
            "cert.pem: not a certificate; no step touches this server until it reads cleanly");
  EXPECT_TRUE(r.HasDrift());
}

TEST(DiffTest, MissingStoreIsBlocked) {
  const DiffResult r = Diff(DesiredOf({WantMail({"MailServer21"})}, {CorpCa()}), {}, Now());
  ASSERT_EQ(r.blocked.size(), 1u);
  EXPECT_THAT(r.blocked[0].reason, ::testing::HasSubstr("the store of MailServer21 was not found"));
}

TEST(DiffTest, ReplacingTheDefaultSmtpCertificateIsExplicit) {
  ServerState s = MailboxServer("MailServer21", "a.pocket-consultant.com");
  Put(&s, GoodMail());
  BindAll(&s, Thumb("M1"),
          ServiceSet{Service::kIis, Service::kImap, Service::kPop, Service::kSmtp});
  DesiredCertificate want = WantMail({"MailServer21"});
  want.replace_default_smtp = true;
  const DiffResult r = Diff(DesiredOf({want}, {CorpCa()}), {{"MailServer21", s}}, Now());
  const Change& smtp = ChangeAt(r, "MailServer21/binding/SMTP");
  EXPECT_EQ(smtp.current, Thumb("DEFMailServer21"));
  EXPECT_EQ(smtp.target, Thumb("M1"));
}

}  // namespace
}  // namespace xcert
