// The schema check: the JSON form of a manifest against
// schemas/manifest.schema.json (compiled into the binary), with valijson.
//
// valijson finds which values break the schema; SchemaExplainer says how, in
// words, once per problem. valijson's wrapper errors ("Failed to validate
// item #0 in array") are dropped. Rules that the schema states only for
// editors through if/then (which fields an issuer type needs) are left to the
// semantic checks, which say them better.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/manifest/reporter.h"

namespace xcert::manifest {

// Reports every schema violation of `doc` to `reporter`.
void CheckSchema(const nlohmann::json& doc, Reporter& reporter);

// The manifest schema document (parsed once from the embedded copy).
const nlohmann::json& ManifestSchema();

}  // namespace xcert::manifest
