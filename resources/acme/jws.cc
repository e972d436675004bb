#include "resources/acme/jws.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "resources/x509/digest.h"
#include "resources/x509/openssl_util.h"

namespace xcert::acme {

namespace {

using x509::OpenSslError;

using EcdsaSigPtr = x509::OpenSslPtr<ECDSA_SIG, ECDSA_SIG_free>;
using BignumPtr = x509::OpenSslPtr<BIGNUM, BN_free>;

std::string BignumBytes(const BIGNUM* bn, int width = 0) {
  const int n = width > 0 ? width : BN_num_bytes(bn);
  std::string out(static_cast<size_t>(n), '\0');
  if (width > 0) {
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), width);
  } else {
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  }
  return out;
}

// Size in bytes of one ECDSA coordinate on the key's curve (RFC 7518 §3.4).
int CoordinateBytes(const x509::PrivateKey& key) { return (key.bits() + 7) / 8; }

const EVP_MD* DigestFor(const x509::PrivateKey& key) {
  return key.algorithm() == KeyAlgorithm::kEcdsa && key.curve() == EcCurve::kP384 ? EVP_sha384()
                                                                                  : EVP_sha256();
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  std::string s = x509::Base64Encode(bytes);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '+') {
      out += '-';
    } else if (c == '/') {
      out += '_';
    } else if (c != '=' && c != '\n' && c != '\r') {
      out += c;
    }
  }
  return out;
}

Result<std::string> Base64UrlDecode(std::string_view text) {
  std::string s;
  s.reserve(text.size() + 3);
  for (char c : text) {
    if (c == '+' || c == '/') return InvalidArgument("not base64url: it contains '+' or '/'");
    if (c == '-') {
      s += '+';
    } else if (c == '_') {
      s += '/';
    } else if (c != '=') {
      s += c;
    }
  }
  while (s.size() % 4 != 0) s += '=';
  auto decoded = x509::Base64Decode(s);
  if (!decoded.ok()) return InvalidArgument("not base64url");
  return decoded;
}

Result<std::string> JwsAlgorithm(const x509::PrivateKey& key) {
  if (!key.valid()) return InvalidArgument("no account key");
  if (key.algorithm() == KeyAlgorithm::kRsa) {
    if (key.bits() < 2048) {
      return InvalidArgument("the RSA account key has " + std::to_string(key.bits()) +
                             " bits; ACME servers want at least 2048");
    }
    return std::string("RS256");
  }
  if (key.curve() == EcCurve::kP256) return std::string("ES256");
  if (key.curve() == EcCurve::kP384) return std::string("ES384");
  return InvalidArgument("the account key must be RSA, P-256 or P-384");
}

Result<nlohmann::json> PublicJwk(const x509::PrivateKey& key) {
  XCERT_ASSIGN_OR_RETURN(const std::string alg, JwsAlgorithm(key));
  nlohmann::json jwk;
  if (alg == "RS256") {
    BIGNUM* n = nullptr;
    BIGNUM* e = nullptr;
    if (EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
        EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
      BN_free(n);
      BN_free(e);
      return OpenSslError("reading the RSA account key");
    }
    BignumPtr n_owner(n), e_owner(e);
    jwk = {{"kty", "RSA"},
           {"n", Base64UrlEncode(BignumBytes(n))},
           {"e", Base64UrlEncode(BignumBytes(e))}};
  } else {
    unsigned char point[200];
    size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
                                        sizeof point, &len) != 1) {
      return OpenSslError("reading the EC account key");
    }
    const size_t width = static_cast<size_t>(CoordinateBytes(key));
    if (len != 1 + 2 * width || point[0] != 0x04) {
      return Internal("unexpected EC public key encoding");
    }
    const std::string_view p(reinterpret_cast<const char*>(point), len);
    jwk = {{"kty", "EC"},
           {"crv", alg == "ES256" ? "P-256" : "P-384"},
           {"x", Base64UrlEncode(p.substr(1, width))},
           {"y", Base64UrlEncode(p.substr(1 + width, width))}};
  }
  return jwk;
}

Result<std::string> JwkThumbprint(const x509::PrivateKey& key) {
  XCERT_ASSIGN_OR_RETURN(const nlohmann::json jwk, PublicJwk(key));
  // nlohmann::json keeps object members sorted, and dump() without indent
  // writes no whitespace: exactly RFC 7638's canonical form.
  return Base64UrlEncode(x509::Sha256(jwk.dump()));
}

Result<std::string> KeyAuthorization(std::string_view token, const x509::PrivateKey& account_key) {
  XCERT_ASSIGN_OR_RETURN(const std::string thumbprint, JwkThumbprint(account_key));
  return std::string(token) + "." + thumbprint;
}

std::string Dns01TxtValue(std::string_view key_authorization) {
  return Base64UrlEncode(x509::Sha256(key_authorization));
}

Result<nlohmann::json> SignJws(const JwsSigner& signer, std::string_view nonce,
                               std::string_view url, std::string_view payload) {
  if (signer.key == nullptr) return Internal("SignJws without a key");
  const x509::PrivateKey& key = *signer.key;
  XCERT_ASSIGN_OR_RETURN(const std::string alg, JwsAlgorithm(key));
  nlohmann::json header = {{"alg", alg}, {"nonce", nonce}, {"url", url}};
  if (signer.kid.empty()) {
    XCERT_ASSIGN_OR_RETURN(header["jwk"], PublicJwk(key));
  } else {
    header["kid"] = signer.kid;
  }
  const std::string protected64 = Base64UrlEncode(header.dump());
  const std::string payload64 = Base64UrlEncode(payload);
  const std::string input = protected64 + "." + payload64;

  x509::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  size_t sig_len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, DigestFor(key), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &sig_len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return OpenSslError("signing an ACME request");
  }
  std::string sig(sig_len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return OpenSslError("signing an ACME request");
  }
  sig.resize(sig_len);
  if (key.algorithm() != KeyAlgorithm::kRsa) {
    // OpenSSL writes ECDSA-Sig-Value DER; JWS wants r || s, each padded to
    // the curve's size (RFC 7518 §3.4).
    const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
    EcdsaSigPtr ecdsa(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));
    if (!ecdsa) return OpenSslError("decoding an ECDSA signature");
    const int width = CoordinateBytes(key);
    sig = BignumBytes(ECDSA_SIG_get0_r(ecdsa.get()), width) +
          BignumBytes(ECDSA_SIG_get0_s(ecdsa.get()), width);
  }
  return nlohmann::json{
      {"protected", protected64}, {"payload", payload64}, {"signature", Base64UrlEncode(sig)}};
}

Result<nlohmann::json> ExternalAccountBinding(std::string_view key_id, std::string_view hmac_key,
                                              const nlohmann::json& account_jwk,
                                              std::string_view new_account_url) {
  if (key_id.empty()) return InvalidArgument("eab.keyId is empty");
  if (hmac_key.empty()) return InvalidArgument("the EAB MAC key is empty");
  const nlohmann::json header = {{"alg", "HS256"}, {"kid", key_id}, {"url", new_account_url}};
  const std::string protected64 = Base64UrlEncode(header.dump());
  const std::string payload64 = Base64UrlEncode(account_jwk.dump());
  const std::string input = protected64 + "." + payload64;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), hmac_key.data(), static_cast<int>(hmac_key.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
           &mac_len) == nullptr) {
    return OpenSslError("computing the EAB MAC");
  }
  return nlohmann::json{
      {"protected", protected64},
      {"payload", payload64},
      {"signature", Base64UrlEncode(std::string_view(reinterpret_cast<char*>(mac), mac_len))}};
}

}  // namespace xcert::acme
