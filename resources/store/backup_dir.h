// A BackupSink over a folder (engine/apply/backup.h):
//   <dir>/<server>/<THUMBPRINT>.pfx   password-protected PKCS#12, mode 0600
//   <dir>/<server>/<THUMBPRINT>.crt   the certificate alone (PEM), for a key
//                                     that cannot be exported
// Files are written atomically and durably; an existing backup of a
// thumbprint (either kind) is never overwritten: one that is not proven (see
// BackupSink::Prove) is kept aside as "<T>.pfx.unproven.<n>" (or .crt...)
// before the backup is written again. The first Save of an
// instance deletes the temporary files ("<T>.pfx.tmp.<pid>.<n>") of backups
// that processes which died were writing.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "engine/apply/backup.h"
#include "engine/util/file_util.h"

namespace xcert::store {

class BackupDir final : public BackupSink {
 public:
  explicit BackupDir(fs::path dir) : dir_(std::move(dir)) {}

  Result<std::string> Prove(const std::string& server, const std::string& thumbprint,
                            const std::string& password, bool with_key) override;
  Result<std::string> KeepAside(const std::string& server, const std::string& thumbprint) override;
  Result<std::string> Save(const std::string& server, const CertificateInfo& certificate,
                           const std::optional<std::string>& pkcs12) override;

  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
  std::once_flag cleaned_;
};

}  // namespace xcert::store
