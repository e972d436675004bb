// Certificate files as issuers read and hand them over: the certificates in
// a file (PEM, DER or PKCS#7), which of them is the end-entity certificate,
// and the PEM bundle the Store imports (design §2: the certificate, its
// PKCS#8 private key, then the CA chain for chain.pem).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model/certificate.h"
#include "engine/util/status.h"
#include "resources/x509/key.h"

namespace xcert::issuers {

// A certificate read from a file: its DER and its X.509 facts.
struct LoadedCertificate {
  std::string der;
  CertificateInfo info;
};

// Files larger than this are not certificates or keys; they are refused
// rather than read into memory.
inline constexpr size_t kMaxIssuerFileBytes = 1 << 20;

// The certificates in `data` (PEM, DER or PKCS#7), in order. An error says
// why there is none, or which one cannot be read ("certificate 2 cannot be
// read: ...").
Result<std::vector<LoadedCertificate>> LoadCertificates(std::string_view data);

// The bytes of the file at `path`; an error (naming the path) when it is
// missing, not a regular file, larger than kMaxIssuerFileBytes or unreadable.
Result<std::string> ReadSmallFile(const std::string& path);

// The index of the end-entity certificate among `certs`: the first that
// `preferred` accepts (e.g. the one matching a key), else the first that is
// not a CA certificate; nullopt when every certificate is a CA.
std::optional<size_t> PickLeaf(const std::vector<LoadedCertificate>& certs,
                               const std::function<bool(const LoadedCertificate&)>& preferred);

// The DER of every certificate of `certs` but the one at `leaf`, in order.
std::vector<std::string> OthersThan(const std::vector<LoadedCertificate>& certs, size_t leaf);

// "-----BEGIN CERTIFICATE-----" of `leaf_der`, then `key` as unencrypted
// PKCS#8 when it is valid, then each of `chain_der` once (duplicates and
// copies of the leaf are dropped), in order.
std::string PemBundle(const std::string& leaf_der, const x509::PrivateKey& key,
                      const std::vector<std::string>& chain_der);

}  // namespace xcert::issuers
