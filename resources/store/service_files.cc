#include "resources/store/service_files.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <optional>

#include <stdio.h>

#include "engine/model/smtp_preference.h"
#include "engine/util/file_util.h"
#include "resources/store/local_format.h"
#include "resources/x509/digest.h"
#include "resources/x509/parse.h"
#include "resources/x509/pem.h"

namespace xcert::store {

namespace {

bool Exists(const fs::path& p) {
  struct stat st;
  return ::lstat(p.c_str(), &st) == 0;
}

// The DER of the one certificate in a cert.pem, or "" when there is none.
std::string CertificateDer(const fs::path& cert_pem) {
  Result<std::string> text = ReadFile(cert_pem);
  if (!text.ok()) return "";
  auto blocks = x509::ParsePem(*text);
  return blocks.ok() && !blocks->empty() ? (*blocks)[0].der : "";
}

// The certificate SMTP's folder holds, of the bound ones the store has
// (engine/model/smtp_preference.h).
std::string SmtpChoice(const fs::path& certificates, const Bindings& b) {
  std::optional<SmtpRank> best;
  for (const std::string& t : b.smtp) {
    const std::string der = CertificateDer(certificates / t / local::kCertFile);
    if (der.empty()) continue;
    auto info = x509::ParseCertificate(der);
    if (!info.ok()) continue;
    SmtpRank rank = RankForSmtp(b, t, info->self_signed, info->not_after);
    if (!best || rank > *best) best = std::move(rank);
  }
  return best ? std::get<3>(*best) : "";
}

std::string BoundTo(const fs::path& certificates, const Bindings& b, Service s) {
  if (s == Service::kSmtp) return SmtpChoice(certificates, b);
  return b.HolderOf(s);
}

// Fills a work folder with the service files of the certificate in `item`.
Status Fill(const fs::path& work, const fs::path& item) {
  XCERT_ASSIGN_OR_RETURN(std::string cert, ReadFile(item / local::kCertFile));
  std::string fullchain = cert;
  if (Result<std::string> chain = ReadFile(item / local::kChainFile); chain.ok()) {
    if (!fullchain.empty() && fullchain.back() != '\n') fullchain += '\n';
    fullchain += *chain;
  } else if (chain.status().code() != Code::kNotFound) {
    return chain.status();
  }
  XCERT_RETURN_IF_ERROR(WriteFileAtomic(work / local::kCertFile, cert, 0644, DirSync::kDeferred));
  XCERT_RETURN_IF_ERROR(
      WriteFileAtomic(work / kFullchainFile, fullchain, 0644, DirSync::kDeferred));
  if (Result<std::string> key = ReadFile(item / local::kKeyFile); key.ok()) {
    XCERT_RETURN_IF_ERROR(WriteFileAtomic(work / local::kKeyFile, *key, 0600, DirSync::kDeferred));
  } else if (key.status().code() != Code::kNotFound) {
    return key.status();
  }
  return SyncDir(work);
}

// Removes a folder that is no longer in use (renamed away already, or a
// failed work folder): its removal is not part of the switch.
void Discard(const fs::path& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
}

Status Switch(const fs::path& services, const std::string& name, const fs::path& item) {
  const fs::path target = services / name;
  const fs::path work = services / local::WorkName(local::kTempPrefix);
  if (::mkdir(work.c_str(), 0755) != 0) return ErrnoStatus("creating " + work.string(), errno);
  if (Status s = Fill(work, item); !s.ok()) {
    Discard(work);
    return s;
  }
  const bool replace = Exists(target);
  const int rc =
      replace ? ::renameat2(AT_FDCWD, work.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE)
              : ::rename(work.c_str(), target.c_str());
  if (rc != 0) {
    const int err = errno;
    Discard(work);
    return ErrnoStatus("switching " + target.string(), err);
  }
  XCERT_RETURN_IF_ERROR(SyncDir(services));
  if (replace) Discard(work);  // now the old files
  return Status::Ok();
}

Status Remove(const fs::path& services, const std::string& name) {
  const fs::path trash = services / local::WorkName(local::kTrashPrefix);
  if (::rename((services / name).c_str(), trash.c_str()) != 0) {
    return ErrnoStatus("removing " + (services / name).string(), errno);
  }
  XCERT_RETURN_IF_ERROR(SyncDir(services));
  Discard(trash);
  return Status::Ok();
}

}  // namespace

Status SyncServiceFiles(const fs::path& server_dir, const Bindings& bindings, bool* changed) {
  if (changed) *changed = false;
  const fs::path certificates = server_dir / local::kCertificatesDir;
  const fs::path services = server_dir / kServicesDir;
  for (Service service : kServedServices) {
    const std::string name(ServiceName(service));
    const std::string thumbprint = BoundTo(certificates, bindings, service);
    const fs::path item = certificates / thumbprint;
    const bool servable = !thumbprint.empty() && Exists(item / local::kCertFile);
    const fs::path current = services / name;
    if (!servable) {
      if (!Exists(current)) continue;
      XCERT_RETURN_IF_ERROR(Remove(services, name));
      if (changed) *changed = true;
      continue;
    }
    const std::string served = CertificateDer(current / local::kCertFile);
    if (!served.empty() && x509::Sha1Hex(served) == thumbprint &&
        Exists(current / local::kKeyFile) == Exists(item / local::kKeyFile)) {
      continue;
    }
    XCERT_RETURN_IF_ERROR(CreateDirsDurable(services));
    XCERT_RETURN_IF_ERROR(Switch(services, name, item));
    if (changed) *changed = true;
  }
  return Status::Ok();
}

}  // namespace xcert::store
