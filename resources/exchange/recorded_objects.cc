#include "resources/exchange/recorded_objects.h"

namespace xcert::exchange {

Status CheckRecordedType(const PsObject& object, std::initializer_list<std::string_view> types,
                         std::string_view what, std::string_view cmdlet) {
  for (std::string_view type : types) {
    if (object.IsA(type)) return Status::Ok();
  }
  std::string actual =
      object.type().empty() ? "an object without type names" : "a " + object.type();
  return InvalidArgument("not " + std::string(what) + " but " + actual +
                         " (expected the output of " + std::string(cmdlet) + ")");
}

}  // namespace xcert::exchange
