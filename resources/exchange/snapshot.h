// Offline snapshots: a server's store recorded with Export-Clixml on the
// server (the files admins already produce), turned into the projection the
// live list returns and kept as <snapshot dir>/<server>.json. The snapshot
// store reads it for plan and drift and refuses every change: the way to
// change a server from a snapshot is `xcert plan --format ps1`.
//
// From each recorded certificate RawData is always used (identity, names,
// dates, key); Exchange's attributes (Services, Status, RootCAType,
// PrivateKeyExportable, FriendlyName, IISServices) come from its
// SerializationData (plain or "#sig#"-signed). An object recorded with
// RawData only is "present, attributes unknown": the plan takes no
// destructive step on it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/apply/executor.h"
#include "engine/apply/store.h"
#include "engine/model/manifest.h"
#include "engine/util/time.h"
#include "resources/exchange/projection.h"

namespace xcert::exchange {

// The files of one server's recording; only `certificates` is required.
struct SnapshotFiles {
  std::string certificates;        // Get-ExchangeCertificate | Export-Clixml
  std::string auth_config;         // Get-AuthConfig
  std::string web_bindings;        // Get-WebBinding (IIS)
  std::string receive_connectors;  // Get-ReceiveConnector -Server <server>
  std::string send_connectors;     // Get-SendConnector
  std::string exchange_server;     // Get-ExchangeServer
  std::string internal_transport;  // the internal transport certificate (X509Certificate2)
};

struct SnapshotReport {
  size_t certificates = 0;
  size_t attributes_unknown = 0;      // recorded as RawData only
  std::vector<std::string> warnings;  // what the snapshot cannot tell the plan
};

// Why `server` cannot name a snapshot file, or "" (it becomes a file name).
std::string WhyInvalidSnapshotServer(const std::string& server);

// Reads the recorded files of `server` into a projection. Errors name the
// file (and the object in it).
Result<Projection> BuildSnapshot(const std::string& server, const SnapshotFiles& files,
                                 TimePoint now, SnapshotReport* report);

// <dir>/<server>.json.
std::string SnapshotPath(const std::string& dir, const std::string& server);
// Writes the snapshot atomically (creating `dir`); an existing one is replaced.
Status WriteSnapshot(const std::string& dir, const std::string& server,
                     const Projection& projection);
// NotFound (saying how to record one) when there is no snapshot of `server`;
// DataLoss naming the file when it cannot be read.
Result<Projection> ReadSnapshot(const std::string& dir, const std::string& server);

inline constexpr std::string_view kSnapshotReadOnly =
    "snapshots are read-only; use xcert plan --format ps1 -o plan.ps1 to get the changes as a "
    "script to "
    "review and run on the server";

// A server's snapshot as a read-only Store: List/Get read the file, every
// change is refused (FailedPrecondition, "<server>: " + kSnapshotReadOnly).
class SnapshotStore final : public Store {
 public:
  SnapshotStore(std::string dir, ServerSpec spec) : dir_(std::move(dir)), spec_(std::move(spec)) {}

  const std::string& server() const override { return spec_.name; }
  Result<ServerState> List() override;
  Result<std::optional<CertificateInfo>> Get(const std::string& thumbprint) override;
  Result<CreateResult> Create(const CreateRequest&) override { return ReadOnly(); }
  Result<CertificateInfo> Import(const ImportRequest&) override { return ReadOnly(); }
  Status Enable(const std::string&, ServiceSet, const EnableOptions&) override {
    return ReadOnly();
  }
  Result<std::string> Export(const std::string&, const std::string&) override { return ReadOnly(); }
  Status Remove(const std::string&) override { return ReadOnly(); }

 private:
  Status ReadOnly() const;

  std::string dir_;
  ServerSpec spec_;
};

class SnapshotStoreSet final : public StoreSet {
 public:
  Store* Find(const std::string& server) override;
  void Add(std::unique_ptr<SnapshotStore> store);

 private:
  std::map<std::string, std::unique_ptr<SnapshotStore>> stores_;
};

// One SnapshotStore per manifest server, for `store: {type: snapshot, path}`
// (the path relative to the manifest).
Result<std::unique_ptr<StoreSet>> OpenSnapshotStores(const Manifest& manifest);

}  // namespace xcert::exchange
