#include "resources/acme/account_key.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>

#include "engine/util/file_util.h"
#include "resources/acme/jws.h"

namespace xcert::acme {

Result<x509::PrivateKey> LoadOrCreateAccountKey(const std::filesystem::path& path) {
  const std::string where = "ACME account key " + path.string();
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return ErrnoStatus(where, errno);
    XCERT_ASSIGN_OR_RETURN(
        x509::PrivateKey key,
        x509::PrivateKey::Generate(KeySpec{KeyAlgorithm::kEcdsa, 0, EcCurve::kP256, false}));
    if (path.has_parent_path()) XCERT_RETURN_IF_ERROR(CreateDirsDurable(path.parent_path()));
    const Status written = WriteFileAtomic(path, key.ToPkcs8Pem(), 0600);
    if (!written.ok()) return written.WithContext("creating " + where);
    return key;
  }
  if (S_ISLNK(st.st_mode)) {
    return PermissionDenied(where + " is a symbolic link; give the real file's path");
  }
  if (!S_ISREG(st.st_mode)) return InvalidArgument(where + " is not a regular file");
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
    return PermissionDenied(where + " is readable by others (mode " + mode + "); run chmod 600 " +
                            path.string());
  }
  XCERT_ASSIGN_OR_RETURN(const std::string pem, ReadFile(path));
  auto key = x509::PrivateKey::Parse(pem);
  if (!key.ok()) return key.status().WithContext(where);
  const auto alg = JwsAlgorithm(*key);
  if (!alg.ok()) return alg.status().WithContext(where);
  return key;
}

}  // namespace xcert::acme
