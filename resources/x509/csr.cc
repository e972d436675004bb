// CreateCsr and ParseCsr (declared in builder.h).
#include <openssl/pem.h>

#include "engine/util/strings.h"
#include "resources/x509/builder.h"
#include "resources/x509/digest.h"
#include "resources/x509/openssl_util.h"
#include "resources/x509/pem.h"
#include "resources/x509/x509_ext.h"

namespace xcert::x509 {

namespace {

Status AddSanRequest(X509_REQ* req, const std::vector<std::string>& dns_names) {
  if (dns_names.empty()) return Status::Ok();
  XCERT_ASSIGN_OR_RETURN(GeneralNamesPtr san, DnsGeneralNames(dns_names));
  ExtensionStackPtr exts(sk_X509_EXTENSION_new_null());
  X509ExtensionPtr ext(X509V3_EXT_i2d(NID_subject_alt_name, 0, san.get()));
  if (!exts || !ext || !sk_X509_EXTENSION_push(exts.get(), ext.get())) {
    return OpenSslError("cannot encode the subjectAltName request");
  }
  ext.release();  // now owned by `exts`
  if (!X509_REQ_add_extensions(req, exts.get())) {
    return OpenSslError("cannot add the extension request");
  }
  return Status::Ok();
}

Result<X509ReqPtr> DecodeCsr(std::string_view data) {
  std::string der;
  if (LooksLikePem(data)) {
    XCERT_ASSIGN_OR_RETURN(std::vector<PemBlock> blocks, ParsePem(data));
    for (PemBlock& b : blocks) {
      if (b.label == "CERTIFICATE REQUEST" || b.label == "NEW CERTIFICATE REQUEST") {
        der = std::move(b.der);
        break;
      }
    }
    if (der.empty())
      return InvalidArgument("there is no CERTIFICATE REQUEST block in the PEM text");
  } else {
    der = std::string(data);
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509ReqPtr req(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
  if (!req) return OpenSslError("not a PKCS#10 certificate request", Code::kInvalidArgument);
  return req;
}

std::vector<std::string> RequestedDnsNames(X509_REQ* req) {
  ExtensionStackPtr exts(X509_REQ_get_extensions(req));
  DrainOpenSslErrors();  // a request without extensions leaves an error behind
  const int i = X509v3_get_ext_by_NID(exts.get(), NID_subject_alt_name, -1);
  if (i < 0) return {};
  GeneralNamesPtr san(
      static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(sk_X509_EXTENSION_value(exts.get(), i))));
  return DnsNamesOf(san.get());
}

}  // namespace

Result<std::string> CreateCsr(const std::string& subject, const std::vector<std::string>& dns_names,
                              const PrivateKey& key) {
  if (!key.valid()) return InvalidArgument("a certificate request needs a private key");
  XCERT_RETURN_IF_ERROR(DescribeKey(key.get()).status());
  auto name = NameFromDisplay(subject);
  if (!name.ok()) return name.status().WithContext("subject '" + subject + "'");
  X509ReqPtr req(X509_REQ_new());
  if (!req || !X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) ||
      !X509_REQ_set_subject_name(req.get(), name->get()) ||
      !X509_REQ_set_pubkey(req.get(), key.get())) {
    return OpenSslError("cannot fill in the certificate request");
  }
  XCERT_RETURN_IF_ERROR(AddSanRequest(req.get(), dns_names));
  if (X509_REQ_sign(req.get(), key.get(), SigningDigest(key.get())) <= 0) {
    return OpenSslError("cannot sign the certificate request");
  }
  std::string der = ToDer(i2d_X509_REQ, req.get());
  if (der.empty()) return OpenSslError("cannot encode the certificate request");
  return der;
}

Result<CsrInfo> ParseCsr(std::string_view data) {
  XCERT_ASSIGN_OR_RETURN(X509ReqPtr req, DecodeCsr(data));
  EVP_PKEY* pkey = X509_REQ_get0_pubkey(req.get());
  XCERT_ASSIGN_OR_RETURN(KeyFacts facts, DescribeKey(pkey));
  XCERT_ASSIGN_OR_RETURN(std::vector<Rdn> subject,
                         NameToRdns(X509_REQ_get_subject_name(req.get())));
  CsrInfo info;
  info.subject = FormatDn(subject);
  info.dns_names = RequestedDnsNames(req.get());
  info.public_key_der = PublicKeyToDer(pkey);
  info.public_key_sha1 = HexEncode(KeyIdentifier(pkey), true);
  info.key_algorithm = facts.algorithm;
  info.key_bits = facts.bits;
  info.curve = facts.curve;
  info.signature_ok = X509_REQ_verify(req.get(), pkey) == 1;
  DrainOpenSslErrors();
  return info;
}

}  // namespace xcert::x509
