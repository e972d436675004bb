// Private keys (RSA 2048/3072/4096, ECDSA P-256/P-384) with RAII ownership of
// the OpenSSL EVP_PKEY. Private key material is never logged and never part
// of an error message.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "engine/model/certificate.h"
#include "engine/util/status.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace xcert::x509 {

class PrivateKey {
 public:
  PrivateKey() = default;
  // Takes ownership.
  explicit PrivateKey(EVP_PKEY* pkey);

  // A new key as `spec` asks (spec.exportable is not a key property and is ignored).
  static Result<PrivateKey> Generate(const KeySpec& spec);
  // PKCS#8 or traditional PEM, optionally encrypted with `password`; also DER
  // (PKCS#8, encrypted PKCS#8, traditional RSA/EC). In a PEM bundle the first
  // "... PRIVATE KEY" block is used. An encrypted key without a password is
  // InvalidArgument("the private key is encrypted: give its password"); a
  // wrong password is PermissionDenied("wrong password for the encrypted
  // private key"). Keys other than RSA and EC (P-256/P-384/P-521) are refused.
  static Result<PrivateKey> Parse(std::string_view data, const std::string& password = {});

  bool valid() const { return pkey_ != nullptr; }
  EVP_PKEY* get() const { return pkey_.get(); }

  // Unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----").
  std::string ToPkcs8Pem() const;
  // SubjectPublicKeyInfo DER.
  std::string PublicKeyDer() const;
  // SHA-1 of the subjectPublicKey BIT STRING contents, upper-case hex: the same
  // value CertificateInfo::public_key_sha1 holds for a matching certificate.
  std::string PublicKeySha1() const;
  KeyAlgorithm algorithm() const;
  int bits() const;
  EcCurve curve() const;
  // Whether this key is the private half of the certificate's public key.
  bool Matches(std::string_view certificate_der) const;

 private:
  struct Deleter {
    void operator()(EVP_PKEY* p) const;
  };
  std::shared_ptr<EVP_PKEY> pkey_;
};

}  // namespace xcert::x509
