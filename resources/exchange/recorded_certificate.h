// Certificates from a recorded `Get-ExchangeCertificate | Export-Clixml`
// (or any CliXml of X509Certificate2 objects), as the offline snapshot store
// and the fixtures hold them (reference/exchange.md §1.4, §5.3).
//
// Each object contributes:
//  - RawData (<BA N="RawData">): the DER certificate. Always required; the
//    certificate's identity (thumbprint) comes from it.
//  - SerializationData (<BA N="SerializationData"> in <MS>), when present:
//    a BinaryFormatter blob, plain or "#sig#"-signed, of the ExchangeCertificate
//    members CertData, SelfSigned, Status, RootCAType, Services, IISServices,
//    PrivateKeyExportable and Identity. It is the only place Exchange's own
//    attributes exist in the recording.
// An object without SerializationData (an X509Certificate2, or the
// Deserialized.* objects that arrive when the server could not serialise,
// the `*Broken.xml` case) is "present, attributes unknown", not an error.
// A SerializationData blob that is present but cannot be decoded is an error:
// silently treating damage as "unknown" would hide it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"
#include "resources/exchange/clixml.h"

namespace xcert::exchange {

inline constexpr std::string_view kExchangeCertificateType =
    "Microsoft.Exchange.Management.SystemConfigurationTasks.ExchangeCertificate";
inline constexpr std::string_view kX509Certificate2Type =
    "System.Security.Cryptography.X509Certificates.X509Certificate2";

// How the object carried Exchange's attributes.
enum class SerializationForm : uint8_t {
  kAbsent,  // no SerializationData: attributes unknown
  kPlain,   // a plain BinaryFormatter stream
  kSigned,  // "#sig#" + length + stream + 32-byte trailer
};
std::string_view SerializationFormName(SerializationForm f);  // "absent", "plain", "signed"

struct RecordedCertificate {
  std::string raw_der;     // from <BA N="RawData">
  std::string thumbprint;  // SHA-1 of raw_der, 40 upper-case hex
  SerializationForm serialization = SerializationForm::kAbsent;
  bool attributes_known = false;  // SerializationData present and decoded

  // Valid when attributes_known. Enum values as Exchange numbers them
  // (AllowedServices flags, CertificateStatus, CertificateAuthorityType; see
  // engine/model/exchange.h and certificate.h); not range-checked here.
  int services = 0;
  int status = 0;
  int root_ca_type = 0;
  bool private_key_exportable = false;
  bool self_signed = false;
  std::string friendly_name;              // CertData property 11
  bool has_private_key_info = false;      // CertData carries KEY_PROV_INFO (property 2)
  std::vector<std::string> iis_services;  // e.g. "IIS://Solo-E19A/W3SVC/1", in recorded order
  std::string identity;                   // "Solo-E19A.Solo.com\C3ED...", "" when not recorded

  std::string ps_computer_name;  // <S N="PSComputerName">, "" when absent
};

// One object of a recording. Errors are relative to the object (the caller
// adds the file and the object's position); SerializationData errors name
// the certificate: "certificate ABC...: SerializationData: offset 812: ...".
Result<RecordedCertificate> RecordedCertificateFromObject(const PsObject& object);

// Every top-level object of a CliXml file, in file order. Each must be an
// ExchangeCertificate or X509Certificate2 (possibly Deserialized.*); anything
// else is an error naming its type. Errors start with `source_name` and the
// object's position: "FILE: object 3: certificate ABC...: SerializationData: ...".
Result<std::vector<RecordedCertificate>> ReadRecordedCertificates(std::string_view clixml_text,
                                                                  const std::string& source_name);

}  // namespace xcert::exchange
