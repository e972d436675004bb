// Validating JSON output against the schemas in schemas/ (compiled into the
// binary), for tests that check documented formats.
#pragma once

#include <string>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "engine/util/embedded.h"

namespace xcert::testing {

// "" when `document` is valid against the embedded schema `schema_path`,
// else the first errors, one per line with their JSON path.
inline std::string SchemaErrors(const std::string& schema_path, const nlohmann::json& document) {
  auto text = embedded::Find(schema_path);
  if (!text) return "schema " + schema_path + " is not embedded";
  const nlohmann::json schema_json = nlohmann::json::parse(*text);
  valijson::Schema schema;
  valijson::SchemaParser parser;
  valijson::adapters::NlohmannJsonAdapter schema_adapter(schema_json);
  parser.populateSchema(schema_adapter, schema);
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter doc_adapter(document);
  if (validator.validate(schema, doc_adapter, &results)) return "";
  std::string out;
  valijson::ValidationResults::Error e;
  for (int i = 0; i < 10 && results.popError(e); ++i) {
    std::string path;
    for (const std::string& c : e.context) path += c;
    out += path + ": " + e.description + "\n";
  }
  return out;
}

}  // namespace xcert::testing
