// Files compiled into the binary (JSON schemas, PowerShell scripts), so an
// installed xcert never reads the source tree. The list is in CMakeLists.txt.
#pragma once

#include <optional>
#include <string_view>

namespace xcert::embedded {

// Returns the contents of `path` (relative to the source root, e.g.
// "schemas/manifest.schema.json"), or nullopt if it was not embedded.
std::optional<std::string_view> Find(std::string_view path);

}  // namespace xcert::embedded
