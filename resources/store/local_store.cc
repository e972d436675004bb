#include "resources/store/local_store.h"

#include <sys/stat.h>

#include <cerrno>
#include <functional>
#include <set>

#include "engine/util/strings.h"
#include "resources/store/local_format.h"
#include "resources/store/service_files.h"
#include "resources/store/store_rules.h"
#include "resources/x509/digest.h"
#include "resources/x509/pem.h"

namespace xcert::store {

namespace {

using local::kCertificatesDir;
using local::kRequestsDir;

// Whether `p` is a folder (not a link to one: links in a store are not followed).
bool IsDir(const fs::path& p) {
  struct stat st;
  return ::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Missing files of a server are damage, not absence, for writers.
Status AsDamage(const Status& s, const fs::path& path) {
  if (s.code() == Code::kNotFound) {
    return DataLoss(path.string() +
                    ": missing; restore it (or recreate the server with xcert "
                    "store init) before changing this server");
  }
  return s;
}

// Writes one file of an item folder under construction (synced with the folder).
Status WriteItemFile(const fs::path& dir, std::string_view name, std::string_view data,
                     mode_t mode = 0644) {
  return WriteFileAtomic(dir / name, data, mode, DirSync::kDeferred);
}

Status WriteKey(const fs::path& dir, const x509::PrivateKey& key) {
  const std::string pem = key.ToPkcs8Pem();
  if (pem.empty()) return Internal("cannot encode the private key as PKCS#8");
  return WriteItemFile(dir, local::kKeyFile, pem, 0600);
}

Status FillCertificate(const fs::path& dir, const StoredCertificate& c) {
  XCERT_RETURN_IF_ERROR(WriteItemFile(dir, local::kCertFile, x509::ToPem("CERTIFICATE", c.der)));
  if (c.key.valid()) XCERT_RETURN_IF_ERROR(WriteKey(dir, c.key));
  if (!c.chain_der.empty()) {
    XCERT_RETURN_IF_ERROR(WriteItemFile(dir, local::kChainFile, local::EncodeChain(c.chain_der)));
  }
  return WriteItemFile(dir, local::kMetaFile, local::EncodeMeta(c.meta));
}

Status FillRequest(const fs::path& dir, const StoredRequest& r) {
  XCERT_RETURN_IF_ERROR(
      WriteItemFile(dir, local::kRequestFile, x509::ToPem("CERTIFICATE REQUEST", r.csr_der)));
  XCERT_RETURN_IF_ERROR(WriteKey(dir, r.key));
  return WriteItemFile(dir, local::kMetaFile, local::EncodeMeta(r.meta));
}

// Publishes `parent`/`name` as a whole: filled in a work folder, synced,
// renamed into place, and the rename synced.
Status PublishFolder(const fs::path& parent, const std::string& name,
                     const std::function<Status(const fs::path&)>& fill) {
  XCERT_RETURN_IF_ERROR(CreateDirsDurable(parent));
  const fs::path work = parent / local::WorkName(local::kTempPrefix);
  if (::mkdir(work.c_str(), 0755) != 0) return ErrnoStatus("creating " + work.string(), errno);
  Status s = fill(work);
  if (s.ok()) s = SyncDir(work);
  if (s.ok() && ::rename(work.c_str(), (parent / name).c_str()) != 0) {
    s = errno == EEXIST || errno == ENOTEMPTY
            ? AlreadyExists((parent / name).string() + " already exists")
            : ErrnoStatus("renaming " + work.string() + " to " + (parent / name).string(), errno);
  }
  if (!s.ok()) {
    std::error_code ec;
    fs::remove_all(work, ec);
    return s;
  }
  return SyncDir(parent);
}

// Deletes `parent`/`name` atomically: renamed away first, then removed.
Status DeleteFolder(const fs::path& parent, const std::string& name) {
  const fs::path trash = parent / local::WorkName(local::kTrashPrefix);
  if (::rename((parent / name).c_str(), trash.c_str()) != 0) {
    return ErrnoStatus("removing " + (parent / name).string(), errno);
  }
  XCERT_RETURN_IF_ERROR(SyncDir(parent));
  // The removal is complete; a failure here only leaves a work folder that
  // readers ignore and the next writer deletes.
  std::error_code ec;
  fs::remove_all(trash, ec);
  return Status::Ok();
}

// Deletes work entries in `dir` that dead processes left behind. `links` as
// for ListDir (kFollow for the store root only).
void CleanStaleWork(const fs::path& dir, Links links = Links::kRefuse) {
  Result<std::vector<local::DirEntry>> entries = local::ListDir(dir, links);
  if (!entries.ok()) return;
  for (const local::DirEntry& e : *entries) {
    if (!local::IsStaleWork(e.name)) continue;
    std::error_code ec;
    fs::remove_all(dir / e.name, ec);
  }
}

std::string PemBody(const std::string& pem) {
  auto blocks = x509::ParsePem(pem);
  return blocks.ok() && !blocks->empty() ? (*blocks)[0].der : "";
}

}  // namespace

LocalStore::LocalStore(fs::path root, std::string server, const Clock& clock)
    : LocalStore(root, std::move(server), clock, local::CheckRoot(root)) {}

LocalStore::LocalStore(fs::path root, std::string server, const Clock& clock, Status root_status)
    : StoreBase(server, clock),
      root_(std::move(root)),
      dir_(root_ / server),
      root_status_(std::move(root_status)) {}

Status LocalStore::Usable() const {
  XCERT_RETURN_IF_ERROR(root_status_);
  if (std::string why = local::WhyInvalidServerName(server()); !why.empty()) {
    return InvalidArgument("server " + Quote(server()) + ": " + why);
  }
  return local::CheckServerFolderExists(dir_, server());
}

Result<ServerState> LocalStore::List() {
  XCERT_ASSIGN_OR_RETURN(local::ServerView view, Read({}));
  return std::move(view.state);
}

Result<local::ServerView> LocalStore::Read(const local::ReadOptions& options) {
  XCERT_RETURN_IF_ERROR(Usable());
  return local::ReadServer(dir_, server(), options);
}

Result<std::optional<CertificateInfo>> LocalStore::Find(const std::string& t) {
  XCERT_RETURN_IF_ERROR(Usable());
  if (!IsThumbprint(t)) return std::optional<CertificateInfo>();
  std::vector<std::string> problems;
  local::ItemFiles files;
  std::optional<CertificateInfo> info;
  if (const fs::path cert_dir = dir_ / kCertificatesDir / t; IsDir(cert_dir)) {
    XCERT_ASSIGN_OR_RETURN(Bindings bindings, ReadBindings());
    info = local::ReadCertificateFolder(cert_dir, {}, &files, &problems);
    if (info) ApplyBindings(bindings, server(), &*info);
  } else if (const fs::path request_dir = dir_ / kRequestsDir / t; IsDir(request_dir)) {
    info = local::ReadRequestFolder(request_dir, &files, &problems);
  } else {
    return std::optional<CertificateInfo>();
  }
  if (!info) return DataLoss(problems.empty() ? t + " cannot be read" : problems.front());
  return info;
}

Result<ServerIdentity> LocalStore::ReadIdentity() {
  const fs::path path = dir_ / local::kServerFile;
  Result<ServerIdentity> id = local::ReadServerFile(path);
  if (!id.ok()) return AsDamage(id.status(), path);
  return id;
}

Result<Bindings> LocalStore::ReadBindings() {
  const fs::path path = dir_ / local::kBindingsFile;
  Result<Bindings> b = local::ReadBindingsFile(path);
  if (!b.ok()) return AsDamage(b.status(), path);
  // Like the reader: SMTP entries of certificates that are gone are dropped.
  std::erase_if(b->smtp, [&](const std::string& t) { return !IsDir(dir_ / kCertificatesDir / t); });
  return b;
}

Status LocalStore::WriteBindings(const Bindings& bindings) {
  XCERT_RETURN_IF_ERROR(PrepareWrite());
  XCERT_RETURN_IF_ERROR(
      WriteFileAtomic(dir_ / local::kBindingsFile, local::EncodeBindings(bindings)));
  return SyncServiceFiles(dir_, bindings);
}

Result<std::optional<StoredCertificate>> LocalStore::ReadCertificate(const std::string& t) {
  XCERT_RETURN_IF_ERROR(Usable());
  const fs::path dir = dir_ / kCertificatesDir / t;
  if (!IsThumbprint(t) || !IsDir(dir)) return std::optional<StoredCertificate>();
  std::vector<std::string> problems;
  local::ItemFiles files;
  std::optional<CertificateInfo> info =
      local::ReadCertificateFolder(dir, {.chains = true}, &files, &problems);
  if (!info) return DataLoss(problems.empty() ? t + " cannot be read" : problems.front());
  StoredCertificate c;
  c.der = std::move(info->der);
  c.chain_der = std::move(files.chain_der);
  if (files.key_mode) {
    XCERT_ASSIGN_OR_RETURN(c.key, local::ReadKeyFile(dir / local::kKeyFile));
  }
  const fs::path meta_path = dir / local::kMetaFile;
  Result<ItemMeta> meta = local::ReadMetaFile(meta_path);
  if (!meta.ok()) return AsDamage(meta.status(), meta_path);
  c.meta = std::move(*meta);
  return std::optional<StoredCertificate>(std::move(c));
}

Result<std::optional<std::pair<std::string, StoredRequest>>> LocalStore::FindRequestForKey(
    const std::string& public_key_sha1) {
  using Found = std::optional<std::pair<std::string, StoredRequest>>;
  const fs::path requests = dir_ / kRequestsDir;
  Result<std::vector<local::DirEntry>> entries = local::ListDir(requests);
  if (!entries.ok()) {
    if (entries.status().code() == Code::kNotFound) return Found();
    return entries.status();
  }
  for (const local::DirEntry& e : *entries) {
    if (!e.is_dir || !IsThumbprint(e.name)) continue;
    std::vector<std::string> problems;
    local::ItemFiles files;
    std::optional<CertificateInfo> info =
        local::ReadRequestFolder(requests / e.name, &files, &problems);
    if (!info || info->public_key_sha1 != public_key_sha1) continue;
    StoredRequest r;
    r.csr_der = PemBody(info->csr_pem);
    XCERT_ASSIGN_OR_RETURN(r.key, local::ReadKeyFile(requests / e.name / local::kKeyFile));
    const fs::path meta_path = requests / e.name / local::kMetaFile;
    Result<ItemMeta> meta = local::ReadMetaFile(meta_path);
    if (!meta.ok()) return AsDamage(meta.status(), meta_path);
    r.meta = std::move(*meta);
    return Found(std::pair(e.name, std::move(r)));
  }
  return Found();
}

Status LocalStore::AddCertificate(const std::string& t, const StoredCertificate& c) {
  XCERT_RETURN_IF_ERROR(PrepareWrite());
  // What this store writes it must read back: a certificate its reader
  // refuses (a date it cannot represent, say) would block the server until
  // someone deleted the folder by hand.
  if (Result<CertificateInfo> back = DescribeCertificate(c.der, c.key.valid(), &c.meta);
      !back.ok()) {
    return InvalidArgument("refusing to store certificate " + t + " on " + server() +
                           ": the store could not read it back (" + back.status().message() +
                           "); nothing was written");
  }
  return PublishFolder(dir_ / kCertificatesDir, t,
                       [&c](const fs::path& work) { return FillCertificate(work, c); });
}

Status LocalStore::AddRequest(const std::string& id, const StoredRequest& r) {
  XCERT_RETURN_IF_ERROR(PrepareWrite());
  return PublishFolder(dir_ / kRequestsDir, id,
                       [&r](const fs::path& work) { return FillRequest(work, r); });
}

Status LocalStore::DeleteCertificate(const std::string& t) {
  XCERT_RETURN_IF_ERROR(PrepareWrite());
  return DeleteFolder(dir_ / kCertificatesDir, t);
}

Status LocalStore::DeleteRequest(const std::string& id) {
  XCERT_RETURN_IF_ERROR(PrepareWrite());
  return DeleteFolder(dir_ / kRequestsDir, id);
}

Status LocalStore::PrepareWrite() {
  std::call_once(prepared_, [this] {
    prepare_status_ = Usable();
    // Writes go through certificates/ and requests/ by path: neither may be
    // a link (the reader reports one as damage, so plan blocks the server).
    for (std::string_view sub : {kCertificatesDir, kRequestsDir}) {
      if (prepare_status_.ok()) prepare_status_ = RefuseLinksBelow(root_, dir_ / sub);
    }
    if (!prepare_status_.ok()) return;
    CleanStaleWork(dir_);
    CleanStaleWork(dir_ / kCertificatesDir);
    CleanStaleWork(dir_ / kRequestsDir);
    CleanStaleWork(dir_ / kServicesDir);
    prepare_status_ = DeleteCompletedRequests();
    // A writer killed between bindings.json and the service folders left
    // them behind the bindings: catch up before anything else changes.
    if (Result<Bindings> bindings = ReadBindings(); prepare_status_.ok() && bindings.ok()) {
      prepare_status_ = SyncServiceFiles(dir_, *bindings);
    }
  });
  return prepare_status_;
}

Status LocalStore::DeleteCompletedRequests() {
  Result<std::vector<local::DirEntry>> requests = local::ListDir(dir_ / kRequestsDir);
  // Most servers have no request: then the server need not be read.
  if (!requests.ok() || requests->empty()) return Status::Ok();
  Result<local::ServerView> view = local::ReadServer(dir_, server(), {});
  if (!view.ok()) return Status::Ok();
  std::set<std::string> keys;
  for (const CertificateInfo& c : view->state.certificates) {
    if (!c.pending_request) keys.insert(c.public_key_sha1);
  }
  for (const local::DirEntry& e : *requests) {
    if (!e.is_dir || !IsThumbprint(e.name)) continue;
    std::vector<std::string> problems;
    local::ItemFiles files;
    auto info = local::ReadRequestFolder(dir_ / kRequestsDir / e.name, &files, &problems);
    if (info && keys.count(info->public_key_sha1)) {
      XCERT_RETURN_IF_ERROR(DeleteFolder(dir_ / kRequestsDir, e.name));
    }
  }
  return Status::Ok();
}

Status LocalStore::CreateServer(const fs::path& root, const ServerSeed& seed) {
  const std::string& name = seed.identity.name;
  if (std::string why = local::WhyInvalidServerName(name); !why.empty()) {
    return InvalidArgument("server " + Quote(name) + ": " + why);
  }
  // A folder of that name, a link, or a folder whose name differs only in case
  // (the same Exchange server) is refused.
  if (Status folder = local::CheckServerFolderExists(root / name, name); folder.ok()) {
    return AlreadyExists((root / name).string() + " already exists");
  } else if (folder.code() != Code::kNotFound) {
    return folder;
  }
  // The caller holds the lock: other processes' work entries are leftovers.
  CleanStaleWork(root, Links::kFollow);
  return PublishFolder(root, name, [&seed](const fs::path& work) -> Status {
    XCERT_RETURN_IF_ERROR(
        WriteItemFile(work, local::kServerFile, local::EncodeServer(seed.identity)));
    XCERT_RETURN_IF_ERROR(
        WriteItemFile(work, local::kBindingsFile, local::EncodeBindings(seed.bindings)));
    for (const StoredCertificate& c : seed.certificates) {
      XCERT_RETURN_IF_ERROR(
          PublishFolder(work / kCertificatesDir, x509::Sha1Hex(c.der),
                        [&c](const fs::path& d) { return FillCertificate(d, c); }));
    }
    for (const StoredRequest& r : seed.requests) {
      XCERT_RETURN_IF_ERROR(PublishFolder(work / kRequestsDir, RequestId(r.csr_der),
                                          [&r](const fs::path& d) { return FillRequest(d, r); }));
    }
    XCERT_RETURN_IF_ERROR(CreateDirsDurable(work / kCertificatesDir));
    XCERT_RETURN_IF_ERROR(CreateDirsDurable(work / kRequestsDir));
    return SyncServiceFiles(work, seed.bindings);
  });
}

Status LocalStore::EnsureRoot(const fs::path& root) {
  std::error_code ec;
  const bool exists = fs::exists(root, ec);
  if (exists && !fs::is_directory(root, ec)) {
    return FailedPrecondition(root.string() + " is a file, not a folder; give --store a folder");
  }
  if (exists) {
    Status s = local::CheckRoot(root);
    if (s.ok() || s.code() != Code::kFailedPrecondition) return s;
    Result<std::vector<local::DirEntry>> entries = local::ListDir(root, Links::kFollow);
    if (!entries.ok()) return entries.status();
    if (!entries->empty()) {
      return FailedPrecondition(root.string() +
                                " is not empty and not an xcert store; give --store a new or "
                                "empty folder");
    }
  } else {
    XCERT_RETURN_IF_ERROR(CreateDirsDurable(root));
  }
  return WriteFileAtomic(root / local::kRootMarker, local::EncodeRootMarker());
}

Result<std::vector<std::string>> LocalStore::ListServers(const fs::path& root) {
  XCERT_RETURN_IF_ERROR(local::CheckRoot(root));
  XCERT_ASSIGN_OR_RETURN(std::vector<local::DirEntry> entries,
                         local::ListDir(root, Links::kFollow));
  std::vector<std::string> out;
  for (const local::DirEntry& e : entries) {
    // A link is listed: it is where a server would be, and reading it
    // reports the link (so show does not hide what apply would refuse).
    if (!e.is_dir && !e.is_link) continue;
    if (e.name.starts_with(".") || e.name == local::kJournalDir || e.name == local::kLockFile ||
        e.name == local::kRootMarker) {
      continue;
    }
    out.push_back(e.name);
  }
  return out;
}

LocalStoreSet::LocalStoreSet(fs::path root, const Clock& clock)
    : root_(std::move(root)), clock_(clock), root_status_(local::CheckRoot(root_)) {}

Store* LocalStoreSet::Find(const std::string& server) { return FindLocal(server); }

Status LocalStoreSet::CleanLeftovers() {
  if (!root_status_.ok()) return Status::Ok();
  CleanStaleWork(root_, Links::kFollow);
  XCERT_ASSIGN_OR_RETURN(std::vector<std::string> servers, LocalStore::ListServers(root_));
  Status first = Status::Ok();
  for (const std::string& server : servers) {
    // A folder no server can have was never written by xcert (List reports it).
    if (!local::WhyInvalidServerName(server).empty()) continue;
    Status s = FindLocal(server)->PrepareWrite();
    if (first.ok()) first = std::move(s);
  }
  return first;
}

LocalStore* LocalStoreSet::FindLocal(const std::string& server) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& slot = stores_[server];
  if (!slot) slot = std::make_unique<LocalStore>(root_, server, clock_, root_status_);
  return slot.get();
}

}  // namespace xcert::store
