// The YAML layer of the manifest loader: text -> a tree of positioned nodes.
//
// The tree is built from yaml-cpp's event API (YAML::Parser + an
// EventHandler) rather than YAML::Node, because the event stream keeps what
// YAML::Node loses or hides:
//   - the position of every scalar, sequence and mapping (1-based line/column);
//   - whether a scalar was plain (YAML 1.2 core typing applies) or quoted;
//   - duplicate keys, which YAML::Node silently merges; here they are errors;
//   - anchors and aliases, expanded here under a size budget, so that a
//     "billion laughs" file is a clear error instead of a hang;
//   - `<<` merge keys, applied here (explicit keys win, then earlier sources);
//   - the number of documents: a manifest is exactly one.
// The input must be UTF-8 without control characters; tabs in indentation and
// yaml-cpp's terse syntax errors are turned into messages that say what to do.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/diagnostics.h"

namespace xcert::manifest {

struct SourcePos {
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based, in characters
  auto operator<=>(const SourcePos&) const = default;
};

enum class YamlKind : uint8_t { kNull, kScalar, kSequence, kMap };

struct YamlNode;
// Nodes are immutable once built and may be shared: an alias to a sequence or
// mapping shares the anchored node (and its positions) instead of copying it.
using YamlNodePtr = std::shared_ptr<const YamlNode>;

struct YamlMember {
  YamlNodePtr key;  // a scalar or null node
  YamlNodePtr value;
};

struct YamlNode {
  YamlKind kind = YamlKind::kNull;
  SourcePos pos;
  // Scalars: the value after YAML unescaping and folding.
  std::string text;
  // True for an untagged plain scalar: the only kind that YAML 1.2 core
  // typing reads as null, bool, int or float. Quoted and block scalars, and
  // scalars tagged "!", are strings.
  bool plain = false;
  // An explicit tag other than "!" ("tag:yaml.org,2002:int", "!foo"), or "".
  std::string tag;
  std::vector<YamlNodePtr> items;   // sequences
  std::vector<YamlMember> members;  // mappings, document order, merge keys applied
  size_t weight = 1;                // nodes in this subtree with aliases expanded

  // The member whose key text is `key`, or nullptr.
  const YamlMember* FindMember(std::string_view key) const;
};

// A member's key as text ("" for a null key).
const std::string& KeyText(const YamlMember& member);

// "a mapping", "a list", "a string", "nothing": for messages.
std::string_view KindName(YamlKind kind);

struct YamlLimits {
  size_t max_nodes = 1'000'000;    // nodes after expanding aliases and merge keys
  size_t max_scalar_bytes = 4096;  // longest accepted value
  size_t max_depth = 64;           // deepest nesting of lists and mappings
};

struct YamlDocument {
  // The document's root; null when the text is empty or could not be used
  // (then `diagnostics` holds at least one error saying why).
  YamlNodePtr root;
  // Problems found while reading: errors (syntax, duplicate keys, ...) and
  // nothing else. Non-fatal errors leave `root` set so that later checks can
  // still report every other mistake in the same run.
  Diagnostics diagnostics;
};

// Parses `text` (the contents of `file`, used in diagnostics). Never throws.
YamlDocument ParseYaml(std::string_view text, const std::string& file,
                       const YamlLimits& limits = {});

// The node at a JSON pointer ("/certificates/0/name") and, for a mapping
// member, its key node. `value` is null when the pointer names nothing.
struct YamlLookup {
  const YamlNode* value = nullptr;
  const YamlNode* key = nullptr;
};
YamlLookup LookUp(const YamlNode& root, std::string_view pointer);

}  // namespace xcert::manifest
