// xcert show [--store DIR | -f FILE] [--server NAME]... [--format text|json] [--parallelism N]
// The actual certificates of every server, like Get-ExchangeCertificate: a
// table per server (text) or every field (json, schemas/show.schema.json).
// Exit 0 when everything could be read, 1 when a server or file could not
// (the rest is still shown; the problems go to stderr too).
#include "engine/cli/backends.h"
#include "engine/cli/session.h"
#include "engine/cli/store_commands.h"
#include "engine/manifest/load.h"
#include "engine/util/strings.h"
#include "resources/store/show_render.h"

namespace xcert::cli {

namespace {

struct ShowFlags {
  std::string store;
  std::string manifest;
  std::vector<std::string> servers;
  std::string format = "text";
  int parallelism = 0;
};

Result<store::ShowReport> FromManifest(const ShowFlags& flags, store::ShowOptions options,
                                       const Clock& clock, Output& out) {
  const LoadResult loaded = LoadManifestFile(flags.manifest);
  // Warnings are validate's and plan's business; show only needs the store.
  if (!loaded.manifest) {
    out.Report(loaded.diagnostics);
    return InvalidArgument(
        flags.manifest + " is not a valid manifest (see above); check it with: xcert validate -f " +
        flags.manifest);
  }
  const Manifest& m = *loaded.manifest;
  std::vector<std::string> known;
  for (const ServerSpec& s : m.servers) known.push_back(s.name);
  for (const std::string& name : options.servers) {
    if (m.FindServer(name)) continue;
    const std::string hint = ClosestMatch(name, known);
    return InvalidArgument(
        "--server " + name + ": " + flags.manifest + " has no such server" +
        (hint.empty() ? "; known servers: " : "; did you mean " + hint + "? Known servers: ") +
        Join(known, ", "));
  }
  if (options.servers.empty()) options.servers = known;
  options.require_known = false;
  if (m.store.type == StoreType::kLocal) {
    return store::CollectLocalShow(m.Resolve(m.store.path), m.store.path, options);
  }
  XCERT_ASSIGN_OR_RETURN(StoreBackend backend, OpenStores(m, clock));
  return store::CollectShow(*backend.stores, backend.description, options);
}

int RunShow(const ShowFlags& flags, Output& out) {
  std::unique_ptr<Clock> clock = MakeClock(out);
  if (!clock) return kExitError;
  store::ShowOptions options;
  options.servers = flags.servers;
  options.now = clock->Now();
  options.parallelism = flags.parallelism;
  Result<store::ShowReport> report =
      flags.store.empty() ? FromManifest(flags, options, *clock, out)
                          : store::CollectLocalShow(flags.store, flags.store, options);
  if (!report.ok()) {
    out.Error(report.status().message());
    return kExitError;
  }
  out.Print(flags.format == "json" ? store::RenderShowJson(*report)
                                   : store::RenderShowText(*report));
  const std::vector<std::string> problems = report->Problems();
  for (const std::string& p : problems) out.Error(p);
  if (problems.empty()) return kExitOk;
  out.Progress(CountNoun(problems.size(), "problem") +
               " (above); plan takes no destructive step on a server with problems until they "
               "are fixed");
  return kExitError;
}

}  // namespace

void RegisterShow(CLI::App& app, CommandAction* run) {
  auto* cmd = app.add_subcommand(
      "show", "Show the certificates in the store, like Get-ExchangeCertificate");
  auto flags = std::make_shared<ShowFlags>();
  auto* store = cmd->add_option("--store", flags->store, "A local store folder");
  cmd->add_option("-f,--file", flags->manifest,
                  "Manifest whose store to show (default: xcert.yaml)")
      ->excludes(store);
  cmd->add_option("--server", flags->servers, "Only this server (repeatable)");
  cmd->add_option("--format", flags->format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--parallelism", flags->parallelism,
                  "Servers read at once (default: the number of cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([run, flags] {
    if (flags->store.empty() && flags->manifest.empty()) flags->manifest = "xcert.yaml";
    *run = [flags](Output& out) { return RunShow(*flags, out); };
  });
}

}  // namespace xcert::cli
