// Running the real xcert binary on a copy of examples/pocket-consultant, for
// the cmd_*_test files: a fixed clock, a backup password, no colours.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "resources/store/store_init.h"
#include "tests/support/test_util.h"

namespace xcert::testing {

inline constexpr const char* kNow = "2026-11-25T10:00:00Z";

// The example with a second server; `mail` is shared by both.
inline std::string TwoServerManifest() {
  std::string m = ReadFileOrDie(SourceDir() / "examples/pocket-consultant/xcert.yaml");
  const std::string server21 =
      "  - name: MailServer21\n"
      "    fqdn: MailServer21.pocket-consultant.com\n"
      "    roles: [Mailbox]\n"
      "    version: \"2019\"\n";
  const size_t at = m.find(server21);
  if (at == std::string::npos) return "the example changed: MailServer21 not found";
  m.insert(at + server21.size(),
           "  - name: MailServer22\n"
           "    fqdn: MailServer22.pocket-consultant.com\n"
           "    roles: [Mailbox]\n"
           "    version: \"2019\"\n");
  const std::string servers = "servers: [MailServer21]";
  const size_t s = m.find(servers);
  if (s == std::string::npos) return "the example changed: servers: [MailServer21] not found";
  m.replace(s, servers.size(), "servers: [MailServer21, MailServer22]");
  return m;
}

class XcertCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(XcertBinary())) << XcertBinary() << " is not built (build target xcert)";
    fs::copy_file(SourceDir() / "examples/pocket-consultant/xcert.yaml",
                  dir_.path() / "xcert.yaml");
  }

  // Runs xcert in the test folder.
  RunResult X(const std::vector<std::string>& args, std::map<std::string, std::string> env = {},
              const std::string& stdin_data = {}) const {
    env.emplace("XCERT_BACKUP_PASSWORD", "cli-test-backup-password");
    env.emplace("XCERT_NOW", kNow);
    env.emplace("NO_COLOR", "1");
    return RunXcert(args, dir_.path(), env, stdin_data);
  }

  // What `xcert store init` makes of `server` in ./store.
  void Init(const std::string& server = "MailServer21") const {
    store::StoreInitRequest request;
    request.store = dir_.path() / "store";
    request.identity = {
        server, server + ".pocket-consultant.com", {Role::kMailbox}, ExchangeVersion::k2019};
    request.domain = "pocket-consultant.com";
    const FixedClock clock(*ParseIso8601(kNow));
    Result<store::StoreInitResult> r = store::InitServerStore(request, clock);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }

  // Init, then damage MailServer21's bindings: a server the store cannot
  // read completely (its plan is blocked).
  void InitDamaged() const {
    Init();
    dir_.Write("store/MailServer21/bindings.json", "{");
  }

  // Every file under the test folder with its content: to show that a
  // command wrote nothing.
  std::map<std::string, std::string> Snapshot() const {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir_.path())) {
      const std::string rel = fs::relative(e.path(), dir_.path()).string();
      out[rel] = e.is_regular_file() ? ReadFileOrDie(e.path()) : "<dir>";
    }
    return out;
  }

  // The example with a ca issuer whose `key` holds the key itself, pasted on
  // one line where the path of its file belongs (at line 32, column 10).
  static std::string ManifestWithPastedCaKey(const std::string& manifest) {
    std::string m = manifest;
    const size_t at = m.find("  - name: self\n");
    if (at == std::string::npos) return "the example changed: issuer self not found";
    m.insert(at, std::string("  - name: corp-ca\n    type: ca\n    certificate: pki/ca.pem\n") +
                     "    key: \"" + kPastedKey + "\"\n");
    return m;
  }
  static constexpr const char* kPastedKey =
      "-----BEGIN PRIVATE KEY----- "
      "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgVcB7UNPxalR9zDYAmT3dq2Wb8nYpLk4s "
      "-----END PRIVATE KEY-----";

  // The names of what changed between two snapshots.
  static std::vector<std::string> Changed(const std::map<std::string, std::string>& before,
                                          const std::map<std::string, std::string>& after) {
    std::vector<std::string> out;
    for (const auto& [k, v] : after) {
      auto it = before.find(k);
      if (it == before.end() || it->second != v) out.push_back(k);
    }
    for (const auto& [k, v] : before) {
      if (!after.count(k)) out.push_back(k + " (removed)");
    }
    return out;
  }

  TempDir dir_;
};

}  // namespace xcert::testing
