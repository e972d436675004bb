#include "resources/store/backup_dir.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/util/strings.h"
#include "resources/store/local_format.h"
#include "resources/store/local_reader.h"
#include "resources/store/store_rules.h"
#include "resources/x509/digest.h"
#include "resources/x509/pem.h"
#include "resources/x509/pkcs12.h"

namespace xcert::store {

namespace {

// The backup folder of `server`; names that could leave `dir` are refused.
Result<fs::path> ServerDir(const fs::path& dir, const std::string& server) {
  if (std::string why = local::WhyInvalidServerName(server); !why.empty()) {
    return InvalidArgument("backup of server " + Quote(server) + ": " + why);
  }
  return dir / server;
}

// Whether `name` is the temporary file of a backup ("<T>.pfx.tmp.<pid>.<n>",
// see WriteFileAtomic) that a process which died was writing.
bool IsDeadBackupTemp(std::string_view name) {
  const size_t at = name.find(".tmp.");
  if (at == std::string_view::npos) return false;
  const fs::path target(name.substr(0, at));
  return (target.extension() == ".pfx" || target.extension() == ".crt") &&
         IsThumbprint(target.stem().string()) && local::IsDeadWork(name);
}

// Deletes, in every server folder of `dir`, the dead processes' temporary files.
void CleanDeadTemps(const fs::path& dir) {
  Result<std::vector<local::DirEntry>> servers = local::ListDir(dir, Links::kFollow);
  if (!servers.ok()) return;
  for (const local::DirEntry& server : *servers) {
    if (!server.is_dir) continue;
    Result<std::vector<local::DirEntry>> files = local::ListDir(dir / server.name);
    if (!files.ok()) continue;
    for (const local::DirEntry& f : *files) {
      std::error_code ec;
      if (!f.is_dir && IsDeadBackupTemp(f.name)) fs::remove(dir / server.name / f.name, ec);
    }
  }
}

// Whether the file at `path` proves the backup of `thumbprint`; the reason
// when it does not (never the password or any key material).
Status ProveFile(const fs::path& path, const std::string& thumbprint, const std::string& password,
                 bool with_key) {
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(path, ec);
  if (fs::is_symlink(st)) return FailedPrecondition(path.string() + " is a symbolic link");
  if (!fs::is_regular_file(st)) return FailedPrecondition(path.string() + " is not a regular file");
  XCERT_ASSIGN_OR_RETURN(std::string data, ReadFile(path, Links::kRefuse));
  std::string der;
  bool has_key = false;
  if (path.extension() == ".pfx") {
    if (password.empty()) {
      return FailedPrecondition(
          path.string() +
          " cannot be checked: this run reads no backup password, as the backup it needs "
          "holds the certificate only");
    }
    Result<x509::Pkcs12Contents> p12 = x509::ReadPkcs12(data, password);
    if (!p12.ok()) {
      return FailedPrecondition(path.string() + " does not open with the backup password as a " +
                                "PKCS#12 file (" + std::to_string(data.size()) + " bytes)");
    }
    der = std::move(p12->certificate_der);
    has_key = p12->key.valid() && p12->key.Matches(der);
  } else {
    Result<std::vector<x509::PemBlock>> blocks = x509::ParsePem(data);
    if (blocks.ok()) {
      for (x509::PemBlock& b : *blocks) {
        if (b.label == "CERTIFICATE") {
          der = std::move(b.der);
          break;
        }
      }
    }
    if (der.empty()) return FailedPrecondition(path.string() + " holds no PEM certificate");
  }
  if (der.empty() || x509::Sha1Hex(der) != thumbprint) {
    return FailedPrecondition(path.string() + " does not hold the certificate " + thumbprint);
  }
  if (with_key && !has_key) {
    return FailedPrecondition(path.string() + " holds the certificate " + thumbprint +
                              " without its private key, which can be exported");
  }
  return Status::Ok();
}

constexpr const char* kBackupExtensions[] = {".pfx", ".crt"};

}  // namespace

Result<std::string> BackupDir::Prove(const std::string& server, const std::string& thumbprint,
                                     const std::string& password, bool with_key) {
  XCERT_ASSIGN_OR_RETURN(fs::path sdir, ServerDir(dir_, server));
  const std::string t = NormalizeThumbprint(thumbprint);
  if (!IsThumbprint(t)) {
    return InvalidArgument("backup on " + server + ": not a certificate thumbprint");
  }
  std::string problem;
  for (const char* ext : kBackupExtensions) {
    const fs::path p = sdir / (t + ext);
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(p, ec))) continue;
    Status proven = ProveFile(p, t, password, with_key);
    if (proven.ok()) return p.string();
    if (problem.empty()) problem = proven.message();
  }
  if (problem.empty())
    return NotFound("no backup of " + t + " on " + server + " in " + dir_.string());
  return FailedPrecondition(problem);
}

Result<std::string> BackupDir::KeepAside(const std::string& server, const std::string& thumbprint) {
  XCERT_ASSIGN_OR_RETURN(fs::path sdir, ServerDir(dir_, server));
  const std::string t = NormalizeThumbprint(thumbprint);
  if (!IsThumbprint(t)) {
    return InvalidArgument("backup on " + server + ": not a certificate thumbprint");
  }
  std::string moved;
  for (const char* ext : kBackupExtensions) {
    const fs::path p = sdir / (t + ext);
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(p, ec))) continue;
    // <T>.pfx.unproven.<n>: a name no backup, and no cleanup of dead
    // writers' temporary files, ever uses.
    for (int n = 1;; ++n) {
      const fs::path aside = sdir / (t + ext + ".unproven." + std::to_string(n));
      if (fs::exists(fs::symlink_status(aside, ec))) continue;
      // rename(2) would replace a file created meanwhile; link+unlink never does.
      if (::link(p.c_str(), aside.c_str()) != 0) {
        if (errno == EEXIST) continue;
        return IoError("cannot keep " + p.string() + " aside as " + aside.string() + ": " +
                       std::strerror(errno));
      }
      if (::unlink(p.c_str()) != 0) {
        return IoError("cannot move " + p.string() + " aside: " + std::strerror(errno));
      }
      moved += (moved.empty() ? "" : ", ") + aside.string();
      break;
    }
  }
  if (!moved.empty()) XCERT_RETURN_IF_ERROR(SyncDir(sdir));
  return moved;
}

Result<std::string> BackupDir::Save(const std::string& server, const CertificateInfo& certificate,
                                    const std::optional<std::string>& pkcs12) {
  std::call_once(cleaned_, CleanDeadTemps, dir_);
  XCERT_ASSIGN_OR_RETURN(fs::path sdir, ServerDir(dir_, server));
  // Nothing below the backup folder is followed: a link would send a key anywhere.
  XCERT_RETURN_IF_ERROR(RefuseLinksBelow(dir_, sdir));
  const std::string t = NormalizeThumbprint(certificate.thumbprint);
  if (!IsThumbprint(t)) {
    return InvalidArgument("backup on " + server + ": '" + certificate.thumbprint +
                           "' is not a certificate thumbprint");
  }
  for (const char* ext : kBackupExtensions) {
    std::error_code ec;
    if (fs::exists(fs::symlink_status(sdir / (t + ext), ec))) {
      return AlreadyExists("backup of " + t + " on " + server + ": " + (sdir / (t + ext)).string() +
                           " exists; it is never replaced (keep it aside first)");
    }
  }
  if (!pkcs12 && certificate.der.empty()) {
    return InvalidArgument("backup of " + t + " on " + server + ": the certificate's DER is empty");
  }
  XCERT_RETURN_IF_ERROR(CreateDirsDurable(sdir));
  const fs::path path = sdir / (t + (pkcs12 ? ".pfx" : ".crt"));
  if (pkcs12) {
    XCERT_RETURN_IF_ERROR(WriteFileAtomic(path, *pkcs12, 0600));
  } else {
    XCERT_RETURN_IF_ERROR(WriteFileAtomic(path, x509::ToPem("CERTIFICATE", certificate.der), 0644));
  }
  return path.string();
}

}  // namespace xcert::store
