#include "resources/x509/openssl_util.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include "engine/util/strings.h"
#include "resources/x509/der.h"
#include "resources/x509/oids.h"

namespace xcert::x509 {

std::string DrainOpenSslErrors() {
  std::string out;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    // "error:0480006C:PEM routines::no start line" -> keep the reason text.
    const std::string_view text(buf);
    const size_t colon = text.rfind(':');
    out += colon == std::string_view::npos ? text : text.substr(colon + 1);
  }
  return out;
}

Status OpenSslError(const std::string& what, Code code) {
  const std::string reasons = DrainOpenSslErrors();
  return Status(code, reasons.empty() ? what : what + ": " + reasons);
}

BioPtr MemoryBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

Result<std::string> CertificateToDer(X509* cert) {
  std::string der = ToDer(i2d_X509, cert);
  if (der.empty()) return OpenSslError("cannot encode the certificate");
  return der;
}

Result<X509Ptr> CertificateFromDer(std::string_view der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return OpenSslError("not a DER certificate", Code::kInvalidArgument);
  const size_t used = static_cast<size_t>(p - reinterpret_cast<const unsigned char*>(der.data()));
  if (used != der.size()) {
    return InvalidArgument("malformed certificate: " + std::to_string(der.size() - used) +
                           " unexpected bytes after it");
  }
  return cert;
}

std::string PublicKeyToDer(const EVP_PKEY* pkey) { return ToDer(i2d_PUBKEY, pkey); }

Result<KeyFacts> DescribeKey(const EVP_PKEY* pkey) {
  if (pkey == nullptr) return InvalidArgument("there is no public key");
  KeyFacts facts;
  facts.bits = EVP_PKEY_get_bits(pkey);
  if (EVP_PKEY_is_a(pkey, "RSA") || EVP_PKEY_is_a(pkey, "RSA-PSS")) return facts;
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char group[64] = {};
    size_t len = 0;
    if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                        &len)) {
      DrainOpenSslErrors();
      return InvalidArgument(
          "EC keys with explicit curve parameters are not supported; use a named curve (P-256, "
          "P-384)");
    }
    const ASN1_OBJECT* oid = OBJ_nid2obj(OBJ_txt2nid(group));
    const oids::NamedCurve* curve =
        oid ? oids::FindCurve(std::string_view(reinterpret_cast<const char*>(OBJ_get0_data(oid)),
                                               OBJ_length(oid)))
            : nullptr;
    if (curve == nullptr) {
      return InvalidArgument("EC curve " + std::string(group) +
                             " is not supported (P-256, P-384 and P-521 are)");
    }
    facts.algorithm = KeyAlgorithm::kEcdsa;
    facts.curve = curve->curve;
    return facts;
  }
  const char* type = EVP_PKEY_get0_type_name(pkey);
  return InvalidArgument(std::string("public key algorithm ") + (type ? type : "(unknown)") +
                         " is not supported; xcert handles RSA and ECDSA keys");
}

namespace {

// Dotted text; OBJ_obj2txt returns the full length even when it truncates.
std::string ObjectText(const ASN1_OBJECT* obj) {
  std::string buf(64, '\0');
  int n = OBJ_obj2txt(buf.data(), static_cast<int>(buf.size()), obj, 1);
  if (n >= static_cast<int>(buf.size())) {
    buf.assign(static_cast<size_t>(n) + 1, '\0');
    n = OBJ_obj2txt(buf.data(), static_cast<int>(buf.size()), obj, 1);
  }
  buf.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return buf;
}

}  // namespace

Result<std::vector<Rdn>> NameToRdns(const X509_NAME* name) {
  std::vector<Rdn> rdns;
  const int count = X509_NAME_entry_count(name);
  for (int i = count - 1; i >= 0; --i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    const ASN1_OBJECT* obj = X509_NAME_ENTRY_get_object(entry);
    Rdn rdn;
    const std::string_view short_name = oids::AttributeTypeName(
        std::string_view(reinterpret_cast<const char*>(OBJ_get0_data(obj)), OBJ_length(obj)));
    rdn.type = short_name.empty() ? ObjectText(obj) : std::string(short_name);
    unsigned char* utf8 = nullptr;
    const int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
    if (n < 0)
      return OpenSslError("attribute " + rdn.type + " is not a valid string",
                          Code::kInvalidArgument);
    rdn.value.assign(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
    OPENSSL_free(utf8);
    rdns.push_back(std::move(rdn));
  }
  return rdns;
}

Result<X509NamePtr> NameFromDisplay(std::string_view display) {
  XCERT_ASSIGN_OR_RETURN(std::vector<Rdn> rdns, ParseDn(display));
  X509NamePtr name(X509_NAME_new());
  // Display order is most specific first; DER order is the reverse.
  for (auto it = rdns.rbegin(); it != rdns.rend(); ++it) {
    const int nid = oids::AttributeTypeNid(it->type);
    if (!X509_NAME_add_entry_by_NID(name.get(), nid, MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(it->value.data()),
                                    static_cast<int>(it->value.size()), -1, 0)) {
      return OpenSslError("subject attribute " + it->type + "='" + it->value + "' is not valid",
                          Code::kInvalidArgument);
    }
  }
  return name;
}

Result<TimePoint> TimeFromAsn1(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return OpenSslError("the certificate has an invalid time", Code::kInvalidArgument);
  }
  using namespace std::chrono;
  const year_month_day ymd{year(tm.tm_year + 1900), month(unsigned(tm.tm_mon + 1)),
                           day(unsigned(tm.tm_mday))};
  return TimePoint(sys_days(ymd)) + hours(tm.tm_hour) + minutes(tm.tm_min) + seconds(tm.tm_sec);
}

bool SetAsn1Time(ASN1_TIME* t, TimePoint tp) {
  // ASN1_TIME_set picks UTCTime for 1950..2049 and GeneralizedTime
  // otherwise, as RFC 5280 §4.1.2.5 requires.
  return ASN1_TIME_set(t, static_cast<time_t>(tp.time_since_epoch().count())) != nullptr;
}

std::string IntegerHex(const ASN1_INTEGER* i) {
  const std::string encoded = ToDer(i2d_ASN1_INTEGER, i);
  der::Reader r(encoded);
  auto tlv = r.Read(der::kInteger, "INTEGER");
  return tlv.ok() ? HexEncode(tlv->value, true) : "";
}

std::string AlgorithmName(const ASN1_OBJECT* obj) {
  const int nid = OBJ_obj2nid(obj);
  if (nid == NID_undef) return ObjectText(obj);
  return OBJ_nid2ln(nid);
}

}  // namespace xcert::x509
