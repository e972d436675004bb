#include "resources/x509/pkcs12.h"

#include <openssl/provider.h>

#include "resources/x509/openssl_util.h"

namespace xcert::x509 {

namespace {

// A library context with the default and legacy providers, made on first
// need and kept for the life of the process: old .pfx files from CAs use
// RC2 or 3DES, which OpenSSL 3 only has in the legacy provider. Keeping
// legacy out of the default context means xcert can never write or
// otherwise use those algorithms by accident. nullptr when the legacy
// provider is not installed.
OSSL_LIB_CTX* LegacyContext() {
  static OSSL_LIB_CTX* const ctx = [] {
    OSSL_LIB_CTX* c = OSSL_LIB_CTX_new();
    if (c == nullptr || OSSL_PROVIDER_load(c, "default") == nullptr ||
        OSSL_PROVIDER_load(c, "legacy") == nullptr) {
      DrainOpenSslErrors();
      OSSL_LIB_CTX_free(c);
      return static_cast<OSSL_LIB_CTX*>(nullptr);
    }
    return c;
  }();
  return ctx;
}

// d2i into an object made for `ctx`, so that decryption fetches its
// algorithms there (the way `openssl pkcs12` reads files).
Result<Pkcs12Ptr> Decode(std::string_view der, OSSL_LIB_CTX* ctx) {
  Pkcs12Ptr p12(PKCS12_init_ex(NID_pkcs7_data, ctx, nullptr));
  PKCS12* raw = p12.get();
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  if (!raw || d2i_PKCS12(&raw, &p, static_cast<long>(der.size())) == nullptr) {
    p12.release();  // d2i frees the object it was given on failure
    return OpenSslError("not a PKCS#12 (.pfx/.p12) file", Code::kInvalidArgument);
  }
  return p12;
}

bool PasswordOpensMac(PKCS12* p12, const std::string& password) {
  if (!PKCS12_mac_present(p12)) return true;
  if (PKCS12_verify_mac(p12, password.c_str(), -1)) return true;
  // An empty password may have been applied as "no password" (NULL).
  return password.empty() && PKCS12_verify_mac(p12, nullptr, 0);
}

struct Parsed {
  EvpPkeyPtr key;
  X509Ptr cert;
  X509StackPtr others;
};

bool Parse(PKCS12* p12, const std::string& password, Parsed* out) {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* others = nullptr;
  const bool ok = PKCS12_parse(p12, password.c_str(), &key, &cert, &others) == 1;
  out->key.reset(key);
  out->cert.reset(cert);
  out->others.reset(others);
  return ok;
}

// Moves a key made in the legacy context into the default one (through
// PKCS#8 DER), so nothing outside this file depends on that context.
Result<PrivateKey> ToDefaultContext(EVP_PKEY* key) {
  OpenSslPtr<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free> p8(EVP_PKEY2PKCS8(key));
  std::string der = p8 ? ToDer(i2d_PKCS8_PRIV_KEY_INFO, p8.get()) : "";
  if (der.empty()) return OpenSslError("cannot re-encode the PKCS#12 private key");
  auto pk = PrivateKey::Parse(der);
  OPENSSL_cleanse(der.data(), der.size());
  return pk;
}

Result<Pkcs12Contents> Collect(Parsed& parsed) {
  Pkcs12Contents contents;
  std::vector<X509*> certs;
  for (int i = 0; i < sk_X509_num(parsed.others.get()); ++i) {
    certs.push_back(sk_X509_value(parsed.others.get(), i));
  }
  X509* leaf = parsed.cert.get();
  if (leaf == nullptr) {  // certificate-only file: the first non-CA, else the first
    for (X509* c : certs) {
      if (leaf == nullptr || (X509_check_ca(leaf) != 0 && X509_check_ca(c) == 0)) leaf = c;
    }
  }
  if (leaf == nullptr) return InvalidArgument("the PKCS#12 file holds no certificate");
  XCERT_ASSIGN_OR_RETURN(contents.certificate_der, CertificateToDer(leaf));
  int alias_len = 0;
  const unsigned char* alias = X509_alias_get0(leaf, &alias_len);
  if (alias != nullptr)
    contents.friendly_name.assign(reinterpret_cast<const char*>(alias), alias_len);
  for (X509* c : certs) {
    if (c == leaf) continue;
    XCERT_ASSIGN_OR_RETURN(std::string der, CertificateToDer(c));
    contents.chain_der.push_back(std::move(der));
  }
  if (parsed.key) {
    XCERT_ASSIGN_OR_RETURN(contents.key, ToDefaultContext(parsed.key.get()));
  }
  return contents;
}

}  // namespace

Result<Pkcs12Contents> ReadPkcs12(std::string_view der, const std::string& password) {
  XCERT_ASSIGN_OR_RETURN(Pkcs12Ptr p12, Decode(der, nullptr));
  if (!PasswordOpensMac(p12.get(), password)) {
    DrainOpenSslErrors();
    return PermissionDenied(
        "wrong password for PKCS#12 file; give the password it was exported with");
  }
  Parsed parsed;
  if (!Parse(p12.get(), password, &parsed)) {
    DrainOpenSslErrors();
    OSSL_LIB_CTX* legacy = LegacyContext();
    if (legacy == nullptr) {
      return InvalidArgument(
          "cannot decrypt the PKCS#12 file; it may use a legacy algorithm (RC2/3DES) and "
          "OpenSSL's legacy provider is not installed");
    }
    XCERT_ASSIGN_OR_RETURN(Pkcs12Ptr old, Decode(der, legacy));
    if (!Parse(old.get(), password, &parsed)) {
      return OpenSslError("cannot decrypt the PKCS#12 file", Code::kInvalidArgument);
    }
  }
  return Collect(parsed);
}

Result<std::string> WritePkcs12(const PrivateKey& key, std::string_view certificate_der,
                                const std::vector<std::string>& chain_der,
                                const std::string& friendly_name, const std::string& password) {
  if (password.empty()) return InvalidArgument("a PKCS#12 file needs a password");
  auto cert = CertificateFromDer(certificate_der);
  if (!cert.ok()) return cert.status().WithContext("the certificate for PKCS#12");
  if (key.valid() && !key.Matches(certificate_der)) {
    return InvalidArgument("the private key does not belong to the certificate");
  }
  X509StackPtr chain(sk_X509_new_null());
  for (size_t i = 0; i < chain_der.size(); ++i) {
    auto c = CertificateFromDer(chain_der[i]);
    if (!c.ok()) return c.status().WithContext("chain certificate " + std::to_string(i + 1));
    sk_X509_push(chain.get(), c->release());
  }
  // AES-256-CBC with PBKDF2 for both bags; the MAC is added separately
  // because PKCS12_create would use SHA-1 for it.
  Pkcs12Ptr p12(PKCS12_create_ex(password.c_str(),
                                 friendly_name.empty() ? nullptr : friendly_name.c_str(), key.get(),
                                 cert->get(), chain.get(), NID_aes_256_cbc, NID_aes_256_cbc,
                                 PKCS12_DEFAULT_ITER, -1, 0, nullptr, nullptr));
  if (!p12 || !PKCS12_set_mac(p12.get(), password.c_str(), -1, nullptr, 0, PKCS12_DEFAULT_ITER,
                              EVP_sha256())) {
    return OpenSslError("cannot write the PKCS#12 file");
  }
  std::string der = ToDer(i2d_PKCS12, p12.get());
  if (der.empty()) return OpenSslError("cannot encode the PKCS#12 file");
  return der;
}

}  // namespace xcert::x509
