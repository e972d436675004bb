// PowerShell text for the scripts xcert writes (reviewed plans): values
// become literals that can never turn into code, whatever they hold.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace xcert::exchange {

// A single-quoted literal: 'it''s'. PowerShell also ends single-quoted
// strings at the typographic quotes U+2018..U+201B, so those are doubled
// too; control characters (line breaks included) become spaces.
std::string Ps1String(std::string_view text);

// @('a', 'b'), or @() for none.
std::string Ps1StringArray(const std::vector<std::string>& items);

// Text safe on a comment line and inside a <# ... #> block: one line,
// control characters as spaces, "#>" and "<#" broken apart.
std::string Ps1Comment(std::string_view text);

// A variable or parameter name part: letters, digits and '_' kept, every
// other character '_' ("corp-ca" -> "corp_ca").
std::string Ps1Identifier(std::string_view text);

}  // namespace xcert::exchange
