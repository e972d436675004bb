#include "resources/store/backup_dir.h"

#include "engine/util/strings.h"
#include "resources/store/local_format.h"
#include "resources/store/local_reader.h"
#include "resources/store/store_rules.h"
#include "resources/x509/pem.h"

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

}  // namespace

std::optional<std::string> BackupDir::Existing(const std::string& server,
                                               const std::string& thumbprint) {
  Result<fs::path> sdir = ServerDir(dir_, server);
  if (!sdir.ok()) return std::nullopt;
  const std::string t = NormalizeThumbprint(thumbprint);
  if (!IsThumbprint(t)) return std::nullopt;
  for (const char* ext : {".pfx", ".crt"}) {
    const fs::path p = *sdir / (t + ext);
    std::error_code ec;
    if (fs::exists(p, ec)) return p.string();
  }
  return std::nullopt;
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
  if (auto existing = Existing(server, t)) return *existing;
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
