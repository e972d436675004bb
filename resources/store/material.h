// What a store keeps for a certificate or a pending request, how new ones
// are made (New-ExchangeCertificate), and how stored items are described as
// CertificateInfo. Shared by the in-memory and the local store.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/apply/store.h"
#include "engine/model/certificate.h"
#include "engine/model/server_state.h"
#include "engine/util/status.h"
#include "engine/util/time.h"
#include "resources/x509/key.h"

namespace xcert::store {

// Who wrote a stored item (meta.json "createdBy").
inline constexpr std::string_view kCreatedByCreate = "create";
inline constexpr std::string_view kCreatedByImport = "import";
inline constexpr std::string_view kCreatedByCompletion = "import-completing-request";
inline constexpr std::string_view kCreatedByStoreInit = "store-init";

// The store's attributes of an item, beside the X.509 data.
struct ItemMeta {
  std::string friendly_name;
  bool exportable = false;
  std::string created_by;
  TimePoint created_at{};
  bool operator==(const ItemMeta&) const = default;
};

struct StoredCertificate {
  std::string der;
  x509::PrivateKey key;                // invalid: the certificate has no private key
  std::vector<std::string> chain_der;  // issuer chain, nearest issuer first
  ItemMeta meta;
};

// A pending request (New-ExchangeCertificate -GenerateRequest).
struct StoredRequest {
  std::string csr_der;
  x509::PrivateKey key;
  ItemMeta meta;
};

// Everything one server's store holds, to create a store from: what
// `xcert store init` writes and what tests start from.
struct ServerSeed {
  ServerIdentity identity;
  std::vector<StoredCertificate> certificates;
  std::vector<StoredRequest> requests;
  Bindings bindings;
};

// A self-signed certificate as `request` asks: a new key, subject and DNS
// names, valid from `now` for request.validity, keyUsage/EKU as the X.509
// builder gives TLS server certificates.
Result<StoredCertificate> MakeSelfSigned(const CreateRequest& request, TimePoint now);

// A new key and a PKCS#10 request for `request`'s subject and DNS names.
Result<StoredRequest> MakeRequest(const CreateRequest& request, TimePoint now);

// The id of a pending request: SHA-1 of its CSR DER, 40 upper-case hex.
std::string RequestId(std::string_view csr_der);

// A stored certificate as CertificateInfo: the X.509 facts of `der`, the
// store attributes, and the cheap status List reports (self-signed: Valid /
// RootCAType None; otherwise Unknown: chains are verified by `xcert show`).
// Services are left empty (ApplyBindings). `meta` null: attributes unknown.
Result<CertificateInfo> DescribeCertificate(std::string_view der, bool has_private_key,
                                            const ItemMeta* meta);

// A pending request as CertificateInfo: thumbprint = request id, subject,
// DNS names and key from the CSR, status PendingRequest, csr_pem set.
Result<CertificateInfo> DescribeRequest(std::string_view csr_der, const ItemMeta& meta);

// Sets `info.services` from the bindings and `iis_services` the way
// Get-ExchangeCertificate shows them (IIS://<server>/W3SVC/1 for the front
// end, /2 for the back end).
void ApplyBindings(const Bindings& bindings, const std::string& server, CertificateInfo* info);

}  // namespace xcert::store
