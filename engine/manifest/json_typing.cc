#include "engine/manifest/json_typing.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "engine/manifest/describe.h"
#include "engine/manifest/pointer.h"
#include "engine/util/quote.h"
#include "engine/util/strings.h"

namespace xcert::manifest {

namespace {

using json = nlohmann::json;

constexpr std::string_view kYamlTagPrefix = "tag:yaml.org,2002:";

bool IsDigits(std::string_view s, bool (*digit)(char)) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!digit(c)) return false;
  }
  return true;
}
bool Dec(char c) { return c >= '0' && c <= '9'; }
bool Oct(char c) { return c >= '0' && c <= '7'; }
bool Hex(char c) { return Dec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool IsNull(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::optional<bool> AsBool(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

// Integers too large for int64 become floats: YAML integers are unbounded,
// and the schema then says "must be an integer" with the text as written.
std::optional<json> AsInt(std::string_view s) {
  int base = 10;
  std::string_view digits = s;
  bool negative = false;
  if (s.starts_with("0o") && IsDigits(s.substr(2), Oct)) {
    base = 8, digits = s.substr(2);
  } else if (s.starts_with("0x") && IsDigits(s.substr(2), Hex)) {
    base = 16, digits = s.substr(2);
  } else {
    if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
      negative = digits[0] == '-';
      digits.remove_prefix(1);
    }
    if (!IsDigits(digits, Dec)) return std::nullopt;
  }
  uint64_t magnitude = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (ec == std::errc() && p == digits.data() + digits.size()) {
    if (!negative && magnitude <= uint64_t(std::numeric_limits<int64_t>::max())) {
      return json(int64_t(magnitude));
    }
    if (negative && magnitude <= uint64_t(std::numeric_limits<int64_t>::max()) + 1) {
      return json(int64_t(0 - magnitude));
    }
  }
  double d = 0;
  for (char c : digits) d = d * base + (Dec(c) ? c - '0' : (c | 0x20) - 'a' + 10);
  return json(negative ? -d : d);
}

std::optional<json> AsFloat(std::string_view s) {
  std::string_view body = s;
  bool negative = false;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == ".inf" || body == ".Inf" || body == ".INF") {
    return json(negative ? -std::numeric_limits<double>::infinity()
                         : std::numeric_limits<double>::infinity());
  }
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return json(std::nan(""));
  // [0-9]+(\.[0-9]*)? | \.[0-9]+, then an optional exponent.
  size_t i = 0;
  size_t int_digits = 0;
  size_t frac_digits = 0;
  while (i < body.size() && Dec(body[i])) ++i, ++int_digits;
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && Dec(body[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return std::nullopt;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '-' || body[i] == '+')) ++i;
    if (!IsDigits(body.substr(std::min(i, body.size())), Dec)) return std::nullopt;
    i = body.size();
  }
  if (i != body.size()) return std::nullopt;
  double d = 0;
  const auto [p, ec] = std::from_chars(body.data(), body.data() + body.size(), d);
  (void)ec;  // out of range: d stays 0; messages quote the text as written
  if (p != body.data() + body.size()) return std::nullopt;
  return json(negative ? -d : d);
}

// YAML 1.2 core schema resolution of an untagged plain scalar.
json ResolvePlain(std::string_view s) {
  if (IsNull(s)) return json(nullptr);
  if (auto b = AsBool(s)) return json(*b);
  if (auto i = AsInt(s)) return *i;
  if (auto f = AsFloat(s)) return *f;
  return json(std::string(s));
}

std::string ShortTag(const std::string& tag) {
  if (tag.starts_with(kYamlTagPrefix)) return "!!" + tag.substr(kYamlTagPrefix.size());
  return tag;
}

std::string ControlCharacter(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "U+%04X", c);
      return buf;
    }
  }
  return "";
}

json Convert(const YamlNode& node, const std::string& pointer, Reporter& r);

json ConvertCollection(const YamlNode& node, const std::string& pointer, Reporter& r) {
  const bool is_map = node.kind == YamlKind::kMap;
  if (!node.tag.empty() && node.tag != std::string(kYamlTagPrefix) + (is_map ? "map" : "seq")) {
    r.Error(
        pointer,
        DescribeValue(json(), pointer) + " has the unsupported tag " + Quote(ShortTag(node.tag)),
        "xcert reads plain YAML; remove the tag");
  }
  if (!is_map) {
    json out = json::array();
    for (size_t i = 0; i < node.items.size(); ++i) {
      out.push_back(Convert(*node.items[i], JoinPointer(pointer, i), r));
    }
    return out;
  }
  json out = json::object();
  for (const YamlMember& m : node.members) {
    out[KeyText(m)] = Convert(*m.value, JoinPointer(pointer, KeyText(m)), r);
  }
  return out;
}

json Convert(const YamlNode& node, const std::string& pointer, Reporter& r) {
  if (node.kind == YamlKind::kMap || node.kind == YamlKind::kSequence) {
    return ConvertCollection(node, pointer, r);
  }
  TypedScalar typed = TypeScalar(node);
  if (!typed.error.empty()) {
    r.Error(pointer, DescribeValue(json(), pointer) + ": " + typed.error,
            "xcert reads plain YAML; remove the tag");
    return typed.value;
  }
  if (typed.value.is_string()) {
    const std::string& text = typed.value.get_ref<const std::string&>();
    const std::string c = ControlCharacter(text);
    // Key material (a PEM block keeps its line breaks) is reported by
    // CheckKeyMaterial, which says to put it in a file.
    if (!c.empty() && !LooksLikeKeyMaterial(text)) {
      r.Error(pointer, DescribeValue(json(), pointer) + " contains the control character " + c,
              c == "U+000A" ? "write it on one line (a '|' or '>' block keeps line breaks; use "
                              "'>-' or a plain value)"
                            : "remove it");
    }
  }
  return typed.value;
}

}  // namespace

TypedScalar TypeScalar(const YamlNode& node) {
  const std::string& s = node.text;
  if (node.kind == YamlKind::kNull) {
    if (node.tag.empty() || node.tag == std::string(kYamlTagPrefix) + "null")
      return {json(nullptr), ""};
  }
  if (node.tag.empty()) return {node.plain ? ResolvePlain(s) : json(s), ""};
  const std::string tag = ShortTag(node.tag);
  const auto fail = [&](const std::string& what) {
    return TypedScalar{json(s), Quote(s) + " is not " + what + " (it is tagged " + tag + ")"};
  };
  if (tag == "!!str") return {json(s), ""};
  if (tag == "!!null") return IsNull(s) ? TypedScalar{json(nullptr), ""} : fail("null");
  if (tag == "!!bool") {
    auto b = AsBool(s);
    return b ? TypedScalar{json(*b), ""} : fail("true or false");
  }
  if (tag == "!!int") {
    auto i = AsInt(s);
    return i ? TypedScalar{*i, ""} : fail("an integer");
  }
  if (tag == "!!float") {
    auto f = AsFloat(s);
    if (!f) f = AsInt(s);
    return f ? TypedScalar{json(f->get<double>()), ""} : fail("a number");
  }
  return {json(s), "the tag " + Quote(tag) + " is not supported"};
}

bool IsPlainString(std::string_view text) { return ResolvePlain(text).is_string(); }

std::string TypePhrase(std::string_view t) {
  if (t == "string") return "a string";
  if (t == "integer") return "an integer";
  if (t == "number") return "a number";
  if (t == "boolean") return "true or false";
  if (t == "array") return "a list";
  if (t == "object") return "a mapping";
  if (t == "null") return "empty";
  return std::string(t);
}

json ToJson(const YamlNode& root, Reporter& reporter) { return Convert(root, "", reporter); }

namespace {

void Fill(const YamlNode& node, const std::string& pointer, SourceMap* map) {
  map->Set(pointer, node.pos.line, node.pos.column);
  for (size_t i = 0; i < node.items.size(); ++i) {
    Fill(*node.items[i], JoinPointer(pointer, i), map);
  }
  for (const YamlMember& m : node.members) Fill(*m.value, JoinPointer(pointer, KeyText(m)), map);
}

}  // namespace

void FillSourceMap(const YamlNode& root, SourceMap* map) { Fill(root, "", map); }

namespace {

void CanonicalizeList(nlohmann::json* list) {
  if (!list || !list->is_array()) return;
  for (nlohmann::json& entry : *list) {
    if (!entry.is_string()) continue;
    if (std::optional<Service> s = ParseService(entry.get<std::string>())) {
      entry = std::string(ServiceName(*s));
    }
  }
}

nlohmann::json* Field(nlohmann::json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

}  // namespace

void CanonicalizeServiceNames(nlohmann::json* doc) {
  if (nlohmann::json* certificates = Field(*doc, "certificates");
      certificates && certificates->is_array()) {
    for (nlohmann::json& c : *certificates) CanonicalizeList(Field(c, "services"));
  }
  if (nlohmann::json* servers = Field(*doc, "servers"); servers && servers->is_array()) {
    for (nlohmann::json& s : *servers) {
      if (nlohmann::json* probe = Field(s, "probe")) CanonicalizeList(Field(*probe, "services"));
    }
  }
}

}  // namespace xcert::manifest
