// Turns schema violations into messages a user can act on.
//
// valijson says that a value is wrong in generic words ("Value type not
// permitted by 'type' constraint", "Object contains a property that could not
// be validated ...: 'dnsname'") and only names the first unknown property of an
// object. The explainer instead reads the schema document itself at the
// offending pointer (type, enum, required, properties, pattern, ...) and
// reports every problem of that value in words, with a hint:
//   unknown field 'dnsname' in certificate 'mail'; did you mean 'dnsNames'?
//   field 'key.exportable' in certificate 'mail' must be true or false, not 'yes'; write true ...
// It supports the keywords schemas/manifest.schema.json uses: $ref (local),
// type, enum, const, properties, patternProperties, additionalProperties,
// required, items, minItems, uniqueItems, minLength, maxLength, pattern (with
// the editor extension "patternErrorMessage" as the hint), minimum, maximum.
#pragma once

#include <map>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/manifest/reporter.h"

namespace xcert::manifest {

class SchemaExplainer {
 public:
  // `schema` is the root schema document; it must outlive the explainer.
  explicit SchemaExplainer(const nlohmann::json& schema) : schema_(schema) {}

  // The subschema that applies to the value at `pointer` (following
  // properties, patternProperties, additionalProperties, items and $ref, with
  // the annotations written beside a $ref kept), or null if none does.
  nlohmann::json SubschemaAt(std::string_view pointer) const;

  // Reports every way the value at `pointer` of `doc` breaks its own
  // subschema (its children are explained separately). Returns how many
  // problems it reported.
  int Explain(const nlohmann::json& doc, const std::string& pointer, Reporter& r);

 private:
  nlohmann::json Resolve(const nlohmann::json& subschema) const;
  int ExplainType(const nlohmann::json& doc, const std::string& pointer,
                  const nlohmann::json& value, const nlohmann::json& sub, Reporter& r) const;
  int ExplainEnum(const nlohmann::json& doc, const std::string& pointer,
                  const nlohmann::json& value, const nlohmann::json& sub, Reporter& r) const;
  int ExplainString(const nlohmann::json& doc, const std::string& pointer, const std::string& value,
                    const nlohmann::json& sub, Reporter& r);
  // A value the schema marks "x-valueNotShown" (the name of the variable that
  // holds a password, where the password itself may have been written): the
  // error says what is wrong without the value.
  int ExplainUnshown(const nlohmann::json& doc, const std::string& pointer,
                     const nlohmann::json& value, const nlohmann::json& sub, Reporter& r) const;
  int ExplainNumber(const nlohmann::json& doc, const std::string& pointer,
                    const nlohmann::json& value, const nlohmann::json& sub, Reporter& r) const;
  int ExplainArray(const nlohmann::json& doc, const std::string& pointer,
                   const nlohmann::json& value, const nlohmann::json& sub, Reporter& r) const;
  int ExplainObject(const nlohmann::json& doc, const std::string& pointer,
                    const nlohmann::json& value, const nlohmann::json& sub, Reporter& r);
  std::vector<std::string> UnknownFields(const nlohmann::json& value,
                                         const nlohmann::json& sub) const;
  bool Matches(const std::string& pattern, const std::string& text) const;

  const nlohmann::json& schema_;
  mutable std::map<std::string, std::regex> regexes_;  // compiled patterns
};

// A JSON value written the way a YAML manifest would show it in a hint:
// "{type: local, path: ./store}", "[IIS, SMTP]", "365d".
std::string FlowYaml(const nlohmann::json& value);

}  // namespace xcert::manifest
