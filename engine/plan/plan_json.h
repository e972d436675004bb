// The plan as JSON: the output of `plan --format json` and the saved plan of
// `plan -o FILE`, documented by schemas/plan.schema.json. Stable field order;
// the same plan always gives the same bytes. Never contains secrets.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "engine/plan/plan.h"
#include "engine/util/status.h"

namespace xcert {

inline constexpr int kPlanFormatVersion = 1;

nlohmann::ordered_json PlanToJson(const Plan& plan);
// Pretty-printed, with a trailing newline.
std::string PlanToJsonText(const Plan& plan);

// Reads a saved plan. Errors name the field that is wrong; a plan written by a
// newer format version is refused with a hint to upgrade xcert.
Result<Plan> PlanFromJsonText(std::string_view text, const std::string& path);

// Shared by every JSON output: a location as {"file","line","column"}.
nlohmann::ordered_json LocationToJson(const Location& l);
nlohmann::ordered_json ReasonsToJson(const std::vector<ReasonDetail>& reasons);
nlohmann::ordered_json ChangeToJson(const Change& c);

// Their readers, for documents read back (saved plans, drift reports to
// merge); a field of the wrong type is reported through `r`.
class JsonReader;
Location LocationFromJson(JsonReader& r, const nlohmann::json& j);
std::vector<ReasonDetail> ReasonsFromJson(JsonReader& r, const nlohmann::json& list);
Change ChangeFromJson(JsonReader& r, const nlohmann::json& j);

}  // namespace xcert
