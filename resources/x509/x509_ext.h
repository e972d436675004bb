// Internal: pieces shared by the certificate builder, the CSR code and the
// OpenSSL parser (subjectAltName, key identifiers, signing digests).
#pragma once

#include <string>
#include <vector>

#include "engine/util/status.h"
#include "resources/x509/openssl_util.h"

namespace xcert::x509 {

// subjectAltName entries for `dns_names`; each must be a valid certificate
// DNS name (engine/model/dns_name.h), else an InvalidArgument naming it.
Result<GeneralNamesPtr> DnsGeneralNames(const std::vector<std::string>& dns_names);

// The dNSName entries of `names`, in order (nullptr gives none).
std::vector<std::string> DnsNamesOf(const GENERAL_NAMES* names);

// RFC 5280 §4.2.1.2 method 1: raw SHA-1 of the subjectPublicKey bits.
std::string KeyIdentifier(const EVP_PKEY* pkey);

// The digest xcert signs with for `signer`: SHA-384 for P-384 keys,
// SHA-256 otherwise.
const EVP_MD* SigningDigest(const EVP_PKEY* signer);

// Adds `value` (an OpenSSL extension struct) as extension `nid`.
Status AddExtension(X509* cert, int nid, void* value, bool critical);

}  // namespace xcert::x509
