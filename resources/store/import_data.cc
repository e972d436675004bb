#include "resources/store/import_data.h"

#include "resources/x509/der.h"
#include "resources/x509/parse.h"
#include "resources/x509/pem.h"
#include "resources/x509/pkcs12.h"

namespace xcert::store {

namespace {

// PFX ::= SEQUENCE { version INTEGER, authSafe ContentInfo, macData ... }:
// the only container here whose first inner element is an INTEGER (a
// certificate starts with a SEQUENCE, PKCS#7 ContentInfo with an OID).
bool LooksLikePkcs12(std::string_view data) {
  x509::der::Reader top(data);
  auto outer = top.Read(x509::der::kSequence, "data");
  if (!outer.ok()) return false;
  return x509::der::Reader(outer->value).NextTagIs(x509::der::kInteger);
}

bool HasPemKey(std::string_view text) {
  auto blocks = x509::ParsePem(text);
  if (!blocks.ok()) return false;
  for (const x509::PemBlock& b : *blocks) {
    if (b.label.ends_with("PRIVATE KEY")) return true;
  }
  return false;
}

// Splits `certs` into the end-entity certificate and the rest.
Status PickLeaf(std::vector<std::string> certs, ImportData* out) {
  size_t leaf = certs.size();
  if (out->key.valid()) {
    for (size_t i = 0; i < certs.size() && leaf == certs.size(); ++i) {
      if (out->key.Matches(certs[i])) leaf = i;
    }
    if (leaf == certs.size()) {
      return InvalidArgument("the private key in the import data belongs to none of its " +
                             std::to_string(certs.size()) +
                             " certificate(s); put the certificate and its own key together");
    }
  } else {
    for (size_t i = 0; i < certs.size() && leaf == certs.size(); ++i) {
      auto info = x509::ParseCertificate(certs[i]);
      if (info.ok() && !info->is_ca) leaf = i;
    }
    if (leaf == certs.size()) leaf = 0;
  }
  out->der = std::move(certs[leaf]);
  for (size_t i = 0; i < certs.size(); ++i) {
    if (i != leaf) out->chain_der.push_back(std::move(certs[i]));
  }
  return Status::Ok();
}

Result<ImportData> FromPkcs12(std::string_view data, const std::string& password) {
  XCERT_ASSIGN_OR_RETURN(x509::Pkcs12Contents p12, x509::ReadPkcs12(data, password));
  ImportData out;
  out.der = std::move(p12.certificate_der);
  out.key = std::move(p12.key);
  out.chain_der = std::move(p12.chain_der);
  out.friendly_name = std::move(p12.friendly_name);
  if (out.der.empty()) return InvalidArgument("the PKCS#12 file holds no certificate");
  if (out.key.valid() && !out.key.Matches(out.der)) {
    return InvalidArgument(
        "the private key in the PKCS#12 file does not belong to its certificate");
  }
  return out;
}

}  // namespace

Result<ImportData> DecodeImportData(std::string_view data, const std::string& password) {
  if (data.empty()) return InvalidArgument("the import data is empty; give a PKCS#12 or PEM file");
  if (!x509::LooksLikePem(data) && LooksLikePkcs12(data)) return FromPkcs12(data, password);
  ImportData out;
  if (x509::LooksLikePem(data) && HasPemKey(data)) {
    auto key = x509::PrivateKey::Parse(data, password);
    if (!key.ok()) return key.status().WithContext("the private key in the PEM data");
    out.key = std::move(*key);
  }
  XCERT_ASSIGN_OR_RETURN(std::vector<std::string> certs, x509::ReadCertificates(data));
  XCERT_RETURN_IF_ERROR(PickLeaf(std::move(certs), &out));
  return out;
}

}  // namespace xcert::store
