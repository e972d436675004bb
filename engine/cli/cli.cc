#include "engine/cli/cli.h"

#include <exception>

#include "engine/cli/command.h"
#include "engine/cli/store_commands.h"

namespace xcert::cli {

namespace {

// The command table: one row per subcommand, in help order.
constexpr RegisterFn kCommands[] = {
    RegisterValidate, RegisterPlan,      RegisterApply,    RegisterDrift,
    RegisterShow,     RegisterStoreInit, RegisterSnapshot,
};

}  // namespace

int RunCli(int argc, char** argv) {
  Output output(stdout, stderr);
  CLI::App app{"xcert: declarative certificates for Exchange-style servers", "xcert"};
  app.set_version_flag("--version", std::string("xcert ") + XCERT_VERSION);
  app.require_subcommand(1);
  CommandAction run;
  for (RegisterFn reg : kCommands) reg(app, &run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with exit code 0.
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitError;
  }
  try {
    return run ? run(output) : kExitError;
  } catch (const std::exception& e) {
    output.Error(std::string("internal error: ") + e.what() +
                 "; this is a bug in xcert, please report it with the command you ran");
    return kExitError;
  }
}

}  // namespace xcert::cli
