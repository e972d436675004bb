#include "engine/cli/cli.h"

#include <exception>

#include "engine/cli/command.h"
#include "engine/cli/store_commands.h"
#include "engine/util/strings.h"

namespace xcert::cli {

namespace {

// The command table: one row per subcommand, in help order.
constexpr RegisterFn kCommands[] = {
    RegisterValidate, RegisterPlan,      RegisterApply,    RegisterDrift,
    RegisterShow,     RegisterStoreInit, RegisterSnapshot, RegisterVerify,
    RegisterHistory,  RegisterRestore,   RegisterReport,
};

}  // namespace

int RunCli(int argc, char** argv) {
  Output output(stdout, stderr);
  CLI::App app{"xcert: declarative certificates for Exchange-style servers", "xcert"};
  app.set_version_flag("--version", std::string("xcert ") + XCERT_VERSION);
  app.require_subcommand(1);
  CommandAction run;
  for (RegisterFn reg : kCommands) reg(app, &run);
  // CLI11 would only say "A subcommand is required" for a mistyped command.
  if (argc > 1 && argv[1][0] != '-') {
    const std::string word = argv[1];
    std::vector<std::string> names;
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      names.push_back(sub->get_name());
      known |= sub->check_name(word);
    }
    if (!known) {
      const std::string hint = ClosestMatch(word, names);
      output.Error(Quote(word) + " is not an xcert command" +
                   (hint.empty() ? "; commands: " : "; did you mean " + hint + "? Commands: ") +
                   Join(names, ", ") + " (see xcert --help)");
      return kExitError;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with exit code 0: CLI11 prints them.
    if (e.get_exit_code() == 0) return app.exit(e) == 0 ? kExitOk : kExitError;
    // Real errors look like every other error (docs/exit-codes.md), and name
    // the help of the command that was being parsed.
    std::string command = "xcert";
    for (const CLI::App* cur = &app; !cur->get_subcommands().empty();) {
      cur = cur->get_subcommands().front();
      command += " " + cur->get_name();
    }
    output.Error(std::string(e.what()) + "; see " + command + " --help");
    return kExitError;
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
