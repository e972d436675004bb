// Collects the diagnostics of one manifest load, addressed by JSON pointer.
//
// Every stage after the YAML layer (typing, schema, building, semantic
// checks) names problems by the pointer of the offending value; the Reporter
// turns the pointer into file:line:col through the YAML tree. It also
// remembers which values already have an error, so that a later stage does not
// pile a second, consequential message onto the same value (a certificate whose
// `issuer` is missing is not also told that issuer '' is unknown).
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "engine/manifest/yaml_tree.h"
#include "engine/util/diagnostics.h"

namespace xcert::manifest {

// Whether a diagnostic points at a mapping member's value or at its key
// (unknown fields are reported at the key).
enum class At { kValue, kKey };

class Reporter {
 public:
  // `root` may be null (then every location is the file as a whole).
  Reporter(std::string file, YamlNodePtr root);

  // Reports an error about the value at `pointer`, unless that value or one
  // of its ancestors already has one, and marks it as having one.
  void Error(std::string_view pointer, std::string message, std::string hint = {},
             At at = At::kValue);
  // Reports a warning, unless the value or an ancestor has an error.
  void Warning(std::string_view pointer, std::string message, std::string hint = {},
               At at = At::kValue);

  // Marks a value as having an error that was reported elsewhere.
  void MarkBad(std::string_view pointer);
  // Whether `pointer` or one of its ancestors has an error.
  bool IsBad(std::string_view pointer) const;
  // Whether `pointer`, an ancestor or a descendant has an error.
  bool AnyBadAround(std::string_view pointer) const;

  // Where the value (or key) at `pointer` is written; for a pointer that
  // names nothing (a missing field), where its nearest existing ancestor is.
  Location Where(std::string_view pointer, At at = At::kValue) const;

  // The node at `pointer` (null if it names nothing or there is no tree).
  const YamlNode* NodeAt(std::string_view pointer) const;

  const std::string& file() const { return file_; }
  const Diagnostics& diagnostics() const { return diagnostics_; }
  Diagnostics& diagnostics() { return diagnostics_; }

 private:
  std::string file_;
  YamlNodePtr root_;
  Diagnostics diagnostics_;
  std::set<std::string, std::less<>> bad_;
};

}  // namespace xcert::manifest
