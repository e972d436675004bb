// Building the typed Manifest (engine/model/manifest.h) from the JSON form.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/manifest/reporter.h"
#include "engine/model/manifest.h"

namespace xcert::manifest {

// Fills a Manifest from `doc` and applies the defaults (validity 365d,
// renewBefore 30d, key RSA 2048 not exportable, ECDSA curve P-256,
// friendlyName = name, server version 2019, store timeout 300s).
//
// Lenient by design, so that the semantic checks can still run on a
// manifest with schema errors: a value of the wrong type (which the schema
// check reported) is skipped and the default kept. List entries of the wrong
// type become "" so that indices, and with them pointers, stay valid. Values
// the schema cannot judge (a duration longer than 1000 years) are reported
// here. Does not fill path, base_dir or source.
Manifest BuildManifest(const nlohmann::json& doc, Reporter& reporter);

}  // namespace xcert::manifest
