// The local store: one folder per server in the documented format of
// docs/store-format.md (local_format.h), readable by other programs.
//
// Writes are atomic and durable. A certificate or request is published as a
// whole folder: its files are written and fsynced in certificates/.tmp-<pid>-…,
// the folder is fsynced and renamed to its thumbprint, and certificates/ is
// fsynced. Removal renames the folder to .trash-<pid>-… (atomic), fsyncs,
// then deletes it. bindings.json is replaced with WriteFileAtomic. A crash at
// any point leaves the old or the new state; readers ignore work folders, and
// a writer deletes those a dead process left behind once it holds the lock
// (LocalStoreSet::CleanLeftovers), or at the latest before its first write.
//
// Writers must hold the store's lock (engine/apply/lock.h, <store>/xcert.lock)
// for the whole run: the commands that write (apply, store init) take it.
// Within a process, one LocalStore per server serialises its own writes.
// Key files are written 0600 and refused when others can read them.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/apply/executor.h"
#include "resources/store/local_reader.h"
#include "resources/store/store_base.h"

namespace xcert::store {

class LocalStore final : public StoreBase {
 public:
  // The store of `server` in the local store at `root`. `root_status` is the
  // result of local::CheckRoot(root) when the caller already has it.
  LocalStore(fs::path root, std::string server, const Clock& clock = DefaultClock());
  LocalStore(fs::path root, std::string server, const Clock& clock, Status root_status);

  Result<ServerState> List() override;
  // List, plus each item's folder, key file mode and (optionally) chain.
  Result<local::ServerView> Read(const local::ReadOptions& options);

  const fs::path& dir() const { return dir_; }

  // Once per instance, before its first write: deletes what crashed writers
  // left in the server's folder (work entries of other processes, requests
  // already completed). The caller holds the store's lock.
  Status PrepareWrite();

  // Creates the folder of seed.identity.name under `root` holding exactly
  // `seed`: built in a work folder and renamed into place, so it appears
  // complete or not at all. AlreadyExists when the server has a folder.
  // REQUIRES: `root` is a store (EnsureRoot) and the caller holds its lock.
  static Status CreateServer(const fs::path& root, const ServerSeed& seed);

  // Makes `root` a local store: creates it and its marker when missing or
  // empty; OK when it already is one; an error when it holds something else.
  static Status EnsureRoot(const fs::path& root);

  // The server folders of the store at `root`, sorted (work entries, the
  // lock and the journal are not servers). The one list of servers that
  // show, plan and cleaning use; symbolic links are listed (reading such a
  // server reports the link as damage, and nothing writes through it).
  static Result<std::vector<std::string>> ListServers(const fs::path& root);

 protected:
  Result<std::optional<CertificateInfo>> Find(const std::string& thumbprint) override;
  Result<ServerIdentity> ReadIdentity() override;
  Result<Bindings> ReadBindings() override;
  Status WriteBindings(const Bindings& bindings) override;
  Result<std::optional<StoredCertificate>> ReadCertificate(const std::string& thumbprint) override;
  Result<std::optional<std::pair<std::string, StoredRequest>>> FindRequestForKey(
      const std::string& public_key_sha1) override;
  Status AddCertificate(const std::string& thumbprint, const StoredCertificate& c) override;
  Status AddRequest(const std::string& id, const StoredRequest& r) override;
  Status DeleteCertificate(const std::string& thumbprint) override;
  Status DeleteRequest(const std::string& id) override;

 private:
  // OK when the store root and the server folder can be used.
  Status Usable() const;
  // Deletes requests whose key a certificate has: an import that completed
  // them was interrupted before it deleted them.
  Status DeleteCompletedRequests();

  fs::path root_;
  fs::path dir_;
  Status root_status_;
  std::once_flag prepared_;
  Status prepare_status_;
};

// The local stores of the folders in `root`, by server name. Find never
// returns nullptr: a server without a folder reports it when listed.
class LocalStoreSet final : public StoreSet {
 public:
  explicit LocalStoreSet(fs::path root, const Clock& clock = DefaultClock());

  Store* Find(const std::string& server) override;
  LocalStore* FindLocal(const std::string& server);
  const fs::path& root() const { return root_; }
  // OK when root() is a local store (local::CheckRoot).
  const Status& root_status() const { return root_status_; }

  // Deletes what writers that died left in the store: a half-made server
  // (store init) and, in every server folder, what PrepareWrite deletes. So a
  // removal killed after its rename leaves no private key behind, even when
  // the next run writes nothing. The caller holds the store's lock. OK when
  // there is no store (List reports that); otherwise the first server's error.
  Status CleanLeftovers();

 private:
  fs::path root_;
  const Clock& clock_;
  Status root_status_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<LocalStore>> stores_;
};

}  // namespace xcert::store
