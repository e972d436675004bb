#include "resources/issuers/ca_issuer.h"

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "engine/util/strings.h"
#include "resources/issuers/certificate_files.h"
#include "resources/x509/builder.h"

namespace xcert::issuers {

namespace {

// Whether the certificate's keyUsage allows signing certificates. A CA
// certificate without a keyUsage extension may sign (RFC 5280 §4.2.1.3).
bool MaySignCertificates(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (cert == nullptr) return false;
  const uint32_t usage = X509_get_key_usage(cert);
  X509_free(cert);
  return (usage & KU_KEY_CERT_SIGN) != 0;
}

// Checks that `ca` can sign certificates now; reports through `ctx`.
void CheckCaCertificate(IssuerContext& ctx, const LoadedCertificate& ca, TimePoint now) {
  const std::string file = ctx.Shown("certificate");
  const std::string fix = "point certificate at the CA's own certificate";
  if (!ca.info.is_ca) {
    ctx.Error("certificate",
              file + " is not a CA certificate (basicConstraints CA:TRUE is missing)", fix);
  } else if (!MaySignCertificates(ca.der)) {
    ctx.Error("certificate",
              file +
                  " is a CA certificate that may not sign certificates (keyUsage lacks "
                  "keyCertSign)",
              fix);
  }
  if (ca.info.IsExpired(now)) {
    ctx.Error("certificate",
              "the CA certificate " + file + " (" + Quote(ca.info.subject) + ") expired on " +
                  DateOf(ca.info.not_after),
              "renew the CA certificate, or point certificate at its successor");
  } else if (ca.info.IsNotYetValid(now)) {
    ctx.Error("certificate",
              "the CA certificate " + file + " is valid only from " + DateOf(ca.info.not_before),
              "check the system clock, or wait until then");
  }
}

}  // namespace

CaIssuer::CaIssuer(IssuerSite site, LoadedCertificate ca, std::vector<std::string> chain_der)
    : site_(std::move(site)), ca_(std::move(ca)), chain_der_(std::move(chain_der)) {}

std::unique_ptr<CaIssuer> CaIssuer::Open(IssuerContext& ctx, TimePoint now) {
  std::optional<std::vector<LoadedCertificate>> certs =
      ctx.ReadCertificates("certificate", "the CA certificate");
  if (certs) CheckCaCertificate(ctx, certs->front(), now);
  std::vector<std::string> chain;
  if (certs) {
    for (const LoadedCertificate& c : *certs) chain.push_back(c.der);
  }
  if (!ctx.spec().chain.empty()) {
    if (auto more = ctx.ReadCertificates("chain", "the CA's intermediate certificates")) {
      for (const LoadedCertificate& c : *more) chain.push_back(c.der);
    }
  }
  if (ctx.failed()) return nullptr;
  LoadedCertificate ca = std::move(certs->front());
  return std::unique_ptr<CaIssuer>(new CaIssuer(ctx.site(), std::move(ca), std::move(chain)));
}

bool CaIssuer::LoadKey(Diagnostics* diagnostics) { return Key(diagnostics).ok(); }

Result<x509::PrivateKey> CaIssuer::Key(Diagnostics* diagnostics) {
  std::lock_guard<std::mutex> lock(key_mutex_);
  if (!key_tried_) {
    key_tried_ = true;
    IssuerContext ctx(site_, &key_problems_);
    std::optional<x509::PrivateKey> key = ctx.ReadPrivateKey(site_.spec.key_password);
    if (key && !key->Matches(ca_.der)) {
      ctx.Error("key",
                "the private key " + ctx.Shown("key") + " does not belong to the CA certificate " +
                    ctx.Shown("certificate") + " (" + Quote(ca_.info.subject) + ")",
                "give the key the CA certificate was made for");
    }
    if (ctx.failed()) {
      key_ = ctx.FirstError();
    } else {
      key_ = std::move(*key);
    }
  }
  // Every caller gets the problems, also when an earlier call found them.
  if (diagnostics) diagnostics->Append(key_problems_);
  return key_;
}

IssuerFacts CaIssuer::Facts() const {
  IssuerFacts f;
  f.name = name();
  f.type = IssuerType::kCa;
  f.ca_subject = ca_.info.subject;
  f.ca_key_id =
      ca_.info.subject_key_id.empty() ? ca_.info.public_key_sha1 : ca_.info.subject_key_id;
  f.ca_not_after = ca_.info.not_after;
  return f;
}

Result<IssuedCertificate> CaIssuer::Issue(const IssueRequest& request) {
  const std::string what = "issuer " + Quote(name()) + " cannot issue " + Quote(request.subject);
  if (request.validity <= Seconds(0)) {
    return InvalidArgument(what + ": the validity must be positive");
  }
  if (ca_.info.IsExpired(request.now)) {
    return FailedPrecondition(what + ": the CA certificate expired on " +
                              DateOf(ca_.info.not_after) +
                              "; renew it and point the issuer's certificate at the new one");
  }
  if (ca_.info.IsNotYetValid(request.now)) {
    return FailedPrecondition(what + ": the CA certificate is valid only from " +
                              DateOf(ca_.info.not_before));
  }
  IssuedCertificate out;
  x509::CertificateTemplate t;
  t.subject = request.subject;
  t.dns_names = request.dns_names;
  t.not_before = request.now;
  t.not_after = request.now + request.validity;
  if (t.not_after > ca_.info.not_after) {
    // A certificate cannot outlive its issuer: clients reject the chain after
    // the CA's NotAfter, so the shorter validity is what the user really gets.
    t.not_after = ca_.info.not_after;
    out.warnings.push_back("validity capped at the CA's NotAfter " + DateOf(ca_.info.not_after));
  }
  // The status is the first problem with its manifest position ("xcert.yaml:9:5:
  // ..."), which is what the step's failure shows.
  Result<x509::PrivateKey> ca_key = Key(nullptr);
  if (!ca_key.ok()) return ca_key.status();
  Result<x509::PrivateKey> key = x509::PrivateKey::Generate(request.key);
  if (!key.ok()) return key.status().WithContext(what);
  // OpenSSL signs with one key from several threads at once (openssl-threads(7)).
  Result<std::string> der = x509::SignWithCa(t, *key, ca_.der, *ca_key);
  if (!der.ok()) return der.status().WithContext(what);
  out.pem_bundle = PemBundle(*der, *key, chain_der_);
  return out;
}

}  // namespace xcert::issuers
