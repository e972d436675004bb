// JSON pointers (RFC 6901) as the manifest layer uses them: every value in a
// manifest is named by the pointer of its JSON form ("/certificates/0/dnsNames/1"),
// which is also the key of the SourceMap and of every diagnostic on the way.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace xcert::manifest {

// `parent` + "/" + `token`, escaping '~' as "~0" and '/' as "~1".
std::string JoinPointer(std::string_view parent, std::string_view token);
std::string JoinPointer(std::string_view parent, size_t index);

// The unescaped reference tokens of `pointer` ("" -> {}).
std::vector<std::string> SplitPointer(std::string_view pointer);

// "/a/b" -> "/a"; "/a" -> ""; "" -> "".
std::string_view ParentPointer(std::string_view pointer);

// The last token, unescaped ("" for the root).
std::string LastToken(std::string_view pointer);

// Whether `ancestor` is `pointer` or one of its ancestors ("/a/1" is not an
// ancestor of "/a/10").
bool IsSelfOrAncestor(std::string_view ancestor, std::string_view pointer);

// Whether `token` is an array index ("0", "12"; not "01" or "-").
bool IsIndexToken(std::string_view token);

}  // namespace xcert::manifest
