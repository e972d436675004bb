// The Windows serialized certificate store element: what
// X509Certificate2.Export(X509ContentType.SerializedCert) returns, and what
// Exchange puts in the `CertData` member of an ExchangeCertificate's
// SerializationData (reference/exchange.md §1.4).
//
// Layout (CertSerializeCertificateStoreElement): a sequence of properties,
// each { uint32 property id, uint32 reserved (1), uint32 length, length
// bytes }, all little-endian, until the end of the data. Well-known ids:
//   2  CERT_KEY_PROV_INFO_PROP_ID  where the private key lives (container and
//                                  provider names; never key material)
//   11 CERT_FRIENDLY_NAME_PROP_ID  UTF-16LE, NUL-terminated
//   32 CERT_CERT_PROP_ID           the DER certificate
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"

namespace xcert::exchange {

inline constexpr uint32_t kCertKeyProvInfoPropId = 2;
inline constexpr uint32_t kCertFriendlyNamePropId = 11;
inline constexpr uint32_t kCertCertPropId = 32;

struct CertStoreProperty {
  uint32_t id = 0;
  std::string data;
};

// Splits an element into its properties, in order. Errors (with the byte
// offset) when a header or a property's data runs past the end.
Result<std::vector<CertStoreProperty>> ParseCertStoreProperties(std::string_view element);

// What xcert reads from an element.
struct SerializedCertificate {
  std::string der;  // property 32; "" if absent
  bool has_friendly_name = false;
  std::string friendly_name;       // property 11 as UTF-8, up to the first NUL
  bool has_key_prov_info = false;  // property 2 present
};

Result<SerializedCertificate> ParseSerializedCertificate(std::string_view element);

}  // namespace xcert::exchange
