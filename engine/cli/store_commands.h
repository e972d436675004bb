// The commands over the local store (resources/store): `xcert store init`
// (creates a server like Exchange setup does) and `xcert show` (the actual
// store, like Get-ExchangeCertificate). Registered from the table in cli.cc.
#pragma once

#include "engine/cli/command.h"

namespace xcert::cli {

void RegisterStoreInit(CLI::App& app, CommandAction* run);
void RegisterShow(CLI::App& app, CommandAction* run);

}  // namespace xcert::cli
