// THE Store contract (engine/apply/store.h, design §2): one parameterized
// suite that every Store implementation passes. A store under test starts as
// Exchange setup leaves a server (setup_certificates.h): the "Microsoft
// Exchange" certificate (IIS front and back end, IMAP, POP, SMTP, internal
// transport), the Auth certificate and WMSvc.
//
// Use: include this header in exactly one .cc of a test binary and
//   INSTANTIATE_TEST_SUITE_P(Mine, StoreContractTest,
//       ::testing::Values(StoreFactory{"Mine", [](const ServerSeed& seed) { ... }}),
//       StoreFactoryName);
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "engine/apply/store.h"
#include "tests/resources/store/store_test_util.h"

namespace xcert::store::testing {

struct StoreUnderTest {
  std::unique_ptr<Store> store;
  std::shared_ptr<void> owner;  // keeps what the store needs alive (temp dirs, fakes)
};

struct StoreFactory {
  std::string name;
  // A fresh store of seed.identity.name holding exactly `seed`.
  std::function<StoreUnderTest(const ServerSeed& seed)> make;
  // Why the store cannot run on this machine (a tool it needs is missing),
  // or nullopt; each test then skips with that line.
  std::function<std::optional<std::string>()> unavailable = nullptr;
  // The store takes RSA keys only (the Exchange store: New-ExchangeCertificate
  // makes no other, Get-ExchangeCertificate lists no other).
  bool rsa_keys = false;
  // The store is Exchange itself (xcert's scripts over the simulator), where
  // a few things differ from the model the other stores keep: a self-signed
  // certificate is valid 60 months whatever was asked; a pending request's
  // id is Exchange's thumbprint, not the SHA-1 of its CSR; enabling IMAP or
  // POP lets NETWORK SERVICE read the key, so the certificate shows SMTP
  // too; an export holds no CA certificates.
  bool exchange = false;
};

inline std::string StoreFactoryName(const ::testing::TestParamInfo<StoreFactory>& info) {
  return info.param.name;
}

// The factory's name in test output (not its bytes).
inline void PrintTo(const StoreFactory& factory, std::ostream* os) { *os << factory.name; }

class StoreContractTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    if (!GetParam().unavailable) return;
    if (std::optional<std::string> why = GetParam().unavailable()) GTEST_SKIP() << *why;
  }
  // The key a test's certificates get: ECDSA P-256, or RSA 2048 where the
  // store takes RSA only.
  KeySpec NewKey(bool exportable = false) const {
    return GetParam().rsa_keys ? KeySpec{KeyAlgorithm::kRsa, 2048, EcCurve::kNone, exportable}
                               : Ec(exportable);
  }
  // A fresh store for a server like `id`, as Exchange setup left it.
  Store& Open(const ServerIdentity& id = Mailbox()) {
    seed_ = &SetupSeed(id);
    under_test_ = GetParam().make(*seed_);
    EXPECT_TRUE(under_test_.store) << "the factory made no store";
    return *under_test_.store;
  }
  // A certificate of the test CA with a key as NewKey gives.
  Issued Issue(const std::string& subject = "CN=mail.pocket-consultant.com",
               const std::vector<std::string>& dns_names = {"mail.pocket-consultant.com"},
               TimePoint not_before = Now() - std::chrono::hours(1),
               TimePoint not_after = Now() + std::chrono::hours(24 * 365)) const {
    Issued out;
    Result<x509::PrivateKey> key = x509::PrivateKey::Generate(NewKey());
    EXPECT_TRUE(key.ok()) << key.status().message();
    if (key.ok()) out.key = *key;
    out.der = IssueLeaf(subject, dns_names, out.key.PublicKeyDer(), not_before, not_after);
    out.thumbprint = x509::Sha1Hex(out.der);
    return out;
  }
  std::string DefaultCert() const { return SeedThumbprint(*seed_, kDefaultFriendlyName); }
  std::string AuthCert() const { return SeedThumbprint(*seed_, kAuthFriendlyName); }
  std::string WmsvcCert() const { return SeedThumbprint(*seed_, kWmsvcFriendlyName); }

  static CertificateInfo Must(const Result<std::optional<CertificateInfo>>& r) {
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (!r.ok() || !r->has_value()) {
      ADD_FAILURE() << "certificate not found";
      return {};
    }
    return **r;
  }
  static ServerState MustList(Store& s) {
    Result<ServerState> r = s.List();
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : ServerState{};
  }
  std::string MustCreate(Store& s, const std::string& subject = "CN=mail.pocket-consultant.com",
                         bool exportable = true) const {
    CreateRequest r{
        subject, {"mail.pocket-consultant.com"}, NewKey(exportable), Seconds(86400 * 90), "mail",
        false};
    Result<CreateResult> created = s.Create(r);
    EXPECT_TRUE(created.ok()) << created.status().message();
    return created.ok() ? created->certificate.thumbprint : "";
  }
  static std::string MustImport(Store& s, const std::string& data, const std::string& password = "",
                                bool exportable = false) {
    Result<CertificateInfo> imported = s.Import({data, password, exportable, ""});
    EXPECT_TRUE(imported.ok()) << imported.status().message();
    return imported.ok() ? imported->thumbprint : "";
  }

  const ServerSeed* seed_ = nullptr;
  StoreUnderTest under_test_;
};

// --- List and Get ---

TEST_P(StoreContractTest, ListShowsWhatSetupCreated) {
  Store& s = Open();
  EXPECT_EQ(s.server(), "MailServer21");
  const ServerState state = MustList(s);
  EXPECT_TRUE(state.problems.empty()) << ::testing::PrintToString(state.problems);
  ASSERT_EQ(state.certificates.size(), 3u);
  const CertificateInfo* main = state.Find(DefaultCert());
  ASSERT_NE(main, nullptr);
  EXPECT_EQ(main->subject, "CN=MailServer21");
  EXPECT_EQ(main->dns_names,
            (std::vector<std::string>{"MailServer21", "MailServer21.pocket-consultant.com"}));
  EXPECT_EQ(main->services.ToLetters(), "IP.WS..");
  EXPECT_TRUE(main->has_private_key);
  EXPECT_FALSE(main->exportable);
  EXPECT_EQ(main->friendly_name, "Microsoft Exchange");
  EXPECT_TRUE(main->self_signed);
  EXPECT_EQ(main->status, CertStatus::kValid);
  const CertificateInfo* auth = state.Find(AuthCert());
  ASSERT_NE(auth, nullptr);
  EXPECT_EQ(auth->services.ToLetters(), ".......");
  EXPECT_TRUE(auth->exportable);
  EXPECT_TRUE(auth->dns_names.empty());
  EXPECT_EQ(state.bindings.iis, DefaultCert());
  EXPECT_EQ(state.bindings.iis_back_end, DefaultCert());
  EXPECT_EQ(state.bindings.internal_transport, DefaultCert());
  EXPECT_EQ(state.bindings.auth_current, AuthCert());
  EXPECT_EQ(state.identity.roles, std::vector<Role>{Role::kMailbox});
}

TEST_P(StoreContractTest, ListIsSortedByThumbprint) {
  Store& s = Open();
  for (int i = 0; i < 3; ++i)
    MustCreate(s, "CN=sorted" + std::to_string(i) + ".pocket-consultant.com");
  const ServerState state = MustList(s);
  ASSERT_EQ(state.certificates.size(), 6u);
  EXPECT_TRUE(std::is_sorted(state.certificates.begin(), state.certificates.end(),
                             [](const CertificateInfo& a, const CertificateInfo& b) {
                               return a.thumbprint < b.thumbprint;
                             }));
}

TEST_P(StoreContractTest, GetIsCaseInsensitiveAndAcceptsTheSpacedForm) {
  Store& s = Open();
  std::string lower = DefaultCert();
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  EXPECT_EQ(Must(s.Get(lower)).thumbprint, DefaultCert());
  std::string spaced;
  for (size_t i = 0; i < DefaultCert().size(); i += 2)
    spaced += (i ? " " : "") + DefaultCert().substr(i, 2);
  EXPECT_EQ(Must(s.Get(spaced)).services.ToLetters(), "IP.WS..");
  Result<std::optional<CertificateInfo>> absent = s.Get(std::string(40, 'A'));
  ASSERT_TRUE(absent.ok()) << absent.status().message();
  EXPECT_FALSE(absent->has_value());
}

// --- Create ---

TEST_P(StoreContractTest, CreateSelfSignedHasTheRequestedAttributes) {
  Store& s = Open();
  CreateRequest r{"CN=mail.pocket-consultant.com, O=Pocket Consultant",
                  {"mail.pocket-consultant.com", "autodiscover.pocket-consultant.com"},
                  NewKey(true),
                  Seconds(86400 * 90),
                  "Mail 2026",
                  false};
  Result<CreateResult> created = s.Create(r);
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_TRUE(created->csr_pem.empty());
  const CertificateInfo c = Must(s.Get(created->certificate.thumbprint));
  EXPECT_EQ(c.subject, "CN=mail.pocket-consultant.com, O=Pocket Consultant");
  EXPECT_EQ(c.dns_names, r.dns_names);
  EXPECT_EQ(c.key_algorithm, r.key.algorithm);
  EXPECT_EQ(c.curve, r.key.curve);
  EXPECT_TRUE(c.has_private_key);
  EXPECT_TRUE(c.exportable);
  EXPECT_EQ(c.friendly_name, "Mail 2026");
  EXPECT_TRUE(c.self_signed);
  EXPECT_FALSE(c.pending_request);
  EXPECT_TRUE(c.services.empty());
  if (GetParam().exchange) {
    // New-ExchangeCertificate has no validity parameter.
    EXPECT_EQ(std::chrono::duration_cast<Seconds>(c.not_after - c.not_before).count() / 86400 / 30,
              60)
        << "about 60 months";
  } else {
    EXPECT_EQ(c.not_after - c.not_before, Seconds(86400 * 90));
  }
  EXPECT_EQ(c.thumbprint, x509::Sha1Hex(c.der));
}

TEST_P(StoreContractTest, CreateRsaNonExportable) {
  Store& s = Open();
  CreateRequest r{"CN=rsa.pocket-consultant.com",
                  {"rsa.pocket-consultant.com"},
                  KeySpec{},
                  Seconds(86400 * 30),
                  "",
                  false};
  Result<CreateResult> created = s.Create(r);
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(created->certificate.key_algorithm, KeyAlgorithm::kRsa);
  EXPECT_EQ(created->certificate.key_bits, 2048);
  EXPECT_FALSE(created->certificate.exportable);
}

TEST_P(StoreContractTest, CreateRefusesAFriendlyNameExchangeWouldRefuse) {
  Store& s = Open();
  CreateRequest r{"CN=a.pocket-consultant.com", {},   NewKey(), Seconds(86400),
                  std::string(64, 'x'),         false};
  Result<CreateResult> created = s.Create(r);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(
      created.status().message(),
      "New certificate 'CN=a.pocket-consultant.com' on MailServer21: the friendly name has 64 "
      "characters; Exchange allows at most 63: shorten it");
  EXPECT_EQ(MustList(s).certificates.size(), 3u);
}

TEST_P(StoreContractTest, PendingRequestIsCompletedByImportingTheCaAnswer) {
  Store& s = Open();
  CreateRequest r{"CN=owa.pocket-consultant.com",
                  {"owa.pocket-consultant.com"},
                  NewKey(true),
                  Seconds(0),
                  "OWA",
                  true};
  Result<CreateResult> created = s.Create(r);
  ASSERT_TRUE(created.ok()) << created.status().message();
  const CertificateInfo& pending = created->certificate;
  EXPECT_TRUE(pending.pending_request);
  EXPECT_EQ(pending.status, CertStatus::kPendingRequest);
  ASSERT_FALSE(created->csr_pem.empty());
  EXPECT_EQ(created->csr_pem, pending.csr_pem);
  Result<std::vector<x509::PemBlock>> csr = x509::ParsePem(created->csr_pem);
  ASSERT_TRUE(csr.ok() && csr->size() == 1u);
  if (GetParam().exchange) {
    EXPECT_EQ(pending.thumbprint.size(), 40u) << "Exchange's thumbprint of the request";
  } else {
    EXPECT_EQ(pending.thumbprint, x509::Sha1Hex((*csr)[0].der));
  }
  EXPECT_EQ(pending.subject, "CN=owa.pocket-consultant.com");
  EXPECT_EQ(pending.dns_names, std::vector<std::string>{"owa.pocket-consultant.com"});
  EXPECT_TRUE(Must(s.Get(pending.thumbprint)).pending_request);

  Result<x509::CsrInfo> info = x509::ParseCsr(created->csr_pem);
  ASSERT_TRUE(info.ok()) << info.status().message();
  const std::string answer = IssueLeaf("CN=owa.pocket-consultant.com",
                                       {"owa.pocket-consultant.com"}, info->public_key_der);
  const std::string pem = x509::ToPem("CERTIFICATE", answer) + x509::ToPem("CERTIFICATE", Ca().der);
  Result<CertificateInfo> imported = s.Import({pem, "", false, ""});
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  EXPECT_EQ(imported->thumbprint, x509::Sha1Hex(answer));
  EXPECT_TRUE(imported->has_private_key);
  EXPECT_TRUE(imported->exportable) << "the request's exportable key stays exportable";
  EXPECT_EQ(imported->friendly_name, "OWA");
  EXPECT_FALSE(imported->pending_request);
  const ServerState state = MustList(s);
  EXPECT_EQ(state.certificates.size(), 4u);
  EXPECT_EQ(state.Find(pending.thumbprint), nullptr) << "the completed request is gone";
  // The completed certificate exports with its key and the CA chain.
  Result<std::string> pfx = s.Export(imported->thumbprint, "pw");
  ASSERT_TRUE(pfx.ok()) << pfx.status().message();
  Result<x509::Pkcs12Contents> back = x509::ReadPkcs12(*pfx, "pw");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(back->key.Matches(answer));
  // Exchange's export (the simulator's) holds the certificate and key: the
  // CA certificates went to the server's own stores.
  if (!GetParam().exchange) {
    EXPECT_EQ(back->chain_der, std::vector<std::string>{Ca().der});
  }
}

TEST_P(StoreContractTest, RemovingAPendingRequestDeletesIt) {
  Store& s = Open();
  CreateRequest r{"CN=req.pocket-consultant.com",
                  {"req.pocket-consultant.com"},
                  NewKey(),
                  Seconds(0),
                  "",
                  true};
  Result<CreateResult> created = s.Create(r);
  ASSERT_TRUE(created.ok()) << created.status().message();
  ASSERT_TRUE(s.Remove(created->certificate.thumbprint).ok());
  Result<std::optional<CertificateInfo>> gone = s.Get(created->certificate.thumbprint);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
}

// --- Import ---

TEST_P(StoreContractTest, ImportPkcs12) {
  Store& s = Open();
  const Issued c = Issue();
  Result<CertificateInfo> imported =
      s.Import({Pkcs12Of(c, "secret", "From PFX"), "secret", true, ""});
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  EXPECT_EQ(imported->thumbprint, c.thumbprint);
  EXPECT_TRUE(imported->has_private_key);
  EXPECT_TRUE(imported->exportable);
  EXPECT_EQ(imported->friendly_name, "From PFX");
  EXPECT_FALSE(imported->self_signed);
  EXPECT_EQ(imported->issuer, "CN=Pocket Consultant Test CA, O=Pocket Consultant");
  EXPECT_TRUE(imported->services.empty()) << "import never enables a service";
}

TEST_P(StoreContractTest, ImportPkcs12WithAWrongPasswordIsRefused) {
  Store& s = Open();
  Result<CertificateInfo> imported = s.Import({Pkcs12Of(Issue(), "secret"), "wrong", true, ""});
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.status().code(), Code::kPermissionDenied);
  EXPECT_NE(imported.status().message().find("Import on MailServer21"), std::string::npos)
      << imported.status().message();
}

TEST_P(StoreContractTest, ImportPemBundleKeepsItsChainAndFriendlyName) {
  Store& s = Open();
  const Issued c = Issue();
  Result<CertificateInfo> imported = s.Import({PemBundle(c), "", true, "Purchased"});
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  EXPECT_EQ(imported->thumbprint, c.thumbprint);
  EXPECT_EQ(imported->friendly_name, "Purchased");
  Result<std::string> pfx = s.Export(c.thumbprint, "pw");
  ASSERT_TRUE(pfx.ok()) << pfx.status().message();
  Result<x509::Pkcs12Contents> back = x509::ReadPkcs12(*pfx, "pw");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->certificate_der, c.der);
  if (!GetParam().exchange) {
    EXPECT_EQ(back->chain_der, std::vector<std::string>{Ca().der});
  }
  EXPECT_EQ(back->friendly_name, "Purchased");
}

TEST_P(StoreContractTest, ImportOfAnExistingThumbprintIsRefusedLikeExchange) {
  Store& s = Open();
  const Issued c = Issue();
  MustImport(s, PemBundle(c));
  Result<CertificateInfo> again = s.Import({PemBundle(c), "", false, ""});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(again.status().message(),
            "Cannot import certificate. A certificate with the thumbprint " + c.thumbprint +
                " already exists on MailServer21; it needs no import: enable it, or remove it "
                "first to import it again");
}

TEST_P(StoreContractTest, ImportWithoutKeyAndWithoutMatchingRequestIsRefused) {
  Store& s = Open();
  const Issued c = Issue();
  Result<CertificateInfo> imported = s.Import({PemBundle(c, /*with_key=*/false), "", false, ""});
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(imported.status().message(),
            "Cannot import certificate " + c.thumbprint +
                " (CN=mail.pocket-consultant.com) on MailServer21: the data holds no private key "
                "and no pending request on MailServer21 has the matching key; import a PKCS#12 "
                "(.pfx) or PEM bundle that includes the private key, or import the CA's answer "
                "on the server that created the request");
  EXPECT_EQ(MustList(s).certificates.size(), 3u);
}

TEST_P(StoreContractTest, AnEcdsaCertificateIsRefusedWhereOnlyRsaIsListed) {
  Store& s = Open();
  if (!GetParam().rsa_keys) GTEST_SKIP() << "ECDSA certificates import into this store";
  const Issued c = IssueWithKey("CN=ec.pocket-consultant.com", {"ec.pocket-consultant.com"});
  Result<CertificateInfo> imported = s.Import({PemBundle(c), "", true, ""});
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(imported.status().message(),
            "Cannot import certificate " + c.thumbprint +
                " (CN=ec.pocket-consultant.com) on MailServer21: its key is ECDSA P-256, and "
                "Exchange uses RSA keys only (Get-ExchangeCertificate does not list it: "
                "KeyAlgorithmUnsupported); have the certificate issued for an RSA key (key: "
                "{algorithm: RSA, size: 2048})");
  EXPECT_EQ(MustList(s).certificates.size(), 3u) << "nothing was sent";
}

TEST_P(StoreContractTest, ImportWithAKeyOfAnotherCertificateIsRefused) {
  Store& s = Open();
  Issued c = Issue();
  c.key = NewEcKey();
  Result<CertificateInfo> imported = s.Import({PemBundle(c, true, false), "", false, ""});
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.status().code(), Code::kInvalidArgument);
}

// --- Enable ---

TEST_P(StoreContractTest, EnableIisMovesTheFrontEndAndLeavesTheBackEnd) {
  Store& s = Open();
  const std::string t = MustCreate(s);
  ASSERT_TRUE(s.Enable(t, ServiceSet{Service::kIis}, {}).ok());
  EXPECT_EQ(Must(s.Get(t)).services.ToLetters(), "...W...");
  // The previous certificate keeps IMAP, POP and SMTP; whether its Services
  // still say IIS is the store's to say (Exchange: yes, it serves the back
  // end), so the bindings are what is checked.
  EXPECT_TRUE(Must(s.Get(DefaultCert()))
                  .services.Contains(ServiceSet{Service::kImap, Service::kPop, Service::kSmtp}));
  const ServerState state = MustList(s);
  EXPECT_EQ(state.bindings.iis, t);
  EXPECT_EQ(state.bindings.iis_back_end, DefaultCert());
  EXPECT_EQ(Must(s.Get(t)).iis_services, std::vector<std::string>{"IIS://MailServer21/W3SVC/1"});
  EXPECT_EQ(Must(s.Get(DefaultCert())).iis_services,
            std::vector<std::string>{"IIS://MailServer21/W3SVC/2"});
}

TEST_P(StoreContractTest, EnableImapAndPopMoveThemAndOnlyAdd) {
  Store& s = Open();
  const std::string t = MustCreate(s);
  ASSERT_TRUE(s.Enable(t, ServiceSet{Service::kIis}, {}).ok());
  ASSERT_TRUE(s.Enable(t, ServiceSet{Service::kImap, Service::kPop}, {}).ok());
  // IIS stays: Enable only adds. On Exchange, IMAP and POP also let NETWORK
  // SERVICE read the key, which Get-ExchangeCertificate shows as SMTP.
  EXPECT_EQ(Must(s.Get(t)).services.ToLetters(), GetParam().exchange ? "IP.WS.." : "IP.W...");
  const CertificateInfo previous = Must(s.Get(DefaultCert()));
  EXPECT_FALSE(previous.services.Has(Service::kImap));
  EXPECT_FALSE(previous.services.Has(Service::kPop));
  EXPECT_TRUE(previous.services.Has(Service::kSmtp));
  const ServerState state = MustList(s);
  EXPECT_EQ(state.bindings.imap, t);
  EXPECT_EQ(state.bindings.pop, t);
}

TEST_P(StoreContractTest, EnableSmtpIsAdditiveUnlessItReplacesTheDefault) {
  Store& s = Open();
  const std::string a = MustCreate(s, "CN=a.pocket-consultant.com");
  const std::string b = MustCreate(s, "CN=b.pocket-consultant.com");
  ASSERT_TRUE(s.Enable(a, ServiceSet{Service::kSmtp}, {}).ok());
  ServerState state = MustList(s);
  EXPECT_EQ(state.bindings.internal_transport, DefaultCert());
  EXPECT_EQ(Must(s.Get(a)).services.ToLetters(), "....S..");
  EXPECT_EQ(Must(s.Get(DefaultCert())).services.ToLetters(), "IP.WS..");
  ASSERT_TRUE(s.Enable(b, ServiceSet{Service::kSmtp}, EnableOptions{true}).ok());
  state = MustList(s);
  EXPECT_EQ(state.bindings.internal_transport, b);
  std::vector<std::string> smtp = {DefaultCert(), a, b};
  std::sort(smtp.begin(), smtp.end());
  EXPECT_EQ(state.bindings.smtp, smtp);
  EXPECT_EQ(Must(s.Get(DefaultCert())).services.ToLetters(), "IP.WS..") << "keeps SMTP";
}

TEST_P(StoreContractTest, EnableFederationIsRefused) {
  Store& s = Open();
  const std::string t = MustCreate(s);
  Status st = s.Enable(t, ServiceSet{Service::kFederation}, {});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Code::kFailedPrecondition);
  EXPECT_EQ(st.message(),
            "Cannot enable Federation for " + t +
                " on MailServer21: Federation certificates are managed with "
                "New-FederationTrust/Set-FederationTrust, never enabled as a service");
}

TEST_P(StoreContractTest, EnableUmIsRefusedOn2019) {
  Store& s = Open();
  const std::string t = MustCreate(s);
  Status st = s.Enable(t, ServiceSet{Service::kUm}, {});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "Cannot enable UM for " + t +
                              " on MailServer21: Unified Messaging does not exist in Exchange "
                              "2019 (only 2013 and 2016)");
  EXPECT_TRUE(Must(s.Get(t)).services.empty());
}

TEST_P(StoreContractTest, EnableUmAndUmCallRouterOn2016) {
  Store& s = Open(Mailbox("MailServer16", ExchangeVersion::k2016));
  const std::string t = MustCreate(s);
  const Status enabled = s.Enable(t, ServiceSet{Service::kUm, Service::kUmCallRouter}, {});
  ASSERT_TRUE(enabled.ok()) << enabled.message();
  EXPECT_EQ(Must(s.Get(t)).services.ToLetters(), "..U...C");
  EXPECT_EQ(MustList(s).bindings.um, t);
}

TEST_P(StoreContractTest, EnableUmRefusesAnExpiredCertificate) {
  Store& s = Open(Mailbox("MailServer16", ExchangeVersion::k2016));
  const Issued old = Issue("CN=old.pocket-consultant.com", {"old.pocket-consultant.com"},
                           Now() - std::chrono::hours(24 * 400), Now() - std::chrono::hours(24));
  const std::string t = MustImport(s, PemBundle(old));
  Status st = s.Enable(t, ServiceSet{Service::kUm}, {});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("the certificate expired on"), std::string::npos) << st.message();
  EXPECT_TRUE(s.Enable(t, ServiceSet{Service::kSmtp}, {}).ok()) << "SMTP takes expired ones";
}

TEST_P(StoreContractTest, EnableOnEdgeOnlyServesSmtp) {
  Store& s = Open(Edge());
  const ServerState state = MustList(s);
  ASSERT_EQ(state.certificates.size(), 1u);
  EXPECT_EQ(state.certificates[0].services.ToLetters(), "....S..");
  const std::string t = MustCreate(s);
  Status st = s.Enable(t, ServiceSet{Service::kIis}, {});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(),
            "Cannot enable IIS for " + t + " on Edge01: an EdgeTransport server only serves SMTP");
  EXPECT_TRUE(s.Enable(t, ServiceSet{Service::kSmtp}, {}).ok());
}

TEST_P(StoreContractTest, EnableRefusesAPendingRequestAndAnUnknownThumbprint) {
  Store& s = Open();
  CreateRequest r{"CN=req.pocket-consultant.com",
                  {"req.pocket-consultant.com"},
                  NewKey(),
                  Seconds(0),
                  "",
                  true};
  Result<CreateResult> created = s.Create(r);
  ASSERT_TRUE(created.ok()) << created.status().message();
  Status st = s.Enable(created->certificate.thumbprint, ServiceSet{Service::kIis}, {});
  EXPECT_EQ(st.code(), Code::kFailedPrecondition);
  EXPECT_NE(st.message().find("pending request"), std::string::npos) << st.message();
  const std::string unknown(40, 'B');
  st = s.Enable(unknown, ServiceSet{Service::kIis}, {});
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_EQ(st.message(), "The certificate with thumbprint " + unknown +
                              " was not found on MailServer21; list the server's certificates "
                              "with: xcert show --server MailServer21");
}

// --- Export ---

TEST_P(StoreContractTest, ExportRules) {
  Store& s = Open();
  Result<std::string> r = s.Export(DefaultCert(), "pw");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "Cannot export " + DefaultCert() +
                " on MailServer21: the certificate has a private key that is not exportable "
                "(created or imported without an exportable key); back up the certificate "
                "alone, or re-issue it with key.exportable: true");
  r = s.Export(AuthCert(), "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "Exporting " + AuthCert() + " on MailServer21 requires that a password be specified");
  CreateRequest req{"CN=req.pocket-consultant.com", {}, NewKey(true), Seconds(0), "", true};
  Result<CreateResult> pending = s.Create(req);
  ASSERT_TRUE(pending.ok());
  r = s.Export(pending->certificate.thumbprint, "pw");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("pending request"), std::string::npos);
  EXPECT_EQ(s.Export(std::string(40, 'C'), "pw").status().code(), Code::kNotFound);
}

TEST_P(StoreContractTest, ExportGivesAPkcs12WithTheKey) {
  Store& s = Open();
  Result<std::string> r = s.Export(AuthCert(), "backup-pw");
  ASSERT_TRUE(r.ok()) << r.status().message();
  Result<x509::Pkcs12Contents> back = x509::ReadPkcs12(*r, "backup-pw");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(x509::Sha1Hex(back->certificate_der), AuthCert());
  EXPECT_TRUE(back->key.Matches(back->certificate_der));
  EXPECT_EQ(back->friendly_name, "Microsoft Exchange Server Auth Certificate");
}

// --- Remove ---

TEST_P(StoreContractTest, RemoveRefusesProtectedCertificates) {
  Store& s = Open();
  Status st = s.Remove(AuthCert());
  EXPECT_EQ(st.code(), Code::kFailedPrecondition);
  EXPECT_EQ(st.message(), "Cannot remove " + AuthCert() +
                              " on MailServer21: it is the current Auth (OAuth) certificate; make "
                              "another certificate the Auth certificate first (Set-AuthConfig); "
                              "never remove the Auth certificate while Exchange uses it");
  st = s.Remove(DefaultCert());
  EXPECT_EQ(st.message(), "Cannot remove " + DefaultCert() +
                              " on MailServer21: it is bound to the Exchange Back End site (:444); "
                              "bind another certificate to the Exchange Back End site first; "
                              "Exchange setup's self-signed certificate is meant to stay there");
  EXPECT_EQ(MustList(s).certificates.size(), 3u);
}

TEST_P(StoreContractTest, RemoveRefusesTheInternalTransportAndBoundCertificates) {
  Store& s = Open(Edge());
  const std::string edge_default = SeedThumbprint(*seed_, kDefaultFriendlyName);
  Status st = s.Remove(edge_default);
  EXPECT_EQ(st.message(), "Cannot remove " + edge_default +
                              " on Edge01: it is the internal transport (default SMTP) "
                              "certificate; enable another certificate for SMTP as the default "
                              "SMTP certificate first");
  Store& m = Open();
  const std::string t = MustCreate(m);
  ASSERT_TRUE(m.Enable(t, ServiceSet{Service::kIis, Service::kImap}, {}).ok());
  st = m.Remove(t);
  EXPECT_EQ(st.message(), "Cannot remove " + t +
                              " on MailServer21: it still serves IMAP, IIS; enable another "
                              "certificate for those services first, then remove this one");
}

TEST_P(StoreContractTest, RemoveDeletesAnUnboundOrSmtpOnlyCertificate) {
  Store& s = Open();
  ASSERT_TRUE(s.Remove(WmsvcCert()).ok());
  const std::string t = MustCreate(s);
  ASSERT_TRUE(s.Enable(t, ServiceSet{Service::kSmtp}, {}).ok());
  ASSERT_TRUE(s.Remove(t).ok()) << "SMTP alone does not hold a certificate";
  const ServerState state = MustList(s);
  EXPECT_EQ(state.certificates.size(), 2u);
  EXPECT_EQ(state.Find(WmsvcCert()), nullptr);
  EXPECT_EQ(state.bindings.smtp, std::vector<std::string>{DefaultCert()});
  EXPECT_EQ(s.Remove(t).code(), Code::kNotFound);
}

// --- Concurrency ---

TEST_P(StoreContractTest, ConcurrentCreatesAreAllKept) {
  Store& s = Open();
  constexpr int kThreads = 4;
  constexpr int kEach = 3;
  std::vector<std::vector<std::string>> made(kThreads);
  std::vector<std::thread> threads;
  const KeySpec key = NewKey();
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&s, &made, &key, i] {
      for (int j = 0; j < kEach; ++j) {
        Result<CreateResult> r =
            s.Create({"CN=t" + std::to_string(i) + "-" + std::to_string(j) + ".example.com",
                      {},
                      key,
                      Seconds(86400),
                      "",
                      j == 2});
        if (r.ok()) made[i].push_back(r->certificate.thumbprint);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& v : made) all.insert(v.begin(), v.end());
  ASSERT_EQ(all.size(), size_t(kThreads * kEach));
  const ServerState state = MustList(s);
  EXPECT_TRUE(state.problems.empty()) << ::testing::PrintToString(state.problems);
  EXPECT_EQ(state.certificates.size(), 3u + kThreads * kEach);
  for (const std::string& t : all) EXPECT_NE(state.Find(t), nullptr) << t;
}

}  // namespace xcert::store::testing
