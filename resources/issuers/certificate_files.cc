#include "resources/issuers/certificate_files.h"

#include <filesystem>
#include <set>

#include "engine/util/file_util.h"
#include "engine/util/quote.h"
#include "resources/x509/parse.h"
#include "resources/x509/pem.h"

namespace xcert::issuers {

Result<std::vector<LoadedCertificate>> LoadCertificates(std::string_view data) {
  XCERT_ASSIGN_OR_RETURN(std::vector<std::string> ders, x509::ReadCertificates(data));
  std::vector<LoadedCertificate> out;
  for (size_t i = 0; i < ders.size(); ++i) {
    // The OpenSSL parser: issuer files are few, and it accepts what other
    // tools wrote even where the strict DER walker would not.
    Result<CertificateInfo> info = x509::ParseCertificateOpenSsl(ders[i]);
    if (!info.ok()) {
      return info.status().WithContext("certificate " + std::to_string(i + 1) + " cannot be read");
    }
    out.push_back({std::move(ders[i]), std::move(info).value()});
  }
  return out;
}

Result<std::string> ReadSmallFile(const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (!fs::exists(st)) return NotFound(MessageValue(path) + " does not exist");
  if (!fs::is_regular_file(st)) return InvalidArgument(MessageValue(path) + " is not a file");
  if (fs::file_size(path, ec) > kMaxIssuerFileBytes) {
    return InvalidArgument(MessageValue(path) +
                           " is larger than 1 MiB, so it is no certificate or key file");
  }
  return ReadFile(path);
}

std::optional<size_t> PickLeaf(const std::vector<LoadedCertificate>& certs,
                               const std::function<bool(const LoadedCertificate&)>& preferred) {
  if (preferred) {
    for (size_t i = 0; i < certs.size(); ++i) {
      if (preferred(certs[i])) return i;
    }
  }
  for (size_t i = 0; i < certs.size(); ++i) {
    if (!certs[i].info.is_ca) return i;
  }
  return std::nullopt;
}

std::vector<std::string> OthersThan(const std::vector<LoadedCertificate>& certs, size_t leaf) {
  std::vector<std::string> out;
  for (size_t i = 0; i < certs.size(); ++i) {
    if (i != leaf) out.push_back(certs[i].der);
  }
  return out;
}

std::string PemBundle(const std::string& leaf_der, const x509::PrivateKey& key,
                      const std::vector<std::string>& chain_der) {
  std::string out = x509::ToPem("CERTIFICATE", leaf_der);
  if (key.valid()) out += key.ToPkcs8Pem();
  // Full-chain files often repeat the leaf or a CA: chain.pem gets each once.
  std::set<std::string> seen = {leaf_der};
  for (const std::string& der : chain_der) {
    if (seen.insert(der).second) out += x509::ToPem("CERTIFICATE", der);
  }
  return out;
}

}  // namespace xcert::issuers
