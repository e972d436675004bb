// JSON Web Signatures as ACME uses them (RFC 8555 §6.2, RFC 7515, RFC 7518).
//
// Account keys: P-256 signs ES256, P-384 signs ES384, RSA (2048 bits or more)
// signs RS256; other keys are an InvalidArgument. Every JWS is the flattened
// JSON serialization {"protected", "payload", "signature"}; the protected
// header carries "alg", "nonce", "url" and either "jwk" (newAccount, and
// revocation by certificate key) or "kid" (every other request).
//
// Nothing here logs or returns private key material or the EAB MAC key in a
// message.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/util/status.h"
#include "resources/x509/key.h"

namespace xcert::acme {

// base64url without padding (RFC 7515 §2).
std::string Base64UrlEncode(std::string_view bytes);
// Accepts base64url with or without padding; standard-alphabet characters
// ('+', '/') are refused, as RFC 7515 requires.
Result<std::string> Base64UrlDecode(std::string_view text);

// The "alg" a key signs with: "ES256", "ES384" or "RS256".
Result<std::string> JwsAlgorithm(const x509::PrivateKey& key);

// The public JWK of `key` with only the required members (RFC 7638 §3.2), so
// that its serialization (members sorted, no whitespace) is the thumbprint input.
Result<nlohmann::json> PublicJwk(const x509::PrivateKey& key);

// base64url(SHA-256(canonical JWK)) (RFC 7638 §3).
Result<std::string> JwkThumbprint(const x509::PrivateKey& key);

// "token.thumbprint" (RFC 8555 §8.1).
Result<std::string> KeyAuthorization(std::string_view token, const x509::PrivateKey& account_key);

// The dns-01 TXT record value: base64url(SHA-256(key authorization)) (RFC 8555 §8.4).
std::string Dns01TxtValue(std::string_view key_authorization);

// Either the account URL ("kid") or the public key ("jwk") identifies the signer.
struct JwsSigner {
  const x509::PrivateKey* key = nullptr;
  std::string kid;  // empty: embed the JWK
};

// A flattened JWS over `payload` (already serialized JSON, or "" for
// POST-as-GET) with protected header {alg, jwk|kid, nonce, url}.
Result<nlohmann::json> SignJws(const JwsSigner& signer, std::string_view nonce,
                               std::string_view url, std::string_view payload);

// The externalAccountBinding member of a newAccount payload (RFC 8555
// §7.3.4): a JWS with alg HS256, kid `key_id`, url `new_account_url`, whose
// payload is the account's public JWK, MACed with `hmac_key` (raw bytes, i.e.
// the CA's base64url key already decoded).
Result<nlohmann::json> ExternalAccountBinding(std::string_view key_id, std::string_view hmac_key,
                                              const nlohmann::json& account_jwk,
                                              std::string_view new_account_url);

}  // namespace xcert::acme
