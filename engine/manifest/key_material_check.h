// Key material pasted into the manifest: a CA key written inline where its
// file's path belongs (`key: "-----BEGIN PRIVATE KEY----- MIG..."`), a
// base64 PKCS#12, a certificate's PEM. The manifest is read by people, kept in
// version control and echoed in messages; a key there is a key exposed. Each
// such value is an error at its own line that names the field and says to put
// the key in a file, and never shows the value. It runs before the schema
// check, so no later stage reports (and quotes) the value again.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/manifest/reporter.h"

namespace xcert::manifest {

// Reports every string (and mapping key) of `doc` that looks like key material
// (LooksLikeKeyMaterial, engine/util/quote.h). The names of environment
// variables (...Env) are left to the schema check, which never shows them.
void CheckKeyMaterial(const nlohmann::json& doc, Reporter& reporter);

}  // namespace xcert::manifest
