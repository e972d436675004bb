#include "engine/manifest/describe.h"

#include <vector>

#include "engine/manifest/pointer.h"
#include "engine/util/strings.h"

namespace xcert::manifest {

namespace {

using json = nlohmann::json;

struct NamedSection {
  std::string_view section;
  std::string_view entry;
};
constexpr NamedSection kNamedSections[] = {
    {"issuers", "issuer"}, {"servers", "server"}, {"certificates", "certificate"}};
constexpr std::string_view kSections[] = {"organization", "store",   "backup",
                                          "issuers",      "servers", "certificates"};

struct Split {
  std::string owner;                // "certificate 'mail'" or ""
  std::vector<std::string> fields;  // tokens below the owner
};

Split SplitAtOwner(const json& doc, std::string_view pointer) {
  Split out;
  out.fields = SplitPointer(pointer);
  if (out.fields.size() < 2 || !IsIndexToken(out.fields[1])) return out;
  for (const NamedSection& s : kNamedSections) {
    if (out.fields[0] != s.section) continue;
    const size_t index = std::stoul(out.fields[1]);
    const json* name = nullptr;
    if (doc.is_object() && doc.contains(s.section) && doc[s.section].is_array() &&
        index < doc[s.section].size() && doc[s.section][index].is_object() &&
        doc[s.section][index].contains("name")) {
      name = &doc[s.section][index]["name"];
    }
    // An entry whose own name is in question is called by its number.
    const bool about_name = out.fields.size() == 3 && out.fields[2] == "name";
    if (!about_name && name && name->is_string() && !name->get_ref<const std::string&>().empty()) {
      out.owner = std::string(s.entry) + " " + Quote(name->get<std::string>());
    } else {
      out.owner = std::string(s.entry) + " #" + std::to_string(index + 1);
    }
    out.fields.erase(out.fields.begin(), out.fields.begin() + 2);
    break;
  }
  return out;
}

std::string Dotted(const std::vector<std::string>& fields, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    if (IsIndexToken(fields[i])) {
      out += "[" + std::to_string(std::stoul(fields[i]) + 1) + "]";
    } else {
      if (!out.empty()) out += '.';
      out += fields[i];
    }
  }
  return out;
}

bool IsSection(std::string_view name) {
  for (std::string_view s : kSections) {
    if (s == name) return true;
  }
  return false;
}

std::string WithOwner(std::string phrase, const std::string& owner) {
  return owner.empty() ? phrase : phrase + " in " + owner;
}

}  // namespace

std::string DescribeOwner(const json& doc, std::string_view pointer) {
  return SplitAtOwner(doc, pointer).owner;
}

std::string DescribeValue(const json& doc, std::string_view pointer) {
  const Split s = SplitAtOwner(doc, pointer);
  if (s.fields.empty()) return s.owner.empty() ? "the manifest" : s.owner;
  if (s.owner.empty() && s.fields.size() == 1 && IsSection(s.fields[0])) {
    return "section " + Quote(s.fields[0]);
  }
  const size_t n = s.fields.size();
  if (IsIndexToken(s.fields[n - 1]) && n > 1) {
    return WithOwner("entry #" + std::to_string(std::stoul(s.fields[n - 1]) + 1) + " of '" +
                         Dotted(s.fields, n - 1) + "'",
                     s.owner);
  }
  return WithOwner("field " + Quote(Dotted(s.fields, n)), s.owner);
}

std::string DescribeContainer(const json& doc, std::string_view pointer) {
  const Split s = SplitAtOwner(doc, pointer);
  if (s.fields.empty()) return s.owner.empty() ? "the manifest" : s.owner;
  const std::string quoted = "'" + Dotted(s.fields, s.fields.size()) + "'";
  return s.owner.empty() ? quoted : quoted + " of " + s.owner;
}

std::string QuoteValue(const json& value) {
  switch (value.type()) {
    case json::value_t::string: return Quote(value.get_ref<const std::string&>());
    case json::value_t::array: return "a list";
    case json::value_t::object: return "a mapping";
    case json::value_t::null: return "nothing";
    case json::value_t::number_float: {
      const double d = value.get<double>();
      if (d != d) return ".nan";
      if (d > 1e308) return ".inf";
      if (d < -1e308) return "-.inf";
      return value.dump();
    }
    default: return value.dump();
  }
}

}  // namespace xcert::manifest
