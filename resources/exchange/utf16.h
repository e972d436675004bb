// UTF-16 to UTF-8 conversion for the two places Windows data reaches us as
// UTF-16: CliXml `_xHHHH_` escapes (one escape per UTF-16 code unit) and
// strings inside Windows structures such as the serialized certificate store
// element (little-endian bytes, e.g. the FriendlyName property).
//
// Conversion never fails on content: an unpaired surrogate becomes U+FFFD,
// as Windows itself does when it converts such text.
#pragma once

#include <string>
#include <string_view>

#include "engine/util/status.h"

namespace xcert::exchange {

// Appends the UTF-8 encoding of `code_point`; surrogates and values above
// U+10FFFF are written as U+FFFD.
void AppendUtf8(char32_t code_point, std::string* out);

// UTF-16 code units to UTF-8, pairing surrogates.
std::string Utf16ToUtf8(std::u16string_view units);

// Little-endian UTF-16 bytes to UTF-8. An odd number of bytes is an error
// (the data was cut); the message names the byte count.
Result<std::string> Utf16LeToUtf8(std::string_view bytes);

}  // namespace xcert::exchange
