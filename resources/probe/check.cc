#include "resources/probe/check.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <system_error>
#include <thread>

#include <openssl/x509.h>

#include "engine/model/name_match.h"
#include "engine/util/file_util.h"
#include "engine/util/strings.h"
#include "resources/x509/parse.h"

namespace xcert::probe {

namespace {

std::string CoveredNames(const CertificateInfo& cert) {
  if (!cert.dns_names.empty()) return "it covers " + QuotedList(cert.dns_names);
  return "it has no DNS names; its subject is " + Quote(cert.subject);
}

std::string DayCount(long long days) { return CountNoun(static_cast<size_t>(days), "day"); }

// One key per distinct sequence of certificates (DER is self-delimiting,
// so the concatenation is unambiguous).
std::string ChainKey(const std::vector<std::string>& chain_der) {
  std::string key;
  for (const std::string& der : chain_der) key += der;
  return key;
}

// The chain findings, from the chain's status at a moment the leaf is valid
// (see Checker::Check).
void ChainFindings(const x509::ChainResult& chain, const ProbeResult& result,
                   const CertificateInfo& leaf, bool leaf_is_anchor,
                   std::vector<Finding>* findings) {
  const std::string sent =
      "it sends " + CountNoun(result.chain_der.size(), "intermediate certificate");
  switch (chain.status) {
    case CertStatus::kValid:
      // VerifyChain follows Exchange and calls a self-signed leaf Valid; a
      // client does not trust it unless it is itself an anchor.
      if (leaf.self_signed && !leaf_is_anchor) {
        findings->push_back(
            {Problem::kUntrustedChain,
             "the certificate is self-signed and not among the trust anchors: clients will not "
             "trust it; bind a CA-issued certificate or add this one to the trust bundle"});
      }
      return;
    case CertStatus::kUntrusted:
      findings->push_back(
          {Problem::kUntrustedChain,
           "the chain does not lead to a trust anchor (" + chain.detail + "; " + sent +
               "): configure the service to send its intermediate certificates (fullchain.pem), "
               "or add the issuing root to the trust bundle"});
      return;
    case CertStatus::kDateInvalid:
      findings->push_back(
          {Problem::kUntrustedChain, "a certificate in the chain is outside its validity period (" +
                                         chain.detail + "): renew or replace that CA certificate"});
      return;
    default:
      findings->push_back({Problem::kUntrustedChain, "the chain is not valid for a TLS server (" +
                                                         chain.detail + "; " + sent + ")"});
      return;
  }
}

}  // namespace

Result<std::vector<std::string>> LoadTrustAnchors(const std::filesystem::path& pem_bundle) {
  auto data = ReadFile(pem_bundle);
  if (!data.ok()) return data.status().WithContext("trust bundle");  // names the file
  auto certs = x509::ReadCertificates(*data);
  if (!certs.ok()) {
    return certs.status().WithContext("trust bundle " + pem_bundle.string() +
                                      " (expected PEM certificates)");
  }
  return certs;
}

Result<std::vector<std::string>> SystemTrustAnchors() {
  const char* env = std::getenv(X509_get_default_cert_file_env());
  const std::filesystem::path file =
      env != nullptr && *env != '\0' ? env : X509_get_default_cert_file();
  auto anchors = LoadTrustAnchors(file);
  if (!anchors.ok()) {
    return anchors.status().WithContext(
        "the system's trust anchors (install ca-certificates, set SSL_CERT_FILE, or give a trust "
        "bundle)");
  }
  return anchors;
}

std::string_view ProblemName(Problem p) {
  switch (p) {
    case Problem::kNotServed: return "NotServed";
    case Problem::kUnreadable: return "Unreadable";
    case Problem::kWrongCertificate: return "WrongCertificate";
    case Problem::kUntrustedChain: return "UntrustedChain";
    case Problem::kNameNotCovered: return "NameNotCovered";
    case Problem::kExpired: return "Expired";
    case Problem::kNotYetValid: return "NotYetValid";
  }
  return "?";
}

bool Verdict::Has(Problem p) const {
  return std::any_of(findings.begin(), findings.end(),
                     [p](const Finding& f) { return f.problem == p; });
}

Checker::Checker(std::vector<std::string> anchors_der)
    : anchors_(std::move(anchors_der)), anchor_set_(anchors_.begin(), anchors_.end()) {}

struct Checker::Chain {
  Chain(const std::vector<std::string>& chain_der, const std::vector<std::string>& anchors)
      : verifier(chain_der, anchors) {}
  const x509::ChainVerifier verifier;
  std::mutex mu;
  // Keyed by the moment (seconds) and the leaf's DER.
  std::unordered_map<std::string, x509::ChainResult> results;
};

Checker::~Checker() = default;

x509::ChainResult Checker::VerifyChain(const std::vector<std::string>& chain_der,
                                       const std::string& leaf_der, TimePoint at) const {
  Chain* chain = nullptr;
  {
    std::string key = ChainKey(chain_der);
    std::lock_guard<std::mutex> lock(mu_);
    auto it = chains_.find(key);
    if (it == chains_.end()) {
      it = chains_.emplace(std::move(key), std::make_unique<Chain>(chain_der, anchors_)).first;
    }
    chain = it->second.get();
  }
  const std::string key = std::to_string(at.time_since_epoch().count()) + "/" + leaf_der;
  {
    std::lock_guard<std::mutex> lock(chain->mu);
    if (auto it = chain->results.find(key); it != chain->results.end()) return it->second;
  }
  x509::ChainResult result = chain->verifier.Verify(leaf_der, at);
  std::lock_guard<std::mutex> lock(chain->mu);
  chain->results.emplace(key, result);
  return result;
}

std::vector<Verdict> Checker::CheckAll(const std::vector<Target>& targets,
                                       const std::vector<ProbeResult>& results,
                                       const std::vector<Expectation>& expected, TimePoint now,
                                       size_t threads) const {
  std::vector<Verdict> verdicts(results.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < results.size();) {
      verdicts[i] = Check(targets[i], results[i], expected[i], now);
    }
  };
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, results.size());
  std::vector<std::thread> pool;
  for (size_t i = 1; i < threads; ++i) {
    try {
      pool.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // the calling thread checks the rest
    }
  }
  work();
  for (std::thread& t : pool) t.join();
  return verdicts;
}

Verdict Checker::Check(const Target& target, const ProbeResult& result, const Expectation& expected,
                       TimePoint now) const {
  Verdict v;
  if (!result.ok()) {
    v.findings.push_back(
        {Problem::kNotServed, std::string(OutcomeName(result.outcome)) + ": " + result.reason});
    return v;
  }
  if (!expected.thumbprint.empty() && ToUpper(expected.thumbprint) != result.thumbprint) {
    v.findings.push_back({Problem::kWrongCertificate,
                          "serves " + result.thumbprint + " but the store binds " +
                              ToUpper(expected.thumbprint) +
                              ": the service still has another certificate loaded; reload or "
                              "restart it"});
  }
  auto parsed = x509::ParseCertificate(result.leaf_der);
  if (!parsed.ok()) {
    v.findings.push_back(
        {Problem::kUnreadable, "the served certificate " + result.thumbprint +
                                   " cannot be read: " + parsed.status().message()});
    return v;
  }
  const CertificateInfo& leaf = *parsed;
  if (!v.findings.empty()) {
    // Say what is served instead, so the user recognises it.
    v.findings.back().message +=
        " (served: " + leaf.subject + ", valid until " + FormatIso8601(leaf.not_after) + ")";
  }
  // Dates are the Expired/NotYetValid findings' business: the chain is
  // verified at a moment the leaf is valid (OpenSSL, like IsExpired, counts
  // NotAfter itself as expired).
  const TimePoint last_valid = std::max(leaf.not_before, leaf.not_after - Seconds(1));
  ChainFindings(
      VerifyChain(result.chain_der, result.leaf_der, std::clamp(now, leaf.not_before, last_valid)),
      result, leaf, anchor_set_.count(result.leaf_der) > 0, &v.findings);

  std::vector<std::string> names = expected.names;
  if (names.empty() && !target.sni.empty()) names.push_back(target.sni);
  const std::vector<std::string> uncovered = UncoveredNames(leaf, names);
  if (!uncovered.empty()) {
    v.findings.push_back({Problem::kNameNotCovered,
                          "the certificate does not cover " + QuotedList(uncovered) + " (" +
                              CoveredNames(leaf) + "): bind a certificate with these names"});
  }
  v.days_left = DaysBetween(now, leaf.not_after);
  if (leaf.IsExpired(now)) {
    v.findings.push_back(
        {Problem::kExpired, "the certificate expired on " + FormatIso8601(leaf.not_after) + " (" +
                                DayCount(DaysBetween(leaf.not_after, now)) + " ago): renew it"});
  } else if (leaf.IsNotYetValid(now)) {
    v.findings.push_back({Problem::kNotYetValid, "the certificate is not valid before " +
                                                     FormatIso8601(leaf.not_before) + " (in " +
                                                     DayCount(DaysBetween(now, leaf.not_before)) +
                                                     "): clients reject it until then"});
  }
  v.served = std::move(parsed).value();
  return v;
}

}  // namespace xcert::probe
