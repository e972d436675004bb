#include "resources/x509/x509_ext.h"

#include "engine/model/dns_name.h"
#include "resources/x509/der_x509.h"
#include "resources/x509/digest.h"

namespace xcert::x509 {

Result<GeneralNamesPtr> DnsGeneralNames(const std::vector<std::string>& dns_names) {
  GeneralNamesPtr names(GENERAL_NAMES_new());
  for (const std::string& dns : dns_names) {
    const std::string why = WhyInvalidDnsName(dns);
    if (!why.empty()) return InvalidArgument("DNS name '" + dns + "' is not valid: " + why);
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    GENERAL_NAME* gn = GENERAL_NAME_new();
    if (ia5 == nullptr || gn == nullptr ||
        !ASN1_STRING_set(ia5, dns.data(), static_cast<int>(dns.size()))) {
      ASN1_IA5STRING_free(ia5);
      GENERAL_NAME_free(gn);
      return OpenSslError("cannot encode DNS name '" + dns + "'");
    }
    GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
    sk_GENERAL_NAME_push(names.get(), gn);
  }
  return names;
}

std::vector<std::string> DnsNamesOf(const GENERAL_NAMES* names) {
  std::vector<std::string> out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type != GEN_DNS) continue;
    const ASN1_IA5STRING* s = gn->d.dNSName;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
  }
  return out;
}

std::string KeyIdentifier(const EVP_PKEY* pkey) {
  const std::string spki = PublicKeyToDer(pkey);
  auto facts = der::DecodePublicKeyInfoDer(spki);
  return facts.ok() ? Sha1(facts->key) : "";
}

const EVP_MD* SigningDigest(const EVP_PKEY* signer) {
  if (EVP_PKEY_is_a(signer, "EC") && EVP_PKEY_get_bits(signer) == 384) return EVP_sha384();
  return EVP_sha256();
}

Status AddExtension(X509* cert, int nid, void* value, bool critical) {
  if (X509_add1_ext_i2d(cert, nid, value, critical ? 1 : 0, X509V3_ADD_DEFAULT) != 1) {
    return OpenSslError(std::string("cannot add extension ") + OBJ_nid2ln(nid));
  }
  return Status::Ok();
}

}  // namespace xcert::x509
