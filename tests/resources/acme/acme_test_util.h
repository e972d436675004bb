// Shared pieces of the ACME tests: a client for a Pebble, CSRs, and the
// openssl command line as the oracle for issued chains.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "resources/acme/account_key.h"
#include "resources/acme/client.h"
#include "resources/x509/builder.h"
#include "resources/x509/key.h"
#include "tests/resources/acme/acme_servers.h"

namespace xcert::acme::testing {

inline x509::PrivateKey NewKey(KeySpec spec = KeySpec{KeyAlgorithm::kEcdsa, 0, EcCurve::kP256,
                                                      false}) {
  return x509::PrivateKey::Generate(spec).value();
}

inline std::string Csr(const std::vector<std::string>& names, const x509::PrivateKey& key) {
  return x509::CreateCsr("CN=" + names.front(), names, key).value();
}

inline ClientOptions PebbleClientOptions(const Pebble& pebble) {
  ClientOptions o;
  o.directory_url = pebble.directory();
  o.ca_bundle = pebble.tls().cert.string();
  o.contact = {"mailto:pki@example.com"};
  o.accept_terms = true;
  return o;
}

// Fetches pebble's root (management /roots/0) with the curl command line.
inline std::string PebbleRoot(const Pebble& pebble, int index = 0) {
  const RunResult r = RunTool("curl", {"-sf", "--cacert", pebble.tls().cert.string(),
                                       pebble.management() + "/roots/" + std::to_string(index)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// `openssl verify` of a PEM chain (leaf first) against `root_pem`, for
// `name`; returns openssl's output ("...: OK" when it verifies).
inline std::string OpensslVerify(const fs::path& dir, const std::string& chain_pem,
                                 const std::string& root_pem, const std::string& name) {
  const auto leaf_end = chain_pem.find("-----END CERTIFICATE-----") + 26;
  const fs::path leaf = dir / "leaf.pem", rest = dir / "rest.pem", root = dir / "root.pem";
  std::ofstream(leaf) << chain_pem.substr(0, leaf_end);
  std::ofstream(rest) << chain_pem.substr(leaf_end);
  std::ofstream(root) << root_pem;
  const RunResult r = RunTool("openssl", {"verify", "-CAfile", root.string(), "-untrusted",
                                          rest.string(), "-verify_hostname", name, leaf.string()});
  return r.out + r.err;
}

}  // namespace xcert::acme::testing
