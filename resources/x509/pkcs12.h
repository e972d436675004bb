// PKCS#12 (.pfx/.p12). Written with AES-256-CBC and PBKDF2 (OpenSSL 3
// defaults), never RC2/3DES. Read: any algorithm OpenSSL 3 can decrypt
// (legacy RC2/3DES files need the legacy provider, which is loaded on demand).
#pragma once

#include <string>
#include <vector>

#include "engine/util/status.h"
#include "resources/x509/key.h"

namespace xcert::x509 {

struct Pkcs12Contents {
  PrivateKey key;               // may be invalid (certificate-only files)
  std::string certificate_der;  // the end-entity certificate (matches key when present)
  std::vector<std::string> chain_der;
  std::string friendly_name;
};

// A wrong password gives PermissionDenied("wrong password for PKCS#12 ...").
// Without a key in the file, certificate_der is the first non-CA certificate.
// The returned key lives in OpenSSL's default library context even when the
// file needed the legacy provider.
Result<Pkcs12Contents> ReadPkcs12(std::string_view der, const std::string& password);

// REQUIRES: password non-empty (else InvalidArgument). `key` may be invalid:
// a certificate-only file. A key that does not belong to the certificate is
// an InvalidArgument. MAC: HMAC-SHA-256; both bags AES-256-CBC, PBKDF2.
Result<std::string> WritePkcs12(const PrivateKey& key, std::string_view certificate_der,
                                const std::vector<std::string>& chain_der,
                                const std::string& friendly_name, const std::string& password);

}  // namespace xcert::x509
