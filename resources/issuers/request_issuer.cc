#include "resources/issuers/request_issuer.h"

#include <filesystem>

#include "engine/util/file_util.h"
#include "engine/util/strings.h"
#include "resources/issuers/certificate_files.h"
#include "resources/x509/builder.h"
#include "resources/x509/pem.h"

namespace xcert::issuers {

namespace {

namespace fs = std::filesystem;

// Reports `field` when its folder exists but is not a folder.
void CheckFolder(IssuerContext& ctx, std::string_view field, const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (fs::exists(st) && !fs::is_directory(st)) {
    ctx.Error(field, ctx.Shown(field) + " is a file, not a folder",
              "point " + std::string(field) + " at a folder (xcert creates it when missing)");
  }
}

// A folder path without a trailing separator, so that "requests/" and
// "requests" compare equal and name their files alike.
std::string FolderPath(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

bool IsPlainFileName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

// The PKCS#10 request in `csr_pem` (PEM, or DER) as clean PEM, or why it is none.
Result<std::string> CleanCsrPem(const std::string& csr_pem) {
  XCERT_ASSIGN_OR_RETURN(x509::CsrInfo info, x509::ParseCsr(csr_pem));
  if (!info.signature_ok) return InvalidArgument("the request's signature does not verify");
  if (!x509::LooksLikePem(csr_pem)) return x509::ToPem("CERTIFICATE REQUEST", csr_pem);
  XCERT_ASSIGN_OR_RETURN(std::vector<x509::PemBlock> blocks, x509::ParsePem(csr_pem));
  for (const x509::PemBlock& b : blocks) {
    if (b.label == "CERTIFICATE REQUEST" || b.label == "NEW CERTIFICATE REQUEST") {
      return x509::ToPem("CERTIFICATE REQUEST", b.der);
    }
  }
  return InvalidArgument("no CERTIFICATE REQUEST block in the PEM text");  // ParseCsr found one
}

}  // namespace

RequestIssuer::RequestIssuer(std::string name, std::string outbox, std::string inbox,
                             InboxScan scan)
    : name_(std::move(name)),
      outbox_(std::move(outbox)),
      inbox_(std::move(inbox)),
      scan_(std::move(scan)) {}

std::unique_ptr<RequestIssuer> RequestIssuer::Open(IssuerContext& ctx, const ActualState& actual,
                                                   TimePoint now) {
  const std::string outbox = FolderPath(ctx.Path("outbox"));
  const std::string inbox = FolderPath(ctx.Path("inbox"));
  CheckFolder(ctx, "outbox", outbox);
  CheckFolder(ctx, "inbox", inbox);
  if (outbox == inbox) {
    ctx.Error("inbox", "outbox and inbox are the same folder " + ctx.Shown("inbox"),
              "use two folders, e.g. outbox: requests/out and inbox: requests/in");
  }
  if (ctx.failed()) return nullptr;
  InboxScan scan = ScanInbox(ctx, inbox, actual, now);
  return std::unique_ptr<RequestIssuer>(
      new RequestIssuer(ctx.spec().name, outbox, inbox, std::move(scan)));
}

IssuerFacts RequestIssuer::Facts() const {
  IssuerFacts f;
  f.name = name_;
  f.type = IssuerType::kRequest;
  f.outbox = outbox_;
  f.inbox = scan_.items;
  return f;
}

Result<std::string> RequestIssuer::Submit(const std::string& file_name,
                                          const std::string& csr_pem) {
  const std::string what = "issuer " + Quote(name_) + " cannot write the request " + file_name;
  if (!IsPlainFileName(file_name)) {
    return InvalidArgument(what + ": not a plain file name");
  }
  Result<std::string> pem = CleanCsrPem(csr_pem);
  if (!pem.ok()) return pem.status().WithContext(what + ": the store returned no valid CSR");
  const std::string path = (fs::path(outbox_) / file_name).string();
  std::lock_guard<std::mutex> lock(write_mutex_);
  Status s = CreateDirsDurable(outbox_);
  if (s.ok()) s = WriteFileAtomic(path, *pem, 0644);
  if (!s.ok()) return s.WithContext(what + " to the outbox " + outbox_);
  return path;
}

Result<ImportRequest> RequestIssuer::ImportData(const std::string& path) {
  const fs::path file = fs::path(path).lexically_normal();
  const std::string what = "issuer " + Quote(name_) + ": the CA answer " + file.string();
  if (file.parent_path() != fs::path(inbox_)) {
    return InvalidArgument(what + " is not in the inbox " + inbox_);
  }
  Result<std::string> data = ReadSmallFile(file.string());
  if (!data.ok()) return data.status().WithContext(what + " cannot be read");
  Result<std::vector<LoadedCertificate>> certs = LoadCertificates(*data);
  if (!certs.ok()) return certs.status().WithContext(what + " holds no readable certificate");
  auto scanned = scan_.leaf_of.find(file.string());
  const std::string leaf_thumbprint = scanned == scan_.leaf_of.end() ? "" : scanned->second;
  std::optional<size_t> leaf = PickLeaf(
      *certs, [&](const LoadedCertificate& c) { return c.info.thumbprint == leaf_thumbprint; });
  if (!leaf) return FailedPrecondition(what + " holds only CA certificates");
  ImportRequest r;
  r.data = PemBundle((*certs)[*leaf].der, x509::PrivateKey(), OthersThan(*certs, *leaf));
  return r;
}

}  // namespace xcert::issuers
