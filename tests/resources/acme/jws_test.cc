// JWS signatures and MACs checked by the openssl command line.
#include "resources/acme/jws.h"

#include <gtest/gtest.h>

#include "resources/x509/pem.h"
#include "tests/resources/acme/acme_test_util.h"

namespace xcert::acme {
namespace {

using namespace xcert::acme::testing;  // NOLINT

// DER ECDSA-Sig-Value from JWS r || s, so that `openssl dgst -verify` can check it.
std::string EcdsaDer(const std::string& rs) {
  auto integer = [](std::string v) {
    while (v.size() > 1 && v[0] == 0 && !(static_cast<unsigned char>(v[1]) & 0x80)) v.erase(0, 1);
    if (static_cast<unsigned char>(v[0]) & 0x80) v.insert(0, 1, '\0');
    return std::string{0x02, static_cast<char>(v.size())} + v;
  };
  const std::string body = integer(rs.substr(0, rs.size() / 2)) + integer(rs.substr(rs.size() / 2));
  return std::string{0x30, static_cast<char>(body.size())} + body;
}

bool OpensslVerifies(const fs::path& dir, const x509::PrivateKey& key, const std::string& input,
                     const std::string& signature, const std::string& digest) {
  std::ofstream(dir / "pub.pem") << x509::ToPem("PUBLIC KEY", key.PublicKeyDer());
  std::ofstream(dir / "input", std::ios::binary) << input;
  std::ofstream(dir / "sig", std::ios::binary) << signature;
  const RunResult r =
      RunTool("openssl", {"dgst", "-" + digest, "-verify", (dir / "pub.pem").string(), "-signature",
                          (dir / "sig").string(), (dir / "input").string()});
  return r.exit_code == 0 && r.out.find("Verified OK") != std::string::npos;
}

TEST(Base64UrlTest, RoundTripsWithoutPaddingAndRefusesTheStandardAlphabet) {
  const std::string bytes("\xfb\xff\x00\x01", 4);
  EXPECT_EQ(Base64UrlEncode(bytes), "-_8AAQ");
  EXPECT_EQ(Base64UrlDecode("-_8AAQ").value(), bytes);
  EXPECT_EQ(Base64UrlDecode("-_8AAQ==").value(), bytes);
  EXPECT_FALSE(Base64UrlDecode("+/8AAQ").ok());
}

TEST(JwsTest, Es256SignatureVerifiesWithOpenssl) {
  TempDir dir;
  const auto key = NewKey();
  const auto jws = SignJws({&key, ""}, "nonce-1", "https://ca.example/new-acct", R"({"a":1})");
  ASSERT_TRUE(jws.ok()) << jws.status().message();
  const std::string input =
      (*jws)["protected"].get<std::string>() + "." + (*jws)["payload"].get<std::string>();
  const std::string sig = Base64UrlDecode((*jws)["signature"].get<std::string>()).value();
  ASSERT_EQ(sig.size(), 64u) << "r || s, 32 bytes each (RFC 7518 §3.4)";
  EXPECT_TRUE(OpensslVerifies(dir.path(), key, input, EcdsaDer(sig), "sha256"));
  const auto header =
      nlohmann::json::parse(Base64UrlDecode((*jws)["protected"].get<std::string>()).value());
  EXPECT_EQ(header["alg"], "ES256");
  EXPECT_EQ(header["nonce"], "nonce-1");
  EXPECT_EQ(header["url"], "https://ca.example/new-acct");
  EXPECT_EQ(header["jwk"]["crv"], "P-256");
  EXPECT_FALSE(header.contains("kid"));
}

TEST(JwsTest, Rs256WithKidVerifiesWithOpenssl) {
  TempDir dir;
  const auto key = NewKey(KeySpec{KeyAlgorithm::kRsa, 2048, EcCurve::kNone, false});
  const auto jws = SignJws({&key, "https://ca.example/acct/7"}, "n", "https://ca.example/x", "");
  ASSERT_TRUE(jws.ok()) << jws.status().message();
  EXPECT_EQ((*jws)["payload"], "") << "POST-as-GET has an empty payload";
  const std::string input = (*jws)["protected"].get<std::string>() + ".";
  EXPECT_TRUE(OpensslVerifies(dir.path(), key, input,
                              Base64UrlDecode((*jws)["signature"].get<std::string>()).value(),
                              "sha256"));
  const auto header =
      nlohmann::json::parse(Base64UrlDecode((*jws)["protected"].get<std::string>()).value());
  EXPECT_EQ(header["alg"], "RS256");
  EXPECT_EQ(header["kid"], "https://ca.example/acct/7");
  EXPECT_FALSE(header.contains("jwk"));
}

TEST(JwsTest, JwkCoordinatesAreTheOnesOpensslPrints) {
  TempDir dir;
  const auto key = NewKey();
  std::ofstream(dir.path() / "k.pem") << key.ToPkcs8Pem();
  const RunResult r =
      RunTool("openssl", {"pkey", "-in", (dir.path() / "k.pem").string(), "-noout", "-text_pub"});
  std::string hex;
  const size_t pub = r.out.find("pub:");
  for (size_t i = r.out.find('\n', pub); i < r.out.size() && r.out.compare(i, 5, "\nASN1") != 0;
       ++i) {
    if (std::isxdigit(static_cast<unsigned char>(r.out[i]))) hex += r.out[i];
  }
  ASSERT_EQ(hex.size(), 130u) << r.out;  // 04 || X || Y
  std::string bytes;
  for (size_t i = 0; i < hex.size(); i += 2)
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  const auto jwk = PublicJwk(key);
  ASSERT_TRUE(jwk.ok());
  EXPECT_EQ((*jwk)["x"], Base64UrlEncode(bytes.substr(1, 32)));
  EXPECT_EQ((*jwk)["y"], Base64UrlEncode(bytes.substr(33, 32)));
  // RFC 7638 §3.3: the thumbprint input has the required members in order, no spaces.
  EXPECT_EQ(jwk->dump().rfind("{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":", 0), 0u);
}

TEST(JwsTest, EabMacIsHmacSha256AsOpensslComputesIt) {
  const auto key = NewKey();
  const std::string mac_key = "0123456789abcdef0123456789abcdef";
  const auto jwk = PublicJwk(key).value();
  const auto eab = ExternalAccountBinding("kid-1", mac_key, jwk, "https://ca.example/new-acct");
  ASSERT_TRUE(eab.ok());
  const auto header =
      nlohmann::json::parse(Base64UrlDecode((*eab)["protected"].get<std::string>()).value());
  EXPECT_EQ(
      header,
      (nlohmann::json{{"alg", "HS256"}, {"kid", "kid-1"}, {"url", "https://ca.example/new-acct"}}));
  EXPECT_EQ(nlohmann::json::parse(Base64UrlDecode((*eab)["payload"].get<std::string>()).value()),
            jwk);
  const std::string input =
      (*eab)["protected"].get<std::string>() + "." + (*eab)["payload"].get<std::string>();
  const RunResult r =
      RunTool("openssl",
              {"dgst", "-sha256", "-mac", "HMAC", "-macopt", "key:" + mac_key, "-binary"}, input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ((*eab)["signature"], Base64UrlEncode(r.out));
}

TEST(JwsTest, Dns01ValueIsBase64UrlSha256OfTheKeyAuthorization) {
  const RunResult r = RunTool("openssl", {"dgst", "-sha256", "-binary"}, "token.thumb");
  EXPECT_EQ(Dns01TxtValue("token.thumb"), Base64UrlEncode(r.out));
  const auto key = NewKey();
  EXPECT_EQ(KeyAuthorization("tok", key).value(), "tok." + JwkThumbprint(key).value());
}

TEST(JwsTest, RefusesSmallRsaAndUnsupportedKeys) {
  TempDir dir;
  const RunResult made =
      RunTool("openssl", {"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"});
  ASSERT_EQ(made.exit_code, 0);
  const auto small = x509::PrivateKey::Parse(made.out);
  ASSERT_TRUE(small.ok());
  EXPECT_FALSE(JwsAlgorithm(*small).ok());
  EXPECT_EQ(JwsAlgorithm(NewKey(KeySpec{KeyAlgorithm::kEcdsa, 0, EcCurve::kP384, false})).value(),
            "ES384");
}

}  // namespace
}  // namespace xcert::acme
