// ReadCertificates (declared in parse.h): certificates out of PEM, DER and
// PKCS#7 containers.
#include "engine/util/strings.h"
#include "resources/x509/der.h"
#include "resources/x509/openssl_util.h"
#include "resources/x509/parse.h"
#include "resources/x509/pem.h"

namespace xcert::x509 {

namespace {

Status AppendPkcs7Certificates(std::string_view der, std::vector<std::string>* out) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
  if (!p7) return OpenSslError("malformed PKCS#7 data", Code::kInvalidArgument);
  if (!PKCS7_type_is_signed(p7.get()) || p7->d.sign == nullptr) {
    return InvalidArgument("the PKCS#7 data is not SignedData, so it holds no certificates");
  }
  STACK_OF(X509)* certs = p7->d.sign->cert;
  if (sk_X509_num(certs) <= 0) return InvalidArgument("the PKCS#7 data holds no certificates");
  for (int i = 0; i < sk_X509_num(certs); ++i) {
    XCERT_ASSIGN_OR_RETURN(std::string cert, CertificateToDer(sk_X509_value(certs, i)));
    out->push_back(std::move(cert));
  }
  return Status::Ok();
}

// One DER object: a certificate (SEQUENCE { SEQUENCE tbs, ... }) or a
// PKCS#7 ContentInfo (SEQUENCE { OID, [0] ... }).
Status AppendDer(std::string_view der, std::vector<std::string>* out) {
  der::Reader top(der);
  XCERT_ASSIGN_OR_RETURN(der::Tlv outer, top.Read(der::kSequence, "DER data"));
  XCERT_RETURN_IF_ERROR(top.ExpectEnd("DER data"));
  der::Reader inner(outer.value);
  if (inner.NextTagIs(der::kSequence)) {
    out->emplace_back(der);
    return Status::Ok();
  }
  if (inner.NextTagIs(der::kOid)) return AppendPkcs7Certificates(der, out);
  return InvalidArgument("the DER data is neither a certificate nor PKCS#7");
}

Status AppendPem(std::string_view text, std::vector<std::string>* out) {
  XCERT_ASSIGN_OR_RETURN(std::vector<PemBlock> blocks, ParsePem(text));
  std::vector<std::string> others;
  for (const PemBlock& b : blocks) {
    // Windows CAs label a base64 PKCS#7 chain (certnew.p7b) CERTIFICATE too;
    // AppendDer tells them apart by content.
    if (b.label == "CERTIFICATE" || b.label == "X509 CERTIFICATE" || b.label == "PKCS7" ||
        b.label == "PKCS #7 SIGNED DATA") {
      const Status s = AppendDer(b.der, out);
      if (!s.ok()) {
        return s.WithContext("PEM block '" + b.label + "' at line " + std::to_string(b.line));
      }
    } else {
      others.push_back(b.label);
    }
  }
  if (out->empty()) {
    return InvalidArgument(
        "there is no certificate in the PEM text (blocks found: " + QuotedList(others) + ")");
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> ReadCertificates(std::string_view data) {
  if (data.empty()) return InvalidArgument("the data is empty; expected PEM, DER or PKCS#7");
  std::vector<std::string> out;
  // DER always starts with a SEQUENCE; anything else is read as PEM text.
  const Status s =
      uint8_t(data.front()) == der::kSequence ? AppendDer(data, &out) : AppendPem(data, &out);
  if (!s.ok()) return s;
  return out;
}

}  // namespace xcert::x509
