// libFuzzer target for the fast DER certificate parser (resources/x509/parse.h)
// and for ReadCertificates (PEM / DER / PKCS#7 input). See fuzz/README.md.
//
// Beyond "never crashes, never reads out of bounds, no undefined behaviour"
// it checks the parser's contract on every input:
//   - an error is InvalidArgument with a message;
//   - a certificate the fast parser accepts is one OpenSSL also reads, and
//     both give the same value for every field they both fill (all but
//     `self_signed`, which the fast parser approximates without verifying the
//     signature);
//   - thumbprint and sha256 are the digests of exactly the bytes given.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "resources/x509/digest.h"
#include "resources/x509/parse.h"

namespace {

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "x509_parse_fuzzer: %s\n", what.c_str());
  std::abort();
}

std::string Differences(const xcert::CertificateInfo& a, const xcert::CertificateInfo& b) {
  std::string out;
  auto check = [&out](const char* field, const auto& x, const auto& y, const std::string& xs,
                      const std::string& ys) {
    if (!(x == y)) out += std::string(field) + ": '" + xs + "' vs '" + ys + "'\n";
  };
  auto str = [&](const char* f, const std::string& x, const std::string& y) {
    check(f, x, y, x, y);
  };
  auto num = [&](const char* f, long long x, long long y) {
    check(f, x, y, std::to_string(x), std::to_string(y));
  };
  str("thumbprint", a.thumbprint, b.thumbprint);
  str("sha256", a.sha256, b.sha256);
  str("subject", a.subject, b.subject);
  str("issuer", a.issuer, b.issuer);
  std::string an, bn;
  for (const std::string& n : a.dns_names) an += n + ",";
  for (const std::string& n : b.dns_names) bn += n + ",";
  str("dns_names", an, bn);
  num("not_before", a.not_before.time_since_epoch().count(),
      b.not_before.time_since_epoch().count());
  num("not_after", a.not_after.time_since_epoch().count(), b.not_after.time_since_epoch().count());
  num("key_algorithm", int(a.key_algorithm), int(b.key_algorithm));
  num("key_bits", a.key_bits, b.key_bits);
  num("curve", int(a.curve), int(b.curve));
  str("serial", a.serial, b.serial);
  str("signature_algorithm", a.signature_algorithm, b.signature_algorithm);
  str("subject_key_id", a.subject_key_id, b.subject_key_id);
  str("authority_key_id", a.authority_key_id, b.authority_key_id);
  str("public_key_sha1", a.public_key_sha1, b.public_key_sha1);
  num("is_ca", a.is_ca, b.is_ca);
  num("der", a.der == b.der, 1);
  return out;
}

void CheckFastParser(std::string_view der) {
  const xcert::Result<xcert::CertificateInfo> fast = xcert::x509::ParseCertificate(der);
  if (!fast.ok()) {
    if (fast.status().code() != xcert::Code::kInvalidArgument || fast.status().message().empty())
      Fail("an error that is not InvalidArgument with a message: " + fast.status().message());
    return;
  }
  if (fast->thumbprint != xcert::x509::Sha1Hex(der) ||
      fast->sha256 != xcert::x509::Sha256Hex(der) || fast->der != der) {
    Fail("thumbprint, sha256 or der are not those of the input");
  }
  const xcert::Result<xcert::CertificateInfo> reference = xcert::x509::ParseCertificateOpenSsl(der);
  if (!reference.ok()) return;  // OpenSSL is stricter here (e.g. the key): no common fields
  const std::string diff = Differences(*fast, *reference);
  if (!diff.empty()) Fail("the fast parser and OpenSSL disagree:\n" + diff);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckFastParser(input);
  // The same bytes as a certificate file: every certificate it yields parses
  // (or fails cleanly) too.
  const xcert::Result<std::vector<std::string>> certs = xcert::x509::ReadCertificates(input);
  if (certs.ok()) {
    for (const std::string& der : *certs) CheckFastParser(der);
  }
  return 0;
}
