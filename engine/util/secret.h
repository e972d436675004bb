// Secrets (backup and PKCS#12 passwords, CA key passwords) come from an
// environment variable or a file, never from the manifest or a plan. The
// value is never logged and never part of an error message; nor is what the
// manifest writes where a variable's NAME belongs, unless it looks like one
// (a user may have written the password there by mistake).
#pragma once

#include <string>

#include "engine/util/status.h"

namespace xcert {

// The secret in environment variable `env` or, if `env` is empty, in `file`
// (a manifest SecretRef's two fields). `file` is resolved against `base_dir`; its first
// line is the secret (a trailing newline or CRLF is dropped). A file readable
// by group or others is refused. `setting` names the manifest setting for the
// error message ("backup.passwordEnv"). An empty value is an error.
// How a message names the environment variable `env` (a manifest ...Env
// setting) after "the environment variable": the name itself when it is
// written as environment variables are (upper-case letters, digits and '_',
// e.g. XCERT_BACKUP_PASSWORD), otherwise "named in SETTING (not shown: ...)"
// so that a password written there by mistake ("Winter2026") is not echoed.
std::string ShownVariableName(const std::string& env, const std::string& setting);

Result<std::string> ReadSecret(const std::string& env, const std::string& file,
                               const std::string& base_dir, const std::string& setting);

}  // namespace xcert
