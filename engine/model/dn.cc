#include "engine/model/dn.h"

#include <cctype>

#include "engine/util/strings.h"

namespace xcert {

namespace {

struct TypeAlias {
  std::string_view alias;
  std::string_view canonical;
};

constexpr TypeAlias kTypes[] = {
    {"CN", "CN"},
    {"O", "O"},
    {"OU", "OU"},
    {"L", "L"},
    {"ST", "S"},
    {"S", "S"},
    {"C", "C"},
    {"DC", "DC"},
    {"E", "E"},
    {"EMAIL", "E"},
    {"EMAILADDRESS", "E"},
    {"SERIALNUMBER", "SERIALNUMBER"},
    {"STREET", "STREET"},
    {"POSTALCODE", "POSTALCODE"},
};

std::string KnownTypes() { return "CN, O, OU, L, S, C, DC, E, SERIALNUMBER, STREET, POSTALCODE"; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits on unescaped separators, keeping escapes in place.
Result<std::vector<std::string>> SplitRdns(std::string_view text) {
  std::vector<std::string> parts;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\') {
      if (i + 1 >= text.size())
        return InvalidArgument(Quote(std::string(text)) + " ends with a lone '\\'");
      cur += c;
      cur += text[++i];
    } else if (c == '"') {
      quoted = !quoted;
      cur += c;
    } else if ((c == ',' || c == ';') && !quoted) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (quoted) return InvalidArgument("unterminated quote in " + Quote(std::string(text)));
  parts.push_back(cur);
  return parts;
}

// The value of one attribute (RFC 4514): unescaped whitespace around it is
// dropped, escaped characters ("\ ", "\,", "\2C") are kept, and a quoted
// value ("...") may hold separators; escapes work inside quotes too.
Result<std::string> UnescapeValue(std::string_view v) {
  size_t i = 0;
  while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) ++i;
  const bool quoted = i < v.size() && v[i] == '"';
  if (quoted) ++i;
  std::string out;
  size_t keep = 0;  // out.size() after the last character that is not trailing space
  for (; i < v.size(); ++i) {
    const char c = v[i];
    if (quoted && c == '"') {
      if (!Trim(v.substr(i + 1)).empty()) {
        return InvalidArgument("text after the closing quote in '" + std::string(Trim(v)) + "'");
      }
      return out;
    }
    if (c != '\\') {
      out += c;
      if (quoted || !std::isspace(static_cast<unsigned char>(c))) keep = out.size();
      continue;
    }
    if (i + 1 >= v.size()) return InvalidArgument(Quote(std::string(v)) + " ends with a lone '\\'");
    if (i + 2 < v.size() && HexValue(v[i + 1]) >= 0 && HexValue(v[i + 2]) >= 0) {
      out += char(HexValue(v[i + 1]) * 16 + HexValue(v[i + 2]));
      i += 2;
    } else {
      out += v[++i];
    }
    keep = out.size();
  }
  if (quoted) return InvalidArgument("unterminated quote in '" + std::string(Trim(v)) + "'");
  out.resize(keep);
  return out;
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

Result<std::vector<Rdn>> ParseDn(std::string_view text) {
  if (Trim(text).empty())
    return InvalidArgument("the subject is empty; write e.g. CN=mail.contoso.com");
  XCERT_ASSIGN_OR_RETURN(std::vector<std::string> parts, SplitRdns(text));
  std::vector<Rdn> out;
  for (const std::string& part : parts) {
    if (Trim(part).empty()) {
      return InvalidArgument("'" + std::string(Trim(text)) +
                             "' has an empty attribute (a stray ',' or ';')");
    }
    const size_t eq = part.find('=');
    if (eq == std::string::npos) {
      return InvalidArgument("'" + std::string(Trim(part)) + "' is not TYPE=value");
    }
    const std::string type = ToUpper(Trim(std::string_view(part).substr(0, eq)));
    std::string canonical;
    for (const TypeAlias& t : kTypes) {
      if (t.alias == type) canonical = t.canonical;
    }
    if (canonical.empty()) {
      return InvalidArgument("unknown attribute type " + Quote(type) + " (known: " + KnownTypes() +
                             ")");
    }
    XCERT_ASSIGN_OR_RETURN(std::string value, UnescapeValue(std::string_view(part).substr(eq + 1)));
    if (value.empty()) return InvalidArgument("attribute " + canonical + " has an empty value");
    if (Utf8Length(value) > 64 && canonical != "DC") {
      return InvalidArgument(canonical + " value " + Quote(value) +
                             " is longer than 64 characters");
    }
    if (canonical == "C" && (value.size() != 2 || !std::isalpha((unsigned char)value[0]) ||
                             !std::isalpha((unsigned char)value[1]))) {
      return InvalidArgument("country C='" + value +
                             "' must be a two-letter code such as DE or US");
    }
    out.push_back({canonical, value});
  }
  return out;
}

std::string FormatDn(const std::vector<Rdn>& rdns) {
  std::string out;
  for (const Rdn& r : rdns) {
    if (!out.empty()) out += ", ";
    out += r.type + "=";
    for (size_t i = 0; i < r.value.size(); ++i) {
      const char c = r.value[i];
      const bool edge_space = c == ' ' && (i == 0 || i + 1 == r.value.size());
      if (std::string_view(",+\"\\<>;").find(c) != std::string_view::npos || edge_space ||
          (c == '#' && i == 0)) {
        out += '\\';
      }
      out += c;
    }
  }
  return out;
}

std::string CommonName(const std::vector<Rdn>& rdns) {
  for (const Rdn& r : rdns) {
    if (r.type == "CN") return r.value;
  }
  return "";
}

std::string DnKey(const std::vector<Rdn>& rdns) {
  std::string key;
  for (const Rdn& r : rdns) {
    key += r.type + "=";
    bool space = false;
    for (char c : Trim(r.value)) {
      if (std::isspace((unsigned char)c)) {
        space = true;
        continue;
      }
      if (space) key += ' ';
      space = false;
      key += char(std::tolower((unsigned char)c));
    }
    key += '\x1f';
  }
  return key;
}

bool SameDn(std::string_view a, std::string_view b) {
  auto pa = ParseDn(a);
  auto pb = ParseDn(b);
  if (pa.ok() && pb.ok()) return DnKey(*pa) == DnKey(*pb);
  return EqualsIgnoreCase(Trim(a), Trim(b));
}

}  // namespace xcert
