// Names for the values of a manifest, as messages use them. A message names
// the thing the user wrote ("field 'key.size' in certificate 'mail'"), not a
// JSON pointer, and never a position: the diagnostic's file:line:col says where.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace xcert::manifest {

// The entry of issuers/servers/certificates that holds `pointer`:
// "certificate 'mail'" (or "certificate #3" when it has no usable name), or
// "" when `pointer` is outside those sections or is the section itself.
std::string DescribeOwner(const nlohmann::json& doc, std::string_view pointer);

// The value at `pointer`:
//   ""                            the manifest
//   /store                        section 'store'
//   /version                      field 'version'
//   /store/type                   field 'store.type'
//   /certificates/0               certificate 'mail'
//   /certificates/0/key/size      field 'key.size' in certificate 'mail'
//   /certificates/0/dnsNames/1    entry #2 of 'dnsNames' in certificate 'mail'
std::string DescribeValue(const nlohmann::json& doc, std::string_view pointer);

// A mapping, as the place where a field is (or is missing):
//   ""                            the manifest
//   /store                        'store'
//   /certificates/0               certificate 'mail'
//   /certificates/0/key           'key' of certificate 'mail'
std::string DescribeContainer(const nlohmann::json& doc, std::string_view pointer);

// A JSON value as a message quotes it: strings in single quotes, other
// scalars as JSON, collections as "a list"/"a mapping", null as "nothing".
std::string QuoteValue(const nlohmann::json& value);

}  // namespace xcert::manifest
