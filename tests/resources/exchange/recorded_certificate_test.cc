#include "resources/exchange/recorded_certificate.h"

#include <ctime>
#include <memory>
#include <ostream>
#include <set>

#include <gtest/gtest.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "engine/util/strings.h"
#include "tests/resources/exchange/exchange_test_util.h"
#include "tests/resources/exchange/recorded_table.h"

namespace xcert::exchange {
namespace {

using testing::ExpectedCert;
using testing::ExpectedFile;
using testing::Table;
using xcert::testing::ReadFileOrDie;

// --- What the DER says, read with OpenSSL directly (independently of the
// x509 toolkit) so the test checks that RawData is the right certificate. ---

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};

struct DerFacts {
  std::string subject, sans, not_before, not_after, signature;
};

std::string NameString(const X509_NAME* name) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string UtcDate(const ASN1_TIME* t) {
  std::tm tm{};
  ASN1_TIME_to_tm(t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

DerFacts ReadDer(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<X509, X509Deleter> x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x) return {};
  DerFacts f;
  f.subject = NameString(X509_get_subject_name(x.get()));
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(x.get(), NID_subject_alt_name, nullptr, nullptr));
  std::vector<std::string> dns;
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_DNS) {
      dns.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName)),
                       ASN1_STRING_length(n->d.dNSName));
    }
  }
  GENERAL_NAMES_free(names);
  f.sans = Join(dns, ";");
  f.not_before = UtcDate(X509_get0_notBefore(x.get()));
  f.not_after = UtcDate(X509_get0_notAfter(x.get()));
  int nid = X509_get_signature_nid(x.get());
  f.signature = nid == NID_sha256WithRSAEncryption ? "sha256"
                : nid == NID_sha1WithRSAEncryption ? "sha1"
                                                   : OBJ_nid2sn(nid);
  return f;
}

// "IIS://Solo-E19A/W3SVC/1" -> "W3SVC/1", joined by ','.
std::string Sites(const std::vector<std::string>& services) {
  std::vector<std::string> sites;
  for (const std::string& s : services) {
    size_t host_end = s.find('/', std::string_view("IIS://").size());
    sites.push_back(s.substr(host_end + 1));
  }
  return Join(sites, ",");
}

class RecordedCertificateFixtureTest : public ::testing::TestWithParam<ExpectedFile> {};

TEST_P(RecordedCertificateFixtureTest, MatchesTheDecodedTable) {
  const auto dir = testing::CssExchangeDir();
  const ExpectedFile& file = GetParam();
  Result<std::vector<RecordedCertificate>> certs =
      ReadRecordedCertificates(ReadFileOrDie(dir / file.path), file.path);
  ASSERT_TRUE(certs.ok()) << certs.status().message();
  ASSERT_EQ(certs->size(), file.objects);
  ASSERT_EQ(file.certs.size(), file.objects) << "the table lists every object";
  for (size_t i = 0; i < file.objects; ++i) {
    const ExpectedCert& want = file.certs[i];
    const RecordedCertificate& got = (*certs)[i];
    SCOPED_TRACE(std::string(file.path) + " object " + std::to_string(i + 1));
    EXPECT_EQ(got.thumbprint, want.thumbprint);
    DerFacts der = ReadDer(got.raw_der);
    EXPECT_EQ(der.subject, want.subject);
    EXPECT_EQ(der.sans, want.sans);
    EXPECT_EQ(der.not_before, want.not_before);
    EXPECT_EQ(der.not_after, want.not_after);
    EXPECT_EQ(der.signature, want.signature);
    EXPECT_EQ(SerializationFormName(got.serialization), want.serialization);
    bool known = want.services >= 0;
    EXPECT_EQ(got.attributes_known, known);
    if (!known) continue;
    EXPECT_EQ(got.services, want.services);
    EXPECT_EQ(got.status, want.status);
    EXPECT_EQ(got.root_ca_type, want.root_ca_type);
    EXPECT_EQ(got.private_key_exportable, want.exportable == 1);
    EXPECT_EQ(got.friendly_name, want.friendly_name);
    EXPECT_EQ(Sites(got.iis_services), want.iis_sites);
    // Not in the table, but true of every recorded Exchange certificate:
    // Get-ExchangeCertificate lists only certificates with a private key,
    // and these are all self-signed, identified as FQDN\thumbprint.
    EXPECT_TRUE(got.has_private_key_info);
    EXPECT_TRUE(got.self_signed);
    EXPECT_TRUE(EqualsIgnoreCase(got.identity, got.ps_computer_name + "\\" + got.thumbprint))
        << got.identity;
  }
}

INSTANTIATE_TEST_SUITE_P(ReferenceTables, RecordedCertificateFixtureTest,
                         ::testing::ValuesIn(Table()),
                         [](const ::testing::TestParamInfo<ExpectedFile>& param) {
                           std::string name = std::to_string(param.index) + "_";
                           for (char c : std::string(param.param.path)) {
                             name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           }
                           return name;
                         });

// Every fixture that holds certificates is in the table (so "every fixture"
// stays true if fixtures are added).
TEST(RecordedCertificateCoverageTest, EveryCertificateFixtureIsInTheTable) {
  const auto dir = testing::CssExchangeDir();
  std::set<std::string> in_table;
  for (const ExpectedFile& f : Table()) in_table.insert(f.path);
  size_t certificate_files = 0;
  for (const std::string& file : testing::AllFixtureFiles(dir)) {
    PsDocument doc = ParseClixml(ReadFileOrDie(dir / file), file).value();
    bool has_certificates = !doc.values().empty() && doc.values()[0].object &&
                            doc.values()[0].object->IsA(kX509Certificate2Type);
    if (!has_certificates) continue;
    ++certificate_files;
    EXPECT_TRUE(in_table.count(file)) << file << " holds certificates but is not in the table";
  }
  EXPECT_EQ(certificate_files, in_table.size());
}

// --- Errors, on objects built from real recordings. ---

constexpr std::string_view kE19 =
    "Diagnostics/HealthChecker/Tests/DataCollection/E19/Exchange/GetExchangeCertificate.xml";

struct RealCert {
  std::string raw_data;            // base64
  std::string serialization_data;  // base64
};

std::vector<RealCert> RealCerts(const std::filesystem::path& dir) {
  PsDocument doc = ParseClixml(ReadFileOrDie(dir / kE19), "e19").value();
  std::vector<RealCert> out;
  for (const PsValue& v : doc.values()) {
    out.push_back({x509::Base64Encode(*v.object->Find("RawData")->AsBytes()),
                   x509::Base64Encode(*v.object->Find("SerializationData")->AsBytes())});
  }
  return out;
}

std::string CertXml(std::string_view raw_data, std::string_view serialization_data,
                    std::string_view type = kExchangeCertificateType) {
  std::string ms = serialization_data.empty() ? ""
                                              : "<MS><BA N=\"SerializationData\">" +
                                                    std::string(serialization_data) + "</BA></MS>";
  return "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">"
         "<Obj RefId=\"0\"><TN RefId=\"0\"><T>" +
         std::string(type) +
         "</T></TN>"
         "<Props><BA N=\"RawData\">" +
         std::string(raw_data) + "</BA></Props>" + ms + "</Obj></Objs>";
}

std::string ErrorOf(const std::string& xml) {
  Result<std::vector<RecordedCertificate>> r = ReadRecordedCertificates(xml, "certs.xml");
  return r.ok() ? "read " + std::to_string(r->size()) : r.status().message();
}

TEST(RecordedCertificateTest, BuiltObjectsDecodeLikeTheRecording) {
  const auto dir = testing::CssExchangeDir();
  std::vector<RealCert> real = RealCerts(dir);
  std::vector<RecordedCertificate> certs =
      ReadRecordedCertificates(CertXml(real[1].raw_data, real[1].serialization_data), "x").value();
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_EQ(certs[0].thumbprint, "6C7DE09FB39A40144F57EFEBC3DF0148E3A9AB28");
  EXPECT_EQ(certs[0].services, 27);
  EXPECT_EQ(certs[0].iis_services,
            (std::vector<std::string>{"IIS://Solo-E19A/W3SVC/1", "IIS://Solo-E19A/W3SVC/2"}));
  EXPECT_EQ(certs[0].identity, "Solo-E19A.Solo.com\\6C7DE09FB39A40144F57EFEBC3DF0148E3A9AB28");
  EXPECT_EQ(certs[0].ps_computer_name, "") << "not in the built object";
}

TEST(RecordedCertificateTest, RawDataOnlyObjectsAreAttributesUnknown) {
  const auto dir = testing::CssExchangeDir();
  std::vector<RealCert> real = RealCerts(dir);
  std::string type = "Deserialized." + std::string(kExchangeCertificateType);
  std::vector<RecordedCertificate> certs =
      ReadRecordedCertificates(CertXml(real[0].raw_data, "", type), "x").value();
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_FALSE(certs[0].attributes_known);
  EXPECT_EQ(certs[0].serialization, SerializationForm::kAbsent);
  EXPECT_EQ(certs[0].thumbprint, "C3EDCF181EF4F9B53D01768ECA99564014BCA6E7");
}

TEST(RecordedCertificateTest, SerializationDataOfAnotherCertificateIsAnError) {
  const auto dir = testing::CssExchangeDir();
  std::vector<RealCert> real = RealCerts(dir);
  EXPECT_EQ(ErrorOf(CertXml(real[0].raw_data, real[1].serialization_data)),
            "certs.xml: object 1: certificate C3EDCF181EF4F9B53D01768ECA99564014BCA6E7: "
            "SerializationData describes certificate 6C7DE09FB39A40144F57EFEBC3DF0148E3A9AB28, "
            "not the RawData certificate; the recording is damaged or was edited");
}

TEST(RecordedCertificateTest, DamagedSerializationDataIsAnError) {
  const auto dir = testing::CssExchangeDir();
  std::vector<RealCert> real = RealCerts(dir);
  std::string blob = x509::Base64Decode(real[0].serialization_data).value();
  std::string cut = x509::Base64Encode(blob.substr(0, 1000));
  EXPECT_EQ(ErrorOf(CertXml(real[0].raw_data, cut)),
            "certs.xml: object 1: certificate C3EDCF181EF4F9B53D01768ECA99564014BCA6E7: "
            "SerializationData: offset 966: need 70 bytes for class name, only 34 left (the data "
            "is cut)");
}

TEST(RecordedCertificateTest, OtherObjectsAreRefused) {
  EXPECT_EQ(ErrorOf(CertXml("AAAA", "",
                            "Microsoft.Exchange.Data.Directory.SystemConfiguration.AuthConfig")),
            "certs.xml: object 1: not a certificate but a "
            "Microsoft.Exchange.Data.Directory.SystemConfiguration.AuthConfig (expected the output "
            "of Get-ExchangeCertificate)");
  EXPECT_EQ(ErrorOf(CertXml("", "")),
            "certs.xml: object 1: no RawData bytes, so the certificate is unknown (export the "
            "Get-ExchangeCertificate objects themselves)");
  EXPECT_EQ(ErrorOf("<Objs><S>text</S></Objs>"),
            "certs.xml: object 1: a plain value, not an object");
  EXPECT_EQ(ErrorOf("<Objs/>"), "read 0");
}

TEST(RecordedCertificateTest, SerializationDataOfAnotherClassIsAnError) {
  std::string blob = testing::NrbfBytes().Header().String(1, "hello").End().str();
  EXPECT_EQ(ErrorOf(CertXml("AAAA", x509::Base64Encode(blob))),
            "certs.xml: object 1: certificate 29E2DCFBB16F63BB0254DF7585A15BB6FB5E927D: "
            "SerializationData holds a '', not an ExchangeCertificate");
}

}  // namespace
}  // namespace xcert::exchange
