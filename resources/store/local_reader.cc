#include "resources/store/local_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include <dirent.h>

#include "engine/util/strings.h"
#include "resources/store/local_format.h"
#include "resources/store/service_files.h"
#include "resources/store/store_rules.h"
#include "resources/x509/builder.h"
#include "resources/x509/digest.h"
#include "resources/x509/parse.h"
#include "resources/x509/pem.h"

namespace xcert::store::local {

namespace {

std::string ModeText(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

void AddProblem(std::vector<std::string>* problems, const fs::path& path, const std::string& why) {
  problems->push_back(path.string() + ": " + why);
}

// The reason a read failed, without the path ReadFile already put in front.
std::string ReadFailure(const Status& s) {
  if (s.code() == Code::kNotFound) return "missing";
  const size_t colon = s.message().rfind(": ");
  return colon == std::string::npos ? s.message() : s.message().substr(colon + 2);
}

// The single block labelled `label` of a PEM file, or the reason there is none.
Result<std::string> SingleBlock(std::string_view text, std::string_view label) {
  XCERT_ASSIGN_OR_RETURN(std::vector<x509::PemBlock> blocks, x509::ParsePem(text));
  if (blocks.size() != 1 || blocks[0].label != label) {
    std::vector<std::string> labels;
    for (const x509::PemBlock& b : blocks) labels.push_back(b.label);
    return InvalidArgument("expected exactly one " + std::string(label) + " PEM block, found " +
                           (labels.empty()
                                ? std::string("none")
                                : std::to_string(labels.size()) + " (" + Join(labels, ", ") + ")"));
  }
  return std::move(blocks[0].der);
}

// The problem text of a symbolic link inside a store (see OpenErrorStatus).
std::string LinkProblem() {
  const std::string message = OpenErrorStatus("", ELOOP).message();
  return message.substr(message.find(": ") + 2);
}

// Files a certificate or request folder may hold.
bool KnownItemFile(std::string_view name, bool request) {
  if (name == kKeyFile || name == kMetaFile) return true;
  return request ? name == kRequestFile : (name == kCertFile || name == kChainFile);
}

// An item folder (certificates/<T> or requests/<ID>) opened once: it is
// listed and its files are opened relative to it. A fleet has tens of
// thousands of these folders, and system calls were most of the cost of
// reading one (opendir's fstat, a path walk from the root for every file, an
// fstat per file read): this reads a folder with about 13 calls instead of 21.
// Nothing is opened through a symbolic link (O_NOFOLLOW): a link is damage,
// reported with its path. When the folder cannot be opened, every read fails
// with the reason it could not (NotFound when it is missing).
class ItemDir {
 public:
  // `links` says whether `dir` itself may be a link (a store root the user named).
  explicit ItemDir(const fs::path& dir, Links links = Links::kRefuse) : dir_(dir) {
    fd_ = links == Links::kRefuse ? OpenDirNoFollow(AT_FDCWD, dir.c_str())
                                  : ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0) err_ = errno;
  }
  // The folder `name` inside `parent`, opened relative to it.
  ItemDir(const ItemDir& parent, std::string_view name) : dir_(parent.dir_ / name) {
    if (parent.fd_ < 0) {
      err_ = parent.err_;
      return;
    }
    fd_ = OpenDirNoFollow(parent.fd_, std::string(name).c_str());
    if (fd_ < 0) err_ = errno;
  }
  ~ItemDir() {
    if (fd_ >= 0) ::close(fd_);
  }
  ItemDir(const ItemDir&) = delete;
  ItemDir& operator=(const ItemDir&) = delete;

  const fs::path& path() const { return dir_; }

  // The entries (sorted by name), like ListDir; an error when it cannot be listed.
  Result<std::vector<DirEntry>> List() const {
    if (fd_ < 0) return OpenError(dir_, err_);
    std::vector<DirEntry> out;
    alignas(8) char buf[4096];
    for (;;) {
      const ssize_t n = ::getdents64(fd_, buf, sizeof buf);
      if (n < 0) return ErrnoStatus("reading " + dir_.string(), errno);
      if (n == 0) break;
      for (ssize_t pos = 0; pos < n;) {
        const auto* e = reinterpret_cast<const struct dirent64*>(buf + pos);
        pos += e->d_reclen;
        const std::string_view name = e->d_name;
        if (name == "." || name == "..") continue;
        unsigned char type = e->d_type;
        if (type == DT_UNKNOWN) {
          struct stat st;
          if (Lstat(name, &st) == 0)
            type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : DT_REG;
        }
        out.push_back({std::string(name), type == DT_DIR, type == DT_LNK});
      }
    }
    std::sort(out.begin(), out.end(),
              [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
    return out;
  }

  // ReadFile(path() / name, Links::kRefuse), with the same errors.
  Result<std::string> Read(std::string_view name) const {
    const fs::path path = dir_ / name;
    if (fd_ < 0) return OpenError(path, err_);
    // O_NONBLOCK: a FIFO planted in the store reads empty instead of hanging.
    const int fd =
        ::openat(fd_, std::string(name).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) return OpenError(path, errno);
    std::string out;
    char buf[16384];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        const int err = errno;
        ::close(fd);
        return ErrnoStatus("reading " + path.string(), err);
      }
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
  }

  // lstat(path() / name); -1 with errno set when the folder could not be opened.
  int Lstat(std::string_view name, struct stat* st) const {
    if (fd_ < 0) {
      errno = err_;
      return -1;
    }
    return ::fstatat(fd_, std::string(name).c_str(), st, AT_SYMLINK_NOFOLLOW);
  }

 private:
  // "reading P: <reason>", or "P: a symbolic link, …" like the other damage.
  static Status OpenError(const fs::path& path, int err) {
    return err == ELOOP ? OpenErrorStatus(path.string(), err)
                        : ErrnoStatus("reading " + path.string(), err);
  }

  fs::path dir_;
  int fd_ = -1;
  int err_ = 0;  // why fd_ is -1
};

// Which optional files an item folder holds. One directory read answers it,
// so absent files cost no failed open (a fleet has thousands of folders).
struct ItemListing {
  bool key = true;
  bool chain = true;
  bool meta = true;
};

// Lists an item folder, reporting files this format does not know.
ItemListing ListItemFolder(const ItemDir& dir, bool request, std::vector<std::string>* problems) {
  ItemListing out;
  Result<std::vector<DirEntry>> entries = dir.List();
  if (!entries.ok()) return out;  // assume everything: the reads that follow report it
  out = {false, false, false};
  for (const DirEntry& e : *entries) {
    if (e.is_link) AddProblem(problems, dir.path() / e.name, LinkProblem());
    if (!KnownItemFile(e.name, request)) {
      AddProblem(problems, dir.path() / e.name,
                 "unexpected file in a " + std::string(request ? "request" : "certificate") +
                     " folder; xcert does not know it: move it out of the store");
    }
    out.key |= e.name == kKeyFile;
    out.chain |= e.name == kChainFile;
    out.meta |= e.name == kMetaFile;
  }
  return out;
}

// Stats key.pem: its mode when present, and a problem when others can read it.
std::optional<unsigned> StatKey(const ItemDir& dir, std::vector<std::string>* problems) {
  const fs::path path = dir.path() / kKeyFile;
  struct stat st;
  if (dir.Lstat(kKeyFile, &st) != 0) {
    if (errno != ENOENT) AddProblem(problems, path, std::strerror(errno));
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    AddProblem(problems, path,
               "not a regular file; a key file must be a plain file with mode 0600");
    return std::nullopt;
  }
  const unsigned mode = st.st_mode & 07777;
  if (std::string p = KeyModeProblem(path, mode); !p.empty()) problems->push_back(p);
  return mode;
}

// ReadMetaFile of the folder's meta.json.
Result<ItemMeta> ReadMetaAt(const ItemDir& dir) {
  XCERT_ASSIGN_OR_RETURN(std::string text, dir.Read(kMetaFile));
  Result<ItemMeta> m = DecodeMeta(text);
  if (!m.ok()) return DataLoss((dir.path() / kMetaFile).string() + ": " + m.status().message());
  return m;
}

const ItemMeta* ReadMetaInto(const ItemDir& dir, bool listed, ItemMeta* meta,
                             std::vector<std::string>* problems) {
  const fs::path path = dir.path() / kMetaFile;
  if (!listed) {
    problems->push_back(path.string() + ": missing");
    return nullptr;
  }
  Result<ItemMeta> m = ReadMetaAt(dir);
  if (!m.ok()) {
    problems->push_back(m.status().code() == Code::kNotFound ? path.string() + ": missing"
                                                             : m.status().message());
    return nullptr;
  }
  *meta = std::move(*m);
  return meta;
}

// Checks an exclusive binding names a certificate folder that exists.
void CheckReference(const fs::path& bindings_path, const char* name, const std::string& t,
                    const std::set<std::string>& folders, std::vector<std::string>* problems) {
  if (t.empty() || folders.count(t)) return;
  AddProblem(problems, bindings_path,
             std::string(name) + " names " + t +
                 ", which is not in certificates/; restore that certificate or correct the file");
}

void CheckReferences(const fs::path& path, Bindings* b, const std::set<std::string>& folders,
                     std::vector<std::string>* problems) {
  CheckReference(path, "IIS", b->iis, folders, problems);
  CheckReference(path, "IISBackEnd", b->iis_back_end, folders, problems);
  CheckReference(path, "IMAP", b->imap, folders, problems);
  CheckReference(path, "POP", b->pop, folders, problems);
  CheckReference(path, "UM", b->um, folders, problems);
  CheckReference(path, "UMCallRouter", b->um_call_router, folders, problems);
  CheckReference(path, "InternalTransport", b->internal_transport, folders, problems);
  CheckReference(path, "AuthCurrent", b->auth_current, folders, problems);
  CheckReference(path, "AuthNext", b->auth_next, folders, problems);
  for (const std::string& t : b->connector_refs) {
    CheckReference(path, "Connectors", t, folders, problems);
  }
  // An SMTP entry outlives its certificate only when a removal was
  // interrupted between deleting the folder and rewriting this file: the
  // certificate is gone, so is its SMTP (Exchange's key ACL goes with the key).
  std::erase_if(b->smtp, [&](const std::string& t) { return !folders.count(t); });
}

// The entries of `dir` that are item folders; foreign entries become problems.
std::vector<std::string> ItemFolders(const ItemDir& folder, std::vector<std::string>* problems) {
  const fs::path& dir = folder.path();
  std::vector<std::string> out;
  Result<std::vector<DirEntry>> entries = folder.List();
  if (!entries.ok()) {
    if (entries.status().code() != Code::kNotFound)
      AddProblem(problems, dir, ReadFailure(entries.status()));
    return out;
  }
  for (const DirEntry& e : *entries) {
    if (IsWork(e.name)) continue;
    if (e.is_link) {
      AddProblem(problems, dir / e.name, LinkProblem());
      continue;
    }
    if (!e.is_dir || !IsThumbprint(e.name)) {
      AddProblem(problems, dir / e.name,
                 "not an item folder (its name must be a 40-character upper-case SHA-1 "
                 "thumbprint); move it out of the store");
      continue;
    }
    out.push_back(e.name);
  }
  return out;
}

// Entries of a server folder that the format does not know become problems.
void CheckServerEntries(const ItemDir& folder, std::vector<std::string>* problems) {
  const fs::path& dir = folder.path();
  Result<std::vector<DirEntry>> entries = folder.List();
  if (!entries.ok()) return;
  for (const DirEntry& e : *entries) {
    if (e.is_link && !IsWork(e.name)) {
      AddProblem(problems, dir / e.name, LinkProblem());
      continue;
    }
    const bool known = e.name == kServerFile || e.name == kBindingsFile ||
                       e.name == kCertificatesDir || e.name == kRequestsDir ||
                       e.name == kServicesDir || IsWork(e.name);
    if (!known) {
      AddProblem(problems, dir / e.name,
                 "unexpected entry in a server folder; xcert does not know it: move it out of "
                 "the store");
    }
  }
}

}  // namespace

Result<std::vector<DirEntry>> ListDir(const fs::path& dir, Links links) {
  return ItemDir(dir, links).List();
}

std::string KeyModeProblem(const fs::path& path, unsigned mode) {
  if ((mode & 077) == 0) return "";
  return path.string() + ": the key file is readable by others (mode " + ModeText(mode) +
         "); run chmod 600 " + path.string();
}

Result<x509::PrivateKey> ReadKeyFile(const fs::path& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return ErrnoStatus("reading " + path.string(), errno);
  if (!S_ISREG(st.st_mode)) {
    return DataLoss(path.string() + ": not a regular file; a key file must be a plain file");
  }
  if (std::string p = KeyModeProblem(path, st.st_mode & 07777); !p.empty()) {
    return PermissionDenied("refusing to use " + p);
  }
  XCERT_ASSIGN_OR_RETURN(std::string text, ReadFile(path, Links::kRefuse));
  Result<x509::PrivateKey> key = x509::PrivateKey::Parse(text);
  if (!key.ok()) return DataLoss(path.string() + ": " + key.status().message());
  return key;
}

Result<ServerIdentity> ReadServerFile(const fs::path& path) {
  XCERT_ASSIGN_OR_RETURN(std::string text, ReadFile(path, Links::kRefuse));
  Result<ServerIdentity> id = DecodeServer(text);
  if (!id.ok()) return DataLoss(path.string() + ": " + id.status().message());
  return id;
}

Result<Bindings> ReadBindingsFile(const fs::path& path) {
  XCERT_ASSIGN_OR_RETURN(std::string text, ReadFile(path, Links::kRefuse));
  Result<Bindings> b = DecodeBindings(text);
  if (!b.ok()) return DataLoss(path.string() + ": " + b.status().message());
  return b;
}

Result<ItemMeta> ReadMetaFile(const fs::path& path) {
  XCERT_ASSIGN_OR_RETURN(std::string text, ReadFile(path, Links::kRefuse));
  Result<ItemMeta> m = DecodeMeta(text);
  if (!m.ok()) return DataLoss(path.string() + ": " + m.status().message());
  return m;
}

namespace {

std::optional<CertificateInfo> ReadCertificateIn(const ItemDir& item, const ReadOptions& options,
                                                 ItemFiles* files,
                                                 std::vector<std::string>* problems) {
  const fs::path& dir = item.path();
  const std::string name = dir.filename().string();
  files->thumbprint = name;
  files->dir = dir;
  const ItemListing listing = ListItemFolder(item, /*request=*/false, problems);
  const fs::path cert_path = dir / kCertFile;
  Result<std::string> text = item.Read(kCertFile);
  if (!text.ok()) {
    AddProblem(problems, cert_path, ReadFailure(text.status()));
    return std::nullopt;
  }
  Result<std::string> der = SingleBlock(*text, "CERTIFICATE");
  if (!der.ok()) {
    AddProblem(problems, cert_path, der.status().message());
    return std::nullopt;
  }
  if (const std::string sha1 = x509::Sha1Hex(*der); sha1 != name) {
    AddProblem(problems, cert_path,
               "holds the certificate " + sha1 + ", not " + name +
                   " (the folder name); the file was replaced or the folder renamed: restore it "
                   "or move the folder out of the store");
    return std::nullopt;
  }
  if (listing.key) files->key_mode = StatKey(item, problems);
  ItemMeta meta;
  const ItemMeta* known = ReadMetaInto(item, listing.meta, &meta, problems);
  Result<CertificateInfo> info = DescribeCertificate(*der, files->key_mode.has_value(), known);
  if (!info.ok()) {
    AddProblem(problems, cert_path, info.status().message());
    return std::nullopt;
  }
  if (options.chains && listing.chain) {
    const fs::path chain_path = dir / kChainFile;
    Result<std::string> chain = item.Read(kChainFile);
    if (chain.ok()) {
      Result<std::vector<std::string>> certs = x509::ReadCertificates(*chain);
      if (certs.ok()) {
        files->chain_der = std::move(*certs);
      } else {
        AddProblem(problems, chain_path, certs.status().message());
      }
    } else if (chain.status().code() != Code::kNotFound) {
      AddProblem(problems, chain_path, ReadFailure(chain.status()));
    }
  }
  return std::move(*info);
}

std::optional<CertificateInfo> ReadRequestIn(const ItemDir& item, ItemFiles* files,
                                             std::vector<std::string>* problems) {
  const fs::path& dir = item.path();
  const std::string name = dir.filename().string();
  files->thumbprint = name;
  files->dir = dir;
  const ItemListing listing = ListItemFolder(item, /*request=*/true, problems);
  const fs::path csr_path = dir / kRequestFile;
  Result<std::string> text = item.Read(kRequestFile);
  if (!text.ok()) {
    AddProblem(problems, csr_path, ReadFailure(text.status()));
    return std::nullopt;
  }
  Result<std::string> der = SingleBlock(*text, "CERTIFICATE REQUEST");
  if (!der.ok()) {
    AddProblem(problems, csr_path, der.status().message());
    return std::nullopt;
  }
  if (const std::string id = RequestId(*der); id != name) {
    AddProblem(problems, csr_path,
               "holds the request " + id + ", not " + name +
                   " (the folder name); restore it or move the folder out of the store");
    return std::nullopt;
  }
  if (listing.key) files->key_mode = StatKey(item, problems);
  if (!files->key_mode) {
    AddProblem(problems, dir / kKeyFile,
               "missing; a pending request without its key can never be completed: remove the "
               "request and create a new one");
  }
  ItemMeta meta;
  ReadMetaInto(item, listing.meta, &meta, problems);
  Result<CertificateInfo> info = DescribeRequest(*der, meta);
  if (!info.ok()) {
    AddProblem(problems, csr_path, info.status().message());
    return std::nullopt;
  }
  return std::move(*info);
}

// Reads and decodes a JSON file of `folder` as the Read*File functions do.
template <typename T>
Result<T> ReadDecodedIn(const ItemDir& folder, std::string_view name,
                        Result<T> (*decode)(std::string_view)) {
  XCERT_ASSIGN_OR_RETURN(std::string text, folder.Read(name));
  Result<T> value = decode(text);
  if (!value.ok())
    return DataLoss((folder.path() / name).string() + ": " + value.status().message());
  return value;
}

}  // namespace

std::optional<CertificateInfo> ReadCertificateFolder(const fs::path& dir,
                                                     const ReadOptions& options, ItemFiles* files,
                                                     std::vector<std::string>* problems) {
  return ReadCertificateIn(ItemDir(dir), options, files, problems);
}

std::optional<CertificateInfo> ReadRequestFolder(const fs::path& dir, ItemFiles* files,
                                                 std::vector<std::string>* problems) {
  return ReadRequestIn(ItemDir(dir), files, problems);
}

Status CheckServerFolderExists(const fs::path& dir, const std::string& server) {
  struct stat st;
  if (::lstat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Ok();
    if (S_ISLNK(st.st_mode)) return OpenErrorStatus(dir.string(), ELOOP);
  }
  const fs::path root = dir.parent_path();
  // Exchange server names ignore case: MailServer21 and mailserver21 are one
  // server, so a folder that differs only in case is that server's, and
  // creating a second one would make two stores for one server.
  if (Result<std::vector<DirEntry>> entries = ListDir(root, Links::kFollow); entries.ok()) {
    for (const DirEntry& e : *entries) {
      if (e.name != server && EqualsIgnoreCase(e.name, server)) {
        return FailedPrecondition(
            "the store has no server " + server + " but has " + (root / e.name).string() +
            ", which is the same Exchange server (names differ only in case); call the server " +
            e.name + " (in the manifest, or in --server) or rename that folder to " + server);
      }
    }
  }
  return NotFound("the store has no server " + server + " (" + dir.string() +
                  " does not exist); create it with: xcert store init --store " + root.string() +
                  " --server " + server + " --fqdn FQDN --roles Mailbox");
}

Result<ServerView> ReadServer(const fs::path& dir, const std::string& server,
                              const ReadOptions& options) {
  XCERT_RETURN_IF_ERROR(CheckServerFolderExists(dir, server));
  ServerView view;
  view.dir = dir;
  ServerState& state = view.state;
  state.server = server;
  std::vector<std::string>& problems = state.problems;
  // The server folder and its two item folders are opened once; every file
  // and folder below is opened relative to them (see ItemDir).
  const ItemDir folder(dir);
  CheckServerEntries(folder, &problems);

  if (Result<ServerIdentity> id = ReadDecodedIn(folder, kServerFile, &DecodeServer); id.ok()) {
    state.identity = std::move(*id);
    if (state.identity.name != server) {
      AddProblem(&problems, dir / kServerFile,
                 "names the server " + Quote(state.identity.name) + ", not '" + server +
                     "' (the folder name); correct the file or rename the folder");
    }
  } else {
    problems.push_back(id.status().code() == Code::kNotFound
                           ? (dir / kServerFile).string() + ": missing"
                           : id.status().message());
  }
  const fs::path bindings_path = dir / kBindingsFile;
  if (Result<Bindings> b = ReadDecodedIn(folder, kBindingsFile, &DecodeBindings); b.ok()) {
    state.bindings = std::move(*b);
  } else {
    problems.push_back(b.status().code() == Code::kNotFound ? bindings_path.string() + ": missing"
                                                            : b.status().message());
  }

  const ItemDir certs_dir(folder, kCertificatesDir);
  const std::vector<std::string> cert_folders = ItemFolders(certs_dir, &problems);
  std::set<std::string> public_keys;
  for (const std::string& name : cert_folders) {
    ItemFiles files;
    std::optional<CertificateInfo> info =
        ReadCertificateIn(ItemDir(certs_dir, name), options, &files, &problems);
    if (!info) continue;
    public_keys.insert(info->public_key_sha1);
    state.certificates.push_back(std::move(*info));
    view.files.push_back(std::move(files));
  }
  const ItemDir requests_dir(folder, kRequestsDir);
  for (const std::string& name : ItemFolders(requests_dir, &problems)) {
    ItemFiles files;
    std::optional<CertificateInfo> info =
        ReadRequestIn(ItemDir(requests_dir, name), &files, &problems);
    // A request whose certificate is already in the store was completed; an
    // interrupted import left it behind (writers delete it).
    if (!info || public_keys.count(info->public_key_sha1)) continue;
    state.certificates.push_back(std::move(*info));
    view.files.push_back(std::move(files));
  }

  CheckReferences(bindings_path, &state.bindings, {cert_folders.begin(), cert_folders.end()},
                  &problems);
  // A link is seen when its folder is listed and again when it is read: once.
  std::set<std::string> seen;
  std::erase_if(problems, [&seen](const std::string& p) { return !seen.insert(p).second; });
  for (CertificateInfo& c : state.certificates) ApplyBindings(state.bindings, server, &c);

  // Sort both vectors by thumbprint, keeping them parallel.
  std::vector<size_t> order(state.certificates.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return state.certificates[a].thumbprint < state.certificates[b].thumbprint;
  });
  std::vector<CertificateInfo> certs;
  std::vector<ItemFiles> files;
  certs.reserve(order.size());
  files.reserve(order.size());
  for (size_t i : order) {
    certs.push_back(std::move(state.certificates[i]));
    files.push_back(std::move(view.files[i]));
  }
  state.certificates = std::move(certs);
  view.files = std::move(files);
  return view;
}

}  // namespace xcert::store::local
