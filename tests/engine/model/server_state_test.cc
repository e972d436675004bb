#include "engine/model/server_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/model_fixtures.h"

namespace xcert {
namespace {

using namespace xcert::testing;
using ::testing::Contains;
using ::testing::Pair;

// A 2019 Mailbox server as store init makes it, plus an extra "mail"
// certificate serving nothing yet.
class ServerStateTest : public ::testing::Test {
 protected:
  ServerStateTest() : s_(MailboxServer("MailServer21", "mailserver21.pocket-consultant.com")) {
    Put(&s_, Cert("MAIL", "CN=mail.pocket-consultant.com", {"mail.pocket-consultant.com"}));
  }
  std::string def() const { return Thumb("DEFMailServer21"); }
  std::string auth() const { return Thumb("AUTHMailServer21"); }
  std::string mail() const { return Thumb("MAIL"); }
  ServerState s_;
};

TEST_F(ServerStateTest, ServicesFollowTheBindings) {
  const Bindings& b = s_.bindings;
  EXPECT_EQ(b.ServicesOf(def()).ToLetters(), "IP.WS..");
  EXPECT_TRUE(b.ServicesOf(mail()).empty());
  EXPECT_TRUE(b.ServicesOf(auth()).empty()) << "Auth is a reference, not a service";
  EXPECT_TRUE(b.ServicesOf("").empty()) << "an empty binding is nobody's";
  Bindings um;
  um.um = um.um_call_router = mail();
  EXPECT_EQ(um.ServicesOf(mail()).ToString(), "UM, UMCallRouter");
}

TEST_F(ServerStateTest, InternalTransportAloneCountsAsSmtp) {
  Bindings b;
  b.internal_transport = mail();
  EXPECT_EQ(b.ServicesOf(mail()).ToString(), "SMTP");
}

TEST_F(ServerStateTest, HolderOfExclusiveServices) {
  s_.bindings.iis = mail();
  EXPECT_EQ(s_.bindings.HolderOf(Service::kIis), mail());
  EXPECT_EQ(s_.bindings.HolderOf(Service::kImap), def());
  EXPECT_EQ(s_.bindings.HolderOf(Service::kPop), def());
  EXPECT_EQ(s_.bindings.HolderOf(Service::kUm), "");
  EXPECT_EQ(s_.bindings.HolderOf(Service::kSmtp), "") << "SMTP is a set, not one holder";
}

TEST_F(ServerStateTest, ProtectionExplainsWhyACertificateMustStay) {
  Bindings b;
  b.auth_current = "A";
  b.auth_next = "N";
  b.iis_back_end = "B";
  b.internal_transport = "T";
  b.connector_refs = {"C"};
  b.iis = "I";
  b.imap = "I";
  b.smtp = {"S", "I"};
  EXPECT_EQ(b.ProtectionOf("A"), "it is the current Auth (OAuth) certificate");
  EXPECT_EQ(b.ProtectionOf("N"), "it is the next Auth (OAuth) certificate");
  EXPECT_EQ(b.ProtectionOf("B"), "it is bound to the Exchange Back End site (:444)");
  EXPECT_EQ(b.ProtectionOf("T"), "it is the internal transport (default SMTP) certificate");
  EXPECT_EQ(b.ProtectionOf("C"), "a connector names it in TlsCertificateName");
  EXPECT_EQ(b.ProtectionOf("I"), "it still serves IMAP, IIS") << "SMTP is not listed";
  EXPECT_EQ(b.ProtectionOf("S"), "") << "SMTP alone does not protect a certificate";
  EXPECT_EQ(b.ProtectionOf("unbound"), "");
  EXPECT_EQ(b.ProtectionOf(""), "");
}

TEST_F(ServerStateTest, TheDefaultCertificateIsProtectedFirstByItsStrongestReference) {
  // Bound to the back end, internal transport and IIS: the back end is named.
  EXPECT_EQ(s_.bindings.ProtectionOf(def()), "it is bound to the Exchange Back End site (:444)");
  EXPECT_EQ(s_.bindings.ProtectionOf(auth()), "it is the current Auth (OAuth) certificate");
  EXPECT_EQ(s_.bindings.ProtectionOf(mail()), "");
}

TEST_F(ServerStateTest, FindByThumbprintSortedOrNot) {
  ASSERT_NE(s_.Find(mail()), nullptr);
  EXPECT_EQ(s_.Find(mail())->subject, "CN=mail.pocket-consultant.com");
  EXPECT_EQ(s_.Find(Thumb("NOPE")), nullptr);
  EXPECT_EQ(s_.Find(""), nullptr);
  std::reverse(s_.certificates.begin(), s_.certificates.end());
  ASSERT_NE(s_.Find(def()), nullptr);
  EXPECT_EQ(s_.Find(def())->friendly_name, "Microsoft Exchange");
}

TEST_F(ServerStateTest, ProblemsMakeAServerIncomplete) {
  EXPECT_TRUE(s_.complete());
  s_.problems.push_back("/store/MailServer21/certs/X.json: damaged");
  EXPECT_FALSE(s_.complete());
}

TEST_F(ServerStateTest, ObservedSummaryNamesCertificatesBindingsAndProblems) {
  s_.certificates[0].pending_request = true;  // whichever sorts first
  s_.problems.push_back("certs/X.json: damaged");
  s_.bindings.connector_refs = {mail()};
  const auto summary = ObservedSummary(s_);
  EXPECT_THAT(summary,
              Contains(Pair("certificate/" + def(), "services=IP.WS.. key=non-exportable")));
  EXPECT_THAT(summary, Contains(Pair("certificate/" + mail(), "services=....... key=exportable")));
  EXPECT_THAT(summary, Contains(Pair("binding/IIS", def())));
  EXPECT_THAT(summary, Contains(Pair("binding/IISBackEnd", def())));
  EXPECT_THAT(summary, Contains(Pair("binding/InternalTransport", def())));
  EXPECT_THAT(summary, Contains(Pair("binding/AuthCurrent", auth())));
  EXPECT_THAT(summary, Contains(Pair("binding/SMTP/" + def(), "yes")));
  EXPECT_THAT(summary, Contains(Pair("binding/Connector/" + mail(), "yes")));
  EXPECT_THAT(summary, Contains(Pair("problem/certs/X.json: damaged", "unreadable")));
  EXPECT_EQ(summary.count("binding/UM"), 0u) << "empty bindings are not listed";
  const std::string first = "certificate/" + s_.certificates[0].thumbprint;
  EXPECT_THAT(summary.at(first), ::testing::EndsWith(" pending"));
}

TEST_F(ServerStateTest, ObservedSummaryMarksKeylessAndUnknownCertificates) {
  CertificateInfo raw = Cert("RAW", "CN=raw", {});
  raw.has_private_key = false;
  raw.attributes_known = false;
  Put(&s_, raw);
  EXPECT_EQ(ObservedSummary(s_).at("certificate/" + Thumb("RAW")),
            "services=....... key=none attributes=unknown");
}

TEST_F(ServerStateTest, FingerprintIsStableAndIgnoresListingOrder) {
  const std::string fp = s_.Fingerprint();
  EXPECT_EQ(fp.size(), 16u);
  EXPECT_EQ(fp.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(s_.Fingerprint(), fp);
  ServerState reordered = s_;
  std::reverse(reordered.certificates.begin(), reordered.certificates.end());
  EXPECT_EQ(reordered.Fingerprint(), fp);
}

TEST_F(ServerStateTest, FingerprintChangesWithAnythingThePlanReliesOn) {
  const std::string fp = s_.Fingerprint();
  std::vector<std::pair<std::string, ServerState>> variants;
  {
    ServerState v = s_;
    BindAll(&v, mail(), ServiceSet{Service::kIis});
    variants.emplace_back("IIS moved to another certificate", v);
  }
  {
    ServerState v = s_;
    v.certificates[0].exportable = !v.certificates[0].exportable;
    variants.emplace_back("a key became (non-)exportable", v);
  }
  {
    ServerState v = s_;
    Put(&v, Cert("NEW", "CN=new", {}));
    variants.emplace_back("a certificate was imported", v);
  }
  {
    ServerState v = s_;
    v.certificates.pop_back();
    variants.emplace_back("a certificate was removed", v);
  }
  {
    ServerState v = s_;
    v.bindings.auth_next = mail();
    variants.emplace_back("an Auth certificate was scheduled", v);
  }
  {
    ServerState v = s_;
    v.problems.push_back("x: damaged");
    variants.emplace_back("the store became unreadable", v);
  }
  for (const auto& [what, v] : variants) EXPECT_NE(v.Fingerprint(), fp) << what;
}

}  // namespace
}  // namespace xcert
