// std::regex (used here and by valijson) trips a false -Wmaybe-uninitialized
// inside libstdc++'s std::function with GCC 12 at -O1 and above; the warning
// is reported at the header's lines, so it can only be silenced file-wide.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "engine/manifest/schema_explain.h"

#include <algorithm>
#include <set>
#include <vector>

#include "engine/manifest/describe.h"
#include "engine/manifest/json_typing.h"
#include "engine/manifest/pointer.h"
#include "engine/util/strings.h"

namespace xcert::manifest {

namespace {

using json = nlohmann::json;

const json* ValueAt(const json& doc, std::string_view pointer) {
  const json* at = &doc;
  for (const std::string& token : SplitPointer(pointer)) {
    if (at->is_object()) {
      auto it = at->find(token);
      if (it == at->end()) return nullptr;
      at = &*it;
    } else if (at->is_array() && IsIndexToken(token) && std::stoul(token) < at->size()) {
      at = &(*at)[std::stoul(token)];
    } else {
      return nullptr;
    }
  }
  return at;
}

bool HasType(const json& value, std::string_view type) {
  if (type == "string") return value.is_string();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  if (type == "array") return value.is_array();
  if (type == "object") return value.is_object();
  if (type == "null") return value.is_null();
  return true;
}

std::vector<std::string> Types(const json& sub) {
  std::vector<std::string> out;
  auto it = sub.find("type");
  if (it == sub.end()) return out;
  if (it->is_string()) out.push_back(it->get<std::string>());
  if (it->is_array()) {
    for (const json& t : *it) {
      if (t.is_string()) out.push_back(t.get<std::string>());
    }
  }
  return out;
}

// The value as the user wrote it: the scalar's text, else QuoteValue.
std::string AsWritten(const json& value, const Reporter& r, std::string_view pointer) {
  const YamlNode* node = r.NodeAt(pointer);
  if (node && node->kind == YamlKind::kScalar && !value.is_string()) return node->text;
  return QuoteValue(value);
}

bool IsPlainScalar(const Reporter& r, std::string_view pointer) {
  const YamlNode* node = r.NodeAt(pointer);
  return node && node->kind == YamlKind::kScalar && node->plain;
}

std::string Example(const json& sub) {
  auto it = sub.find("examples");
  if (it == sub.end() || !it->is_array() || it->empty()) return "";
  return FlowYaml((*it)[0]);
}

std::string BooleanHint(const std::string& text) {
  const std::string lower = ToLower(text);
  const bool yaml11 = lower == "yes" || lower == "no" || lower == "on" || lower == "off" ||
                      lower == "y" || lower == "n";
  std::string hint;
  if (lower == "yes" || lower == "y" || lower == "on" || lower == "true") hint = "write true";
  if (lower == "no" || lower == "n" || lower == "off" || lower == "false") hint = "write false";
  if (hint.empty()) return "write true or false";
  if (yaml11) hint += " (YAML 1.2 reads yes/no/on/off as text, not as true/false)";
  if (lower == "true" || lower == "false") hint += " without quotes";
  return hint;
}

std::string TypeHint(const std::vector<std::string>& types, const json& value, const json& sub,
                     const Reporter& r, const std::string& pointer) {
  const auto wants = [&](std::string_view t) {
    return std::find(types.begin(), types.end(), t) != types.end();
  };
  const std::string written = AsWritten(value, r, pointer);
  if (wants("string") && sub.contains("patternErrorMessage") && !value.is_array() &&
      !value.is_object()) {
    return sub["patternErrorMessage"].get<std::string>();
  }
  if (wants("boolean")) {
    return value.is_string() ? BooleanHint(value.get<std::string>()) : "write true or false";
  }
  if (wants("string") && (value.is_number() || value.is_boolean()) && IsPlainScalar(r, pointer)) {
    return "put it in quotes: \"" + written + "\"";
  }
  if ((wants("integer") || wants("number")) && value.is_string()) {
    const YamlNode* node = r.NodeAt(pointer);
    if (node && !node->plain && !IsPlainString(node->text) &&
        TypeScalar(YamlNode{YamlKind::kScalar, {}, node->text, true}).value.is_number()) {
      return "write it without quotes: " + node->text;
    }
  }
  if (wants("array") && !value.is_array() && !value.is_object() && !value.is_null()) {
    return "write a list: [" + (value.is_string() ? value.get<std::string>() : written) + "]";
  }
  const std::string example = Example(sub);
  if (!example.empty()) return "for example: " + example;
  return "";
}

std::string EnumList(const json& values) {
  std::vector<std::string> shown;
  for (const json& v : values) {
    const std::string text = v.is_string() ? v.get<std::string>() : v.dump();
    if (std::find(shown.begin(), shown.end(), text) == shown.end()) shown.push_back(text);
  }
  return QuotedList(shown);
}

std::string DidYouMean(const json& value, const json& candidates) {
  if (!value.is_string()) return "";
  const std::string& text = value.get_ref<const std::string&>();
  std::vector<std::string> names;
  for (const json& c : candidates) {
    if (!c.is_string()) continue;
    if (EqualsIgnoreCase(c.get<std::string>(), text)) {
      return "did you mean '" + c.get<std::string>() + "'? (values are case-sensitive)";
    }
    names.push_back(c.get<std::string>());
  }
  const std::string match = ClosestMatch(text, names);
  return match.empty() ? "" : "did you mean " + Quote(match) + "?";
}

size_t Utf8Length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string PasswordHint(const std::string& key, const json& properties) {
  const std::string lower = ToLower(key);
  if (lower.find("password") == std::string::npos && lower != "secret" && lower != "pass" &&
      lower != "pwd") {
    return "";
  }
  const std::string base = lower.find("key") != std::string::npos ? "keyPassword" : "password";
  std::string options = properties.contains(base + "Env")
                            ? base + "Env (an environment variable) or " + base + "File (a file)"
                            : "nothing: this entry takes no password";
  return "passwords never go in the manifest; use " + options;
}

std::string UnknownFieldHint(const std::string& key, const json& sub, bool at_root) {
  const json properties = sub.value("properties", json::object());
  const std::string password = PasswordHint(key, properties);
  if (!password.empty()) return password;
  std::vector<std::string> names;
  for (auto it = properties.begin(); it != properties.end(); ++it) names.push_back(it.key());
  const std::string match = ClosestMatch(key, names);
  if (!match.empty()) return "did you mean " + Quote(match) + "?";
  std::string hint = "allowed fields: " + Join(names, ", ");
  if (at_root) hint += " (and your own fields starting with 'x-')";
  return hint;
}

bool PlainSafe(const std::string& s) {
  if (s.empty() || !IsPlainString(s)) return false;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`~ ").find(s[0]) != std::string_view::npos) {
    return false;
  }
  for (char c : s) {
    if (std::string_view(":#,[]{}\"'").find(c) != std::string_view::npos) return false;
  }
  return s.back() != ' ';
}

}  // namespace

std::string FlowYaml(const json& value) {
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    return PlainSafe(s) ? s : value.dump();
  }
  if (value.is_array()) {
    std::vector<std::string> items;
    for (const json& v : value) items.push_back(FlowYaml(v));
    return "[" + Join(items, ", ") + "]";
  }
  if (value.is_object()) {
    std::vector<std::string> items;
    for (auto it = value.begin(); it != value.end(); ++it) {
      items.push_back(it.key() + ": " + FlowYaml(it.value()));
    }
    return "{" + Join(items, ", ") + "}";
  }
  return value.dump();
}

json SchemaExplainer::Resolve(const json& subschema) const {
  json sub = subschema;
  for (int depth = 0; depth < 16 && sub.is_object() && sub.contains("$ref"); ++depth) {
    const json ref = sub["$ref"];
    const json* target = ref.is_string() && ref.get<std::string>().starts_with("#")
                             ? ValueAt(schema_, ref.get<std::string>().substr(1))
                             : nullptr;
    if (!target || !target->is_object()) return json();
    json merged = *target;
    for (auto it = sub.begin(); it != sub.end(); ++it) {
      if (it.key() != "$ref") merged[it.key()] = it.value();
    }
    if (!target->contains("$ref")) merged.erase("$ref");
    sub = std::move(merged);
  }
  return sub;
}

bool SchemaExplainer::Matches(const std::string& pattern, const std::string& text) const {
  auto it = regexes_.find(pattern);
  if (it == regexes_.end()) it = regexes_.emplace(pattern, std::regex(pattern)).first;
  return std::regex_search(text, it->second);
}

json SchemaExplainer::SubschemaAt(std::string_view pointer) const {
  json sub = Resolve(schema_);
  for (const std::string& token : SplitPointer(pointer)) {
    if (!sub.is_object()) return json();
    if (sub.contains("items")) {
      if (!IsIndexToken(token) || !sub["items"].is_object()) return json();
      sub = Resolve(sub["items"]);
      continue;
    }
    json next;
    if (sub.contains("properties") && sub["properties"].contains(token)) {
      next = sub["properties"][token];
    } else if (sub.contains("patternProperties")) {
      for (auto it = sub["patternProperties"].begin(); it != sub["patternProperties"].end(); ++it) {
        if (Matches(it.key(), token)) {
          next = it.value();
          break;
        }
      }
    }
    if (next.is_null() && sub.contains("additionalProperties") &&
        sub["additionalProperties"].is_object()) {
      next = sub["additionalProperties"];
    }
    if (next.is_null()) return json();
    sub = Resolve(next);
  }
  return sub;
}

int SchemaExplainer::Explain(const json& doc, const std::string& pointer, Reporter& r) {
  const json sub = SubschemaAt(pointer);
  const json* value = ValueAt(doc, pointer);
  if (!sub.is_object() || !value) return 0;
  if (sub.value("x-valueNotShown", false)) return ExplainUnshown(doc, pointer, *value, sub, r);
  if (int n = ExplainType(doc, pointer, *value, sub, r)) return n;
  if (int n = ExplainEnum(doc, pointer, *value, sub, r)) return n;
  if (value->is_string()) return ExplainString(doc, pointer, value->get<std::string>(), sub, r);
  if (value->is_number()) return ExplainNumber(doc, pointer, *value, sub, r);
  if (value->is_array()) return ExplainArray(doc, pointer, *value, sub, r);
  if (value->is_object()) return ExplainObject(doc, pointer, *value, sub, r);
  return 0;
}

int SchemaExplainer::ExplainType(const json& doc, const std::string& pointer, const json& value,
                                 const json& sub, Reporter& r) const {
  const std::vector<std::string> types = Types(sub);
  if (types.empty()) return 0;
  for (const std::string& t : types) {
    if (HasType(value, t)) return 0;
  }
  std::vector<std::string> phrases;
  for (const std::string& t : types) phrases.push_back(TypePhrase(t));
  const std::string expected = Join(phrases, " or ");
  const std::string what = DescribeValue(doc, pointer);
  if (value.is_null()) {
    const std::string example = Example(sub);
    r.Error(pointer, what + " is empty; it must be " + expected,
            example.empty() ? "write a value or remove the field"
                            : "write e.g. '" + LastToken(pointer) + ": " + example + "'");
    return 1;
  }
  std::string actual = AsWritten(value, r, pointer);
  if (value.is_array() || value.is_object()) actual = QuoteValue(value);
  std::string hint = TypeHint(types, value, sub, r, pointer);
  if (hint.empty()) hint = "write " + expected + " (see docs/manifest.md)";
  r.Error(pointer, what + " must be " + expected + ", not " + actual, hint);
  return 1;
}

int SchemaExplainer::ExplainEnum(const json& doc, const std::string& pointer, const json& value,
                                 const json& sub, Reporter& r) const {
  json allowed;
  if (sub.contains("enum") && sub["enum"].is_array()) allowed = sub["enum"];
  if (sub.contains("const")) allowed = json::array({sub["const"]});
  if (!allowed.is_array()) return 0;
  for (const json& a : allowed) {
    if (a == value) return 0;
  }
  // Values the schema admits only so that a later check can say why they
  // are refused ("x-unlisted") are not offered.
  if (sub.contains("x-unlisted") && sub["x-unlisted"].is_array()) {
    json shown = json::array();
    for (const json& a : allowed) {
      const json& unlisted = sub["x-unlisted"];
      if (std::find(unlisted.begin(), unlisted.end(), a) == unlisted.end()) shown.push_back(a);
    }
    allowed = std::move(shown);
  }
  const std::string what = DescribeValue(doc, pointer);
  const std::string actual = AsWritten(value, r, pointer);
  const std::string must =
      allowed.size() == 1 ? FlowYaml(allowed[0]) : "one of " + EnumList(allowed);
  std::string hint = DidYouMean(value, allowed);
  if (hint.empty()) hint = allowed.size() == 1 ? "write " + must : "write one of these values";
  r.Error(pointer, what + " must be " + must + ", not " + actual, hint);
  return 1;
}

int SchemaExplainer::ExplainString(const json& doc, const std::string& pointer,
                                   const std::string& value, const json& sub, Reporter& r) {
  const std::string what = DescribeValue(doc, pointer);
  const size_t length = Utf8Length(value);
  if (sub.contains("minLength") && length < sub["minLength"].get<size_t>()) {
    r.Error(pointer, what + " is empty", "write a value");
    return 1;
  }
  if (sub.contains("maxLength") && length > sub["maxLength"].get<size_t>()) {
    r.Error(
        pointer,
        what + " is longer than " + std::to_string(sub["maxLength"].get<size_t>()) + " characters",
        "shorten it");
    return 1;
  }
  if (sub.contains("pattern") && sub["pattern"].is_string() &&
      !Matches(sub["pattern"].get<std::string>(), value)) {
    const std::string hint = sub.value(
        "patternErrorMessage", "it must match the pattern " + sub["pattern"].get<std::string>());
    r.Error(pointer, what + " has an invalid value " + Quote(value), hint);
    return 1;
  }
  return 0;
}

int SchemaExplainer::ExplainUnshown(const json& doc, const std::string& pointer, const json& value,
                                    const json& sub, Reporter& r) const {
  if (value.is_string() && !value.get_ref<const std::string&>().empty() &&
      (!sub.contains("pattern") || !sub["pattern"].is_string() ||
       Matches(sub["pattern"].get<std::string>(), value.get<std::string>()))) {
    return 0;
  }
  const std::string what = DescribeValue(doc, pointer);
  const std::string hint = sub.value("patternErrorMessage", "write the name of the variable");
  if (value.is_null() || (value.is_string() && value.get_ref<const std::string&>().empty())) {
    r.Error(pointer, what + " is empty", hint);
  } else {
    r.Error(pointer,
            what +
                " is not a valid environment variable name (the value is not shown: it may be "
                "a password)",
            hint);
  }
  return 1;
}

int SchemaExplainer::ExplainNumber(const json& doc, const std::string& pointer, const json& value,
                                   const json& sub, Reporter& r) const {
  const std::string what = DescribeValue(doc, pointer);
  const double v = value.get<double>();
  if (sub.contains("minimum") && !(v >= sub["minimum"].get<double>())) {
    r.Error(pointer,
            what + " must be at least " + sub["minimum"].dump() + ", not " +
                AsWritten(value, r, pointer),
            "use " + sub["minimum"].dump() + " or more");
    return 1;
  }
  if (sub.contains("maximum") && !(v <= sub["maximum"].get<double>())) {
    r.Error(pointer,
            what + " must be at most " + sub["maximum"].dump() + ", not " +
                AsWritten(value, r, pointer),
            "use " + sub["maximum"].dump() + " or less");
    return 1;
  }
  return 0;
}

int SchemaExplainer::ExplainArray(const json& doc, const std::string& pointer, const json& value,
                                  const json& sub, Reporter& r) const {
  const std::string what = DescribeValue(doc, pointer);
  if (sub.contains("minItems") && value.size() < sub["minItems"].get<size_t>()) {
    const std::string example = Example(sub);
    r.Error(pointer, what + " is an empty list",
            example.empty()
                ? "list at least one entry"
                : "list at least one entry, e.g. " + LastToken(pointer) + ": " + example);
    return 1;
  }
  int reported = 0;
  if (sub.value("uniqueItems", false)) {
    std::set<json> seen;
    for (size_t i = 0; i < value.size(); ++i) {
      if (!seen.insert(value[i]).second) {
        r.Error(JoinPointer(pointer, i), QuoteValue(value[i]) + " is listed twice in " + what,
                "remove one");
        ++reported;
      }
    }
  }
  return reported;
}

std::vector<std::string> SchemaExplainer::UnknownFields(const json& value, const json& sub) const {
  std::vector<std::string> unknown;
  if (sub.value("additionalProperties", json(true)) != json(false)) return unknown;
  const json properties = sub.value("properties", json::object());
  const json patterns = sub.value("patternProperties", json::object());
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (properties.contains(it.key())) continue;
    bool matched = false;
    for (auto p = patterns.begin(); p != patterns.end() && !matched; ++p) {
      matched = Matches(p.key(), it.key());
    }
    if (!matched) unknown.push_back(it.key());
  }
  return unknown;
}

int SchemaExplainer::ExplainObject(const json& doc, const std::string& pointer, const json& value,
                                   const json& sub, Reporter& r) {
  int reported = 0;
  const json properties = sub.value("properties", json::object());
  const std::string where = DescribeContainer(doc, pointer);
  const std::vector<std::string> unknown = UnknownFields(value, sub);
  if (sub.contains("required") && sub["required"].is_array()) {
    for (const json& name : sub["required"]) {
      if (!name.is_string() || value.contains(name.get<std::string>())) continue;
      const std::string field = name.get<std::string>();
      // "dnsname" for "dnsNames": the unknown field's "did you mean" says it all.
      if (std::any_of(unknown.begin(), unknown.end(),
                      [&](const std::string& u) { return ClosestMatch(u, {field}) == field; })) {
        r.MarkBad(JoinPointer(pointer, field));
        continue;
      }
      const std::string example =
          properties.contains(field) ? Example(Resolve(properties[field])) : "";
      r.Error(JoinPointer(pointer, field), where + " is missing required field " + Quote(field),
              example.empty() ? "add '" + field + ":' (see docs/manifest.md)"
                              : "add '" + field + ": " + example + "'");
      ++reported;
    }
  }
  for (const std::string& key : unknown) {
    r.Error(JoinPointer(pointer, key), "unknown field " + Quote(key) + " in " + where,
            UnknownFieldHint(key, sub, pointer.empty()), At::kKey);
    ++reported;
  }
  return reported;
}

}  // namespace xcert::manifest
