// Shared plumbing of the recorded-object readers (recorded_*.h): parse a
// CliXml file, check each top-level object's type and convert it, prefixing
// every error with the file and the object's position.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/util/status.h"
#include "resources/exchange/clixml.h"

namespace xcert::exchange {

// OK if `object` has one of `types` (a "Deserialized." prefix is accepted),
// else "not <what> but a <type> (expected the output of <cmdlet>)".
Status CheckRecordedType(const PsObject& object, std::initializer_list<std::string_view> types,
                         std::string_view what, std::string_view cmdlet);

// Parses `text` and returns convert(object) for every top-level object, in
// file order. `convert` is `Result<T>(const PsObject&)`; its errors, and a
// top-level value that is not an object, are reported as
// "SOURCE: object N: message" (N counts from 1).
template <typename T, typename Convert>
Result<std::vector<T>> ReadRecordedObjects(std::string_view text, const std::string& source,
                                           Convert convert) {
  XCERT_ASSIGN_OR_RETURN(PsDocument doc, ParseClixml(text, source));
  std::vector<T> out;
  for (size_t i = 0; i < doc.values().size(); ++i) {
    const PsValue& value = doc.values()[i];
    std::string where = source + ": object " + std::to_string(i + 1);
    if (!value.object) return InvalidArgument(where + ": a plain value, not an object");
    Result<T> converted = convert(*value.object);
    if (!converted.ok()) return converted.status().WithContext(where);
    out.push_back(std::move(converted).value());
  }
  return out;
}

}  // namespace xcert::exchange
