// xcert snapshot import --server NAME [--store DIR | -f FILE] CERTIFICATES.xml
//   [--auth-config A.xml] [--web-bindings B.xml] [--receive-connectors R.xml]
//   [--send-connectors S.xml] [--exchange-server E.xml] [--internal-transport T.xml]
//
// Turns a server's recorded Export-Clixml files into <snapshot dir>/<NAME>.json
// (resources/exchange/snapshot.h), which `store: {type: snapshot}` reads for
// plan and drift. The snapshot directory is --store, or the manifest's
// snapshot store path. Exit 0 when written, 1 on any error (nothing written).
#include "engine/cli/command.h"
#include "engine/cli/session.h"
#include "engine/manifest/load.h"
#include "engine/util/strings.h"
#include "resources/exchange/snapshot.h"

namespace xcert::cli {

namespace {

struct SnapshotFlags {
  std::string server;
  std::string store;
  std::string manifest;
  exchange::SnapshotFiles files;
};

// The snapshot directory: --store, or the manifest's snapshot store.
Result<std::string> SnapshotDir(const SnapshotFlags& flags, Output& out) {
  if (!flags.store.empty()) return flags.store;
  const std::string file = flags.manifest.empty() ? "xcert.yaml" : flags.manifest;
  LoadResult loaded = LoadManifestFile(file);
  out.Report(loaded.diagnostics);
  if (!loaded.manifest)
    return InvalidArgument(file +
                           ": the manifest has errors (above); fix them or pass --store DIR");
  const Manifest& m = *loaded.manifest;
  if (m.store.type != StoreType::kSnapshot) {
    return InvalidArgument(
        m.source.Find("/store/type").ToString() + ": the store is of type '" +
        std::string(StoreTypeName(m.store.type)) +
        "'; snapshots go into a snapshot store: set store: {type: snapshot, path: ./snapshots} "
        "or pass --store DIR");
  }
  if (!m.FindServer(flags.server)) {
    std::vector<std::string> known;
    for (const ServerSpec& s : m.servers) known.push_back(s.name);
    const std::string hint = ClosestMatch(flags.server, known);
    return InvalidArgument(
        "--server " + flags.server + ": " + file + " has no such server" +
        (hint.empty() ? "; known servers: " : "; did you mean " + hint + "? Known servers: ") +
        Join(known, ", "));
  }
  return m.Resolve(m.store.path);
}

int RunSnapshotImport(const SnapshotFlags& flags, Output& out) {
  Result<std::string> dir = SnapshotDir(flags, out);
  if (!dir.ok()) {
    out.Error(dir.status().message());
    return kExitError;
  }
  std::unique_ptr<Clock> clock = MakeClock(out);
  if (!clock) return kExitError;
  exchange::SnapshotReport report;
  Result<exchange::Projection> snapshot =
      exchange::BuildSnapshot(flags.server, flags.files, clock->Now(), &report);
  if (!snapshot.ok()) {
    out.Error(snapshot.status().message());
    return kExitError;
  }
  // Every Exchange server holds certificates (at least its Auth and default
  // ones): a file with none is the wrong file, or an export that failed.
  if (report.certificates == 0) {
    out.Error(flags.files.certificates +
              " holds no certificate objects, so it is not what Get-ExchangeCertificate | "
              "Export-Clixml writes on a server; export it again there (docs/commands/"
              "snapshot.md); nothing was written");
    return kExitError;
  }
  if (Status s = exchange::WriteSnapshot(*dir, flags.server, *snapshot); !s.ok()) {
    out.Error(s.message());
    return kExitError;
  }
  for (const std::string& w : report.warnings) out.Warning(flags.server + ": " + w);
  std::string line =
      "Imported " + CountNoun(report.certificates, "certificate") + " of " + flags.server;
  if (report.attributes_unknown > 0)
    line += " (" + std::to_string(report.attributes_unknown) + " with RawData only)";
  out.Print(line + " into " + exchange::SnapshotPath(*dir, flags.server) + "\n");
  return kExitOk;
}

}  // namespace

void RegisterSnapshot(CLI::App& app, CommandAction* run) {
  auto* snapshot =
      app.add_subcommand("snapshot", "Offline snapshots of Exchange servers for plan and drift");
  snapshot->require_subcommand(1);
  auto* cmd = snapshot->add_subcommand(
      "import", "Record a server's Export-Clixml files as a snapshot (docs/commands/snapshot.md)");
  auto flags = std::make_shared<SnapshotFlags>();
  cmd->add_option("--server", flags->server, "The server the files were recorded on")->required();
  auto* store = cmd->add_option("--store", flags->store,
                                "Snapshot directory (default: the manifest's snapshot store)");
  cmd->add_option("-f,--file", flags->manifest,
                  "Manifest whose store is {type: snapshot} (default: xcert.yaml)")
      ->excludes(store);
  cmd->add_option("certificates", flags->files.certificates,
                  "Get-ExchangeCertificate | Export-Clixml")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--auth-config", flags->files.auth_config, "Get-AuthConfig | Export-Clixml")
      ->check(CLI::ExistingFile);
  cmd->add_option("--web-bindings", flags->files.web_bindings, "Get-WebBinding | Export-Clixml")
      ->check(CLI::ExistingFile);
  cmd->add_option("--receive-connectors", flags->files.receive_connectors,
                  "Get-ReceiveConnector -Server NAME | Export-Clixml")
      ->check(CLI::ExistingFile);
  cmd->add_option("--send-connectors", flags->files.send_connectors,
                  "Get-SendConnector | Export-Clixml")
      ->check(CLI::ExistingFile);
  cmd->add_option("--exchange-server", flags->files.exchange_server,
                  "Get-ExchangeServer | Export-Clixml")
      ->check(CLI::ExistingFile);
  cmd->add_option("--internal-transport", flags->files.internal_transport,
                  "The internal transport certificate as CliXml (docs/commands/snapshot.md)")
      ->check(CLI::ExistingFile);
  cmd->callback(
      [run, flags] { *run = [flags](Output& out) { return RunSnapshotImport(*flags, out); }; });
}

}  // namespace xcert::cli
