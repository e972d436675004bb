#include "resources/lock/postgres_lock.h"

#include <unistd.h>

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include <libpq-fe.h>

#include "engine/util/strings.h"
#include "resources/lock/advisory_key.h"

namespace xcert::lock {

namespace {

// PostgreSQL keeps the first NAMEDATALEN - 1 bytes of application_name.
constexpr size_t kMaxApplicationName = 63;
// How many names of one holder a message lists before "and N more".
constexpr size_t kNamesShown = 5;

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnDeleter>;
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

// Printable ASCII only: PostgreSQL turns other bytes of application_name into
// '?' itself, and would count a multi-byte character as several.
std::string Printable(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return out;
}

std::string ThisHost() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "unknown-host";
  return buf;
}

// libpq's messages end in a newline and continue on tab-indented lines.
std::string OneLine(const std::string& message) {
  std::string out;
  for (const std::string& line : Split(message, '\n')) {
    const std::string_view t = Trim(line);
    if (t.empty()) continue;
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

// A statement's failure: SQLSTATE and the (scrubbed) message.
struct SqlError {
  std::string sqlstate;
  std::string message;
};

class Session {
 public:
  Session(ConnPtr conn, Dsn dsn) : conn_(std::move(conn)), dsn_(std::move(dsn)) {}

  PGconn* get() const { return conn_.get(); }
  void Close() { conn_.reset(); }
  bool open() const { return conn_ != nullptr; }
  const Dsn& dsn() const { return dsn_; }

  // Runs `sql` with text parameters; a failed statement fills `error`.
  ResultPtr Exec(const std::string& sql, const std::vector<std::string>& params, SqlError* error) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const std::string& p : params) values.push_back(p.c_str());
    ResultPtr r(params.empty() ? PQexec(conn_.get(), sql.c_str())
                               : PQexecParams(conn_.get(), sql.c_str(), int(values.size()), nullptr,
                                              values.data(), nullptr, nullptr, 0));
    const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
    const char* state = r ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
    error->sqlstate = state != nullptr ? state : "";
    error->message =
        dsn_.Scrub(OneLine(r ? PQresultErrorMessage(r.get()) : PQerrorMessage(conn_.get())));
    if (error->message.empty()) error->message = dsn_.Scrub(OneLine(PQerrorMessage(conn_.get())));
    return nullptr;
  }

  // Drops every advisory lock this session holds (its locks only: the
  // session is this run's own). False when the statement failed.
  bool UnlockAll() {
    SqlError ignored;
    return Exec("SELECT pg_advisory_unlock_all()", {}, &ignored) != nullptr;
  }

 private:
  ConnPtr conn_;
  Dsn dsn_;
};

// "{k1,k2,...}": an int8[] parameter.
std::string ArrayLiteral(const std::vector<int64_t>& keys) {
  std::string out = "{";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(keys[i]);
  }
  return out + "}";
}

std::string ListLabels(const std::vector<std::string>& labels) {
  std::vector<std::string> shown(labels.begin(),
                                 labels.begin() + long(std::min(labels.size(), kNamesShown)));
  if (labels.size() > kNamesShown)
    shown.push_back(std::to_string(labels.size() - kNamesShown) + " more");
  if (shown.size() == 1) return shown[0];
  std::vector<std::string> head(shown.begin(), shown.end() - 1);
  return Join(head, ", ") + " and " + shown.back();
}

class PostgresHeldLocks final : public HeldLocks {
 public:
  PostgresHeldLocks(Session session, size_t count) : session_(std::move(session)), count_(count) {}
  ~PostgresHeldLocks() override { [[maybe_unused]] const Status ignored = Release(); }

  Status Check() override {
    if (!session_.open()) {
      return FailedPrecondition(
          "the PostgreSQL locks were released; lock again before changing servers");
    }
    SqlError error;
    if (session_.Exec("SELECT 1", {}, &error) != nullptr) return Status::Ok();
    return Unavailable("lost the connection that holds this run's " + CountNoun(count_, "lock") +
                       " at " + session_.dsn().redacted() + " (" + error.message +
                       "); another run may hold them now: stop changing servers and run again");
  }

  Status Release() override {
    if (!session_.open()) return Status::Ok();
    const bool unlocked = session_.UnlockAll();
    const std::string why = OneLine(PQerrorMessage(session_.get()));
    session_.Close();
    if (unlocked) return Status::Ok();
    return Unavailable("could not release the PostgreSQL locks at " + session_.dsn().redacted() +
                       " (" + session_.dsn().Scrub(why) +
                       "); PostgreSQL releases them when it notices the connection closed");
  }

 private:
  Session session_;
  size_t count_;
};

}  // namespace

std::string ApplicationName(std::string_view host_in, long pid, std::string_view run_id_in) {
  std::string host = Printable(host_in);
  const std::string run_id = Printable(run_id_in);
  const auto compose = [&] {
    return "xcert " + host + " pid " + std::to_string(pid) + " run " + run_id;
  };
  std::string name = compose();
  if (name.size() <= kMaxApplicationName) return name;
  host = host.substr(0, host.find('.'));  // "mail01.contoso.com" -> "mail01"
  name = compose();
  if (name.size() <= kMaxApplicationName) return name;
  const size_t rest = name.size() - host.size();
  constexpr size_t kMinHost = 8;
  host =
      host.substr(0, rest < kMaxApplicationName - kMinHost ? kMaxApplicationName - rest : kMinHost);
  return compose().substr(0, kMaxApplicationName);
}

PostgresLocker::PostgresLocker(PostgresLockOptions options) : options_(std::move(options)) {
  if (options_.host.empty()) options_.host = ThisHost();
  if (options_.pid == 0) options_.pid = long(::getpid());
  application_name_ = ApplicationName(options_.host, options_.pid, options_.run_id);
}

std::string PostgresLocker::Describe() const {
  return "PostgreSQL advisory locks at " + options_.dsn.redacted();
}

namespace {

// Connects with this run's application name. Keywords before "dbname" are
// defaults the connection string may override; those after it are forced.
Result<Session> Connect(const Dsn& dsn, const std::string& application_name) {
  const char* keywords[] = {
      "connect_timeout",  "keepalives", "keepalives_idle",  "keepalives_interval",
      "keepalives_count", "dbname",     "application_name", nullptr};
  const char* values[] = {
      "10", "1", "30", "10", "3", dsn.conninfo().c_str(), application_name.c_str(), nullptr};
  ConnPtr conn(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    const std::string why =
        conn ? dsn.Scrub(OneLine(PQerrorMessage(conn.get()))) : std::string("out of memory");
    return Unavailable("cannot connect to the lock database at " + dsn.redacted() + ": " + why +
                       "; check that PostgreSQL runs there and accepts this user, and the "
                       "connection string");
  }
  Session session(std::move(conn), dsn);
  // The session holds the locks: no idle or statement limit may end it, and
  // the server probes the runner's socket so that a vanished machine frees
  // its locks in about two minutes rather than hours. A runner that dies
  // while waiting for a lock is noticed during the wait (PostgreSQL 14+),
  // not only once the lock is granted to it.
  std::string setup =
      "SET statement_timeout = 0; SET lock_timeout = 0; "
      "SET idle_in_transaction_session_timeout = 0; SET tcp_keepalives_idle = 60; "
      "SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 6;";
  if (PQserverVersion(session.get()) >= 140000) {
    setup += " SET idle_session_timeout = 0; SET client_connection_check_interval = 1000;";
  }
  SqlError error;
  if (session.Exec(setup, {}, &error) == nullptr) {
    return Unavailable("the lock database at " + dsn.redacted() +
                       " refused the session settings: " + error.message);
  }
  return session;
}

struct Holder {
  std::string application_name;
  std::string client;
  std::string since;
  std::vector<std::string> labels;
};

// Who holds `keys` (other sessions' granted advisory locks), for the message.
std::string DescribeHolders(Session& session, const std::vector<KeyedLock>& wanted) {
  std::map<int64_t, const KeyedLock*> by_key;
  std::vector<int64_t> keys;
  for (const KeyedLock& k : wanted) {
    by_key[k.key] = &k;
    keys.push_back(k.key);
  }
  static const std::string kQuery =
      "SELECT l.pid, (l.classid::int8 << 32) | l.objid::int8, a.application_name, "
      "  CASE WHEN a.backend_start IS NULL THEN NULL "
      "       WHEN a.client_addr IS NULL THEN 'the local socket' "
      "       ELSE host(a.client_addr) END, "
      "  to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
      "FROM pg_locks l "
      "JOIN unnest($1::int8[]) AS w(key) ON w.key = ((l.classid::int8 << 32) | l.objid::int8) "
      "LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
      "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
      "  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
      "  AND l.pid <> pg_backend_pid() "
      "ORDER BY a.backend_start, l.pid";
  SqlError error;
  ResultPtr r = session.Exec(kQuery, {ArrayLiteral(keys)}, &error);
  if (!r) return "another session (pg_locks could not be read: " + error.message + ")";
  std::map<std::string, Holder> holders;  // by backend pid
  std::vector<std::string> order;
  for (int row = 0; row < PQntuples(r.get()); ++row) {
    const std::string pid = PQgetvalue(r.get(), row, 0);
    auto [it, inserted] = holders.try_emplace(pid);
    Holder& h = it->second;
    if (inserted) {
      order.push_back(pid);
      h.application_name = PQgetvalue(r.get(), row, 2);
      h.client = PQgetisnull(r.get(), row, 3) ? "" : PQgetvalue(r.get(), row, 3);
      h.since = PQgetisnull(r.get(), row, 4) ? "" : PQgetvalue(r.get(), row, 4);
    }
    const auto found = by_key.find(std::stoll(PQgetvalue(r.get(), row, 1)));
    if (found != by_key.end()) {
      for (const std::string& label : found->second->labels) h.labels.push_back(label);
    }
  }
  if (order.empty()) return "another session, which has released them since: run again";
  std::vector<std::string> parts;
  for (const std::string& pid : order) {
    const Holder& h = holders[pid];
    std::string who = h.application_name.empty() ? "a session without an application name"
                                                 : Quote(h.application_name);
    who += " (PostgreSQL backend pid " + pid;
    if (h.since.empty()) {
      who +=
          "; its address and start are hidden from this role: connect all runners as one "
          "role or grant pg_read_all_stats";
    } else {
      who += ", from " + h.client + ", connected since " + h.since;
    }
    who += ")";
    parts.push_back(ListLabels(h.labels) + " by " + who);
  }
  std::string text = Join(parts, "; ");
  text +=
      "; wait for that run to finish and run again (if its runner is gone but its session "
      "lingers, end it with SELECT pg_terminate_backend(" +
      order.front() + "))";
  return text;
}

// The Status for a failed locking statement; gives back what it took first
// (session locks survive a failed statement).
Status LockFailure(Session& session, const SqlError& error, const std::string& what,
                   const std::string& where, size_t count) {
  session.UnlockAll();
  if (error.sqlstate == "53200") {  // out_of_memory: the shared lock table is full
    return Unavailable("PostgreSQL's lock table is full" + where + " (" + error.message +
                       "): " + CountNoun(count, "lock") +
                       " did not fit; raise max_locks_per_transaction on that server (its "
                       "lock table holds max_locks_per_transaction x max_connections "
                       "locks, each server of a run takes one)");
  }
  return Unavailable("cannot " + what + where + ": " + error.message);
}

// pg_try_advisory_lock on every key; all or nothing.
Status TakeAtOnce(Session& session, const std::vector<KeyedLock>& locks, const std::string& keys,
                  const std::string& where) {
  SqlError error;
  ResultPtr refused = session.Exec(
      "SELECT k FROM unnest($1::int8[]) AS k WHERE NOT pg_try_advisory_lock(k)", {keys}, &error);
  if (!refused) return LockFailure(session, error, "take the locks", where, locks.size());
  if (PQntuples(refused.get()) == 0) return Status::Ok();
  session.UnlockAll();
  std::map<int64_t, const KeyedLock*> by_key;
  for (const KeyedLock& k : locks) by_key[k.key] = &k;
  std::vector<KeyedLock> held;
  for (int row = 0; row < PQntuples(refused.get()); ++row) {
    const auto found = by_key.find(std::stoll(PQgetvalue(refused.get(), row, 0)));
    if (found != by_key.end()) held.push_back(*found->second);
  }
  return Unavailable("locked by another run" + where + ": " + DescribeHolders(session, held));
}

// pg_advisory_lock on every key, within `wait_ms` in all (statement_timeout).
Status TakeWaiting(Session& session, const std::vector<KeyedLock>& locks, const std::string& keys,
                   const std::string& where, long long wait_ms) {
  SqlError error;
  if (!session.Exec("SET statement_timeout = " + std::to_string(wait_ms), {}, &error)) {
    return LockFailure(session, error, "set the wait", where, locks.size());
  }
  ResultPtr taken = session.Exec("SELECT count(pg_advisory_lock(k)) FROM unnest($1::int8[]) AS k",
                                 {keys}, &error);
  SqlError reset_error;
  const bool reset = session.Exec("SET statement_timeout = 0", {}, &reset_error) != nullptr;
  if (!taken && error.sqlstate == "57014") {  // query_canceled: the wait ran out
    session.UnlockAll();
    return Unavailable("still locked after waiting " + std::to_string(wait_ms) + " ms" + where +
                       ": " + DescribeHolders(session, locks));
  }
  if (!taken && error.sqlstate == "40P01") {  // deadlock_detected
    return LockFailure(session, error,
                       "take the locks (a session outside xcert holds some of them and waits "
                       "for another)",
                       where, locks.size());
  }
  if (!taken) return LockFailure(session, error, "take the locks", where, locks.size());
  if (!reset) return LockFailure(session, reset_error, "reset the wait", where, locks.size());
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<HeldLocks>> PostgresLocker::Lock(const LockScope& scope) {
  // An empty scope still connects: a wrong DSN shows on the first run, not
  // on the first run that changes something.
  const std::vector<KeyedLock> locks = KeysInLockOrder(scope);
  XCERT_ASSIGN_OR_RETURN(Session session, Connect(options_.dsn, application_name_));
  if (!locks.empty()) {
    // unnest yields the keys in array order: ascending, the global order.
    std::vector<int64_t> keys;
    keys.reserve(locks.size());
    for (const KeyedLock& k : locks) keys.push_back(k.key);
    const std::string array = ArrayLiteral(keys);
    const std::string where = " in " + Describe();
    // statement_timeout takes milliseconds up to INT_MAX.
    const long long wait_ms = std::min<long long>(options_.wait.count(), 2147483647);
    XCERT_RETURN_IF_ERROR(wait_ms <= 0 ? TakeAtOnce(session, locks, array, where)
                                       : TakeWaiting(session, locks, array, where, wait_ms));
  }
  return std::unique_ptr<HeldLocks>(
      std::make_unique<PostgresHeldLocks>(std::move(session), locks.size()));
}

}  // namespace xcert::lock
