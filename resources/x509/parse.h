// Reading certificates into CertificateInfo (the X.509 half; store attributes
// are left at their defaults).
//
// Two parsers give identical results for every field they both fill:
//  - ParseCertificate: a direct DER walk without building an OpenSSL X509
//    object (about 20x cheaper). It fills every X.509 field of
//    CertificateInfo except `self_signed`, which it approximates as
//    "issuer == subject and (no AKI or AKI == SKI)" (no signature check).
//  - ParseCertificateOpenSsl: through d2i_X509; `self_signed` also verifies
//    the signature with the certificate's own key. Used for deep checks and as
//    the reference in tests.
// Both compute thumbprint (SHA-1) and sha256 of the exact DER given.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/model/certificate.h"
#include "engine/util/status.h"

namespace xcert::x509 {

Result<CertificateInfo> ParseCertificate(std::string_view der);
Result<CertificateInfo> ParseCertificateOpenSsl(std::string_view der);

// The certificates in `data`: PEM (one or more CERTIFICATE blocks), DER (one
// certificate), or PKCS#7 (PEM "PKCS7" or DER SignedData, e.g. a CA's .p7b
// answer). Returns DER blobs in file order.
Result<std::vector<std::string>> ReadCertificates(std::string_view data);

}  // namespace xcert::x509
