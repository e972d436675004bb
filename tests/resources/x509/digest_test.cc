#include "resources/x509/digest.h"

#include <set>
#include <thread>

#include <gtest/gtest.h>

namespace xcert::x509 {
namespace {

TEST(DigestTest, KnownVectors) {
  EXPECT_EQ(Sha1Hex("abc"), "A9993E364706816ABA3E25717850C26C9CD0D89D");
  EXPECT_EQ(Sha1Hex(""), "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709");
  EXPECT_EQ(Sha256Hex("abc"), "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  EXPECT_EQ(Sha256("abc").size(), 32u);
  EXPECT_EQ(Sha1("abc").size(), 20u);
  EXPECT_EQ(Sha1("abc").substr(0, 2), "\xa9\x99");
}

TEST(DigestTest, ConcurrentHashingAgrees) {
  std::vector<std::thread> threads;
  std::vector<std::string> out(8);
  for (size_t i = 0; i < out.size(); ++i) {
    threads.emplace_back([&out, i] {
      for (int k = 0; k < 200; ++k) out[i] = Sha256Hex("xcert");
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& s : out) EXPECT_EQ(s, Sha256Hex("xcert"));
}

TEST(Base64Test, RoundTripsAllLengths) {
  std::string bytes;
  for (int i = 0; i < 70; ++i) {
    auto back = Base64Decode(Base64Encode(bytes));
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(*back, bytes);
    bytes += char(i * 37);
  }
  EXPECT_EQ(Base64Encode("ab"), "YWI=");
  EXPECT_EQ(Base64Encode("a"), "YQ==");
}

TEST(Base64Test, DecodeIgnoresLineBreaks) {
  auto d = Base64Decode("  YWJj\r\nZGVm\n Zw==\n");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(*d, "abcdefg");
}

TEST(Base64Test, DecodeRejectsBadInput) {
  EXPECT_EQ(Base64Decode("YWJ").status().message(),
            "invalid base64: the length or the '=' padding is wrong");
  EXPECT_EQ(Base64Decode("Y=Jj").status().message(),
            "invalid base64: the length or the '=' padding is wrong");
  EXPECT_FALSE(Base64Decode("Y===").ok());
  EXPECT_EQ(Base64Decode("YW*j").status().message(),
            "invalid base64: it holds a character outside A-Z a-z 0-9 + /");
  EXPECT_EQ(*Base64Decode(""), "");
}

TEST(RandomTest, BytesAndPasswords) {
  EXPECT_EQ(RandomBytes(0), "");
  EXPECT_EQ(RandomBytes(16).size(), 16u);
  EXPECT_NE(RandomBytes(16), RandomBytes(16));
  const std::string pw = RandomPassword();
  EXPECT_EQ(pw.size(), 32u);
  EXPECT_EQ(RandomPassword(10).size(), 10u);
  std::set<char> seen;
  for (int i = 0; i < 50; ++i) {
    for (char c : RandomPassword()) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << c;
      seen.insert(c);
    }
  }
  EXPECT_GT(seen.size(), 50u);  // the whole alphabet is in use
}

}  // namespace
}  // namespace xcert::x509
