// Helpers for the issuer tests: PKI material made with the openssl command
// line in a TempDir (CAs, signed answers, PKCS#12 files), manifests with
// known source positions, and a snapshot of a folder tree to prove that bad
// input wrote nothing.
#pragma once

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/model/manifest.h"
#include "engine/model/server_state.h"
#include "engine/util/time.h"
#include "resources/x509/builder.h"
#include "tests/support/test_util.h"

namespace xcert::issuers::testing {

namespace fs = std::filesystem;
using xcert::testing::ReadFileOrDie;
using xcert::testing::Run;
using xcert::testing::TempDir;

inline constexpr const char* kOpenssl = "/usr/bin/openssl";

// "Now" for the tests: a few minutes after the openssl material a test makes
// (its NotBefore is the moment it was made), so nothing is "not yet valid".
inline TimePoint TestNow() {
  return std::chrono::time_point_cast<Seconds>(std::chrono::system_clock::now()) +
         std::chrono::minutes(10);
}
// `t` for openssl's -attime.
inline std::string AtTime(TimePoint t) { return std::to_string(t.time_since_epoch().count()); }
inline Seconds Days(int n) { return Seconds(86400LL * n); }

// Runs `openssl <args>` in `dir`; fails the test when it does not exit 0.
inline std::string Openssl(const TempDir& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {kOpenssl};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto r = Run(argv, dir.path());
  EXPECT_EQ(r.exit_code, 0) << "openssl " << ::testing::PrintToString(args) << "\n" << r.err;
  return r.out;
}

// Whether `openssl <args>` exits 0 (for checks that are expected to fail).
inline bool OpensslOk(const TempDir& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {kOpenssl};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, dir.path()).exit_code == 0;
}

// The SHA-1 fingerprint openssl prints for dir/<pem>, as a thumbprint (40 upper-case hex).
inline std::string OpensslThumbprint(const TempDir& dir, const std::string& pem) {
  const std::string out = Openssl(dir, {"x509", "-in", pem, "-noout", "-fingerprint", "-sha1"});
  std::string hex;
  for (char c : out.substr(out.find('=') + 1)) {
    if (std::isxdigit(static_cast<unsigned char>(c))) hex += static_cast<char>(std::toupper(c));
  }
  return hex;
}

inline void Chmod(const fs::path& p, mode_t mode) { ASSERT_EQ(::chmod(p.c_str(), mode), 0); }

// A config without default extensions, so every extension is the test's choice.
inline void WriteBareConfig(const TempDir& dir) {
  dir.Write("bare.cnf", "[req]\ndistinguished_name = dn\n[dn]\n");
}

// A new P-256 key in dir/<name>.key (mode 0600).
inline void MakeKey(const TempDir& dir, const std::string& name) {
  Openssl(dir, {"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
                name + ".key"});
  Chmod(dir.path() / (name + ".key"), 0600);
}

struct CaOptions {
  std::string subject = "/O=Pocket Consultant/CN=Corp Issuing CA";
  int days = 3650;
  bool ca = true;             // basicConstraints CA:TRUE
  bool key_cert_sign = true;  // keyUsage keyCertSign
  std::string signer;         // "" = self-signed, else the name of a CA made before
};

// A CA certificate dir/<name>.pem with its key dir/<name>.key.
inline void MakeCa(const TempDir& dir, const std::string& name, const CaOptions& o = {}) {
  WriteBareConfig(dir);
  MakeKey(dir, name);
  const std::string bc = "basicConstraints=critical," + std::string(o.ca ? "CA:TRUE" : "CA:FALSE");
  const std::string ku = "keyUsage=critical," +
                         std::string(o.key_cert_sign ? "keyCertSign,cRLSign" : "digitalSignature");
  if (o.signer.empty()) {
    Openssl(dir, {"req", "-x509", "-config", "bare.cnf", "-key", name + ".key", "-subj", o.subject,
                  "-days", std::to_string(o.days), "-addext", bc, "-addext", ku, "-addext",
                  "subjectKeyIdentifier=hash", "-out", name + ".pem"});
    return;
  }
  const std::string ext = bc + "\n" + ku + "\nsubjectKeyIdentifier=hash\n";
  dir.Write(name + ".ext", ext + "authorityKeyIdentifier=keyid\n");
  Openssl(dir, {"req", "-new", "-config", "bare.cnf", "-key", name + ".key", "-subj", o.subject,
                "-out", name + ".csr"});
  Openssl(dir, {"x509", "-req", "-in", name + ".csr", "-CA", o.signer + ".pem", "-CAkey",
                o.signer + ".key", "-CAcreateserial", "-days", std::to_string(o.days), "-extfile",
                name + ".ext", "-out", name + ".pem"});
}

struct LeafOptions {
  std::string subject = "/CN=mail.pocket-consultant.com";
  std::vector<std::string> dns_names = {"mail.pocket-consultant.com",
                                        "autodiscover.pocket-consultant.com"};
  int days = 365;
  std::string key = "ec";  // "ec" or "rsa" (RSA 2048)
};

// Signs the request dir/<csr> with the CA dir/<ca>.{pem,key} the way a CA
// operator would (openssl x509 -req), into dir/<out>.
inline void SignCsr(const TempDir& dir, const std::string& csr, const std::string& ca,
                    const std::string& out, const LeafOptions& o) {
  std::string ext = "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
  if (!o.dns_names.empty()) {
    ext += "subjectAltName=";
    for (size_t i = 0; i < o.dns_names.size(); ++i) ext += (i ? ",DNS:" : "DNS:") + o.dns_names[i];
    ext += "\n";
  }
  // The extension file stays beside the CA, never in the answer's folder (an inbox).
  std::string ext_file = out + ".ext";
  std::replace(ext_file.begin(), ext_file.end(), '/', '_');
  dir.Write(ext_file, ext);
  Openssl(dir,
          {"x509", "-req", "-in", csr, "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial",
           "-days", std::to_string(o.days), "-extfile", ext_file, "-out", out});
}

// A leaf dir/<name>.pem with key dir/<name>.key (0600), signed by dir/<ca>.
inline void MakeLeaf(const TempDir& dir, const std::string& name, const std::string& ca,
                     const LeafOptions& o = {}) {
  WriteBareConfig(dir);
  if (o.key == "rsa") {
    Openssl(dir, {"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out",
                  name + ".key"});
    Chmod(dir.path() / (name + ".key"), 0600);
  } else {
    MakeKey(dir, name);
  }
  Openssl(dir, {"req", "-new", "-config", "bare.cnf", "-key", name + ".key", "-subj", o.subject,
                "-out", name + ".csr"});
  SignCsr(dir, name + ".csr", ca, name + ".pem", o);
}

// Every file under `root` (relative path -> content), to prove nothing changed.
inline std::map<std::string, std::string> Snapshot(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    const std::string rel = fs::relative(e.path(), root).string();
    out[rel] = e.is_regular_file() ? ReadFileOrDie(e.path()) : "<dir>";
  }
  return out;
}

// Source positions of a test manifest "xcert.yaml": issuer i is written at
// line 10 + 20*i, column 5; its settings on the following lines, column 7,
// in the order of kIssuerFields. Certificate i is at line 100 + 20*i, its
// fields in the order of kCertificateFields.
inline const std::vector<std::string> kIssuerFields = {
    "name",  "type",           "certificate",     "key",
    "chain", "keyPasswordEnv", "keyPasswordFile", "outbox",
    "inbox", "pkcs12",         "passwordEnv",     "passwordFile"};
inline const std::vector<std::string> kCertificateFields = {"name", "subject", "dnsNames", "issuer",
                                                            "key",  "servers", "services"};

inline bool IssuerHas(const IssuerSpec& s, const std::string& field) {
  if (field == "name" || field == "type") return true;
  if (field == "certificate") return !s.certificate.empty();
  if (field == "key") return !s.key.empty();
  if (field == "chain") return !s.chain.empty();
  if (field == "keyPasswordEnv") return !s.key_password.env.empty();
  if (field == "keyPasswordFile") return !s.key_password.file.empty();
  if (field == "outbox") return !s.outbox.empty();
  if (field == "inbox") return !s.inbox.empty();
  if (field == "pkcs12") return !s.pkcs12.empty();
  if (field == "passwordEnv") return !s.password.env.empty();
  if (field == "passwordFile") return !s.password.file.empty();
  return false;
}

// Records the positions of every issuer and certificate (call after filling them).
inline void SetPositions(Manifest* m) {
  m->source = SourceMap();
  m->source.set_file("xcert.yaml");
  m->source.Set("/issuers", 9, 1);
  for (size_t i = 0; i < m->issuers.size(); ++i) {
    const int line = 10 + 20 * static_cast<int>(i);
    const std::string base = "/issuers/" + std::to_string(i);
    m->source.Set(base, line, 5);
    for (size_t f = 0; f < kIssuerFields.size(); ++f) {
      if (IssuerHas(m->issuers[i], kIssuerFields[f])) {
        m->source.Set(base + "/" + kIssuerFields[f], line + 1 + static_cast<int>(f), 7);
      }
    }
  }
  m->source.Set("/certificates", 99, 1);
  for (size_t i = 0; i < m->certificates.size(); ++i) {
    const int line = 100 + 20 * static_cast<int>(i);
    const std::string base = "/certificates/" + std::to_string(i);
    m->source.Set(base, line, 5);
    for (size_t f = 0; f < kCertificateFields.size(); ++f) {
      m->source.Set(base + "/" + kCertificateFields[f], line + 1 + static_cast<int>(f), 7);
    }
  }
}

inline ServerSpec Server(const std::string& name) {
  return ServerSpec{
      name, name + ".pocket-consultant.com", {Role::kMailbox}, ExchangeVersion::k2019, {}};
}

// A certificate entry "mail" on MailServer21 using `issuer`.
inline CertificateSpec MailCertificate(const std::string& issuer) {
  CertificateSpec c;
  c.name = "mail";
  c.subject = "CN=mail.pocket-consultant.com";
  c.dns_names = {"mail.pocket-consultant.com", "autodiscover.pocket-consultant.com"};
  c.issuer = issuer;
  c.key = KeySpec{KeyAlgorithm::kEcdsa, 0, EcCurve::kP256, true};
  c.servers = {"MailServer21"};
  c.services = ServiceSet{Service::kIis, Service::kSmtp};
  return c;
}

// A manifest in `dir` with the given issuers and certificates, positions set.
inline Manifest TestManifest(const TempDir& dir, std::vector<IssuerSpec> issuers,
                             std::vector<CertificateSpec> certificates = {}) {
  Manifest m;
  m.organization.domain = "pocket-consultant.com";
  m.issuers = std::move(issuers);
  m.certificates = std::move(certificates);
  m.servers = {Server("MailServer21"), Server("MailServer22")};
  m.path = (dir.path() / "xcert.yaml").string();
  m.base_dir = dir.path().string();
  SetPositions(&m);
  return m;
}

// A pending request as a store lists it, made from the CSR dir/<csr>
// (openssl req): key id, subject and names from the request.
inline CertificateInfo PendingFromCsr(const TempDir& dir, const std::string& csr,
                                      const std::string& thumbprint) {
  auto info = x509::ParseCsr(ReadFileOrDie(dir.path() / csr));
  EXPECT_TRUE(info.ok()) << info.status().message();
  CertificateInfo c;
  if (!info.ok()) return c;
  c.thumbprint = thumbprint;
  c.subject = info->subject;
  c.dns_names = info->dns_names;
  c.public_key_sha1 = info->public_key_sha1;
  c.key_algorithm = info->key_algorithm;
  c.key_bits = info->key_bits;
  c.curve = info->curve;
  c.pending_request = true;
  c.has_private_key = true;
  c.status = CertStatus::kPendingRequest;
  c.csr_pem = ReadFileOrDie(dir.path() / csr);
  return c;
}

// A request made by openssl: key dir/<name>.key and CSR dir/<name>.csr.
inline void MakeRequest(const TempDir& dir, const std::string& name, const std::string& subject,
                        const std::vector<std::string>& dns_names) {
  WriteBareConfig(dir);
  MakeKey(dir, name);
  std::vector<std::string> args = {"req",         "-new",  "-config", "bare.cnf", "-key",
                                   name + ".key", "-subj", subject,   "-out",     name + ".csr"};
  if (!dns_names.empty()) {
    std::string san = "subjectAltName=";
    for (size_t i = 0; i < dns_names.size(); ++i) san += (i ? ",DNS:" : "DNS:") + dns_names[i];
    args.insert(args.end(), {"-addext", san});
  }
  Openssl(dir, args);
}

// An ActualState with `pending` on `server`.
inline ActualState WithPending(const std::string& server, std::vector<CertificateInfo> pending) {
  ActualState actual;
  actual[server].server = server;
  actual[server].certificates = std::move(pending);
  return actual;
}

}  // namespace xcert::issuers::testing
