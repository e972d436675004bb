// Internal helpers for the OpenSSL-facing parts of the toolkit: RAII owners
// for OpenSSL objects, error conversion, and conversions between OpenSSL
// types and xcert's plain values. Not used outside resources/x509.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "engine/model/certificate.h"
#include "engine/model/dn.h"
#include "engine/util/status.h"
#include "engine/util/time.h"

namespace xcert::x509 {

// unique_ptr owners: `BioPtr bio(BIO_new(...))` frees with the matching
// OpenSSL free function.
template <typename T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* p) const { Free(p); }
};
template <typename T, void (*Free)(T*)>
using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter<T, Free>>;

using BioPtr = OpenSslPtr<BIO, BIO_free_all>;
using X509Ptr = OpenSslPtr<X509, X509_free>;
using X509ReqPtr = OpenSslPtr<X509_REQ, X509_REQ_free>;
using X509NamePtr = OpenSslPtr<X509_NAME, X509_NAME_free>;
using X509ExtensionPtr = OpenSslPtr<X509_EXTENSION, X509_EXTENSION_free>;
using X509StorePtr = OpenSslPtr<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = OpenSslPtr<X509_STORE_CTX, X509_STORE_CTX_free>;
using EvpPkeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;
using EvpMdCtxPtr = OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using Pkcs12Ptr = OpenSslPtr<PKCS12, PKCS12_free>;
using Pkcs7Ptr = OpenSslPtr<PKCS7, PKCS7_free>;
using Asn1IntegerPtr = OpenSslPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1OctetStringPtr = OpenSslPtr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using Asn1BitStringPtr = OpenSslPtr<ASN1_BIT_STRING, ASN1_BIT_STRING_free>;
using GeneralNamesPtr = OpenSslPtr<GENERAL_NAMES, GENERAL_NAMES_free>;
using BasicConstraintsPtr = OpenSslPtr<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>;
using AuthorityKeyIdPtr = OpenSslPtr<AUTHORITY_KEYID, AUTHORITY_KEYID_free>;
using ExtendedKeyUsagePtr = OpenSslPtr<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>;

// Stacks own their elements.
struct X509StackDeleter {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;
struct ExtensionStackDeleter {
  void operator()(STACK_OF(X509_EXTENSION) * s) const {
    sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
  }
};
using ExtensionStackPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), ExtensionStackDeleter>;

// The DER an OpenSSL i2d function writes for `obj` ("" when it fails):
// `ToDer(i2d_X509_REQ, req)`. The OpenSSL buffer is cleansed and freed.
template <typename T>
std::string ToDer(int (*i2d)(const T*, unsigned char**), const T* obj) {
  unsigned char* out = nullptr;
  const int n = i2d(obj, &out);
  if (n <= 0) return "";
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  OPENSSL_clear_free(out, static_cast<size_t>(n));
  return der;
}

// An error whose message is "what: <OpenSSL's reasons>", draining this
// thread's OpenSSL error queue. `code` defaults to kInternal.
Status OpenSslError(const std::string& what, Code code = Code::kInternal);
// The reasons on this thread's OpenSSL error queue ("" when empty), drained.
std::string DrainOpenSslErrors();

// A read-only memory BIO over `data` (which must outlive the BIO).
BioPtr MemoryBio(std::string_view data);
// Everything written to a memory BIO.
std::string BioContents(BIO* bio);

// DER of a certificate (i2d_X509).
Result<std::string> CertificateToDer(X509* cert);
// d2i_X509 of exactly `der` (trailing bytes are an error).
Result<X509Ptr> CertificateFromDer(std::string_view der);
// SubjectPublicKeyInfo DER of `pkey`.
std::string PublicKeyToDer(const EVP_PKEY* pkey);

// Key type facts shared by keys, certificates and requests. RSA (and
// RSASSA-PSS) and EC keys on a named curve are supported; anything else
// is an InvalidArgument naming the algorithm.
struct KeyFacts {
  KeyAlgorithm algorithm = KeyAlgorithm::kRsa;
  int bits = 0;
  EcCurve curve = EcCurve::kNone;
};
Result<KeyFacts> DescribeKey(const EVP_PKEY* pkey);

// The display-form RDNs of `name`, most specific first; attribute types are
// the dn.h short names or dotted OIDs, values decoded to UTF-8.
Result<std::vector<Rdn>> NameToRdns(const X509_NAME* name);
// An X509_NAME from display text ("CN=a, O=b").
Result<X509NamePtr> NameFromDisplay(std::string_view display);

// ASN1_TIME <-> TimePoint (UTC).
Result<TimePoint> TimeFromAsn1(const ASN1_TIME* t);
bool SetAsn1Time(ASN1_TIME* t, TimePoint tp);

// The content octets of a DER INTEGER, upper-case hex ("00C3..."), as
// Windows shows serial numbers.
std::string IntegerHex(const ASN1_INTEGER* i);

// The signature algorithm's long name (OBJ_nid2ln), or its dotted OID.
std::string AlgorithmName(const ASN1_OBJECT* obj);

}  // namespace xcert::x509
