// Judging what an endpoint serves (a ProbeResult) against what it should
// serve: the certificate the store binds to the service, a chain that leads
// to the trust anchors, the names clients use, and dates valid now.
//
//   auto anchors = SystemTrustAnchors();             // or LoadTrustAnchors(bundle)
//   Checker checker(*anchors);
//   Verdict v = checker.Check(target, result, {.thumbprint = bound, .names = names}, now);
//   for (const Finding& f : v.findings) print(target.Describe() + ": " + f.message);
//
// Finding messages do not name the endpoint or the server: callers prefix
// them (Target::Describe(), "IIS on MailServer21").
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/model/certificate.h"
#include "engine/util/status.h"
#include "engine/util/time.h"
#include "resources/probe/probe.h"
#include "resources/x509/chain.h"

namespace xcert::probe {

// The certificates (DER) of a PEM bundle: the manifest's `trust:` file. An
// unreadable or empty bundle is an error naming the file.
Result<std::vector<std::string>> LoadTrustAnchors(const std::filesystem::path& pem_bundle);

// The system's trust anchors: the bundle $SSL_CERT_FILE names, else
// OpenSSL's default file (on Debian /usr/lib/ssl/cert.pem, that is
// /etc/ssl/certs/ca-certificates.crt from the ca-certificates package).
Result<std::vector<std::string>> SystemTrustAnchors();

struct Expectation {
  // The thumbprint the store binds to the service (any case); "" skips the check.
  std::string thumbprint;
  // The names the certificate must cover; empty: the target's SNI name, if any.
  std::vector<std::string> names;
};

enum class Problem : uint8_t {
  kNotServed,         // the probe did not complete (ProbeResult::outcome says why)
  kUnreadable,        // the served certificate cannot be parsed
  kWrongCertificate,  // the served thumbprint is not the bound one
  kUntrustedChain,    // the chain sent does not lead to a trust anchor
  kNameNotCovered,    // a name is not covered (RFC 6125)
  kExpired,           // NotAfter is past
  kNotYetValid,       // NotBefore is in the future
};
// "NotServed", "Unreadable", "WrongCertificate", "UntrustedChain",
// "NameNotCovered", "Expired", "NotYetValid".
std::string_view ProblemName(Problem p);

struct Finding {
  Problem problem = Problem::kNotServed;
  std::string message;  // one line: what is wrong and what to do
};

struct Verdict {
  std::vector<Finding> findings;  // empty: every check passed
  // The served certificate, when one was read and parsed.
  std::optional<CertificateInfo> served;
  // Whole days from `now` to NotAfter (negative once expired), when parsed.
  std::optional<long long> days_left;

  bool ok() const { return findings.empty(); }
  bool Has(Problem p) const;
};

// Checks probe results against one set of trust anchors. Thread-safe. The
// anchors are parsed once per distinct chain that servers send (a fleet
// issued by one CA sends one chain), and each distinct leaf is verified once
// per chain and moment: a certificate bound to a server's four services, or
// shared by servers, costs one verification (pass one `now` for a run).
class Checker {
 public:
  explicit Checker(std::vector<std::string> anchors_der);
  ~Checker();
  Checker(const Checker&) = delete;
  Checker& operator=(const Checker&) = delete;

  // The chain is verified for serverAuth with only the certificates the
  // server sent as intermediates (a client does not fetch missing ones), at
  // `now` clamped into the leaf's validity period so that an expired leaf
  // is one Expired finding rather than a chain failure too. A self-signed
  // leaf is trusted only if it is itself an anchor.
  Verdict Check(const Target& target, const ProbeResult& result, const Expectation& expected,
                TimePoint now) const;

  // Check of every result on up to `threads` threads (0: one per core):
  // verdicts[i] is Check(targets[i], results[i], expected[i], now).
  // REQUIRES: the three vectors have the same size.
  std::vector<Verdict> CheckAll(const std::vector<Target>& targets,
                                const std::vector<ProbeResult>& results,
                                const std::vector<Expectation>& expected, TimePoint now,
                                size_t threads = 0) const;

 private:
  struct Chain;
  // ChainVerifier::Verify of `leaf_der` with `chain_der` at `at`, memoized.
  x509::ChainResult VerifyChain(const std::vector<std::string>& chain_der,
                                const std::string& leaf_der, TimePoint at) const;

  std::vector<std::string> anchors_;
  std::unordered_set<std::string> anchor_set_;
  mutable std::mutex mu_;
  mutable std::map<std::string, std::unique_ptr<Chain>> chains_;
};

}  // namespace xcert::probe
