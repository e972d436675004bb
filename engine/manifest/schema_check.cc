// std::regex (used here and by valijson) trips a false -Wmaybe-uninitialized
// inside libstdc++'s std::function with GCC 12 at -O1 and above; the warning
// is reported at the header's lines, so it can only be silenced file-wide.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "engine/manifest/schema_check.h"

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "engine/manifest/pointer.h"
#include "engine/manifest/schema_explain.h"
#include "engine/util/embedded.h"
#include "engine/util/quote.h"

namespace xcert::manifest {

namespace {

using json = nlohmann::json;

constexpr std::string_view kSchemaPath = "schemas/manifest.schema.json";

struct CompiledSchema {
  valijson::Schema schema;
  bool ok = false;
  std::string error;
};

const CompiledSchema& Compiled() {
  static const std::unique_ptr<CompiledSchema> compiled = [] {
    auto c = std::make_unique<CompiledSchema>();
    try {
      valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
      valijson::adapters::NlohmannJsonAdapter adapter(ManifestSchema());
      parser.populateSchema(adapter, c->schema);
      c->ok = !ManifestSchema().is_null();
      if (!c->ok) c->error = "the embedded manifest schema is missing";
    } catch (const std::exception& e) {
      c->error = std::string("the embedded manifest schema does not load: ") + e.what();
    }
    return c;
  }();
  return *compiled;
}

// valijson's context ["<root>", "[certificates]", "[0]"] -> "/certificates/0".
std::string ContextToPointer(const std::vector<std::string>& context) {
  std::string pointer;
  for (size_t i = 1; i < context.size(); ++i) {
    const std::string& c = context[i];
    const bool bracketed = c.size() >= 2 && c.front() == '[' && c.back() == ']';
    pointer = JoinPointer(pointer, bracketed ? std::string_view(c).substr(1, c.size() - 2) : c);
  }
  return pointer;
}

// Errors that only say "a child failed", which the child's own error explains.
bool IsWrapper(const std::string& d) {
  static constexpr std::string_view kPrefixes[] = {
      "Failed to validate item #",
      "Failed to validate against schema associated with property name",
      "Failed to validate against schema associated with pattern",
      "Failed to validate against child schema",
      "Failed to validate against additional properties schema",
      "Failed to validate against dependent schema",
      "Failed to validate against exactly one",
      "Cannot validate item #",
  };
  for (std::string_view p : kPrefixes) {
    if (d.starts_with(p)) return true;
  }
  return false;
}

// Errors of if/then rules and of alternatives (anyOf): the semantic checks
// report those per issuer type with a better message.
bool IsConditional(const std::string& d) {
  return d.starts_with("Failed to validate against a conditional schema") ||
         d.starts_with("Failed to validate against any schemas allowed by anyOf") ||
         d.starts_with("Failed to validate against any child schemas");
}

}  // namespace

const json& ManifestSchema() {
  static const json schema = [] {
    const std::optional<std::string_view> text = embedded::Find(kSchemaPath);
    if (!text) return json();
    return json::parse(*text, nullptr, /*allow_exceptions=*/false);
  }();
  return schema;
}

void CheckSchema(const json& doc, Reporter& reporter) {
  const CompiledSchema& compiled = Compiled();
  if (!compiled.ok) {
    reporter.Error("", compiled.error, "this is a bug in xcert; please report it");
    return;
  }
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(doc);
  try {
    if (validator.validate(compiled.schema, target, &results)) return;
  } catch (const std::exception& e) {
    reporter.Error("", std::string("schema check failed: ") + e.what(),
                   "this is a bug in xcert; please report it with the manifest");
    return;
  }
  std::map<std::string, std::string> first_error;  // pointer -> valijson's description
  std::set<std::string> conditional;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    const std::string pointer = ContextToPointer(error.context);
    if (IsWrapper(error.description)) continue;
    if (IsConditional(error.description)) {
      conditional.insert(pointer);
      continue;
    }
    first_error.emplace(pointer, error.description);
  }
  SchemaExplainer explainer(ManifestSchema());
  for (const auto& [pointer, description] : first_error) {
    if (explainer.Explain(doc, pointer, reporter) > 0 || conditional.count(pointer)) continue;
    // Not expected (the explainer covers the keywords the schema uses), but
    // never drop a problem: say it in valijson's words.
    reporter.Error(pointer, "schema violation: " + MessageValue(description),
                   "see docs/manifest.md");
  }
}

std::vector<std::string> SchemaViolations(std::string_view schema_path, const json& doc) {
  // Compiled once per schema; valijson's Schema is read-only after parsing.
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<CompiledSchema>, std::less<>> cache;
  const CompiledSchema* compiled = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(schema_path);
    if (it == cache.end()) {
      auto c = std::make_unique<CompiledSchema>();
      const std::optional<std::string_view> text = embedded::Find(schema_path);
      const json schema = text ? json::parse(*text, nullptr, /*allow_exceptions=*/false) : json();
      try {
        valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
        valijson::adapters::NlohmannJsonAdapter adapter(schema);
        parser.populateSchema(adapter, c->schema);
        c->ok = schema.is_object();
        if (!c->ok) c->error = "the embedded " + std::string(schema_path) + " is missing";
      } catch (const std::exception& e) {
        c->error = "the embedded " + std::string(schema_path) + " does not load: " + e.what();
      }
      it = cache.emplace(std::string(schema_path), std::move(c)).first;
    }
    compiled = it->second.get();
  }
  if (!compiled->ok) return {": " + compiled->error + " (a bug in xcert; please report it)"};
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(doc);
  try {
    if (validator.validate(compiled->schema, target, &results)) return {};
  } catch (const std::exception& e) {
    return {std::string(": schema check failed: ") + e.what()};
  }
  std::map<std::string, std::string> first_error;  // pointer -> valijson's description
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    if (IsWrapper(error.description) || IsConditional(error.description)) continue;
    first_error.emplace(ContextToPointer(error.context), error.description);
  }
  std::vector<std::string> out;
  for (const auto& [pointer, description] : first_error) {
    out.push_back((pointer.empty() ? "/" : pointer) + ": " + description);
  }
  if (out.empty()) out.push_back("/: does not match the schema");
  return out;
}

}  // namespace xcert::manifest
