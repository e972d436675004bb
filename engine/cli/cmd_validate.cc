// xcert validate [-f FILE]: loads and checks a manifest without touching any
// store. Diagnostics go to stderr, one per line, sorted by position:
//   FILE:LINE:COL: error: MESSAGE; HINT
// On success stdout says "FILE: valid (N servers, M certificates, W warnings)".
// Exit 0 when valid (warnings allowed), 1 otherwise.
#include "engine/cli/cli.h"
#include "engine/cli/command.h"
#include "engine/cli/session.h"
#include "engine/manifest/load.h"
#include "engine/plan/acknowledge.h"
#include "engine/util/strings.h"

namespace xcert::cli {

namespace {

int RunValidate(Output& out, const std::string& file) {
  std::unique_ptr<Clock> clock = MakeClock(out);
  if (!clock) return kExitError;
  LoadResult result = LoadManifestFile(file);
  // Acknowledgements reach at most 90 days ahead of today.
  if (result.manifest) {
    result.diagnostics.Append(CheckAcknowledgementDates(*result.manifest, clock->Now()));
    result.diagnostics.SortAndUnique();
    if (result.diagnostics.has_errors()) result.manifest.reset();
  }
  out.Report(result.diagnostics);
  const size_t warnings = result.diagnostics.warning_count();
  if (!result.manifest) {
    out.Progress(file + ": invalid (" + CountNoun(result.diagnostics.error_count(), "error") +
                 ", " + CountNoun(warnings, "warning") + ")");
    return kExitError;
  }
  out.Print(file + ": valid (" + CountNoun(result.manifest->servers.size(), "server") + ", " +
            CountNoun(result.manifest->certificates.size(), "certificate") + ", " +
            CountNoun(warnings, "warning") + ")\n");
  return kExitOk;
}

}  // namespace

void RegisterValidate(CLI::App& app, CommandAction* run) {
  auto* cmd = app.add_subcommand("validate", "Check a manifest; exit 0 valid, 1 invalid");
  auto file = std::make_shared<std::string>("xcert.yaml");
  cmd->add_option("-f,--file", *file, "Manifest file (default: xcert.yaml)");
  cmd->callback([run, file] { *run = [file](Output& out) { return RunValidate(out, *file); }; });
}

}  // namespace xcert::cli
