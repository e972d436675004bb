#include "resources/x509/chain.h"

#include <openssl/x509_vfy.h>

#include "resources/x509/openssl_util.h"

namespace xcert::x509 {

namespace {

struct VerifyError {
  int code = X509_V_OK;
  int depth = 0;
  std::string subject;
};

// Records every problem and lets verification go on: Exchange's status
// depends on the whole set of chain problems, not only the first one.
int CollectErrors(int ok, X509_STORE_CTX* ctx) {
  if (ok) return 1;
  auto* errors = static_cast<std::vector<VerifyError>*>(X509_STORE_CTX_get_app_data(ctx));
  VerifyError e{X509_STORE_CTX_get_error(ctx), X509_STORE_CTX_get_error_depth(ctx), ""};
  if (X509* cert = X509_STORE_CTX_get_current_cert(ctx)) {
    auto rdns = NameToRdns(X509_get_subject_name(cert));
    if (rdns.ok()) e.subject = FormatDn(*rdns);
  }
  errors->push_back(std::move(e));
  return 1;
}

enum class Problem { kTime, kUntrusted, kSelfSignedLeaf, kOther };

Problem Classify(int code) {
  switch (code) {
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_CERT_HAS_EXPIRED: return Problem::kTime;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: return Problem::kSelfSignedLeaf;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED: return Problem::kUntrusted;
  }
  return Problem::kOther;
}

std::string Describe(const VerifyError& e) {
  std::string out = X509_verify_cert_error_string(e.code);
  out += " (depth " + std::to_string(e.depth);
  if (!e.subject.empty()) out += ", " + e.subject;
  return out + ")";
}

// The mapping of reference/exchange.md §1.3: an untrusted root alone is
// Valid for a self-signed leaf and Untrusted otherwise; a time problem
// alone is DateInvalid; anything else, including an untrusted root
// together with a time problem (the expired Auth certificate shows
// Invalid), is Invalid.
ChainResult Map(const std::vector<VerifyError>& errors) {
  const VerifyError* first[4] = {};
  for (const VerifyError& e : errors) {
    const VerifyError*& slot = first[static_cast<int>(Classify(e.code))];
    if (slot == nullptr) slot = &e;
  }
  const auto* dates = first[int(Problem::kTime)];
  const auto* untrusted = first[int(Problem::kUntrusted)];
  const auto* self_signed = first[int(Problem::kSelfSignedLeaf)];
  const auto* other = first[int(Problem::kOther)];
  if (other) return {CertStatus::kInvalid, Describe(*other)};
  if ((untrusted || self_signed) && dates) return {CertStatus::kInvalid, Describe(*dates)};
  if (untrusted) return {CertStatus::kUntrusted, Describe(*untrusted)};
  if (dates) return {CertStatus::kDateInvalid, Describe(*dates)};
  return {CertStatus::kValid, ""};
}

// Certificates that parse; the others cannot help build a chain.
X509StackPtr ToStack(const std::vector<std::string>& ders, int* unreadable) {
  X509StackPtr stack(sk_X509_new_null());
  for (const std::string& der : ders) {
    auto cert = CertificateFromDer(der);
    if (!cert.ok()) {
      ++*unreadable;
      continue;
    }
    sk_X509_push(stack.get(), cert->release());
  }
  return stack;
}

}  // namespace

struct ChainVerifier::Parsed {
  X509StackPtr intermediates;
  X509StorePtr store;  // the anchors
  int unreadable = 0;
};

ChainVerifier::ChainVerifier(const std::vector<std::string>& intermediates_der,
                             const std::vector<std::string>& anchors_der)
    : parsed_(std::make_unique<Parsed>()) {
  parsed_->intermediates = ToStack(intermediates_der, &parsed_->unreadable);
  X509StackPtr anchors = ToStack(anchors_der, &parsed_->unreadable);
  parsed_->store.reset(X509_STORE_new());
  for (int i = 0; parsed_->store && i < sk_X509_num(anchors.get()); ++i) {
    X509_STORE_add_cert(parsed_->store.get(), sk_X509_value(anchors.get(), i));
  }
}

ChainVerifier::~ChainVerifier() = default;

ChainResult ChainVerifier::Verify(std::string_view leaf_der, TimePoint at) const {
  auto leaf = CertificateFromDer(leaf_der);
  if (!leaf.ok()) return {CertStatus::kInvalid, leaf.status().message()};
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  std::vector<VerifyError> errors;
  if (!ctx || !parsed_->store ||
      !X509_STORE_CTX_init(ctx.get(), parsed_->store.get(), leaf->get(),
                           parsed_->intermediates.get())) {
    return {CertStatus::kUnknown, OpenSslError("cannot set up chain verification").message()};
  }
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(at.time_since_epoch().count()));
  // A self-signed leaf's own signature is skipped by default.
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CHECK_SS_SIGNATURE);
  X509_STORE_CTX_set_app_data(ctx.get(), &errors);
  X509_STORE_CTX_set_verify_cb(ctx.get(), CollectErrors);
  if (X509_verify_cert(ctx.get()) < 0 && errors.empty()) {
    errors.push_back({X509_STORE_CTX_get_error(ctx.get()), 0, ""});
  }
  DrainOpenSslErrors();
  ChainResult result = Map(errors);
  if (result.status != CertStatus::kValid && parsed_->unreadable > 0) {
    result.detail += "; " + std::to_string(parsed_->unreadable) +
                     " chain or anchor certificate(s) could not be read";
  }
  return result;
}

ChainResult VerifyChain(std::string_view leaf_der,
                        const std::vector<std::string>& intermediates_der,
                        const std::vector<std::string>& anchors_der, TimePoint at) {
  return ChainVerifier(intermediates_der, anchors_der).Verify(leaf_der, at);
}

}  // namespace xcert::x509
