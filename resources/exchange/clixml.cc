#include "resources/exchange/clixml.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include "engine/util/strings.h"
#include "resources/exchange/utf16.h"
#include "resources/x509/digest.h"

namespace xcert::exchange {

namespace pt = boost::property_tree;

namespace {

struct TagInfo {
  std::string_view tag;
  PsType type;
};

// [MS-PSRP] 2.2.5.1 primitive types, plus Obj and Ref.
constexpr TagInfo kValueTags[] = {
    {"Nil", PsType::kNil},        {"S", PsType::kString},        {"C", PsType::kChar},
    {"B", PsType::kBool},         {"DT", PsType::kDateTime},     {"TS", PsType::kDuration},
    {"By", PsType::kByte},        {"SB", PsType::kSByte},        {"U16", PsType::kUInt16},
    {"I16", PsType::kInt16},      {"U32", PsType::kUInt32},      {"I32", PsType::kInt32},
    {"U64", PsType::kUInt64},     {"I64", PsType::kInt64},       {"Sg", PsType::kSingle},
    {"Db", PsType::kDouble},      {"D", PsType::kDecimal},       {"BA", PsType::kBytes},
    {"G", PsType::kGuid},         {"URI", PsType::kUri},         {"Version", PsType::kVersion},
    {"XD", PsType::kXmlDocument}, {"SBK", PsType::kScriptBlock}, {"SS", PsType::kSecureString},
    {"Obj", PsType::kObject},     {"Ref", PsType::kObject},
};

std::optional<PsType> ValueTag(std::string_view tag) {
  for (const TagInfo& t : kValueTags) {
    if (t.tag == tag) return t.type;
  }
  return std::nullopt;
}

bool IsTextType(PsType t) {
  return t == PsType::kString || t == PsType::kUri || t == PsType::kXmlDocument ||
         t == PsType::kScriptBlock;
}

// Range of each integer type; kChar is a UTF-16 code unit.
struct IntRange {
  PsType type;
  int64_t min;
  uint64_t max;
  std::string_view description;
};
constexpr IntRange kIntRanges[] = {
    {PsType::kChar, 0, 0xFFFF, "a character code (0-65535)"},
    {PsType::kByte, 0, 0xFF, "an unsigned 8-bit integer"},
    {PsType::kSByte, -128, 127, "a signed 8-bit integer"},
    {PsType::kUInt16, 0, 0xFFFF, "an unsigned 16-bit integer"},
    {PsType::kInt16, -32768, 32767, "a signed 16-bit integer"},
    {PsType::kUInt32, 0, 0xFFFFFFFFu, "an unsigned 32-bit integer"},
    {PsType::kInt32, std::numeric_limits<int32_t>::min(), 0x7FFFFFFF, "a signed 32-bit integer"},
    {PsType::kUInt64, 0, std::numeric_limits<uint64_t>::max(), "an unsigned 64-bit integer"},
    {PsType::kInt64, std::numeric_limits<int64_t>::min(),
     uint64_t(std::numeric_limits<int64_t>::max()), "a signed 64-bit integer"},
};

const IntRange* IntegerRange(PsType t) {
  for (const IntRange& r : kIntRanges) {
    if (r.type == t) return &r;
  }
  return nullptr;
}

// Parses an integer of type `t`; nullopt if malformed or out of range. The
// unsigned 64-bit maximum does not fit the result: `*too_big` says so.
std::optional<int64_t> ParseInteger(PsType t, std::string_view text, bool* too_big = nullptr) {
  const IntRange* range = IntegerRange(t);
  if (!range || text.empty()) return std::nullopt;
  const char* end = text.data() + text.size();
  if (text.front() == '-') {
    int64_t v = 0;
    auto r = std::from_chars(text.data(), end, v);
    if (r.ec != std::errc() || r.ptr != end || v < range->min) return std::nullopt;
    return v;
  }
  uint64_t v = 0;
  auto r = std::from_chars(text.data() + (text.front() == '+'), end, v);
  if (r.ec != std::errc() || r.ptr != end || v > range->max) return std::nullopt;
  if (v > uint64_t(std::numeric_limits<int64_t>::max())) {
    if (too_big) *too_big = true;
    return std::nullopt;
  }
  return static_cast<int64_t>(v);
}

std::optional<bool> ParseBool(std::string_view text) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  return std::nullopt;
}

// xs:double, including INF, -INF and NaN.
std::optional<double> ParseDouble(std::string_view text) {
  if (text == "INF") return std::numeric_limits<double>::infinity();
  if (text == "-INF") return -std::numeric_limits<double>::infinity();
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  double v = 0;
  const char* end = text.data() + text.size();
  auto r = std::from_chars(text.data() + (!text.empty() && text.front() == '+'), end, v);
  if (text.empty() || r.ec != std::errc() || r.ptr != end) return std::nullopt;
  return v;
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool IsGuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !IsHex(text[i])) return false;
  }
  return true;
}

// Parses `n` hex digits at the start of `s`.
std::optional<uint32_t> HexValue(std::string_view s, size_t n) {
  if (s.size() < n) return std::nullopt;
  uint32_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!IsHex(s[i])) return std::nullopt;
    char c = s[i];
    v = v * 16 + uint32_t(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  return v;
}

// Digits of a fixed width at `pos`.
std::optional<int> Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// The document text as UTF-8 without BOM. Export-Clixml in Windows
// PowerShell 5.1 writes UTF-16LE with a BOM unless told otherwise.
Result<std::string> ToUtf8(std::string_view text, const std::string& source) {
  auto starts = [&](std::string_view p) { return text.substr(0, p.size()) == p; };
  if (starts("\xEF\xBB\xBF")) return std::string(text.substr(3));
  bool le = starts("\xFF\xFE");
  bool be = starts("\xFE\xFF");
  if (!le && !be) return std::string(text);
  std::string bytes(text.substr(2));
  if (be) {
    for (size_t i = 0; i + 1 < bytes.size(); i += 2) std::swap(bytes[i], bytes[i + 1]);
  }
  Result<std::string> utf8 = Utf16LeToUtf8(bytes);
  if (!utf8.ok()) return utf8.status().WithContext(source + ": reading UTF-16 text");
  return utf8;
}

// The deepest element nesting in `text`, approximately: counts "<x" as an
// opening and "</" or "/>" as a closing. The recursive XML parser (and this
// reader) need a bound on depth before they start; CliXml has no CDATA or
// comments that could make the estimate wrong.
int MaxNesting(std::string_view text) {
  int depth = 0, max_depth = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == '<') {
      char next = text[i + 1];
      if (next == '/') {
        --depth;
      } else if (next != '!' && next != '?') {
        max_depth = std::max(max_depth, ++depth);
      }
    } else if (text[i] == '/' && text[i + 1] == '>') {
      --depth;
    }
  }
  return max_depth;
}

// Attribute `name` of an element, or nullopt.
std::optional<std::string> Attr(const pt::ptree& node, const char* name) {
  auto attrs = node.find("<xmlattr>");
  if (attrs == node.not_found()) return std::nullopt;
  auto it = attrs->second.find(name);
  if (it == attrs->second.not_found()) return std::nullopt;
  return it->second.data();
}

// Boost keeps attributes and comments as pseudo-children named "<...>".
bool IsElement(const std::string& key) { return key.empty() || key.front() != '<'; }

}  // namespace

// Walks the property tree of one document, building PsValues.
class ClixmlReader {
 public:
  ClixmlReader(const std::string& source, PsDocument* doc) : source_(source), doc_(doc) {}

  Status ReadObjs(const pt::ptree& objs) {
    int index = 0;
    for (const auto& [tag, child] : objs) {
      if (!IsElement(tag)) continue;
      path_.assign(1, "object " + std::to_string(++index));
      XCERT_ASSIGN_OR_RETURN(PsValue v, ReadValue(tag, child));
      doc_->values_.push_back(std::move(v));
    }
    return Status::Ok();
  }

 private:
  Status Error(const std::string& what) const {
    std::string where = Join(path_, "/");
    return InvalidArgument(source_ + ": " + (where.empty() ? "" : where + ": ") + what);
  }

  Result<PsValue> ReadValue(const std::string& tag, const pt::ptree& node) {
    std::optional<PsType> type = ValueTag(tag);
    if (!type) return Error("unexpected element <" + tag + "> where a value belongs");
    PsValue v;
    v.type = *type;
    if (tag == "Obj") {
      XCERT_ASSIGN_OR_RETURN(v.object, ReadObject(node));
    } else if (tag == "Ref") {
      XCERT_ASSIGN_OR_RETURN(v.object, ResolveRef(node));
    } else {
      XCERT_RETURN_IF_ERROR(ReadPrimitive(tag, node.data(), &v));
    }
    return v;
  }

  Status ReadPrimitive(const std::string& tag, const std::string& data, PsValue* v) {
    if (v->type == PsType::kNil) return Status::Ok();
    if (IsTextType(v->type)) {
      v->text = DecodeClixmlString(data);
      return Status::Ok();
    }
    std::string_view text = Trim(data);
    if (v->type == PsType::kBytes) {
      Result<std::string> bytes = x509::Base64Decode(text);
      if (!bytes.ok()) return Error("<BA> is not valid base64 (" + bytes.status().message() + ")");
      v->text = std::move(bytes).value();
      return Status::Ok();
    }
    v->text = std::string(text);
    if (std::string problem = Check(v->type, text); !problem.empty()) {
      return Error("<" + tag + "> value '" + v->text + "' is not " + problem);
    }
    return Status::Ok();
  }

  // "" if `text` is a valid value of `type`, else what it should have been.
  static std::string Check(PsType type, std::string_view text) {
    if (const IntRange* range = IntegerRange(type)) {
      bool too_big = false;
      bool ok = ParseInteger(type, text, &too_big).has_value() || too_big;
      return ok ? "" : std::string(range->description);
    }
    switch (type) {
      case PsType::kBool: return ParseBool(text) ? "" : "true or false";
      case PsType::kSingle:
      case PsType::kDouble:
      case PsType::kDecimal: return ParseDouble(text) ? "" : "a number";
      case PsType::kDateTime:
        return ParseClixmlDateTime(text).ok() ? "" : "a date and time (xs:dateTime)";
      case PsType::kGuid: return IsGuid(text) ? "" : "a GUID";
      case PsType::kDuration:
        return text.find('P') != std::string_view::npos ? "" : "a duration (xs:duration)";
      default: return "";
    }
  }

  Result<const PsObject*> ResolveRef(const pt::ptree& node) {
    std::optional<std::string> id = Attr(node, "RefId");
    if (!id) return Error("<Ref> without a RefId");
    auto it = objects_.find(*id);
    if (it == objects_.end()) {
      return Error("<Ref> names object RefId " + *id + ", which no earlier <Obj> defines");
    }
    return it->second;
  }

  Result<const PsObject*> ReadObject(const pt::ptree& node) {
    doc_->arena_.push_back(std::make_unique<PsObject>());
    PsObject* obj = doc_->arena_.back().get();
    if (std::optional<std::string> id = Attr(node, "RefId")) {
      obj->ref_id = *id;
      // Registered before the content is read, so a <Ref> inside the object
      // to the object itself (a cycle) resolves too; the arena owns it.
      if (!objects_.emplace(*id, obj).second) return Error("two objects have RefId " + *id);
    }
    for (const auto& [tag, child] : node) {
      if (!IsElement(tag)) continue;
      XCERT_RETURN_IF_ERROR(ReadObjectPart(tag, child, obj));
    }
    return obj;
  }

  Status ReadObjectPart(const std::string& tag, const pt::ptree& child, PsObject* obj) {
    if (tag == "TN") return ReadTypeNames(child, obj);
    if (tag == "TNRef") return ResolveTypeNames(child, obj);
    if (tag == "ToString") {
      obj->to_string = DecodeClixmlString(child.data());
      return Status::Ok();
    }
    if (tag == "Props") return ReadMembers(child, &obj->properties);
    if (tag == "MS") return ReadMembers(child, &obj->extended);
    if (tag == "DCT") {
      obj->collection = PsCollection::kDictionary;
      return ReadEntries(child, obj);
    }
    static const std::map<std::string, PsCollection, std::less<>> kCollections = {
        {"LST", PsCollection::kList},
        {"IE", PsCollection::kEnumerable},
        {"STK", PsCollection::kStack},
        {"QUE", PsCollection::kQueue}};
    if (auto it = kCollections.find(tag); it != kCollections.end()) {
      obj->collection = it->second;
      return ReadItems(child, &obj->items);
    }
    if (ValueTag(tag)) {
      XCERT_ASSIGN_OR_RETURN(PsValue v, ReadValue(tag, child));
      obj->value = std::move(v);
      return Status::Ok();
    }
    return Error("unexpected element <" + tag + "> in <Obj>");
  }

  Status ReadTypeNames(const pt::ptree& node, PsObject* obj) {
    auto names = std::make_shared<std::vector<std::string>>();
    for (const auto& [tag, t] : node) {
      if (!IsElement(tag)) continue;
      if (tag != "T") return Error("unexpected element <" + tag + "> in <TN>");
      names->push_back(DecodeClixmlString(t.data()));
    }
    obj->type_names = names;
    if (std::optional<std::string> id = Attr(node, "RefId")) {
      if (!type_names_.emplace(*id, names).second) return Error("two <TN> have RefId " + *id);
    }
    return Status::Ok();
  }

  Status ResolveTypeNames(const pt::ptree& node, PsObject* obj) {
    std::optional<std::string> id = Attr(node, "RefId");
    if (!id) return Error("<TNRef> without a RefId");
    auto it = type_names_.find(*id);
    if (it == type_names_.end()) {
      return Error("<TNRef> names type list RefId " + *id + ", which no earlier <TN> defines");
    }
    obj->type_names = it->second;
    return Status::Ok();
  }

  Status ReadMembers(const pt::ptree& node, std::vector<PsMember>* out) {
    for (const auto& [tag, child] : node) {
      if (!IsElement(tag)) continue;
      std::optional<std::string> name = Attr(child, "N");
      if (!name) return Error("<" + tag + "> member without a name (N attribute)");
      PsMember member{DecodeClixmlString(*name), {}};
      path_.push_back(member.name);
      XCERT_ASSIGN_OR_RETURN(member.value, ReadValue(tag, child));
      path_.pop_back();
      out->push_back(std::move(member));
    }
    return Status::Ok();
  }

  Status ReadItems(const pt::ptree& node, std::vector<PsValue>* out) {
    for (const auto& [tag, child] : node) {
      if (!IsElement(tag)) continue;
      path_.push_back("item " + std::to_string(out->size() + 1));
      XCERT_ASSIGN_OR_RETURN(PsValue v, ReadValue(tag, child));
      path_.pop_back();
      out->push_back(std::move(v));
    }
    return Status::Ok();
  }

  // <DCT><En><S N="Key">k</S><I32 N="Value">1</I32></En>...</DCT>
  Status ReadEntries(const pt::ptree& node, PsObject* obj) {
    for (const auto& [tag, entry] : node) {
      if (!IsElement(tag)) continue;
      if (tag != "En") return Error("unexpected element <" + tag + "> in <DCT>");
      path_.push_back("entry " + std::to_string(obj->entries.size() + 1));
      std::optional<PsValue> key, value;
      for (const auto& [part_tag, part] : entry) {
        if (!IsElement(part_tag)) continue;
        std::optional<std::string> name = Attr(part, "N");
        XCERT_ASSIGN_OR_RETURN(PsValue v, ReadValue(part_tag, part));
        if (name == "Key") key = std::move(v);
        if (name == "Value") value = std::move(v);
      }
      if (!key || !value) return Error("dictionary entry without a Key and a Value");
      path_.pop_back();
      obj->entries.emplace_back(std::move(*key), std::move(*value));
    }
    return Status::Ok();
  }

  const std::string& source_;
  PsDocument* doc_;
  std::map<std::string, std::shared_ptr<const std::vector<std::string>>> type_names_;
  std::map<std::string, const PsObject*> objects_;
  std::vector<std::string> path_;
};

const std::string* PsValue::AsString() const { return type == PsType::kString ? &text : nullptr; }

std::optional<std::string> PsValue::AsText() const {
  if (type == PsType::kNil) return std::nullopt;
  if (type == PsType::kObject) return object ? object->to_string : std::nullopt;
  return text;
}

std::optional<bool> PsValue::AsBool() const {
  return type == PsType::kBool ? ParseBool(text) : std::nullopt;
}

std::optional<int64_t> PsValue::AsInt64() const { return ParseInteger(type, text); }

std::optional<double> PsValue::AsDouble() const {
  bool number = type == PsType::kSingle || type == PsType::kDouble || type == PsType::kDecimal;
  return number ? ParseDouble(text) : std::nullopt;
}

std::optional<TimePoint> PsValue::AsTime() const {
  if (type != PsType::kDateTime) return std::nullopt;
  Result<TimePoint> t = ParseClixmlDateTime(text);
  return t.ok() ? std::optional<TimePoint>(*t) : std::nullopt;
}

const std::string* PsValue::AsBytes() const { return type == PsType::kBytes ? &text : nullptr; }

const std::vector<std::string>& PsObject::types() const {
  static const std::vector<std::string> kNone;
  return type_names ? *type_names : kNone;
}

bool PsObject::IsA(std::string_view type_name) const {
  constexpr std::string_view kDeserialized = "Deserialized.";
  for (const std::string& t : types()) {
    std::string_view name = t;
    if (name.substr(0, kDeserialized.size()) == kDeserialized)
      name.remove_prefix(kDeserialized.size());
    if (name == type_name) return true;
  }
  return false;
}

const std::string& PsObject::type() const {
  static const std::string kEmpty;
  return types().empty() ? kEmpty : types().front();
}

const PsValue* PsObject::Find(std::string_view name) const {
  for (const auto* members : {&properties, &extended}) {
    for (const PsMember& m : *members) {
      if (m.name == name) return &m.value;
    }
  }
  return nullptr;
}

std::optional<std::string> PsObject::FindText(std::string_view name) const {
  const PsValue* v = Find(name);
  return v ? v->AsText() : std::nullopt;
}

std::optional<bool> PsObject::FindBool(std::string_view name) const {
  const PsValue* v = Find(name);
  return v ? v->AsBool() : std::nullopt;
}

std::string DecodeClixmlString(std::string_view text) {
  if (text.find("_x") == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  std::u16string pending;  // escaped UTF-16 code units not yet written
  auto flush = [&] {
    out += Utf16ToUtf8(pending);
    pending.clear();
  };
  size_t i = 0;
  while (i < text.size()) {
    std::string_view rest = text.substr(i);
    if (rest.size() >= 7 && rest.substr(0, 2) == "_x") {
      if (auto unit = HexValue(rest.substr(2), 4); unit && rest[6] == '_') {
        pending.push_back(static_cast<char16_t>(*unit));
        i += 7;
        continue;
      }
      if (auto cp = HexValue(rest.substr(2), 8); cp && rest.size() >= 11 && rest[10] == '_') {
        flush();
        AppendUtf8(*cp, &out);
        i += 11;
        continue;
      }
    }
    flush();
    out.push_back(text[i++]);
  }
  flush();
  return out;
}

Result<TimePoint> ParseClixmlDateTime(std::string_view text) {
  using namespace std::chrono;
  auto bad = [&] { return InvalidArgument("'" + std::string(text) + "' is not an xs:dateTime"); };
  // YYYY-MM-DDTHH:MM:SS
  auto y = Digits(text, 0, 4), mo = Digits(text, 5, 2), d = Digits(text, 8, 2);
  auto h = Digits(text, 11, 2), mi = Digits(text, 14, 2), s = Digits(text, 17, 2);
  if (!y || !mo || !d || !h || !mi || !s || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
      text[13] != ':' || text[16] != ':' || *h > 23 || *mi > 59 || *s > 59) {
    return bad();
  }
  year_month_day date{year(*y), month(unsigned(*mo)), day(unsigned(*d))};
  if (!date.ok()) return bad();
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    do ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9');
    if (pos == 20) return bad();
  }
  seconds offset{0};
  std::string_view zone = text.substr(pos);
  if (zone == "Z") {
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    auto oh = Digits(zone, 1, 2), om = Digits(zone, 4, 2);
    if (!oh || !om || *oh > 14 || *om > 59) return bad();
    offset = hours(*oh) + minutes(*om);
    if (zone[0] == '-') offset = -offset;
  } else if (!zone.empty()) {
    return bad();
  }
  return TimePoint(sys_days(date).time_since_epoch() + hours(*h) + minutes(*mi) + seconds(*s) -
                   offset);
}

Result<PsDocument> ParseClixml(std::string_view raw, const std::string& source) {
  XCERT_ASSIGN_OR_RETURN(std::string text, ToUtf8(raw, source));
  if (int depth = MaxNesting(text); depth > kMaxClixmlDepth) {
    return InvalidArgument(source + ": elements nest " + std::to_string(depth) +
                           " levels deep (the limit is " + std::to_string(kMaxClixmlDepth) +
                           "); this is not a PowerShell CliXml file");
  }
  pt::ptree tree;
  try {
    std::istringstream in(text);
    pt::read_xml(in, tree, pt::xml_parser::no_comments);
  } catch (const pt::xml_parser_error& e) {
    return InvalidArgument(source + ":" + std::to_string(e.line()) +
                           ": malformed XML: " + e.message() +
                           " (is the file complete? re-export it with Export-Clixml)");
  } catch (const std::exception& e) {
    return InvalidArgument(source + ": cannot read XML: " + e.what());
  }
  const pt::ptree* objs = nullptr;
  for (const auto& [tag, child] : tree) {
    if (!IsElement(tag)) continue;
    if (tag != "Objs" || objs) {
      return InvalidArgument(source + ": not a PowerShell CliXml file: the document element is <" +
                             tag +
                             ">, expected a single <Objs> (write the file with Export-Clixml)");
    }
    objs = &child;
  }
  if (!objs) {
    return InvalidArgument(source +
                           ": not a PowerShell CliXml file: no <Objs> element "
                           "(write the file with Export-Clixml)");
  }
  PsDocument doc;
  ClixmlReader reader(source, &doc);
  XCERT_RETURN_IF_ERROR(reader.ReadObjs(*objs));
  return doc;
}

}  // namespace xcert::exchange
