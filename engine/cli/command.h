// How a command plugs into the CLI: Register* adds a CLI11 subcommand and sets
// `run` to the function that executes it once arguments are parsed.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "engine/cli/cli.h"
#include "engine/cli/output.h"

namespace xcert::cli {

// The action of the chosen subcommand; returns an exit code.
using CommandAction = std::function<int(Output&)>;

// Every command's registration function has this shape.
using RegisterFn = void (*)(CLI::App& app, CommandAction* run);

void RegisterValidate(CLI::App& app, CommandAction* run);
void RegisterPlan(CLI::App& app, CommandAction* run);
void RegisterApply(CLI::App& app, CommandAction* run);
void RegisterDrift(CLI::App& app, CommandAction* run);
void RegisterSnapshot(CLI::App& app, CommandAction* run);  // cmd_snapshot.cc
void RegisterVerify(CLI::App& app, CommandAction* run);    // cmd_verify.cc
void RegisterHistory(CLI::App& app, CommandAction* run);   // cmd_history.cc
void RegisterRestore(CLI::App& app, CommandAction* run);   // cmd_restore.cc
void RegisterReport(CLI::App& app, CommandAction* run);    // cmd_report.cc

}  // namespace xcert::cli
