// PEM framing. A "PEM bundle" is any text holding several PEM blocks
// (certificate, key, chain) in any order.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"

namespace xcert::x509 {

struct PemBlock {
  std::string label;  // "CERTIFICATE", "PRIVATE KEY", "CERTIFICATE REQUEST", ...
  std::string der;    // decoded body
  // RFC 1421 header lines before the body, e.g. "Proc-Type: 4,ENCRYPTED\n
  // DEK-Info: AES-256-CBC,..." on a legacy encrypted key; usually "".
  std::string headers;
  int line = 0;  // 1-based line of the BEGIN line
};

// Every PEM block in `text`, in order. Text outside blocks is ignored. A
// malformed block (bad base64, missing END line) is an error naming its label
// and line.
Result<std::vector<PemBlock>> ParsePem(std::string_view text);

// "-----BEGIN <label>-----\n<base64, 64 per line>\n-----END <label>-----\n".
std::string ToPem(std::string_view label, std::string_view der);

// True when `data` starts (after whitespace and a UTF-8 byte order mark)
// with "-----BEGIN ".
bool LooksLikePem(std::string_view data);

}  // namespace xcert::x509
