// Helpers for the X.509 toolkit tests: running the openssl command line
// into a TempDir, reusable keys (RSA generation is slow), and dates.
#pragma once

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "resources/x509/key.h"
#include "resources/x509/pem.h"
#include "tests/support/test_util.h"

namespace xcert::x509::testing {

using xcert::testing::Run;
using xcert::testing::TempDir;

inline constexpr const char* kOpenssl = "/usr/bin/openssl";

inline TimePoint Utc(int y, unsigned m, unsigned d, int h = 0, int mi = 0, int s = 0) {
  using namespace std::chrono;
  return TimePoint(sys_days(year_month_day{year(y), month(m), day(d)})) + hours(h) + minutes(mi) +
         seconds(s);
}

// Runs `openssl <args>` in `dir`; fails the test (and returns "") when it
// does not exit 0. Returns stdout.
inline std::string Openssl(const std::vector<std::string>& args, const TempDir& dir,
                           const std::string& stdin_data = {}) {
  std::vector<std::string> argv = {kOpenssl};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto r = Run(argv, dir.path(), {}, stdin_data);
  EXPECT_EQ(r.exit_code, 0) << "openssl " << ::testing::PrintToString(args) << "\n" << r.err;
  return r.exit_code == 0 ? r.out : "";
}

inline std::string ReadFile(const TempDir& dir, const std::string& name) {
  return xcert::testing::ReadFileOrDie(dir.path() / name);
}

// The DER of the first PEM block of `pem`.
inline std::string PemToDer(const std::string& pem) {
  auto blocks = ParsePem(pem);
  if (!blocks.ok() || blocks->empty()) {
    ADD_FAILURE() << "no PEM block in: " << pem;
    return "";
  }
  return (*blocks)[0].der;
}

// One key per spec per test binary.
inline const PrivateKey& TestKey(const KeySpec& spec) {
  static std::mutex mu;
  static std::map<std::string, PrivateKey> keys;
  std::lock_guard<std::mutex> lock(mu);
  auto it = keys.find(spec.ToString());
  if (it == keys.end()) {
    auto key = PrivateKey::Generate(spec);
    EXPECT_TRUE(key.ok()) << key.status().message();
    it = keys.emplace(spec.ToString(), key.ok() ? *key : PrivateKey()).first;
  }
  return it->second;
}

inline KeySpec Rsa(int bits = 2048) { return KeySpec{KeyAlgorithm::kRsa, bits, EcCurve::kNone}; }
inline KeySpec Ec(EcCurve curve = EcCurve::kP256) {
  return KeySpec{KeyAlgorithm::kEcdsa, 0, curve};
}

// A minimal `openssl ca` setup in `dir`, for certificates with explicit
// start and end dates (`openssl req -x509` in OpenSSL 3.0 only has -days).
inline void WriteCaConfig(const TempDir& dir) {
  dir.Write("index.txt", "");
  dir.Write("serial", "1000\n");
  std::filesystem::create_directories(dir.path() / "newcerts");
  dir.Write("ca.cnf",
            "[ ca ]\n"
            "default_ca = ca_default\n"
            "[ ca_default ]\n"
            "dir = .\n"
            "database = ./index.txt\n"
            "new_certs_dir = ./newcerts\n"
            "serial = ./serial\n"
            "default_md = sha256\n"
            "policy = policy_any\n"
            "unique_subject = no\n"
            "copy_extensions = copy\n"
            "email_in_dn = yes\n"
            "[ policy_any ]\n"
            "commonName = optional\n");
}

struct CliCert {
  std::string subject = "/CN=cli.example.com";  // openssl -subj syntax
  std::vector<std::string> san;                 // e.g. "DNS:a.example.com"
  std::string key = "ec";                       // "ec", "ec384", "rsa"
  std::string start;                            // YYYYMMDDHHMMSSZ; "" = now
  std::string end;                              // "" = 2099-12-31 (GeneralizedTime)
  std::vector<std::string> extra_req_args;      // e.g. {"-utf8"}
};

// A self-signed certificate made entirely by the openssl command line
// (openssl req + openssl ca -selfsign). Returns its DER; the key is left
// in dir/<name>.key.
inline std::string MakeCliCertificate(const TempDir& dir, const std::string& name,
                                      const CliCert& c) {
  WriteCaConfig(dir);
  const std::string key = name + ".key";
  if (c.key == "rsa") {
    Openssl({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key}, dir);
  } else {
    Openssl(
        {"genpkey", "-algorithm", "EC", "-pkeyopt",
         std::string("ec_paramgen_curve:") + (c.key == "ec384" ? "P-384" : "P-256"), "-out", key},
        dir);
  }
  std::vector<std::string> req = {"req",   "-new",    "-key", key,
                                  "-subj", c.subject, "-out", name + ".csr"};
  if (!c.san.empty()) {
    std::string san = "subjectAltName=";
    for (size_t i = 0; i < c.san.size(); ++i) san += (i ? "," : "") + c.san[i];
    req.insert(req.end(), {"-addext", san});
  }
  req.insert(req.end(), c.extra_req_args.begin(), c.extra_req_args.end());
  Openssl(req, dir);
  std::vector<std::string> ca = {"ca",          "-batch", "-config",    "ca.cnf",      "-selfsign",
                                 "-keyfile",    key,      "-in",        name + ".csr", "-notext",
                                 "-preserveDN", "-out",   name + ".pem"};
  if (!c.start.empty()) ca.insert(ca.end(), {"-startdate", c.start});
  ca.insert(ca.end(), {"-enddate", c.end.empty() ? "20991231235959Z" : c.end});
  if (std::find(c.extra_req_args.begin(), c.extra_req_args.end(), "-utf8") !=
      c.extra_req_args.end()) {
    ca.push_back("-utf8");
  }
  Openssl(ca, dir);
  return PemToDer(ReadFile(dir, name + ".pem"));
}

// "" when both parsers' X.509 fields agree, else a list of the differences.
inline std::string FieldDifferences(const CertificateInfo& a, const CertificateInfo& b) {
  std::string out;
  auto check = [&out](const char* field, const auto& x, const auto& y) {
    if (!(x == y)) {
      out += std::string(field) + ": '" + ::testing::PrintToString(x) + "' vs '" +
             ::testing::PrintToString(y) + "'\n";
    }
  };
  check("thumbprint", a.thumbprint, b.thumbprint);
  check("sha256", a.sha256, b.sha256);
  check("subject", a.subject, b.subject);
  check("issuer", a.issuer, b.issuer);
  check("dns_names", a.dns_names, b.dns_names);
  check("not_before", FormatIso8601(a.not_before), FormatIso8601(b.not_before));
  check("not_after", FormatIso8601(a.not_after), FormatIso8601(b.not_after));
  check("key_algorithm", KeyAlgorithmName(a.key_algorithm), KeyAlgorithmName(b.key_algorithm));
  check("key_bits", a.key_bits, b.key_bits);
  check("curve", CurveName(a.curve), CurveName(b.curve));
  check("serial", a.serial, b.serial);
  check("signature_algorithm", a.signature_algorithm, b.signature_algorithm);
  check("subject_key_id", a.subject_key_id, b.subject_key_id);
  check("authority_key_id", a.authority_key_id, b.authority_key_id);
  check("public_key_sha1", a.public_key_sha1, b.public_key_sha1);
  check("self_signed", a.self_signed, b.self_signed);
  check("is_ca", a.is_ca, b.is_ca);
  check("der", a.der == b.der, true);
  return out;
}

}  // namespace xcert::x509::testing
