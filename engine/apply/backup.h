// The BackupSink seam: where backup-export steps put what they save. The
// directory implementation (resources/store/backup_dir) writes
// <dir>/<server>/<THUMBPRINT>.pfx (password-protected PKCS#12, mode 0600) or,
// for a key that cannot be exported, <dir>/<server>/<THUMBPRINT>.crt (the
// certificate alone); an existing backup of the same thumbprint is kept.
#pragma once

#include <optional>
#include <string>

#include "engine/model/certificate.h"
#include "engine/util/status.h"

namespace xcert {

class BackupSink {
 public:
  virtual ~BackupSink() = default;
  // Where the backup of `thumbprint` on `server` is, if one exists already.
  virtual std::optional<std::string> Existing(const std::string& server,
                                              const std::string& thumbprint) = 0;
  // Saves a PKCS#12 (`pkcs12` set) or the certificate alone; returns the path.
  virtual Result<std::string> Save(const std::string& server, const CertificateInfo& certificate,
                                   const std::optional<std::string>& pkcs12) = 0;
};

}  // namespace xcert
