// libFuzzer target for the manifest loader (see fuzz/CMakeLists.txt).
//
// Beyond "never crashes, never leaks, no undefined behaviour" it checks the
// loader's contract on every input:
//   - a manifest is returned exactly when there is no error;
//   - diagnostics are sorted by position and every error says what it is;
//   - a manifest that loads survives serialize -> load with the same content.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "engine/manifest/load.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "manifest_fuzzer: %s\n%s\n", what, detail.c_str());
  std::abort();
}

void CheckDiagnostics(const xcert::LoadResult& r) {
  if (r.manifest.has_value() == r.diagnostics.has_errors()) {
    Fail("manifest returned together with errors, or neither", r.diagnostics.ToString());
  }
  const auto& items = r.diagnostics.items();
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].message.empty()) Fail("empty message", r.diagnostics.ToString());
    if (i > 0 && items[i].location < items[i - 1].location) {
      Fail("diagnostics not sorted by position", r.diagnostics.ToString());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const xcert::LoadResult first = xcert::LoadManifestText(text, "fuzz.yaml", "/fuzz");
  CheckDiagnostics(first);
  if (!first.manifest) return 0;
  const std::string serialized = xcert::SerializeManifest(*first.manifest);
  const xcert::LoadResult second = xcert::LoadManifestText(serialized, "again.yaml", "/fuzz");
  if (!second.manifest) {
    Fail("a valid manifest does not load after serializing",
         second.diagnostics.ToString() + "---\n" + serialized);
  }
  if (!second.manifest->SameContent(*first.manifest)) {
    Fail("serialize -> load changed the manifest", serialized);
  }
  return 0;
}
