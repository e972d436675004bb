// ParseCertificate (the DER walker): certificates made by the openssl
// command line and recorded from Exchange, malformed input, and the
// property that it agrees with ParseCertificateOpenSsl on every field.
#include "resources/x509/parse.h"

#include <functional>

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <rapidcheck/gtest.h>

#include "engine/util/strings.h"
#include "resources/x509/builder.h"
#include "resources/x509/der.h"
#include "resources/x509/digest.h"
#include "resources/x509/openssl_util.h"
#include "tests/resources/x509/x509_test_util.h"

namespace xcert::x509 {
namespace {

using testing::CliCert;
using testing::Ec;
using testing::FieldDifferences;
using testing::MakeCliCertificate;
using testing::Openssl;
using testing::ReadFile;
using testing::Rsa;
using testing::TempDir;
using testing::TestKey;
using testing::Utc;

// Parses with both parsers, expects them to agree, returns the walker's.
CertificateInfo ParseBoth(const std::string& der) {
  auto walked = ParseCertificate(der);
  auto reference = ParseCertificateOpenSsl(der);
  EXPECT_TRUE(walked.ok()) << walked.status().message();
  EXPECT_TRUE(reference.ok()) << reference.status().message();
  if (!walked.ok() || !reference.ok()) return {};
  EXPECT_EQ(FieldDifferences(*walked, *reference), "");
  return *walked;
}

std::string Fingerprint(const TempDir& dir, const std::string& pem_file, const char* digest) {
  std::string out = Openssl({"x509", "-in", pem_file, "-noout", "-fingerprint", digest}, dir);
  out = out.substr(out.find('=') + 1);
  std::string hex;
  for (char c : out) {
    if (std::isxdigit(static_cast<unsigned char>(c))) hex += c;
  }
  return hex;
}

// --- certificates made by the openssl command line --------------------------------

class CliCertificateTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

TEST_F(CliCertificateTest, ExpiredRsaWithNames) {
  CliCert c;
  c.subject = "/C=DE/O=Contoso/CN=old.contoso.com";
  c.san = {"DNS:old.contoso.com", "IP:10.1.2.3", "email:admin@contoso.com",
           "DNS:legacy.contoso.com"};
  c.key = "rsa";
  c.start = "20200101000000Z";
  c.end = "20210101120000Z";
  const std::string der = MakeCliCertificate(dir_, "old", c);
  const CertificateInfo info = ParseBoth(der);
  EXPECT_EQ(info.subject, "CN=old.contoso.com, O=Contoso, C=DE");
  EXPECT_EQ(info.issuer, info.subject);
  EXPECT_EQ(info.dns_names, (std::vector<std::string>{"old.contoso.com", "legacy.contoso.com"}));
  EXPECT_EQ(info.not_before, Utc(2020, 1, 1));
  EXPECT_EQ(info.not_after, Utc(2021, 1, 1, 12));
  EXPECT_TRUE(info.IsExpired(Utc(2024, 1, 1)));
  EXPECT_EQ(info.key_algorithm, KeyAlgorithm::kRsa);
  EXPECT_EQ(info.key_bits, 2048);
  EXPECT_EQ(info.curve, EcCurve::kNone);
  EXPECT_EQ(info.serial, "1000");  // from the `openssl ca` serial file
  EXPECT_EQ(info.signature_algorithm, "sha256WithRSAEncryption");
  EXPECT_TRUE(info.self_signed);
  EXPECT_FALSE(info.is_ca);
  EXPECT_EQ(info.der, der);
  EXPECT_EQ(info.thumbprint, Fingerprint(dir_, "old.pem", "-sha1"));
  EXPECT_EQ(info.sha256, Fingerprint(dir_, "old.pem", "-sha256"));
  auto key = PrivateKey::Parse(ReadFile(dir_, "old.key"));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(info.public_key_sha1, key->PublicKeySha1());
}

TEST_F(CliCertificateTest, NotYetValidWithGeneralizedTimes) {
  CliCert c;
  c.subject = "/CN=future.contoso.com";
  c.san = {"DNS:future.contoso.com"};
  c.start = "20900101000000Z";
  c.end = "21000301235959Z";
  const CertificateInfo info = ParseBoth(MakeCliCertificate(dir_, "future", c));
  EXPECT_EQ(info.not_before, Utc(2090, 1, 1));
  EXPECT_EQ(info.not_after, Utc(2100, 3, 1, 23, 59, 59));
  EXPECT_TRUE(info.IsNotYetValid(Utc(2030, 1, 1)));
  EXPECT_EQ(info.key_algorithm, KeyAlgorithm::kEcdsa);
  EXPECT_EQ(info.curve, EcCurve::kP256);
  EXPECT_EQ(info.key_bits, 256);
  EXPECT_EQ(info.signature_algorithm, "ecdsa-with-SHA256");
}

TEST_F(CliCertificateTest, WildcardIdnAndUtf8Subject) {
  CliCert c;
  c.subject = "/C=DE/O=M\xc3\xbcller, GmbH/CN=*.example.com";
  c.san = {"DNS:*.example.com", "DNS:xn--bcher-kva.example.com", "DNS:example.com"};
  c.key = "ec384";
  c.extra_req_args = {"-utf8"};
  const CertificateInfo info = ParseBoth(MakeCliCertificate(dir_, "wild", c));
  EXPECT_EQ(info.subject, "CN=*.example.com, O=M\xc3\xbcller\\, GmbH, C=DE");
  EXPECT_EQ(info.dns_names, (std::vector<std::string>{"*.example.com", "xn--bcher-kva.example.com",
                                                      "example.com"}));
  EXPECT_EQ(info.curve, EcCurve::kP384);
  EXPECT_EQ(info.key_bits, 384);
}

TEST_F(CliCertificateTest, NoSubjectAltName) {
  CliCert c;
  c.subject = "/CN=Microsoft Exchange Server Auth Certificate";
  const CertificateInfo info = ParseBoth(MakeCliCertificate(dir_, "auth", c));
  EXPECT_TRUE(info.dns_names.empty());
  EXPECT_EQ(info.subject, "CN=Microsoft Exchange Server Auth Certificate");
}

TEST_F(CliCertificateTest, MultiValuedRdnsAndOidTypes) {
  Openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
           "-keyout", "k.pem", "-multivalue-rdn", "-subj",
           "/jurisdictionC=DE/businessCategory=Private Organization/"
           "organizationIdentifier=VATDE-123/O=Contoso/CN=ev.contoso.com+OU=Web",
           "-days", "2", "-out", "ev.pem"},
          dir_);
  EXPECT_NE(Openssl({"x509", "-in", "ev.pem", "-noout", "-subject"}, dir_).find(" + "),
            std::string::npos);
  const CertificateInfo info = ParseBoth(testing::PemToDer(ReadFile(dir_, "ev.pem")));
  // A multi-valued RDN is flattened; its members keep their DER SET order
  // (the shorter OU encoding sorts first), reversed like everything else.
  EXPECT_EQ(info.subject,
            "CN=ev.contoso.com, OU=Web, O=Contoso, 2.5.4.97=VATDE-123, "
            "2.5.4.15=Private Organization, 1.3.6.1.4.1.311.60.2.1.3=DE");
}

TEST_F(CliCertificateTest, BmpAndT61Strings) {
  // string_mask "pkix" encodes non-ASCII values as BMPString, "default"
  // Latin-1 values as T61String; both decode to the same UTF-8.
  for (const char* mask : {"pkix", "default"}) {
    dir_.Write("req.cnf", std::string("[ req ]\ndistinguished_name = dn\nstring_mask = ") + mask +
                              "\n[ dn ]\n");
    Openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "k.pem"},
            dir_);
    Openssl({"req", "-x509", "-config", "req.cnf", "-key", "k.pem", "-utf8", "-subj",
             "/O=Stra\xc3\x9f"
             "e M\xc3\xbcller/CN=umlaut.example.com",
             "-days", "2", "-out", std::string(mask) + ".pem"},
            dir_);
    const std::string der = testing::PemToDer(ReadFile(dir_, std::string(mask) + ".pem"));
    const std::string tag = std::string(mask) == "pkix" ? "\x1e" : "\x14";
    EXPECT_NE(der.find(tag), std::string::npos) << mask;
    const CertificateInfo info = ParseBoth(der);
    EXPECT_EQ(info.subject,
              "CN=umlaut.example.com, O=Stra\xc3\x9f"
              "e M\xc3\xbcller")
        << mask;
  }
}

TEST_F(CliCertificateTest, RsaPssSignatureAndKey) {
  Openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-subj", "/CN=pss",
           "-sigopt", "rsa_padding_mode:pss", "-days", "2", "-out", "pss.pem"},
          dir_);
  CertificateInfo info = ParseBoth(testing::PemToDer(ReadFile(dir_, "pss.pem")));
  EXPECT_EQ(info.signature_algorithm, "rsassaPss");
  EXPECT_EQ(info.key_algorithm, KeyAlgorithm::kRsa);
  Openssl({"req", "-x509", "-newkey", "rsa-pss", "-pkeyopt", "rsa_keygen_bits:2048", "-nodes",
           "-keyout", "k2.pem", "-subj", "/CN=pss-key", "-days", "2", "-out", "psskey.pem"},
          dir_);
  info = ParseBoth(testing::PemToDer(ReadFile(dir_, "psskey.pem")));
  EXPECT_EQ(info.key_algorithm, KeyAlgorithm::kRsa);
  EXPECT_EQ(info.key_bits, 2048);
}

TEST_F(CliCertificateTest, P521Key) {
  Openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521", "-nodes",
           "-keyout", "k.pem", "-subj", "/CN=p521", "-days", "2", "-out", "c.pem"},
          dir_);
  const CertificateInfo info = ParseBoth(testing::PemToDer(ReadFile(dir_, "c.pem")));
  EXPECT_EQ(info.key_algorithm, KeyAlgorithm::kEcdsa);
  EXPECT_EQ(info.curve, EcCurve::kNone);
  EXPECT_EQ(info.key_bits, 521);
}

TEST_F(CliCertificateTest, Ed25519IsRejectedByBoth) {
  Openssl({"req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout", "k.pem", "-subj", "/CN=ed",
           "-days", "2", "-out", "c.pem"},
          dir_);
  const std::string der = testing::PemToDer(ReadFile(dir_, "c.pem"));
  EXPECT_EQ(ParseCertificate(der).status().message(),
            "subjectPublicKeyInfo: public key algorithm 1.3.101.112 is not supported; xcert "
            "handles RSA and ECDSA keys");
  EXPECT_EQ(ParseCertificateOpenSsl(der).status().message(),
            "public key algorithm ED25519 is not supported; xcert handles RSA and ECDSA keys");
}

TEST_F(CliCertificateTest, CaAndIssuedLeaf) {
  Openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes",
           "-keyout", "ca.key", "-subj", "/O=Contoso/CN=Contoso Issuing CA", "-days", "3650",
           "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0", "-out", "ca.pem"},
          dir_);
  Openssl({"req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-subj",
           "/CN=mail.contoso.com", "-addext", "subjectAltName=DNS:mail.contoso.com", "-out",
           "leaf.csr"},
          dir_);
  Openssl({"x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial",
           "0xC3000000", "-days", "30", "-copy_extensions", "copy", "-out", "leaf.pem"},
          dir_);
  const CertificateInfo ca = ParseBoth(testing::PemToDer(ReadFile(dir_, "ca.pem")));
  const CertificateInfo leaf = ParseBoth(testing::PemToDer(ReadFile(dir_, "leaf.pem")));
  EXPECT_TRUE(ca.is_ca);
  EXPECT_TRUE(ca.self_signed);
  EXPECT_EQ(ca.subject_key_id.size(), 40u);
  EXPECT_FALSE(leaf.is_ca);
  EXPECT_FALSE(leaf.self_signed);
  EXPECT_EQ(leaf.issuer, "CN=Contoso Issuing CA, O=Contoso");
  EXPECT_EQ(leaf.authority_key_id, ca.subject_key_id);
  EXPECT_EQ(leaf.signature_algorithm, "ecdsa-with-SHA256");
  // Windows shows the DER content octets, sign octet included; openssl does not.
  EXPECT_EQ(leaf.serial, "00C3000000");
  EXPECT_EQ(Openssl({"x509", "-in", "leaf.pem", "-noout", "-serial"}, dir_), "serial=C3000000\n");
}

// --- recorded Exchange certificates (RawData) --------------------------------------

struct RecordedCertificate {
  std::string file;
  std::string der;
  std::string thumbprint;  // from ToString, when present
  std::string serial;
};

// The text after `marker` up to `end` ("" when absent).
std::string After(const std::string& text, const std::string& marker, char end) {
  const size_t start = text.find(marker);
  if (start == std::string::npos) return "";
  const size_t from = start + marker.size();
  return text.substr(from, text.find(end, from) - from);
}

std::vector<RecordedCertificate> RecordedCertificates(const std::filesystem::path& root) {
  std::vector<RecordedCertificate> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".xml") continue;
    const std::string text = xcert::testing::ReadFileOrDie(entry.path());
    size_t pos = 0;
    while ((pos = text.find("<Obj RefId=", pos)) != std::string::npos) {
      const size_t end = text.find("<Obj RefId=", pos + 1);
      const std::string obj = text.substr(pos, end == std::string::npos ? end : end - pos);
      pos = end;
      auto der = Base64Decode(After(obj, "<BA N=\"RawData\">", '<'));
      if (!der.ok() || der->empty()) continue;
      RecordedCertificate c;
      c.file = entry.path().filename().string();
      c.der = *der;
      c.thumbprint = After(obj, "[Thumbprint]_x000D__x000A_  ", '_');
      c.serial = After(obj, "[Serial Number]_x000D__x000A_  ", '_');
      out.push_back(std::move(c));
    }
  }
  return out;
}

TEST(RecordedExchangeCertificateTest, ThumbprintsAndSerialsMatchExchange) {
  const auto certs = RecordedCertificates(xcert::testing::CssExchangeDir());
  ASSERT_GE(certs.size(), 8u);
  int with_tostring = 0;
  for (const RecordedCertificate& c : certs) {
    SCOPED_TRACE(c.file + " " + c.thumbprint);
    const CertificateInfo info = ParseBoth(c.der);
    if (c.thumbprint.empty()) continue;
    ++with_tostring;
    EXPECT_EQ(info.thumbprint, c.thumbprint);
    EXPECT_EQ(info.serial, c.serial);
  }
  EXPECT_GE(with_tostring, 8);
}

TEST(RecordedExchangeCertificateTest, AuthCertificateFields) {
  for (const RecordedCertificate& c : RecordedCertificates(xcert::testing::CssExchangeDir())) {
    if (c.thumbprint != "D0D6BAA255F51F106760CE3BB869A0FE8C9FC298") continue;
    const CertificateInfo info = ParseBoth(c.der);
    EXPECT_EQ(info.subject, "CN=Microsoft Exchange Server Auth Certificate");
    EXPECT_EQ(info.issuer, info.subject);
    EXPECT_TRUE(info.dns_names.empty());
    EXPECT_EQ(info.not_before, Utc(2023, 1, 5, 9, 4, 48));
    EXPECT_EQ(info.not_after, Utc(2028, 1, 5, 9, 4, 48));
    EXPECT_EQ(info.key_bits, 2048);
    EXPECT_EQ(info.signature_algorithm, "sha256WithRSAEncryption");
    EXPECT_EQ(info.serial, "1D9E0ED24826A397480CB16669F1B57D");
    EXPECT_EQ(info.subject_key_id, "");
    EXPECT_TRUE(info.self_signed);
    EXPECT_FALSE(info.is_ca);
    return;
  }
  FAIL() << "the recorded Auth certificate D0D6BAA2... is missing";
}

// --- malformed input ---------------------------------------------------------------

std::string GoodCertificate() {
  CertificateTemplate t{"CN=mail.contoso.com, O=Contoso",
                        {"mail.contoso.com", "*.contoso.com"},
                        Utc(2024, 1, 1),
                        Utc(2025, 1, 1)};
  auto der = SelfSign(t, TestKey(Ec()));
  EXPECT_TRUE(der.ok());
  return der.ok() ? *der : "";
}

TEST(MalformedCertificateTest, EveryTruncationIsAnError) {
  const std::string der = GoodCertificate();
  for (size_t n = 0; n < der.size(); ++n) {
    const std::string cut = der.substr(0, n);  // its own buffer: ASan sees overreads
    auto info = ParseCertificate(cut);
    ASSERT_FALSE(info.ok()) << n;
    EXPECT_TRUE(info.status().message().starts_with("malformed ")) << info.status().message();
  }
}

TEST(MalformedCertificateTest, EveryByteCorruptionIsSafe) {
  const std::string der = GoodCertificate();
  int rejected = 0;
  for (size_t i = 0; i < der.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xff}) {
      std::string bad = der;
      bad[i] = char(uint8_t(bad[i]) ^ mask);
      auto info = ParseCertificate(bad);
      if (!info.ok()) {
        ++rejected;
        EXPECT_EQ(info.status().code(), Code::kInvalidArgument);
      } else {
        EXPECT_EQ(info->der, bad);
      }
    }
  }
  EXPECT_GT(rejected, 0);
}

TEST(MalformedCertificateTest, NamedErrors) {
  const std::string der = GoodCertificate();
  EXPECT_EQ(ParseCertificate("").status().message(),
            "malformed certificate: missing (the data ends before it)");
  EXPECT_EQ(ParseCertificate(der + "\n").status().message(),
            "malformed certificate: 1 unexpected bytes at its end");
  EXPECT_EQ(ParseCertificate("-----BEGIN CERTIFICATE-----").status().message(),
            "malformed certificate: expected SEQUENCE, found tag 0x2d");
  // The outer signatureAlgorithm differs from the one inside: change the last
  // OID byte of the second ecdsa-with-SHA256 (…04 03 02) to SHA-384.
  std::string mismatch = der;
  const std::string oid = x509::der::EncodeOid("1.2.840.10045.4.3.2");
  const size_t second = mismatch.rfind(oid);
  ASSERT_NE(second, mismatch.find(oid));
  mismatch[second + oid.size() - 1] = 3;
  EXPECT_EQ(ParseCertificate(mismatch).status().message(),
            "malformed certificate: signatureAlgorithm differs from tbsCertificate.signature");
  EXPECT_EQ(ParseCertificateOpenSsl(mismatch).status().message(),
            "malformed certificate: signatureAlgorithm differs from tbsCertificate.signature");
}

// A certificate built directly with OpenSSL, for shapes the builder refuses.
std::string RawCertificate(const std::function<void(X509*)>& customize) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("raw"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  SetAsn1Time(X509_getm_notBefore(cert.get()), Utc(2024, 1, 1));
  SetAsn1Time(X509_getm_notAfter(cert.get()), Utc(2025, 1, 1));
  X509_set_pubkey(cert.get(), TestKey(Ec()).get());
  customize(cert.get());
  X509_sign(cert.get(), TestKey(Ec()).get(), EVP_sha256());
  auto der = CertificateToDer(cert.get());
  return der.ok() ? *der : "";
}

TEST(MalformedCertificateTest, RepeatedExtensionIsRejectedByBoth) {
  const std::string der = RawCertificate([](X509* cert) {
    for (int i = 0; i < 2; ++i) {
      X509_EXTENSION* ext =
          X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, "DNS:a.example.com");
      X509_add_ext(cert, ext, -1);
      X509_EXTENSION_free(ext);
    }
  });
  EXPECT_EQ(ParseCertificate(der).status().message(),
            "malformed extensions: extension 2.5.29.17 appears twice");
  EXPECT_TRUE(ParseCertificateOpenSsl(der).status().message().starts_with(
      "malformed certificate: an extension is invalid or repeated"));
}

TEST(MalformedCertificateTest, NonRfc5280TimeIsRejected) {
  const std::string der = RawCertificate(
      [](X509* cert) { ASN1_TIME_set_string(X509_getm_notAfter(cert), "20300101000000.5Z"); });
  EXPECT_EQ(ParseCertificate(der).status().message(),
            "malformed validity.notAfter: '20300101000000.5Z' is not YYYYMMDDHHMMSSZ");
}

TEST(ParseCertificateTest, V1CertificateWithoutExtensions) {
  const std::string der =
      RawCertificate([](X509* cert) { X509_set_version(cert, X509_VERSION_1); });
  const CertificateInfo info = ParseBoth(der);
  EXPECT_EQ(info.subject, "CN=raw");
  EXPECT_EQ(info.serial, "07");
  EXPECT_TRUE(info.self_signed);
  EXPECT_FALSE(info.is_ca);
}

TEST(ParseCertificateTest, SelfSignedGuessWithoutSignatureCheck) {
  // Signed by a different key: OpenSSL sees through it, the walker cannot.
  const std::string good = RawCertificate([](X509*) {});
  auto parsed = CertificateFromDer(good);
  ASSERT_TRUE(parsed.ok());
  X509_sign(parsed->get(), TestKey(Ec(EcCurve::kP384)).get(), EVP_sha256());
  auto der = CertificateToDer(parsed->get());
  ASSERT_TRUE(der.ok());
  EXPECT_TRUE(ParseCertificate(*der)->self_signed);
  EXPECT_FALSE(ParseCertificateOpenSsl(*der)->self_signed);
}

// --- property: the two parsers agree -----------------------------------------------

// One value for an attribute of `type`, in a character set its ASN.1 string
// type (chosen by OpenSSL from the type) can hold, never with edge spaces.
std::string GenValue(const std::string& type) {
  if (type == "C") {
    return std::string{*rc::gen::inRange('A', char('Z' + 1)),
                       *rc::gen::inRange('A', char('Z' + 1))};
  }
  std::vector<std::string> alphabet = {"a", "Z", "0", "-", ".", "'", "(",
                                       ")", "+", ",", "/", ":", "=", "?"};
  if (type != "SERIALNUMBER") {
    for (const char* s : {"\"", "\\", "<", ">", ";", "#", "@", "_", "*"}) alphabet.push_back(s);
  }
  if (type != "SERIALNUMBER" && type != "DC" && type != "E") {
    for (const char* s :
         {"\xc3\xbc", "\xc3\x9f", "\xe6\xb0\xb4", "\xf0\x9f\x98\x80", "\xe2\x82\xac"}) {
      alphabet.push_back(s);
    }
  }
  const size_t n = *rc::gen::inRange<size_t>(1, 16);
  std::string value;
  for (size_t i = 0; i < n; ++i) {
    value += *rc::gen::elementOf(alphabet);
    if (i + 1 < n && *rc::gen::inRange(0, 5) == 0) value += ' ';
  }
  return value;
}

std::string GenSubject() {
  static const std::vector<std::string> kTypes = {
      "CN", "O", "OU", "L", "S", "C", "DC", "SERIALNUMBER", "STREET", "POSTALCODE", "E"};
  const size_t n = *rc::gen::inRange<size_t>(1, 6);
  std::vector<Rdn> rdns;
  for (size_t i = 0; i < n; ++i) {
    const std::string type = *rc::gen::elementOf(kTypes);
    rdns.push_back({type, GenValue(type)});
  }
  return FormatDn(rdns);
}

std::string GenLabel() {
  const size_t n = *rc::gen::inRange<size_t>(1, 12);
  std::string label;
  for (size_t i = 0; i < n; ++i) {
    label += *rc::gen::element('a', 'k', 'z', 'A', 'Q', '0', '7', '9');
    if (i + 1 < n && *rc::gen::inRange(0, 6) == 0) label += '-';
  }
  return *rc::gen::inRange(0, 5) == 0 ? "xn--" + label : label;
}

std::vector<std::string> GenDnsNames() {
  const size_t n = *rc::gen::inRange<size_t>(0, 6);
  std::vector<std::string> names;
  for (size_t i = 0; i < n; ++i) {
    std::string name =
        *rc::gen::element(std::string("com"), std::string("example"), std::string("lab"));
    const size_t labels = *rc::gen::inRange<size_t>(1, 4);
    for (size_t k = 0; k < labels; ++k) name = GenLabel() + "." + name;
    if (*rc::gen::inRange(0, 4) == 0) name = "*." + name;
    names.push_back(name);
  }
  return names;
}

// NotBefore from 1950 to 2199, NotAfter up to ~300 years later: both
// UTCTime and GeneralizedTime (years >= 2050) on either side.
std::pair<TimePoint, TimePoint> GenValidity() {
  const int64_t start = *rc::gen::inRange<int64_t>(-631152000, 7289654400);  // 1950..2201
  const int64_t length = *rc::gen::inRange<int64_t>(1, 300LL * 365 * 86400);
  return {TimePoint(Seconds(start)), TimePoint(Seconds(start + length))};
}

const PrivateKey& GenKey() {
  return TestKey(*rc::gen::element(Rsa(2048), Rsa(3072), Ec(EcCurve::kP256), Ec(EcCurve::kP384)));
}

RC_GTEST_PROP(ParsersAgreeProperty, OnBuilderCertificates, ()) {
  CertificateTemplate t;
  t.subject = GenSubject();
  t.dns_names = GenDnsNames();
  std::tie(t.not_before, t.not_after) = GenValidity();
  t.client_auth = *rc::gen::arbitrary<bool>();
  t.no_eku = *rc::gen::arbitrary<bool>();
  t.is_ca = *rc::gen::inRange(0, 4) == 0;
  const PrivateKey& key = GenKey();
  Result<std::string> der = InvalidArgument("unset");
  const int issuer = *rc::gen::inRange(0, 3);
  if (issuer == 0) {
    der = SelfSign(t, key);
  } else {
    CertificateTemplate ca{
        "CN=Property CA " + std::to_string(issuer), {}, Utc(2000, 1, 1), Utc(2100, 1, 1)};
    ca.is_ca = true;
    const PrivateKey& ca_key = TestKey(issuer == 1 ? Rsa() : Ec(EcCurve::kP384));
    auto ca_der = SelfSign(ca, ca_key);
    RC_ASSERT(ca_der.ok());
    der = SignWithCa(t, key.PublicKeyDer(), *ca_der, ca_key);
  }
  RC_ASSERT(der.ok());
  auto walked = ParseCertificate(*der);
  auto reference = ParseCertificateOpenSsl(*der);
  RC_ASSERT(walked.ok());
  RC_ASSERT(reference.ok());
  RC_ASSERT(FieldDifferences(*walked, *reference) == "");
  RC_ASSERT(walked->subject == t.subject);
  RC_ASSERT(walked->dns_names == t.dns_names);
  RC_ASSERT(walked->not_before == t.not_before);
  RC_ASSERT(walked->not_after == t.not_after);
  RC_ASSERT(walked->is_ca == t.is_ca);
  RC_ASSERT(walked->self_signed == (issuer == 0));
  RC_ASSERT(walked->public_key_sha1 == key.PublicKeySha1());
  RC_ASSERT(walked->key_bits == key.bits());
}

// Raw names: every directory string type, unknown attribute types,
// multi-valued RDNs and empty values, none of which the builder makes.
struct RawValue {
  int asn1_type;
  std::string bytes;  // encoded for asn1_type
};

void AppendUtf16Be(uint32_t cp, std::string* out) {
  *out += char(cp >> 8);
  *out += char(cp & 0xff);
}

RawValue GenRawValue() {
  const int type = *rc::gen::element(V_ASN1_UTF8STRING, V_ASN1_PRINTABLESTRING, V_ASN1_IA5STRING,
                                     V_ASN1_T61STRING, V_ASN1_BMPSTRING, V_ASN1_UNIVERSALSTRING);
  const size_t n = *rc::gen::inRange<size_t>(0, 10);
  RawValue v{type, ""};
  for (size_t i = 0; i < n; ++i) {
    uint32_t cp = *rc::gen::element<uint32_t>('a', 'B', '3', ' ', ',', '+', '"', '\\', '#', '=');
    if (type == V_ASN1_T61STRING || type == V_ASN1_BMPSTRING || type == V_ASN1_UTF8STRING ||
        type == V_ASN1_UNIVERSALSTRING) {
      if (*rc::gen::inRange(0, 3) == 0) cp = *rc::gen::element<uint32_t>(0xe9, 0xfc, 0xa0);
    }
    if (type == V_ASN1_BMPSTRING || type == V_ASN1_UTF8STRING || type == V_ASN1_UNIVERSALSTRING) {
      if (*rc::gen::inRange(0, 4) == 0) cp = *rc::gen::element<uint32_t>(0x6c34, 0x20ac, 0xfffd);
    }
    if (type == V_ASN1_UTF8STRING || type == V_ASN1_UNIVERSALSTRING) {
      if (*rc::gen::inRange(0, 6) == 0) cp = *rc::gen::element<uint32_t>(0x1f600, 0x10ffff);
    }
    switch (type) {
      case V_ASN1_BMPSTRING: AppendUtf16Be(cp, &v.bytes); break;
      case V_ASN1_UNIVERSALSTRING:
        AppendUtf16Be(cp >> 16, &v.bytes);
        AppendUtf16Be(cp & 0xffff, &v.bytes);
        break;
      case V_ASN1_UTF8STRING: {
        unsigned char buf[6];
        const int len = UTF8_putc(buf, sizeof buf, cp);
        v.bytes.append(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
        break;
      }
      default: v.bytes += char(cp);
    }
  }
  return v;
}

void AddRawName(X509_NAME* name) {
  static const std::vector<std::string> kTypes = {
      "2.5.4.3",  "2.5.4.10", "2.5.4.11",    "2.5.4.6",
      "2.5.4.97", "2.5.4.15", "1.2.3.4.5.6", "0.9.2342.19200300.100.1.25"};
  const size_t n = *rc::gen::inRange<size_t>(0, 6);
  for (size_t i = 0; i < n; ++i) {
    const std::string type = *rc::gen::elementOf(kTypes);
    const RawValue v = GenRawValue();
    OpenSslPtr<ASN1_OBJECT, ASN1_OBJECT_free> obj(OBJ_txt2obj(type.c_str(), 1));
    const int set = i > 0 && *rc::gen::inRange(0, 4) == 0 ? -1 : 0;  // -1: join the last RDN
    X509_NAME_add_entry_by_OBJ(name, obj.get(), v.asn1_type,
                               reinterpret_cast<const unsigned char*>(v.bytes.data()),
                               static_cast<int>(v.bytes.size()), -1, set);
  }
}

void SetRawTime(ASN1_TIME* t) {
  const auto [start, unused] = GenValidity();
  const auto ymd = std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(start));
  const auto tod = start - std::chrono::floor<std::chrono::days>(start);
  const std::chrono::hh_mm_ss<Seconds> hms(tod);
  char buf[32];
  const int y = int(ymd.year());
  // GeneralizedTime even before 2050 now and then: DER-valid, read by both.
  if (y >= 2050 || y < 1950 || *rc::gen::inRange(0, 4) == 0) {
    std::snprintf(buf, sizeof buf, "%04d%02u%02u%02d%02d%02dZ", y, unsigned(ymd.month()),
                  unsigned(ymd.day()), int(hms.hours().count()), int(hms.minutes().count()),
                  int(hms.seconds().count()));
    ASN1_TIME_set_string(t, buf);  // picks GeneralizedTime from the length
  } else {
    std::snprintf(buf, sizeof buf, "%02d%02u%02u%02d%02d%02dZ", y % 100, unsigned(ymd.month()),
                  unsigned(ymd.day()), int(hms.hours().count()), int(hms.minutes().count()),
                  int(hms.seconds().count()));
    ASN1_TIME_set_string(t, buf);
  }
}

void AddRawExtensions(X509* cert) {
  if (*rc::gen::arbitrary<bool>()) {
    std::string san;
    for (const std::string& dns : GenDnsNames()) san += (san.empty() ? "" : ",") + ("DNS:" + dns);
    if (*rc::gen::arbitrary<bool>()) san += (san.empty() ? "" : ",") + std::string("IP:10.0.0.1");
    if (*rc::gen::arbitrary<bool>()) san += (san.empty() ? "" : ",") + std::string("email:a@b.c");
    if (!san.empty()) {
      X509_EXTENSION* ext =
          X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str());
      X509_add_ext(cert, ext, -1);
      X509_EXTENSION_free(ext);
    }
  }
  if (*rc::gen::arbitrary<bool>()) {
    const std::string bc = *rc::gen::element(std::string("CA:TRUE"), std::string("CA:FALSE"),
                                             std::string("critical,CA:TRUE,pathlen:3"));
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_basic_constraints, bc.c_str());
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  for (int nid : {NID_subject_key_identifier, NID_authority_key_identifier}) {
    if (!*rc::gen::arbitrary<bool>()) continue;
    const std::string id = *rc::gen::element(std::string("\x01\x02\x03", 3), std::string("\xAB"),
                                             std::string(20, '\x5a'));
    if (nid == NID_subject_key_identifier) {
      Asn1OctetStringPtr os(ASN1_OCTET_STRING_new());
      ASN1_OCTET_STRING_set(os.get(), reinterpret_cast<const unsigned char*>(id.data()),
                            static_cast<int>(id.size()));
      X509_add1_ext_i2d(cert, nid, os.get(), 0, X509V3_ADD_DEFAULT);
    } else {
      AuthorityKeyIdPtr aki(AUTHORITY_KEYID_new());
      aki->keyid = ASN1_OCTET_STRING_new();
      ASN1_OCTET_STRING_set(aki->keyid, reinterpret_cast<const unsigned char*>(id.data()),
                            static_cast<int>(id.size()));
      X509_add1_ext_i2d(cert, nid, aki.get(), 0, X509V3_ADD_DEFAULT);
    }
  }
}

RC_GTEST_PROP(ParsersAgreeProperty, OnRawCertificates, ()) {
  X509Ptr cert(X509_new());
  const bool v1 = *rc::gen::inRange(0, 5) == 0;
  X509_set_version(cert.get(), v1 ? X509_VERSION_1 : X509_VERSION_3);
  const std::string serial_bytes = *rc::gen::container<std::string>(
      *rc::gen::inRange<size_t>(1, 21), rc::gen::arbitrary<char>());
  OpenSslPtr<BIGNUM, BN_free> bn(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(serial_bytes.data()),
                static_cast<int>(serial_bytes.size()), nullptr));
  BN_set_negative(bn.get(), *rc::gen::inRange(0, 5) == 0);
  Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  X509_set_serialNumber(cert.get(), serial.get());
  AddRawName(X509_get_subject_name(cert.get()));
  const int issuer = *rc::gen::inRange(0, 3);
  if (issuer == 0) {
    X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  } else {
    AddRawName(X509_get_issuer_name(cert.get()));
  }
  SetRawTime(X509_getm_notBefore(cert.get()));
  SetRawTime(X509_getm_notAfter(cert.get()));
  const PrivateKey& key = GenKey();
  X509_set_pubkey(cert.get(), key.get());
  if (!v1) AddRawExtensions(cert.get());
  RC_ASSERT(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0);
  auto der = CertificateToDer(cert.get());
  RC_ASSERT(der.ok());
  auto walked = ParseCertificate(*der);
  auto reference = ParseCertificateOpenSsl(*der);
  if (!walked.ok() || !reference.ok()) {
    RC_LOG() << "walker: " << walked.status().message()
             << "\nopenssl: " << reference.status().message() << "\n";
  }
  RC_ASSERT(walked.ok());
  RC_ASSERT(reference.ok());
  const std::string diff = FieldDifferences(*walked, *reference);
  RC_LOG() << diff;
  RC_ASSERT(diff.empty());
}

}  // namespace
}  // namespace xcert::x509
