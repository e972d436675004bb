// Loading a manifest: YAML -> positioned tree -> JSON (YAML 1.2 core scalar
// typing) -> key material check (no key pasted in) -> schema check
// (schemas/manifest.schema.json, valijson) -> typed Manifest -> semantic checks. Every problem in
// the file is reported in one run as a Diagnostic with file:line:col, sorted by position.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/model/manifest.h"
#include "engine/util/diagnostics.h"

namespace xcert {

struct LoadResult {
  std::optional<Manifest> manifest;  // set when there are no errors (warnings allowed)
  Diagnostics diagnostics;           // sorted by position
};

// Reads and validates the manifest at `path`. Relative paths inside it are
// resolved against its directory. Never throws, never writes.
LoadResult LoadManifestFile(const std::string& path);

// Same, from text; `display_path` is used in diagnostics and `base_dir` for
// resolving relative paths.
LoadResult LoadManifestText(std::string_view text, const std::string& display_path,
                            const std::string& base_dir);

// The manifest as YAML that loads back to the same content (SameContent).
std::string SerializeManifest(const Manifest& manifest);

}  // namespace xcert
