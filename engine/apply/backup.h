// The BackupSink seam: where backup-export steps put what they save. The
// directory implementation (resources/store/backup_dir) writes
// <dir>/<server>/<THUMBPRINT>.pfx (password-protected PKCS#12, mode 0600) or,
// for a key that cannot be exported, <dir>/<server>/<THUMBPRINT>.crt (the
// certificate alone).
//
// A backup counts only when it is PROVEN: read back, decrypted with the
// backup password, holding the certificate with that thumbprint, and its
// private key when the key can be exported. A file that is there but not
// proven is never trusted and never silently replaced: it is kept aside under
// a new name and the backup is written again.
#pragma once

#include <optional>
#include <string>

#include "engine/model/certificate.h"
#include "engine/util/status.h"

namespace xcert {

class BackupSink {
 public:
  virtual ~BackupSink() = default;
  // Reads the backup of `thumbprint` on `server` and proves it: the file
  // opens (a PKCS#12 with `password`), holds the certificate whose SHA-1 is
  // `thumbprint`, and, when `with_key`, that certificate's private key.
  // Ok(path) when proven; NotFound when there is no backup at all;
  // FailedPrecondition("<path>: <why it is not proven>") when a file is there
  // but does not prove the backup. Never echoes the password.
  virtual Result<std::string> Prove(const std::string& server, const std::string& thumbprint,
                                    const std::string& password, bool with_key) = 0;
  // Moves every existing backup file of `thumbprint` on `server` aside to a
  // new name that nothing overwrites; returns the new names ("" if none).
  virtual Result<std::string> KeepAside(const std::string& server,
                                        const std::string& thumbprint) = 0;
  // Saves a PKCS#12 (`pkcs12` set) or the certificate alone; returns the path.
  // Refuses (AlreadyExists) to replace an existing backup: KeepAside first.
  virtual Result<std::string> Save(const std::string& server, const CertificateInfo& certificate,
                                   const std::optional<std::string>& pkcs12) = 0;
};

}  // namespace xcert
