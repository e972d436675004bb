// The ACME account key file (issuer setting accountKey).
#pragma once

#include <filesystem>

#include "engine/util/status.h"
#include "resources/x509/key.h"

namespace xcert::acme {

// The account key at `path`. When nothing is there, a new P-256 key is made
// and written as unencrypted PKCS#8 PEM, mode 0600, atomically
// (engine/util/file_util.h); the parent directory is created. An existing
// file must be a regular file (not a symlink) that only its owner can read
// (else PermissionDenied naming the chmod to run) and an RSA (2048+),
// P-256 or P-384 key. Errors name the path, never the key.
Result<x509::PrivateKey> LoadOrCreateAccountKey(const std::filesystem::path& path);

}  // namespace xcert::acme
