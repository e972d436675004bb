#include "resources/exchange/recorded_certificate.h"

#include <limits>

#include "resources/exchange/nrbf.h"
#include "resources/exchange/recorded_objects.h"
#include "resources/exchange/serialized_cert.h"
#include "resources/x509/digest.h"

namespace xcert::exchange {

namespace {

Status MissingMember(std::string_view name, std::string_view shape) {
  return DataLoss("SerializationData: member '" + std::string(name) + "' is missing or not " +
                  std::string(shape) +
                  " (an ExchangeCertificate from an unknown Exchange version?)");
}

Result<int> IntMember(const nrbf::Graph& g, const nrbf::Object& o, std::string_view name) {
  std::optional<int64_t> v = g.IntegerMember(o, name);
  if (!v || *v < std::numeric_limits<int>::min() || *v > std::numeric_limits<int>::max()) {
    return MissingMember(name, "an integer or enum");
  }
  return static_cast<int>(*v);
}

Result<bool> BoolMember(const nrbf::Graph& g, const nrbf::Object& o, std::string_view name) {
  std::optional<bool> v = g.BoolMember(o, name);
  if (!v) return MissingMember(name, "a Boolean");
  return *v;
}

// IISServices is a List<IisService>; each item's `serviceName` is a string
// like "IIS://Solo-E19A/W3SVC/1". A null list means none.
Result<std::vector<std::string>> IisServices(const nrbf::Graph& g, const nrbf::Object& cert) {
  const nrbf::Value* member = cert.Member("IISServices");
  if (!member) return MissingMember("IISServices", "a list");
  std::vector<std::string> out;
  if (member->is_null()) return out;
  const nrbf::Object* list = g.Deref(*member);
  std::optional<std::vector<nrbf::Value>> items = list ? g.ListItems(*list) : std::nullopt;
  if (!items) return MissingMember("IISServices", "a List<IisService>");
  for (const nrbf::Value& item : *items) {
    const nrbf::Object* service = g.Deref(item);
    if (!service) continue;  // a null entry names no site
    const std::string* name = g.StringMember(*service, "serviceName");
    if (!name) return MissingMember("IISServices[].serviceName", "a string");
    out.push_back(*name);
  }
  return out;
}

// CertData: the serialized store element, whose DER must be the RawData.
Status ReadCertData(const nrbf::Graph& g, const nrbf::Object& cert, RecordedCertificate* out) {
  const std::string* cert_data = g.BytesMember(cert, "CertData");
  if (!cert_data) return MissingMember("CertData", "a byte array");
  Result<SerializedCertificate> element = ParseSerializedCertificate(*cert_data);
  if (!element.ok()) return element.status().WithContext("SerializationData: CertData");
  if (!element->der.empty() && element->der != out->raw_der) {
    return DataLoss("SerializationData describes certificate " + x509::Sha1Hex(element->der) +
                    ", not the RawData certificate; the recording is damaged or was edited");
  }
  out->friendly_name = element->friendly_name;
  out->has_private_key_info = element->has_key_prov_info;
  return Status::Ok();
}

Status ReadSerializationData(std::string_view blob, RecordedCertificate* out) {
  Result<nrbf::Graph> decoded = nrbf::Decode(blob);
  if (!decoded.ok()) return decoded.status().WithContext("SerializationData");
  const nrbf::Graph& g = *decoded;
  const nrbf::Object& cert = g.root();
  if (cert.class_name() != kExchangeCertificateType) {
    return DataLoss("SerializationData holds a '" + cert.class_name() +
                    "', not an ExchangeCertificate");
  }
  XCERT_RETURN_IF_ERROR(ReadCertData(g, cert, out));
  XCERT_ASSIGN_OR_RETURN(out->self_signed, BoolMember(g, cert, "SelfSigned"));
  XCERT_ASSIGN_OR_RETURN(out->status, IntMember(g, cert, "Status"));
  XCERT_ASSIGN_OR_RETURN(out->root_ca_type, IntMember(g, cert, "RootCAType"));
  XCERT_ASSIGN_OR_RETURN(out->services, IntMember(g, cert, "Services"));
  XCERT_ASSIGN_OR_RETURN(out->iis_services, IisServices(g, cert));
  XCERT_ASSIGN_OR_RETURN(out->private_key_exportable, BoolMember(g, cert, "PrivateKeyExportable"));
  if (const std::string* identity = g.StringMember(cert, "Identity")) out->identity = *identity;
  out->serialization = g.signed_payload ? SerializationForm::kSigned : SerializationForm::kPlain;
  out->attributes_known = true;
  return Status::Ok();
}

}  // namespace

std::string_view SerializationFormName(SerializationForm f) {
  switch (f) {
    case SerializationForm::kAbsent: return "absent";
    case SerializationForm::kPlain: return "plain";
    case SerializationForm::kSigned: return "signed";
  }
  return "?";
}

Result<RecordedCertificate> RecordedCertificateFromObject(const PsObject& object) {
  XCERT_RETURN_IF_ERROR(CheckRecordedType(object, {kExchangeCertificateType, kX509Certificate2Type},
                                          "a certificate", "Get-ExchangeCertificate"));
  const PsValue* raw = object.Find("RawData");
  if (!raw || !raw->AsBytes() || raw->AsBytes()->empty()) {
    return InvalidArgument(
        "no RawData bytes, so the certificate is unknown "
        "(export the Get-ExchangeCertificate objects themselves)");
  }
  RecordedCertificate out;
  out.raw_der = *raw->AsBytes();
  out.thumbprint = x509::Sha1Hex(out.raw_der);
  out.ps_computer_name = object.FindText("PSComputerName").value_or("");
  const PsValue* data = object.Find("SerializationData");
  if (data && !data->is_nil()) {
    if (!data->AsBytes()) return InvalidArgument("SerializationData is not a byte array");
    Status status = ReadSerializationData(*data->AsBytes(), &out);
    if (!status.ok()) return status.WithContext("certificate " + out.thumbprint);
  }
  return out;
}

Result<std::vector<RecordedCertificate>> ReadRecordedCertificates(std::string_view clixml_text,
                                                                  const std::string& source_name) {
  return ReadRecordedObjects<RecordedCertificate>(clixml_text, source_name,
                                                  RecordedCertificateFromObject);
}

}  // namespace xcert::exchange
