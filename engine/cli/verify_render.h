// The reports of `xcert verify` (docs/commands/verify.md): text for people,
// JSON for scripts, JUnit XML for CI, Markdown for tickets. Pure functions
// of the report.
#pragma once

#include <string>

#include "resources/probe/verify.h"

namespace xcert::cli {

// "ok", the probe's outcome when nothing was served ("unreachable",
// "timeout", ...), else "failed".
std::string EndpointStatus(const probe::EndpointResult& r);

std::string RenderVerifyText(const probe::VerifyReport& report, bool color);
std::string RenderVerifyJson(const probe::VerifyReport& report, TimePoint now);
std::string RenderVerifyJunit(const probe::VerifyReport& report);
std::string RenderVerifyMarkdown(const probe::VerifyReport& report);

}  // namespace xcert::cli
