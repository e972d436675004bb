// Helpers for the store tests (and for other stores' runs of the contract
// suite): server identities, cached setup seeds (RSA key generation is slow
// under sanitizers), a test CA, and certificate/key bundles to import.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/model/server_state.h"
#include "resources/store/material.h"
#include "resources/store/setup_certificates.h"
#include "resources/x509/builder.h"
#include "resources/x509/digest.h"
#include "resources/x509/parse.h"
#include "resources/x509/pem.h"
#include "resources/x509/pkcs12.h"
#include "tests/support/test_util.h"

namespace xcert::store::testing {

using xcert::testing::Run;
using xcert::testing::TempDir;

inline constexpr const char* kOpenssl = "/usr/bin/openssl";

inline ServerIdentity Mailbox(const std::string& name = "MailServer21",
                              ExchangeVersion version = ExchangeVersion::k2019) {
  return {name, name + ".pocket-consultant.com", {Role::kMailbox}, version};
}

inline ServerIdentity Edge(const std::string& name = "Edge01") {
  return {name, name + ".pocket-consultant.com", {Role::kEdgeTransport}, ExchangeVersion::k2019};
}

inline TimePoint Now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

inline KeySpec Ec(bool exportable = false) {
  return KeySpec{KeyAlgorithm::kEcdsa, 0, EcCurve::kP256, exportable};
}

// What Exchange setup creates for `id`, made once per identity per binary.
inline const ServerSeed& SetupSeed(const ServerIdentity& id) {
  static std::mutex mu;
  static std::map<std::string, ServerSeed> seeds;
  std::string key = id.name + "/" + id.fqdn + "/" + std::string(VersionName(id.version));
  for (Role r : id.roles) key += "/" + std::string(RoleName(r));
  std::lock_guard<std::mutex> lock(mu);
  auto it = seeds.find(key);
  if (it == seeds.end()) {
    Result<ServerSeed> seed = MakeSetupSeed(id, "", Now() - std::chrono::hours(24));
    EXPECT_TRUE(seed.ok()) << seed.status().message();
    it = seeds.emplace(key, seed.ok() ? *seed : ServerSeed{id, {}, {}, {}}).first;
  }
  return it->second;
}

// The thumbprint of the seed certificate with this friendly name.
inline std::string SeedThumbprint(const ServerSeed& seed, std::string_view friendly_name) {
  for (const StoredCertificate& c : seed.certificates) {
    if (c.meta.friendly_name == friendly_name) return x509::Sha1Hex(c.der);
  }
  ADD_FAILURE() << "no seed certificate named " << friendly_name;
  return "";
}

inline x509::PrivateKey NewEcKey() {
  Result<x509::PrivateKey> key = x509::PrivateKey::Generate(Ec());
  EXPECT_TRUE(key.ok()) << key.status().message();
  return key.ok() ? *key : x509::PrivateKey();
}

// A CA (self-signed, EC P-256) shared by the tests of one binary.
struct TestCa {
  x509::PrivateKey key;
  std::string der;
};
inline const TestCa& Ca() {
  static const TestCa ca = [] {
    TestCa c;
    c.key = NewEcKey();
    x509::CertificateTemplate t{"CN=Pocket Consultant Test CA, O=Pocket Consultant",
                                {},
                                Now() - std::chrono::hours(48),
                                Now() + std::chrono::hours(24 * 3650)};
    t.is_ca = true;
    Result<std::string> der = x509::SelfSign(t, c.key);
    EXPECT_TRUE(der.ok()) << der.status().message();
    c.der = der.ok() ? *der : "";
    return c;
  }();
  return ca;
}

// A leaf certificate signed by the test CA for `public_key_der`.
inline std::string IssueLeaf(const std::string& subject, const std::vector<std::string>& dns_names,
                             std::string_view public_key_der,
                             TimePoint not_before = Now() - std::chrono::hours(1),
                             TimePoint not_after = Now() + std::chrono::hours(24 * 365)) {
  x509::CertificateTemplate t{subject, dns_names, not_before, not_after};
  Result<std::string> der = x509::SignWithCa(t, public_key_der, Ca().der, Ca().key);
  EXPECT_TRUE(der.ok()) << der.status().message();
  return der.ok() ? *der : "";
}

// A CA-issued certificate with its own key.
struct Issued {
  x509::PrivateKey key;
  std::string der;
  std::string thumbprint;
};
inline Issued IssueWithKey(
    const std::string& subject = "CN=mail.pocket-consultant.com",
    const std::vector<std::string>& dns_names = {"mail.pocket-consultant.com"},
    TimePoint not_before = Now() - std::chrono::hours(1),
    TimePoint not_after = Now() + std::chrono::hours(24 * 365)) {
  Issued out;
  out.key = NewEcKey();
  out.der = IssueLeaf(subject, dns_names, out.key.PublicKeyDer(), not_before, not_after);
  out.thumbprint = x509::Sha1Hex(out.der);
  return out;
}

// PEM bundle: certificate, PKCS#8 key, then the CA.
inline std::string PemBundle(const Issued& c, bool with_key = true, bool with_chain = true) {
  std::string out = x509::ToPem("CERTIFICATE", c.der);
  if (with_key) out += c.key.ToPkcs8Pem();
  if (with_chain) out += x509::ToPem("CERTIFICATE", Ca().der);
  return out;
}

inline std::string Pkcs12Of(const Issued& c, const std::string& password,
                            const std::string& friendly_name = "") {
  Result<std::string> p12 = x509::WritePkcs12(c.key, c.der, {Ca().der}, friendly_name, password);
  EXPECT_TRUE(p12.ok()) << p12.status().message();
  return p12.ok() ? *p12 : "";
}

}  // namespace xcert::store::testing
