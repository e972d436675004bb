#include "resources/exchange/serialized_cert.h"

#include "resources/exchange/utf16.h"

namespace xcert::exchange {

namespace {

constexpr size_t kHeaderSize = 12;

uint32_t U32At(std::string_view b, size_t pos) {
  return uint32_t(static_cast<unsigned char>(b[pos])) |
         uint32_t(static_cast<unsigned char>(b[pos + 1])) << 8 |
         uint32_t(static_cast<unsigned char>(b[pos + 2])) << 16 |
         uint32_t(static_cast<unsigned char>(b[pos + 3])) << 24;
}

}  // namespace

Result<std::vector<CertStoreProperty>> ParseCertStoreProperties(std::string_view element) {
  std::vector<CertStoreProperty> out;
  size_t pos = 0;
  while (pos < element.size()) {
    if (element.size() - pos < kHeaderSize) {
      return DataLoss("serialized certificate: offset " + std::to_string(pos) + ": " +
                      std::to_string(element.size() - pos) +
                      " bytes left, too few for a property header (12)");
    }
    uint32_t id = U32At(element, pos);
    uint32_t length = U32At(element, pos + 8);
    pos += kHeaderSize;
    if (length > element.size() - pos) {
      return DataLoss("serialized certificate: offset " + std::to_string(pos - kHeaderSize) +
                      ": property " + std::to_string(id) + " claims " + std::to_string(length) +
                      " bytes but only " + std::to_string(element.size() - pos) + " follow");
    }
    out.push_back({id, std::string(element.substr(pos, length))});
    pos += length;
  }
  return out;
}

Result<SerializedCertificate> ParseSerializedCertificate(std::string_view element) {
  XCERT_ASSIGN_OR_RETURN(std::vector<CertStoreProperty> props, ParseCertStoreProperties(element));
  SerializedCertificate out;
  for (CertStoreProperty& p : props) {
    switch (p.id) {
      case kCertCertPropId: out.der = std::move(p.data); break;
      case kCertKeyProvInfoPropId: out.has_key_prov_info = true; break;
      case kCertFriendlyNamePropId: {
        Result<std::string> name = Utf16LeToUtf8(p.data);
        if (!name.ok()) return name.status().WithContext("serialized certificate: friendly name");
        out.has_friendly_name = true;
        // The property includes the terminating NUL; stop at the first one.
        out.friendly_name = name->substr(0, name->find('\0'));
        break;
      }
      default: break;
    }
  }
  return out;
}

}  // namespace xcert::exchange
