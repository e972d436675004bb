#include "resources/x509/pem.h"

#include <gtest/gtest.h>

#include "engine/util/strings.h"
#include "tests/resources/x509/x509_test_util.h"

namespace xcert::x509 {
namespace {

using testing::Openssl;
using testing::TempDir;

TEST(PemTest, ParsesEveryBlockInOrderIgnoringText) {
  const std::string text =
      "subject=CN = example\n"
      "-----BEGIN CERTIFICATE-----\nYWJj\n-----END CERTIFICATE-----\n"
      "junk between\n"
      "-----BEGIN PRIVATE KEY-----\r\nZGVm\r\nZw==\r\n-----END PRIVATE KEY-----\r\n";
  auto blocks = ParsePem(text);
  ASSERT_TRUE(blocks.ok()) << blocks.status().message();
  ASSERT_EQ(blocks->size(), 2u);
  EXPECT_EQ((*blocks)[0].label, "CERTIFICATE");
  EXPECT_EQ((*blocks)[0].der, "abc");
  EXPECT_EQ((*blocks)[0].line, 2);
  EXPECT_EQ((*blocks)[1].label, "PRIVATE KEY");
  EXPECT_EQ((*blocks)[1].der, "defg");
  EXPECT_EQ((*blocks)[1].line, 6);
  EXPECT_EQ((*blocks)[1].headers, "");
}

TEST(PemTest, NoBlocksIsEmpty) {
  auto blocks = ParsePem("just text\n");
  ASSERT_TRUE(blocks.ok());
  EXPECT_TRUE(blocks->empty());
}

TEST(PemTest, MissingEndNamesLabelAndLine) {
  auto r = ParsePem("\n\n-----BEGIN CERTIFICATE-----\nYWJj\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "PEM block 'CERTIFICATE' at line 3 has no '-----END CERTIFICATE-----' line");
  EXPECT_EQ(ParsePem("-----BEGIN CERTIFICATE-----\nYWJj\n-----BEGIN CERTIFICATE-----\n"
                     "YWJj\n-----END CERTIFICATE-----\n")
                .status()
                .message(),
            "PEM block 'CERTIFICATE' at line 1 has no '-----END CERTIFICATE-----' line");
}

TEST(PemTest, MismatchedEndIsAnError) {
  EXPECT_EQ(
      ParsePem("-----BEGIN CERTIFICATE-----\nYWJj\n-----END PRIVATE KEY-----\n").status().message(),
      "PEM block 'CERTIFICATE' at line 1 ends with '-----END PRIVATE KEY-----' at line 3");
}

TEST(PemTest, BadBase64NamesTheBlock) {
  EXPECT_EQ(ParsePem("x\n-----BEGIN CERTIFICATE-----\nYW!j\n-----END CERTIFICATE-----\n")
                .status()
                .message(),
            "PEM block 'CERTIFICATE' at line 2: invalid base64: it holds a character outside "
            "A-Z a-z 0-9 + /");
}

TEST(PemTest, KeepsRfc1421Headers) {
  const std::string text =
      "-----BEGIN RSA PRIVATE KEY-----\n"
      "Proc-Type: 4,ENCRYPTED\n"
      "DEK-Info: AES-256-CBC,0123456789ABCDEF0123456789ABCDEF\n"
      "\n"
      "YWJj\n"
      "-----END RSA PRIVATE KEY-----\n";
  auto blocks = ParsePem(text);
  ASSERT_TRUE(blocks.ok()) << blocks.status().message();
  ASSERT_EQ(blocks->size(), 1u);
  EXPECT_EQ((*blocks)[0].headers,
            "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,0123456789ABCDEF0123456789ABCDEF\n");
  EXPECT_EQ((*blocks)[0].der, "abc");
}

TEST(PemTest, ToPemWrapsAt64) {
  const std::string der(100, 'x');
  const std::string pem = ToPem("CERTIFICATE", der);
  EXPECT_TRUE(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
  EXPECT_TRUE(pem.ends_with("\n-----END CERTIFICATE-----\n"));
  const auto lines = Split(pem, '\n');
  ASSERT_EQ(lines.size(), 6u);  // BEGIN, 64, 64, 8 (136 characters), END, ""
  EXPECT_EQ(lines[1].size(), 64u);
  EXPECT_EQ(lines[2].size(), 64u);
  EXPECT_EQ(lines[3].size(), 8u);
  auto back = ParsePem(pem);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)[0].der, der);
  EXPECT_EQ(ToPem("X", ""), "-----BEGIN X-----\n-----END X-----\n");
}

TEST(PemTest, OpensslReadsOurPemAndWeReadItsPem) {
  TempDir dir;
  Openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "k.pem"},
          dir);
  Openssl({"req", "-x509", "-key", "k.pem", "-subj", "/CN=pem", "-days", "1", "-out", "c.pem"},
          dir);
  auto blocks = ParsePem(testing::ReadFile(dir, "c.pem"));
  ASSERT_TRUE(blocks.ok()) << blocks.status().message();
  ASSERT_EQ(blocks->size(), 1u);
  dir.Write("again.pem", ToPem("CERTIFICATE", (*blocks)[0].der));
  const std::string a = Openssl({"x509", "-in", "c.pem", "-noout", "-fingerprint"}, dir);
  const std::string b = Openssl({"x509", "-in", "again.pem", "-noout", "-fingerprint"}, dir);
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
}

TEST(PemTest, LooksLikePem) {
  EXPECT_TRUE(LooksLikePem("-----BEGIN CERTIFICATE-----"));
  EXPECT_TRUE(LooksLikePem("\n  \t-----BEGIN X-----"));
  EXPECT_TRUE(LooksLikePem("\xef\xbb\xbf-----BEGIN CERTIFICATE-----"));
  EXPECT_FALSE(LooksLikePem("\x30\x82\x01\x00"));
  EXPECT_FALSE(LooksLikePem("text -----BEGIN CERTIFICATE-----"));
  EXPECT_FALSE(LooksLikePem(""));
}

}  // namespace
}  // namespace xcert::x509
