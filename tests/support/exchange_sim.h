// The Exchange simulator (tests/exchange-sim/README.md) from C++ tests: an
// organisation of simulated servers in a folder the test owns, the manifest
// `store:` block that makes xcert's live store run its real scripts in
// PowerShell 7 against it, a server's Exchange Management Shell for running
// .ps1 plans, and what the organisation holds as Exchange shows it.
//
//   if (auto why = SimOrganization::Unavailable()) GTEST_SKIP() << *why;
//   SimOrganization org(dir.path() / "org", "contoso.com",
//                       {{"EX01"}, {"EX02"}, {"EDGE01", "Edge"}});
//   manifest += org.StoreYaml();
//   ... xcert apply ...
//   EXPECT_EQ(org.Summary()["Problems"].size(), 0u);
//
// Certificates, keys and PKCS#12 files are made and read by .NET's X509
// classes inside the simulator, never by xcert's code; the summary is read
// through the simulated cmdlets, so it is the oracle a test compares with.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/test_util.h"

namespace xcert::testing {

namespace fs = std::filesystem;

struct SimServer {
  std::string name;
  std::string role = "Mailbox";  // Mailbox or Edge
  std::string version = "2019";  // 2013, 2016, 2019 or SE
  std::string fqdn;              // empty: name.domain in lower case
};

class SimOrganization {
 public:
  // Why the simulator cannot run here (PowerShell 7 is not installed:
  // scripts/setup installs it where the .NET SDK is), or nullopt.
  static std::optional<std::string> Unavailable();

  // The pwsh scripts/setup installs (~/.dotnet/tools/pwsh), else the one on
  // PATH; empty when there is none.
  static fs::path Pwsh();

  // Makes the organisation in `folder` (which must not hold one) with
  // `servers` as Exchange setup leaves them. Throws std::runtime_error with
  // PowerShell's output when that fails.
  SimOrganization(fs::path folder, const std::string& domain,
                  const std::vector<SimServer>& servers);

  // A copy of the whole organisation in `folder` (the same certificates and
  // keys), for running two tools from the same start.
  SimOrganization CopyTo(const fs::path& folder) const;

  const fs::path& folder() const { return folder_; }

  // The transport command of the live store: PowerShell running
  // tests/exchange-sim/ems.ps1 for the server `{server}`.
  std::vector<std::string> Transport() const;

  // The manifest's `store:` block with that transport.
  std::string StoreYaml() const;

  // Replaces the certificates of `server` and what uses them
  // (Set-ExchangeSimCertificates in tests/exchange-sim/): `content` is
  // {"Certificates": [{"Pfx"|"Der": base64, "Password", "FriendlyName",
  // "Exportable", "Smtp"}], "Iis", "IisBackEnd", "InternalTransport",
  // "ImapName", "PopName", "AuthCertificate"}. Throws std::runtime_error
  // with PowerShell's output when that fails.
  void SetCertificates(const std::string& server, const nlohmann::json& content) const;

  // Runs `command` in the Exchange Management Shell of `server` (as the
  // server's own shell: Edge servers are reachable only so), in `cwd`.
  RunResult Shell(const std::string& server, const std::string& command, const fs::path& cwd) const;

  // What the organisation holds, read through the simulated cmdlets
  // (tests/exchange-sim/Invoke-Sim.ps1 -Action Summary): per server its
  // certificates and what uses them, thumbprints replaced by labels, and
  // "Problems" (references to missing or expired certificates).
  nlohmann::json Summary() const;

  // How many Exchange Management Shells were started, and how many
  // simulated cmdlets were called, since the organisation was made (sim.log).
  int ShellsStarted() const;
  int CmdletCalls() const;

 private:
  explicit SimOrganization(fs::path folder) : folder_(std::move(folder)) {}
  int CountLog(const std::string& event) const;

  fs::path folder_;
};

}  // namespace xcert::testing
