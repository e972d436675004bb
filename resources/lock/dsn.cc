#include "resources/lock/dsn.h"

#include <cstdlib>
#include <map>
#include <set>
#include <vector>

#include <libpq-fe.h>

#include "engine/util/strings.h"

namespace xcert::lock {

namespace {

// libpq's connection keywords ("host", "sslmode", ...).
std::set<std::string> ConnectionKeywords() {
  std::set<std::string> out;
  PQconninfoOption* defaults = PQconndefaults();
  if (defaults == nullptr) return out;
  for (const PQconninfoOption* o = defaults; o->keyword != nullptr; ++o) out.insert(o->keyword);
  PQconninfoFree(defaults);
  return out;
}

// libpq's parse errors quote pieces of the string, which may be the password
// ('missing "=" after "s3cret"', or a whole malformed URI). Quoted pieces
// other than "=" and connection keywords are withheld.
std::string WithholdQuoted(const std::string& message) {
  static const std::set<std::string> keywords = ConnectionKeywords();
  std::string out;
  size_t pos = 0;
  while (pos < message.size()) {
    const size_t open = message.find('"', pos);
    const size_t close = open == std::string::npos ? open : message.find('"', open + 1);
    if (close == std::string::npos) {
      out += message.substr(pos);
      break;
    }
    const std::string piece = message.substr(open + 1, close - open - 1);
    out += message.substr(pos, open - pos);
    out += piece == "=" || keywords.count(piece) ? '"' + piece + '"' : "\"(withheld)\"";
    pos = close + 1;
  }
  return std::string(Trim(out));
}

void ReplaceAll(std::string& text, const std::string& what, const std::string& with) {
  if (what.empty()) return;
  for (size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
}

}  // namespace

Result<Dsn> Dsn::Parse(const std::string& conninfo, const std::string& source) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    const std::string why = error != nullptr ? WithholdQuoted(error) : "out of memory";
    PQfreemem(error);
    return InvalidArgument(source + ": not a PostgreSQL connection string (libpq: " + why +
                           "); write key=value pairs (host=db.example.com port=5432 "
                           "dbname=xcert user=xcert) or a URI "
                           "(postgresql://xcert@db.example.com:5432/xcert)");
  }
  Dsn dsn;
  dsn.conninfo_ = conninfo;
  std::map<std::string, std::string> values;
  for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val != nullptr && *o->val != '\0') values[o->keyword] = o->val;
  }
  PQconninfoFree(options);
  dsn.password_ = values["password"];
  std::vector<std::string> shown;
  for (const char* keyword : {"host", "hostaddr", "port", "dbname", "user"}) {
    if (const auto it = values.find(keyword); it != values.end()) {
      shown.push_back(it->first + "=" + it->second);
    }
  }
  dsn.redacted_ =
      (shown.empty() ? std::string("libpq's defaults (PGHOST, PGPORT, ...)") : Join(shown, " ")) +
      " (from " + source + ")";
  return dsn;
}

Result<Dsn> Dsn::FromEnv(const std::string& env) {
  const char* value = std::getenv(env.c_str());
  if (value == nullptr || *value == '\0') {
    return InvalidArgument(env +
                           " is not set: set it to the lock database's connection string, "
                           "e.g. " +
                           env +
                           "=postgresql://xcert@db.example.com:5432/xcert (the password in "
                           "~/.pgpass or PGPASSWORD)");
  }
  return Parse(value, env);
}

std::string Dsn::Scrub(std::string message) const {
  ReplaceAll(message, password_, "***");
  if (const char* env = std::getenv("PGPASSWORD"); env != nullptr) ReplaceAll(message, env, "***");
  return message;
}

}  // namespace xcert::lock
