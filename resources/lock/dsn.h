// The connection string of the lock's PostgreSQL database: libpq's syntax,
// key=value pairs ("host=db port=5432 dbname=xcert user=xcert") or a URI
// ("postgresql://xcert@db:5432/xcert"), read from an environment variable the
// manifest names (lock.dsnEnv). It may hold a password, so it is never
// printed: messages show the redacted form, and libpq's messages pass
// through Scrub first. (The password is better kept in ~/.pgpass or
// PGPASSWORD, which libpq reads itself.)
#pragma once

#include <string>

#include "engine/util/status.h"

namespace xcert::lock {

class Dsn {
 public:
  // Parses `conninfo`; `source` says where it came from, for messages
  // ("XCERT_LOCK_DSN"). A string libpq cannot parse is InvalidArgument.
  static Result<Dsn> Parse(const std::string& conninfo, const std::string& source);
  // The connection string in environment variable `env`; unset or empty is
  // InvalidArgument naming the variable and what to put there.
  static Result<Dsn> FromEnv(const std::string& env);

  // The full string, password included: for libpq only, never for a message.
  const std::string& conninfo() const { return conninfo_; }
  // Where the database is, without secrets: "host=db port=5432 dbname=xcert
  // user=xcert (from XCERT_LOCK_DSN)"; only the fields the string sets.
  const std::string& redacted() const { return redacted_; }
  // `message` with every occurrence of the password (the string's and
  // PGPASSWORD's) replaced by "***": for libpq's messages.
  std::string Scrub(std::string message) const;

 private:
  Dsn() = default;
  std::string conninfo_;
  std::string redacted_;
  std::string password_;
};

}  // namespace xcert::lock
