// The schema check: the JSON form of a manifest against
// schemas/manifest.schema.json (compiled into the binary), with valijson.
//
// valijson finds which values break the schema; SchemaExplainer says how, in
// words, once per problem. valijson's wrapper errors ("Failed to validate
// item #0 in array") are dropped. Rules that the schema states only for
// editors through if/then (which fields an issuer type needs) are left to the
// semantic checks, which say them better.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/manifest/reporter.h"

namespace xcert::manifest {

// Reports every schema violation of `doc` to `reporter`.
void CheckSchema(const nlohmann::json& doc, Reporter& reporter);

// The violations of `doc` against the embedded JSON Schema `schema_path`
// (e.g. "schemas/plan.schema.json"): one "<JSON pointer>: <what>" per value
// that breaks it (valijson's wrapper errors dropped), in pointer order; empty
// when `doc` conforms. The values themselves are never quoted.
std::vector<std::string> SchemaViolations(std::string_view schema_path, const nlohmann::json& doc);

// The manifest schema document (parsed once from the embedded copy).
const nlohmann::json& ManifestSchema();

}  // namespace xcert::manifest
