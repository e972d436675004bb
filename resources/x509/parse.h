// Reading certificates into CertificateInfo (the X.509 half; store attributes
// are left at their defaults).
//
// Two parsers give identical results for every field they both fill:
//  - ParseCertificate: a direct DER walk without building an OpenSSL X509
//    object (about 20x cheaper). It fills every X.509 field of
//    CertificateInfo except `self_signed`, which it approximates as
//    "issuer == subject (compared as dn.h DnKey) and (no AKI, or no SKI, or
//    AKI == SKI)" — X509_self_signed without the signature check. It is
//    strict DER: indefinite or non-minimal lengths, trailing bytes, repeated
//    extensions, non-RFC 5280 times and unsupported key types are errors
//    (InvalidArgument "malformed <element>: <problem>"), never out-of-bounds
//    reads.
//  - ParseCertificateOpenSsl: through d2i_X509; `self_signed` also verifies
//    the signature with the certificate's own key. Used for deep checks and as
//    the reference in tests.
// Both compute thumbprint (SHA-1) and sha256 of the exact DER given.
// Field formats: subject/issuer as dn.h FormatDn (types without a dn.h short
// name as dotted OIDs, values as UTF-8); serial, subject_key_id and
// authority_key_id as upper-case hex of the content octets (a serial with
// its high bit set keeps its 00 sign octet, as Windows shows it);
// signature_algorithm as OpenSSL's long name or the dotted OID. Keys other
// than RSA and ECDSA (P-256, P-384, P-521) are an InvalidArgument.
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
