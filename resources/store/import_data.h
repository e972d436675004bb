// Decoding what Import-ExchangeCertificate accepts: PKCS#12 (DER, with a
// password), a PEM bundle (certificates, optionally one private key, in any
// order), a DER certificate or PKCS#7 (a CA's .p7b answer).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"
#include "resources/x509/key.h"

namespace xcert::store {

struct ImportData {
  std::string der;                     // the end-entity certificate
  x509::PrivateKey key;                // invalid when the data holds no key
  std::vector<std::string> chain_der;  // the other certificates, in file order
  std::string friendly_name;           // a PKCS#12's friendly name, or ""
};

// The end-entity certificate is the one the key belongs to; without a key,
// the first certificate that is not a CA (as Exchange picks the one without
// keyCertSign). A key that belongs to none of the certificates is an
// InvalidArgument. `password` opens a PKCS#12 or an encrypted PEM key; a
// wrong one is PermissionDenied. Errors never contain key material.
Result<ImportData> DecodeImportData(std::string_view data, const std::string& password);

}  // namespace xcert::store
