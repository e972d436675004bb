#include "engine/util/quote.h"

#include <random>

#include <gtest/gtest.h>

#include "engine/util/strings.h"

namespace xcert {
namespace {

std::string Base64(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = uint32_t(uint8_t(bytes[i])) << 16 | uint32_t(uint8_t(bytes[i + 1])) << 8 |
                       uint8_t(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
  }
  if (i < bytes.size()) {
    uint32_t v = uint32_t(uint8_t(bytes[i])) << 16;
    if (i + 1 < bytes.size()) v |= uint32_t(uint8_t(bytes[i + 1])) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string RandomBytes(std::mt19937& rng, size_t n) {
  std::string out(n, '\0');
  for (char& c : out) c = char(rng() & 0xFF);
  return out;
}

TEST(QuoteTest, OrdinaryValuesAreShownAsWritten) {
  EXPECT_EQ(Quote("corp-ca"), "'corp-ca'");
  EXPECT_EQ(MessageValue("pki/ca.key"), "pki/ca.key");
  EXPECT_EQ(Quote("Mail Server 21 – Zürich"), "'Mail Server 21 – Zürich'");
  EXPECT_EQ(QuotedList({"corp-ca", "self"}), "'corp-ca', 'self'");
  EXPECT_EQ(QuotedList({}), "(none)");
}

TEST(QuoteTest, PathsNamesAndThumbprintsAreNotKeyMaterial) {
  for (const char* s :
       {"/srv/xcert/store/MailServer21/certificates/3F2A9C41B7E0D5A8C6F1E2D3B4A5968778695A4B.pfx",
        "/var/lib/exchange/certificates/pocket/consultant/mailserver/backups/2026/november",
        "/tmp/xcert-test-12345-3141592653/store/MailServer21/journal/20261125T100000Z.json",
        "3F2A9C41B7E0D5A8C6F1E2D3B4A5968778695A4B",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "CN=mail.pocket-consultant.com, O=Pocket Consultant, C=US", "XCERT_BACKUP_PASSWORD"}) {
    EXPECT_FALSE(LooksLikeKeyMaterial(s)) << s;
    EXPECT_EQ(MessageValue(s), s);
  }
}

TEST(QuoteTest, PemArmourIsNeverShown) {
  const std::string pem =
      "-----BEGIN PRIVATE KEY----- MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg -----END "
      "PRIVATE KEY-----";
  EXPECT_TRUE(LooksLikeKeyMaterial(pem));
  EXPECT_EQ(Quote(pem), "'" + std::string(kKeyMaterialShown) + "'");
  // Inside a longer value, on several lines, or only the start of the armour.
  EXPECT_EQ(MessageValue("key: " + pem), kKeyMaterialShown);
  EXPECT_EQ(MessageValue("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n"), kKeyMaterialShown);
  EXPECT_EQ(MessageValue("-----BEGIN CERTIFICATE-----"), kKeyMaterialShown);
}

TEST(QuoteTest, EveryLongBase64RunIsNeverShown) {
  std::mt19937 rng(20261206);
  for (int i = 0; i < 2000; ++i) {
    const std::string body = Base64(RandomBytes(rng, 36 + rng() % 2000));
    ASSERT_TRUE(LooksLikeKeyMaterial(body)) << body;
    ASSERT_EQ(MessageValue("x " + body + " y"), kKeyMaterialShown) << body;
  }
}

TEST(QuoteTest, DerAndPkcs12BlobsAreNeverShown) {
  std::mt19937 rng(7);
  for (uint8_t length_of_length : {0x81, 0x82, 0x83, 0x84}) {
    const std::string der = std::string{'\x30', char(length_of_length)} + RandomBytes(rng, 600);
    EXPECT_TRUE(LooksLikeKeyMaterial(der));
    EXPECT_EQ(MessageValue(der), kKeyMaterialShown);
  }
}

TEST(QuoteTest, ControlCharactersAndStrayBytesAreEscaped) {
  EXPECT_EQ(Quote("a\nb"), "'a\\x0ab'");
  EXPECT_EQ(Quote("\x1b[2Jcleared"), "'\\x1b[2Jcleared'");
  EXPECT_EQ(Quote("bad\xff"
                  "byte"),
            "'bad\\xffbyte'");
  EXPECT_EQ(Quote("\xc3"), "'\\xc3'");  // a truncated UTF-8 sequence
}

TEST(QuoteTest, LongValuesKeepHeadAndTail) {
  const std::string head(150, 'h'), tail(150, 't');
  const std::string shown = MessageValue(head + "." + tail);
  EXPECT_EQ(shown, std::string(120, 'h') + "…" + std::string(60, 't'));
  // Exactly the limit is shown whole; multi-byte characters count once.
  const std::string at_limit(kMaxShownChars, 'x');
  EXPECT_EQ(MessageValue(at_limit), at_limit);
  std::string umlauts;
  for (size_t i = 0; i < kMaxShownChars; ++i) umlauts += "ü";
  EXPECT_EQ(MessageValue(umlauts), umlauts);
  EXPECT_NE(MessageValue(umlauts + "ü"), umlauts + "ü");
}

}  // namespace
}  // namespace xcert
