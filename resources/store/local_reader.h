// Reading a local store server folder (docs/store-format.md). Fast by
// design (a fleet plan reads 10,000 certificates): per certificate it reads
// cert.pem, checks its SHA-1 against the folder name, walks the DER
// (x509::ParseCertificate, no OpenSSL object), stats key.pem and reads
// meta.json. Chains are read only when asked, keys never.
//
// Nothing inside a store is read through a symbolic link: a link (a server
// folder, certificates/, an item folder, a file) is damage, reported with its
// path, and writers refuse a server that has one.
//
// Damage never stops the reading: a damaged or foreign file becomes a
// ServerState::problems entry "<path>: <reason>" and the rest is read. A
// certificate whose cert.pem is unusable is left out; one whose meta.json is
// unusable is listed with attributes_known = false.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model/server_state.h"
#include "engine/util/file_util.h"
#include "engine/util/status.h"
#include "resources/store/material.h"

namespace xcert::store::local {

// What `xcert show` reports beyond CertificateInfo for one item.
struct ItemFiles {
  std::string thumbprint;
  fs::path dir;                        // the item's folder
  std::optional<unsigned> key_mode;    // permission bits of key.pem; nullopt without one
  std::vector<std::string> chain_der;  // chain.pem, when read with chains
};

struct ServerView {
  fs::path dir;
  ServerState state;
  std::vector<ItemFiles> files;  // parallel to state.certificates
};

struct ReadOptions {
  bool chains = false;  // also read chain.pem
};

// NotFound, saying how to create it, when the server folder `dir` of
// `server` does not exist; FailedPrecondition when the store has a folder
// whose name differs only in case (the same Exchange server: never suggest a
// duplicate); DataLoss when `dir` is a symbolic link (never followed).
Status CheckServerFolderExists(const fs::path& dir, const std::string& server);

// Reads the server folder `dir` of `server`. NotFound when the folder does
// not exist; everything else is a problem inside the view.
Result<ServerView> ReadServer(const fs::path& dir, const std::string& server,
                              const ReadOptions& options);

// One certificate folder (`dir` = certificates/<thumbprint>). nullopt, with
// a problem added, when its certificate cannot be used. Services are not set.
std::optional<CertificateInfo> ReadCertificateFolder(const fs::path& dir,
                                                     const ReadOptions& options, ItemFiles* files,
                                                     std::vector<std::string>* problems);

// One pending request folder (`dir` = requests/<id>), likewise.
std::optional<CertificateInfo> ReadRequestFolder(const fs::path& dir, ItemFiles* files,
                                                 std::vector<std::string>* problems);

// The problem text for a key file others can read, or "" when `mode` is fine:
// "P: the key file is readable by others (mode 0644); run chmod 600 P".
std::string KeyModeProblem(const fs::path& path, unsigned mode);

// Reads a key file, refusing (PermissionDenied) one that others can read.
Result<x509::PrivateKey> ReadKeyFile(const fs::path& path);

// Reads and decodes server.json / bindings.json / meta.json; DataLoss
// "<path>: <reason>" when damaged, NotFound when missing.
Result<ServerIdentity> ReadServerFile(const fs::path& path);
Result<Bindings> ReadBindingsFile(const fs::path& path);
Result<ItemMeta> ReadMetaFile(const fs::path& path);

// The names in a directory (no "." and ".."), sorted; NotFound when missing.
// Entries are not followed: a symbolic link is is_link, never is_dir. With
// Links::kRefuse (folders inside a store) `dir` itself may not be a link
// (DataLoss); kFollow is for a folder the user named (the store root).
struct DirEntry {
  std::string name;
  bool is_dir = false;
  bool is_link = false;
};
Result<std::vector<DirEntry>> ListDir(const fs::path& dir, Links links = Links::kRefuse);

}  // namespace xcert::store::local
