// The typing layer: the positioned YAML tree -> a JSON value for the schema
// check, with xcert's own scalar typing instead of yaml-cpp's.
//
// Plain scalars follow the YAML 1.2 core schema, so only these are not strings:
//   null   null Null NULL ~ (and an empty value)
//   bool   true True TRUE false False FALSE
//   int    123 -5 +5 0o17 0x1F
//   float  1.5 -2e3 .inf -.Inf .nan
// In particular yes/no/on/off/y/n are strings (YAML 1.1 read them as
// booleans: the "Norway problem"); a boolean field given `yes` is then an
// error that suggests `true` (see schema_check). Quoted scalars are always
// strings. The standard tags !!str, !!int, !!float, !!bool and !!null are
// honoured; other tags are errors.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "engine/manifest/reporter.h"
#include "engine/manifest/yaml_tree.h"
#include "engine/model/manifest.h"

namespace xcert::manifest {

// The JSON value of `root`. Problems (bad tags, control characters in values)
// are reported to `reporter` at their pointer; the value is then the
// scalar's text, so that later checks still see something.
nlohmann::json ToJson(const YamlNode& root, Reporter& reporter);

// The JSON value of one scalar or null node, or an error message saying why
// it cannot be typed as its tag asks ("'abc' is not an integer").
struct TypedScalar {
  nlohmann::json value;
  std::string error;
};
TypedScalar TypeScalar(const YamlNode& node);

// Service names are Exchange's in any case (PowerShell users type `iis`):
// each entry of a certificate's `services` and of a server's
// `probe.services` that names a service without regard to case is replaced
// by its spelling (`IIS`), so that the schema and the model see one name.
void CanonicalizeServiceNames(nlohmann::json* doc);

// Whether a plain (unquoted) scalar with this text reads as a string, i.e.
// is not null, a boolean or a number. Serializers quote the others.
bool IsPlainString(std::string_view text);

// How a type is called in messages: "a string", "an integer", "true or false", ...
// for JSON type names as the schema uses them ("string", "integer", "boolean", ...).
std::string TypePhrase(std::string_view json_type);

// Records where every value of the tree is written, keyed by the same
// pointers as the JSON value ("/certificates/0/dnsNames/1").
void FillSourceMap(const YamlNode& root, SourceMap* map);

}  // namespace xcert::manifest
