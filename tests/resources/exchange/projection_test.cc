#include "resources/exchange/projection.h"

#include <gtest/gtest.h>

#include "engine/util/strings.h"
#include "resources/x509/builder.h"
#include "resources/x509/digest.h"
#include "resources/x509/pem.h"

namespace xcert::exchange {
namespace {

using nlohmann::json;

TimePoint Day(int y, unsigned m, unsigned d) {
  return TimePoint(
      std::chrono::sys_days(std::chrono::year(y) / std::chrono::month(m) / std::chrono::day(d)));
}

x509::PrivateKey Key() {
  static const x509::PrivateKey key =
      x509::PrivateKey::Generate(KeySpec{KeyAlgorithm::kEcdsa, 0, EcCurve::kP256, false}).value();
  return key;
}

std::string SelfSigned(const std::string& subject, std::vector<std::string> names,
                       TimePoint not_after = Day(2030, 1, 1),
                       TimePoint not_before = Day(2025, 1, 1)) {
  return x509::SelfSign({subject, std::move(names), not_before, not_after}, Key()).value();
}

// A certificate signed by a CA (not self-signed), for the IMAP/POP tie-break.
std::string CaSigned(const std::string& subject, std::vector<std::string> names,
                     TimePoint not_after) {
  static const std::string ca = [] {
    x509::CertificateTemplate t{"CN=Corp CA", {}, Day(2024, 1, 1), Day(2040, 1, 1)};
    t.is_ca = true;
    return x509::SelfSign(t, Key()).value();
  }();
  return x509::SignWithCa({subject, std::move(names), Day(2025, 1, 1), not_after},
                          Key().PublicKeyDer(), ca, Key())
      .value();
}

ProjectedCertificate Entry(const std::string& der, int services,
                           const std::vector<std::string>& iis = {}) {
  ProjectedCertificate c;
  c.thumbprint = x509::Sha1Hex(der);
  c.raw_data = der;
  c.attributes_known = true;
  c.services = services;
  c.status = "Valid";
  c.root_ca_type = "Registry";
  c.has_private_key = true;
  c.private_key_exportable = false;
  c.friendly_name = "Microsoft Exchange";
  c.iis_services = iis;
  return c;
}

TEST(ProjectionJsonTest, RoundTripsEveryField) {
  Projection p;
  p.server = ProjectedServer{
      "EX01", "ex01.contoso.com", "Version 15.2 (Build 1118.7)", "Mailbox", false, true, true, true,
      false};
  p.local = true;
  p.certificates.push_back(
      Entry(SelfSigned("CN=EX01", {"EX01", "ex01.contoso.com"}), 27, {"IIS://EX01/W3SVC/1"}));
  ProjectedCertificate raw_only;
  raw_only.thumbprint = "AB";
  raw_only.raw_data = "der";
  p.certificates.push_back(raw_only);
  p.auth_config = ProjectedAuthConfig{"A1", "B2", "2023-02-03T14:16:02Z"};
  p.internal_transport = "C3";
  p.web_bindings = std::vector<ProjectedWebBinding>{{"Default Web Site", "*:443:", "D4", "My"}};
  p.pop_certificate_name = "mail.contoso.com";
  p.imap_certificate_name = "";
  p.um_thumbprint = "E5";
  p.connectors = std::vector<ProjectedConnector>{{"Send", "Outbound", "<I>CN=CA<S>CN=mail"}};
  p.problems = {"Get-AuthConfig: Access is denied"};
  p.source = {{"ImportedBy", "test"}};
  const json j = ProjectionToJson(p);
  EXPECT_EQ(j["Format"], "xcert-exchange-projection");
  EXPECT_EQ(j["Certificates"][1].size(), 5u) << "a RawData-only entry has no attribute members";
  EXPECT_TRUE(j["UMCallRouterCertificateThumbprint"].is_null());
  Result<Projection> back = ProjectionFromJson(j);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, p);
}

TEST(ProjectionJsonTest, AcceptsWhatPowerShellWrites) {
  // ConvertTo-Json writes one-element arrays as arrays only when built with
  // @(); a lone string and nulls must still read.
  const json j =
      json::parse(R"({"Format":"xcert-exchange-projection","Version":1,"Server":null,"Local":false,
      "Certificates":{"Thumbprint":"AB","RawData":null,"AttributesKnown":true,"Services":16,"Status":"Valid",
        "RootCAType":"None","PrivateKeyExportable":true,"HasPrivateKey":true,"FriendlyName":null,
        "IISServices":"IIS://EX01/W3SVC/1","CertificateRequest":""},
      "AuthConfig":null,"InternalTransportCertificateThumbprint":"","WebBindings":null,"PopSettings":null,
      "ImapSettings":null,"UMCertificateThumbprint":null,"UMCallRouterCertificateThumbprint":null,
      "Connectors":null,"Problems":[]})");
  Result<Projection> p = ProjectionFromJson(j);
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->certificates.size(), 1u);
  EXPECT_EQ(p->certificates[0].iis_services, std::vector<std::string>{"IIS://EX01/W3SVC/1"});
  EXPECT_EQ(p->certificates[0].friendly_name, "");
  EXPECT_EQ(p->internal_transport, std::optional<std::string>(""));
  EXPECT_FALSE(p->web_bindings.has_value());
}

TEST(ProjectionJsonTest, ErrorsNameThePath) {
  json j = ProjectionToJson(Projection{});
  j["Certificates"] =
      json::array({{{"Thumbprint", "AB"}, {"AttributesKnown", true}, {"Services", "IIS"}}});
  EXPECT_EQ(ProjectionFromJson(j).status().message(),
            "Certificates[0].Services: expected an integer");
  j = ProjectionToJson(Projection{});
  j["Format"] = "something-else";
  EXPECT_EQ(ProjectionFromJson(j).status().message(),
            "Format: expected \"xcert-exchange-projection\", found \"something-else\"");
  j = ProjectionToJson(Projection{});
  j["Version"] = 2;
  EXPECT_EQ(ProjectionFromJson(j).status().message(),
            "Version 2 was written by a newer xcert (this one reads 1); upgrade xcert");
  EXPECT_EQ(ProjectionFromJson(json::array()).status().message(),
            "expected a JSON object (the projection)");
}

// A certificate recorded as RawData only may hold IIS, IMAP or POP: without
// the facts that name the holders, they are unknown, not "none".
TEST(ToServerStateTest, HoldersAreUnknownWhenOnlyRawDataCouldTell) {
  const std::string def = SelfSigned("CN=EX01", {"EX01", "ex01.contoso.com"});
  Projection p;
  ProjectedCertificate raw = Entry(def, 0);
  raw.attributes_known = false;
  p.certificates = {raw};
  const ServerState s = ToServerState(p, "EX01", nullptr);
  ASSERT_EQ(s.bindings.unknown_holders.size(), 3u);
  EXPECT_NE(s.bindings.unknown_holders.at(Service::kIis).find("--web-bindings"), std::string::npos);
  EXPECT_NE(s.bindings.unknown_holders.at(Service::kImap).find("export them again"),
            std::string::npos);
  EXPECT_EQ(ObservedSummary(s).at("binding/IIS"), "unknown");

  p.web_bindings = std::vector<ProjectedWebBinding>{};
  p.imap_certificate_name = "ex01.contoso.com";
  p.pop_certificate_name = "ex01.contoso.com";
  const ServerState told = ToServerState(p, "EX01", nullptr);
  EXPECT_TRUE(told.bindings.unknown_holders.empty())
      << "the bindings and the POP/IMAP names were recorded";
  EXPECT_EQ(told.bindings.imap, x509::Sha1Hex(def)) << "the name covers the RawData's DNS names";

  p.certificates = {Entry(def, 27, {"IIS://EX01/W3SVC/1"})};
  p.web_bindings.reset();
  p.imap_certificate_name.reset();
  p.pop_certificate_name.reset();
  EXPECT_TRUE(ToServerState(p, "EX01", nullptr).bindings.unknown_holders.empty())
      << "known attributes name the holders";
}

TEST(ToServerStateTest, DerivesTheBindingsLikeExchange) {
  const std::string def = SelfSigned("CN=EX01", {"EX01", "ex01.contoso.com"});
  const std::string mail = CaSigned(
      "CN=mail.contoso.com", {"mail.contoso.com", "autodiscover.contoso.com"}, Day(2027, 1, 1));
  const std::string auth = SelfSigned("CN=Microsoft Exchange Server Auth Certificate", {});
  Projection p;
  p.server = ProjectedServer{
      "EX01", "ex01.contoso.com", "Version 15.1 (Build 2507.6)", "Mailbox", false, true, true, true,
      true};
  p.certificates = {Entry(def, 27, {"IIS://EX01/W3SVC/2"}), Entry(mail, 27, {"IIS://EX01/W3SVC/1"}),
                    Entry(auth, 16)};
  p.web_bindings = std::vector<ProjectedWebBinding>{
      {"Default Web Site", "127.0.0.1:443:", x509::Sha1Hex(def), "My"},
      {"Default Web Site", "*:443:", ToLower(x509::Sha1Hex(mail)), "My"},
      {"Exchange Back End", "*:444:", x509::Sha1Hex(def), "My"},
      {"Default Web Site", "*:8443:", "FF", "My"}};
  p.pop_certificate_name = "mail.contoso.com";
  p.imap_certificate_name = "EX01";
  p.internal_transport = ToLower(x509::Sha1Hex(def));
  p.auth_config = ProjectedAuthConfig{x509::Sha1Hex(auth), "", ""};
  p.connectors = std::vector<ProjectedConnector>{
      {"Receive", "EX01\\Default Frontend EX01", "<I>CN=Corp CA<S>CN=mail.contoso.com"},
      {"Send", "Broken", "CN=mail.contoso.com"},
      {"Send", "Unset", ""}};
  const ServerState s = ToServerState(p, "EX01", nullptr);
  EXPECT_TRUE(s.problems.empty()) << ::testing::PrintToString(s.problems);
  EXPECT_EQ(s.bindings.iis, x509::Sha1Hex(mail)) << "the *:443: binding wins over 127.0.0.1:443:";
  EXPECT_EQ(s.bindings.iis_back_end, x509::Sha1Hex(def));
  EXPECT_EQ(s.bindings.pop, x509::Sha1Hex(mail));
  EXPECT_EQ(s.bindings.imap, x509::Sha1Hex(def));
  EXPECT_EQ(s.bindings.internal_transport, x509::Sha1Hex(def));
  std::vector<std::string> smtp = {x509::Sha1Hex(def), x509::Sha1Hex(mail), x509::Sha1Hex(auth)};
  std::sort(smtp.begin(), smtp.end());
  EXPECT_EQ(s.bindings.smtp, smtp);
  EXPECT_EQ(s.bindings.auth_current, x509::Sha1Hex(auth));
  EXPECT_EQ(s.bindings.connector_refs, std::vector<std::string>{x509::Sha1Hex(mail)});
  // Services stay as Exchange recorded them (27 = IMAP, POP, IIS, SMTP for
  // both); what serves what is the bindings above.
  EXPECT_EQ(s.Find(x509::Sha1Hex(mail))->services.ToLetters(), "IP.WS..");
  EXPECT_EQ(s.Find(x509::Sha1Hex(def))->services.ToLetters(), "IP.WS..");
  EXPECT_EQ(s.identity.version, ExchangeVersion::k2016);
  EXPECT_EQ(s.identity.roles, std::vector<Role>{Role::kMailbox});
  EXPECT_EQ(s.identity.fqdn, "ex01.contoso.com");
  EXPECT_EQ(s.Find(x509::Sha1Hex(mail))->friendly_name, "Microsoft Exchange");
  EXPECT_EQ(s.Find(x509::Sha1Hex(mail))->root_ca_type, RootCaType::kRegistry);
}

TEST(ToServerStateTest, WithoutWebBindingsIisComesFromIisServices) {
  const std::string def = SelfSigned("CN=EX01", {"EX01"});
  Projection p;
  p.certificates = {Entry(def, 11, {"IIS://EX01/W3SVC/1", "IIS://EX01/W3SVC/2"})};
  const ServerState s = ToServerState(p, "EX01", nullptr);
  EXPECT_EQ(s.bindings.iis, x509::Sha1Hex(def));
  EXPECT_EQ(s.bindings.iis_back_end, x509::Sha1Hex(def));
  EXPECT_EQ(s.bindings.imap, x509::Sha1Hex(def))
      << "without POP/IMAP settings the Services flags decide";
  EXPECT_EQ(s.bindings.pop, x509::Sha1Hex(def));
  EXPECT_TRUE(s.bindings.smtp.empty());
}

TEST(ToServerStateTest, ImapAndPopPreferCaIssuedThenTheLongestLived) {
  const std::string self = SelfSigned("CN=mail.contoso.com", {"mail.contoso.com"}, Day(2035, 1, 1));
  const std::string short_lived =
      CaSigned("CN=mail.contoso.com", {"mail.contoso.com"}, Day(2026, 6, 1));
  const std::string long_lived =
      CaSigned("CN=mail2.contoso.com", {"*.contoso.com"}, Day(2027, 6, 1));
  Projection p;
  p.certificates = {Entry(self, 3), Entry(short_lived, 3), Entry(long_lived, 3)};
  p.pop_certificate_name = "mail.contoso.com";
  p.imap_certificate_name = "";
  const ServerState s = ToServerState(p, "EX01", nullptr);
  EXPECT_EQ(s.bindings.pop, x509::Sha1Hex(long_lived))
      << "the wildcard covers the name and lives longest";
  EXPECT_EQ(s.bindings.imap, "") << "X509CertificateName not set: nothing serves IMAP";
}

TEST(ToServerStateTest, AnUnreadableCertificateIsAProblemAndTheRestIsRead) {
  const std::string good = SelfSigned("CN=EX01", {"EX01"});
  Projection p;
  p.certificates = {Entry(good, 0)};
  const std::string other = SelfSigned("CN=other", {});
  ProjectedCertificate wrong = Entry(other, 0);
  wrong.thumbprint = "00112233445566778899AABBCCDDEEFF00112233";
  p.certificates.push_back(wrong);
  ProjectedCertificate garbage = Entry("not DER", 0);
  garbage.thumbprint = "ABCDEF0123456789ABCDEF0123456789ABCDEF01";
  p.certificates.push_back(garbage);
  p.certificates.push_back(Entry(good, 0));
  p.problems = {"Get-TransportService: The operation couldn't be performed"};
  const ServerState s = ToServerState(p, "EX01", nullptr);
  ASSERT_EQ(s.certificates.size(), 1u);
  ASSERT_EQ(s.problems.size(), 4u) << ::testing::PrintToString(s.problems);
  EXPECT_EQ(
      s.problems[0],
      "certificate 00112233…: Thumbprint 00112233445566778899AABBCCDDEEFF00112233 does not match "
      "its RawData (SHA-1 " +
          x509::Sha1Hex(other) + ")");
  EXPECT_TRUE(s.problems[1].starts_with("certificate ABCDEF01…: RawData: ")) << s.problems[1];
  EXPECT_EQ(s.problems[2], "certificate " + x509::Sha1Hex(good).substr(0, 8) + "… is listed twice");
  EXPECT_EQ(s.problems[3], "Get-TransportService: The operation couldn't be performed");
}

TEST(ToServerStateTest, RawDataOnlyIsPresentWithAttributesUnknown) {
  const std::string der = SelfSigned("CN=EX01", {"EX01"});
  ProjectedCertificate c;
  c.raw_data = der;
  Projection p;
  p.certificates = {c};
  const ServerState s = ToServerState(p, "EX01", nullptr);
  ASSERT_EQ(s.certificates.size(), 1u);
  EXPECT_FALSE(s.certificates[0].attributes_known);
  EXPECT_EQ(s.certificates[0].thumbprint, x509::Sha1Hex(der));
  EXPECT_EQ(s.certificates[0].subject, "CN=EX01");
  EXPECT_TRUE(s.problems.empty());
}

TEST(ToServerStateTest, APendingRequestComesFromItsCsrOrItsPlaceholder) {
  const std::string csr = x509::CreateCsr("CN=owa.contoso.com", {"owa.contoso.com"}, Key()).value();
  ProjectedCertificate pending = Entry("", 0);
  pending.thumbprint = "1234567890ABCDEF1234567890ABCDEF12345678";
  pending.status = "PendingRequest";
  pending.certificate_request = x509::Base64Encode(csr);  // bare base64, as Exchange may give it
  ProjectedCertificate recorded = Entry(SelfSigned("CN=req.contoso.com", {"req.contoso.com"}), 0);
  recorded.status = "PendingRequest";
  Projection p;
  p.certificates = {pending, recorded};
  const ServerState s = ToServerState(p, "EX01", nullptr);
  ASSERT_TRUE(s.problems.empty()) << ::testing::PrintToString(s.problems);
  const CertificateInfo* a = s.Find(pending.thumbprint);
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->pending_request);
  EXPECT_EQ(a->status, CertStatus::kPendingRequest);
  EXPECT_EQ(a->subject, "CN=owa.contoso.com");
  EXPECT_EQ(a->csr_pem, x509::ToPem("CERTIFICATE REQUEST", csr));
  EXPECT_EQ(a->public_key_sha1, Key().PublicKeySha1());
  const CertificateInfo* b = s.Find(recorded.thumbprint);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->pending_request);
  EXPECT_EQ(b->public_key_sha1, Key().PublicKeySha1())
      << "the placeholder carries the request's key";
}

TEST(ToServerStateTest, TheManifestFillsWhatTheProjectionDoesNotSay) {
  ServerSpec spec{"EX13",
                  "ex13.contoso.com",
                  {Role::kMailbox, Role::kClientAccess},
                  ExchangeVersion::k2013,
                  {}};
  const ServerState s = ToServerState(Projection{}, "EX13", &spec);
  EXPECT_EQ(s.identity.name, "EX13");
  EXPECT_EQ(s.identity.fqdn, "ex13.contoso.com");
  EXPECT_EQ(s.identity.version, ExchangeVersion::k2013);
  EXPECT_EQ(s.identity.roles, spec.roles);
}

TEST(CsrPemTest, AcceptsPemOfAnyLabelAndBareBase64) {
  const std::string csr = x509::CreateCsr("CN=owa.contoso.com", {}, Key()).value();
  const std::string pem = x509::ToPem("CERTIFICATE REQUEST", csr);
  EXPECT_EQ(CsrPem(x509::ToPem("NEW CERTIFICATE REQUEST", csr)).value(), pem);
  EXPECT_EQ(CsrPem(x509::Base64Encode(csr) + "\r\n").value(), pem);
  EXPECT_EQ(CsrPem("").status().message(), "the pending request has no CertificateRequest");
  EXPECT_EQ(CsrPem("@@@").status().message(), "CertificateRequest is not base64");
}

TEST(CertificateDomainsTest, CnFirstWhenItIsADnsNameThenTheSans) {
  CertificateInfo c;
  c.subject = "CN=mail.contoso.com, O=Contoso";
  c.dns_names = {"autodiscover.contoso.com", "MAIL.contoso.com"};
  EXPECT_EQ(CertificateDomains(c),
            (std::vector<std::string>{"mail.contoso.com", "autodiscover.contoso.com"}));
  c.subject = "CN=Microsoft Exchange Server Auth Certificate";
  c.dns_names = {};
  EXPECT_TRUE(CertificateDomains(c).empty());
}

TEST(TlsCertificateNameOfTest, IsIssuerThenSubject) {
  CertificateInfo c;
  c.subject = "CN=mail.contoso.com";
  c.issuer = "CN=Corp CA, O=Contoso";
  EXPECT_EQ(TlsCertificateNameOf(c), "<I>CN=Corp CA, O=Contoso<S>CN=mail.contoso.com");
}

TEST(EnumNamesTest, ParseExchangeNames) {
  EXPECT_EQ(ParseCertStatus("PendingRequest"), CertStatus::kPendingRequest);
  EXPECT_EQ(ParseCertStatus("dateinvalid"), CertStatus::kDateInvalid);
  EXPECT_EQ(ParseCertStatus("7"), CertStatus::kUnknown);
  EXPECT_EQ(ParseRootCaType("ThirdParty"), RootCaType::kThirdParty);
  EXPECT_EQ(ParseRootCaType(""), RootCaType::kUnknown);
}

}  // namespace
}  // namespace xcert::exchange
