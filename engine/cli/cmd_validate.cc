// xcert validate [-f FILE]: placeholder until the manifest loader lands.
#include "engine/cli/command.h"

namespace xcert::cli {

void RegisterValidate(CLI::App& app, CommandAction* run) {
  auto* cmd = app.add_subcommand("validate", "Check a manifest; exit 0 valid, 1 invalid");
  auto file = std::make_shared<std::string>("xcert.yaml");
  cmd->add_option("-f,--file", *file, "Manifest file (default: xcert.yaml)");
  cmd->callback([run, file] {
    *run = [file](Output& out) {
      out.Error("validate is not implemented yet");
      return 1;
    };
  });
}

}  // namespace xcert::cli
