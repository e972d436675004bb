// libFuzzer target for the saved-plan reader of `xcert apply FILE` (see
// fuzz/CMakeLists.txt): engine/cli/saved_plan (schema check, then
// PlanFromJsonText), and the checks of a saved plan against a manifest.
//
// Beyond "never crashes, never leaks, no undefined behaviour" it checks the
// reader's contract on every input:
//   - an error names the file and never echoes the input when it is long
//     (the reader quotes JSON pointers, not values);
//   - a plan that reads is written back (PlanToJsonText) to a plan that reads
//     again and writes the same bytes (read -> write is stable);
//   - checking a plan against a manifest and against itself never crashes.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "engine/cli/saved_plan.h"
#include "engine/manifest/load.h"
#include "engine/plan/plan_json.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "saved_plan_fuzzer: %s\n%s\n", what, detail.c_str());
  std::abort();
}

// The manifest the plans are checked against: one server, one certificate.
const xcert::Manifest& TheManifest() {
  static const xcert::Manifest manifest = [] {
    const xcert::LoadResult r = xcert::LoadManifestText(R"(version: 1
organization: {domain: pocket-consultant.com, autodiscover: true}
store: {type: local, path: ./store}
backup: {path: ./backups, passwordEnv: XCERT_BACKUP_PASSWORD}
prune: true
issuers:
  - {name: self, type: self-signed}
servers:
  - {name: MailServer21, fqdn: MailServer21.pocket-consultant.com, roles: [Mailbox]}
certificates:
  - name: mail
    subject: CN=mail.pocket-consultant.com
    dnsNames: [mail.pocket-consultant.com, autodiscover.pocket-consultant.com]
    issuer: self
    key: {algorithm: RSA, size: 2048, exportable: true}
    servers: [MailServer21]
    services: [IIS, IMAP, POP, SMTP]
)",
                                                        "xcert.yaml", "/fuzz");
    if (!r.manifest) Fail("the fuzzer's manifest does not load", r.diagnostics.ToString());
    return *r.manifest;
  }();
  return manifest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)xcert::cli::IsSavedPlanText(text);
  const xcert::Result<xcert::Plan> plan = xcert::cli::ReadSavedPlan(text, "fuzz.json");
  if (!plan.ok()) {
    const std::string& m = plan.status().message();
    if (!m.starts_with("fuzz.json")) Fail("error does not name the file", m);
    if (size >= 64 && m.find(text) != std::string::npos) Fail("error echoes the input", m);
    return 0;
  }
  const std::string again_text = xcert::PlanToJsonText(*plan);
  const xcert::Result<xcert::Plan> again = xcert::cli::ReadSavedPlan(again_text, "again.json");
  if (!again.ok()) {
    Fail("a plan that reads does not read after writing",
         again.status().message() + "\n---\n" + again_text);
  }
  if (xcert::PlanToJsonText(*again) != again_text) {
    Fail("read -> write is not stable: the second write differs", again_text);
  }
  (void)xcert::cli::CheckSavedSteps(*plan, *plan, TheManifest(), "fuzz.json");
  return 0;
}
