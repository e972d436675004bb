#include "tests/support/exchange_sim.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace xcert::testing {

namespace {

fs::path SimDir() { return SourceDir() / "tests" / "exchange-sim"; }

std::string YamlQuoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// PowerShell running one of the simulator's scripts with `args`.
std::vector<std::string> SimScript(const std::string& script,
                                   const std::vector<std::string>& args) {
  std::vector<std::string> argv = {SimOrganization::Pwsh().string(), "-NoProfile",
                                   "-NonInteractive", "-File", (SimDir() / script).string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace

fs::path SimOrganization::Pwsh() {
  const char* home = std::getenv("DOTNET_CLI_HOME");
  if (!home || !*home) home = std::getenv("HOME");
  if (home && *home) {
    const fs::path tool = fs::path(home) / ".dotnet" / "tools" / "pwsh";
    if (fs::exists(tool)) return tool;
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty() && fs::exists(fs::path(dir) / "pwsh")) return fs::path(dir) / "pwsh";
  }
  return {};
}

std::optional<std::string> SimOrganization::Unavailable() {
  if (Pwsh().empty()) {
    return "skipped: PowerShell 7 (pwsh) is not installed; scripts/setup installs it as a .NET "
           "tool where the .NET SDK is";
  }
  return std::nullopt;
}

SimOrganization::SimOrganization(fs::path folder, const std::string& domain,
                                 const std::vector<SimServer>& servers)
    : folder_(std::move(folder)) {
  std::string list;
  for (const SimServer& s : servers) {
    list += (list.empty() ? "" : ",") + s.name + ":" + s.role + ":" + s.version +
            (s.fqdn.empty() ? "" : ":" + s.fqdn);
  }
  const RunResult made =
      Run(SimScript("Invoke-Sim.ps1", {"-Action", "New", "-StateFolder", folder_.string(),
                                       "-Domain", domain, "-Server", list}));
  if (made.exit_code != 0) {
    throw std::runtime_error("the simulated organisation could not be made:\n" + made.out +
                             made.err);
  }
}

SimOrganization SimOrganization::CopyTo(const fs::path& folder) const {
  fs::copy(folder_, folder, fs::copy_options::recursive);
  fs::remove(folder / "sim.log");
  return SimOrganization(folder);
}

std::vector<std::string> SimOrganization::Transport() const {
  return SimScript("ems.ps1", {"-StateFolder", folder_.string(), "-Server", "{server}"});
}

std::string SimOrganization::StoreYaml() const {
  std::string items;
  for (const std::string& a : Transport()) items += (items.empty() ? "" : ", ") + YamlQuoted(a);
  return "store:\n  type: exchange\n  transport: [" + items + "]\n";
}

void SimOrganization::SetCertificates(const std::string& server,
                                      const nlohmann::json& content) const {
  const fs::path file = folder_ / ("certificates-" + server + ".json");
  std::ofstream(file, std::ios::binary) << content.dump();
  const RunResult set =
      Run(SimScript("Invoke-Sim.ps1", {"-Action", "Certificates", "-StateFolder", folder_.string(),
                                       "-Server", server, "-ContentFile", file.string()}));
  fs::remove(file);
  if (set.exit_code != 0) {
    throw std::runtime_error("the certificates of " + server + " could not be set:\n" + set.out +
                             set.err);
  }
}

RunResult SimOrganization::Shell(const std::string& server, const std::string& command,
                                 const fs::path& cwd) const {
  return Run(SimScript("ems.ps1",
                       {"-StateFolder", folder_.string(), "-Server", server, "-Command", command}),
             cwd);
}

nlohmann::json SimOrganization::Summary() const {
  const RunResult r =
      Run(SimScript("Invoke-Sim.ps1", {"-Action", "Summary", "-StateFolder", folder_.string()}));
  if (r.exit_code != 0) {
    throw std::runtime_error("the simulator's summary failed:\n" + r.out + r.err);
  }
  return nlohmann::json::parse(r.out);
}

int SimOrganization::CountLog(const std::string& event) const {
  const fs::path log = folder_ / "sim.log";
  if (!fs::exists(log)) return 0;
  std::istringstream lines(ReadFileOrDie(log));
  int n = 0;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string time, pid, what;
    if (words >> time >> pid >> what && what == event) ++n;
  }
  return n;
}

int SimOrganization::ShellsStarted() const { return CountLog("start"); }
int SimOrganization::CmdletCalls() const { return CountLog("call"); }

}  // namespace xcert::testing
