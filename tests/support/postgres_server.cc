#include "tests/support/postgres_server.h"

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

namespace xcert::testing {

namespace {

// Names the cached initdb result; bump it when what Template makes changes.
constexpr const char* kTemplateVersion = "1";

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

PostgresServer::PostgresServer() {
  // The directory Debian keeps one version's programs in, also when initdb
  // on $PATH is a symbolic link to it.
  const std::optional<fs::path> initdb = FindProgram("initdb");
  std::error_code ec;
  if (initdb) bin_ = fs::canonical(*initdb, ec).parent_path();
  if (!initdb || ec || !fs::exists(bin_ / "postgres") || !fs::exists(bin_ / "psql")) {
    problem_ = NotInstalled("postgresql (initdb, postgres, psql)");
    return;
  }
  installed_ = true;
  problem_ = Start();
}

std::string PostgresServer::Start() {
  if (::geteuid() == 0) {
    const passwd* pw = ::getpwnam("postgres");
    const std::optional<fs::path> setpriv = FindProgram("setpriv");
    if (pw == nullptr || !setpriv) {
      return "the tests run as root, which PostgreSQL refuses, and there is no 'postgres' user "
             "(Debian's postgresql package creates it) or no setpriv (util-linux) to run as it";
    }
    as_postgres_ = {setpriv->string(), "--reuid=" + std::to_string(pw->pw_uid),
                    "--regid=" + std::to_string(pw->pw_gid), "--clear-groups", "--"};
    owner_ = {pw->pw_uid, pw->pw_gid};
  }
  fs::path made;
  if (std::string why = Template(&made); !why.empty()) return why;
  // The postgres user must reach the data directory (cp -a keeps its owner).
  fs::permissions(dir_.path(), fs::perms::others_exec | fs::perms::group_exec,
                  fs::perm_options::add);
  const fs::path data = dir_.path() / "data";
  const RunResult copy = Run({"/bin/cp", "-a", (made / "data").string(), data.string()});
  if (copy.exit_code != 0) return "cannot copy the initialised cluster: " + copy.err;

  // Another process may take the free port before postgres binds it: retry.
  for (int attempt = 0; attempt < 3 && !server_; ++attempt) {
    port_ = FreeLoopbackPort();
    server_ = std::make_unique<BackgroundProcess>(
        Concat(as_postgres_,
               {(bin_ / "postgres").string(), "-D", data.string(), "-p", std::to_string(port_),
                "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c",
                "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"}),
        dir_.path() / "postgres.log", std::map<std::string, std::string>{}, dir_.path());
    if (!server_->WaitForPort(port_)) server_.reset();
  }
  if (!server_) return "postgres did not start:\n" + ReadFileOrDie(dir_.path() / "postgres.log");
  // Listening comes before recovery ends ("the database system is starting up").
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  RunResult ready;
  while ((ready = Psql("SELECT 1")).exit_code != 0) {
    if (std::chrono::steady_clock::now() > deadline || !server_->running()) {
      return "postgres does not answer: " + ready.err + "\n" + server_->Log();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return "";
}

std::string PostgresServer::Template(fs::path* made) {
  std::string version = bin_.string();  // /usr/lib/postgresql/15/bin
  for (char& c : version) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '-';
  }
  const fs::path base =
      fs::temp_directory_path() /
      ("xcert-postgres-" + std::to_string(::geteuid()) + "-v" + kTemplateVersion + version);
  *made = base;
  const auto usable = [&] {
    struct stat st {};
    return ::lstat(base.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == ::geteuid() &&
           fs::exists(base / "data" / "PG_VERSION");
  };
  if (usable()) return "";

  // Made beside its final name and renamed into place, so that test
  // processes running in parallel never see a half-made one.
  std::string work_name = base.string() + ".XXXXXX";
  if (::mkdtemp(work_name.data()) == nullptr) return "cannot create " + work_name;
  const fs::path work = work_name;
  const fs::path data = work / "data";
  const fs::path pwfile = work / "pwfile";
  fs::permissions(work, fs::perms::others_exec | fs::perms::group_exec, fs::perm_options::add);
  fs::create_directory(data);
  std::ofstream(pwfile) << kSuperuserPassword << "\n";
  fs::permissions(pwfile, fs::perms::owner_read | fs::perms::owner_write);
  if (owner_ && (::chown(data.c_str(), owner_->first, owner_->second) != 0 ||
                 ::chown(pwfile.c_str(), owner_->first, owner_->second) != 0)) {
    return "cannot hand " + work.string() + " to the postgres user";
  }
  const RunResult init =
      Run(Concat(as_postgres_, {(bin_ / "initdb").string(), "-D", data.string(), "-U", kSuperuser,
                                "--pwfile=" + pwfile.string(), "--auth-host=scram-sha-256",
                                "--auth-local=trust", "--no-sync", "-E", "UTF8", "--locale=C"}),
          work);
  if (init.exit_code != 0) return "initdb failed:\n" + init.out + init.err;
  // The plain role, made in single-user mode: no server to start and stop.
  const RunResult role = Run(
      Concat(as_postgres_,
             {(bin_ / "postgres").string(), "--single", "-D", data.string(), "postgres"}),
      work, {}, "CREATE ROLE " + std::string(kUser) + " LOGIN PASSWORD '" + kUserPassword + "'\n");
  if (role.exit_code != 0 || (role.out + role.err).find("ERROR") != std::string::npos) {
    return "cannot create the role " + std::string(kUser) + ":\n" + role.out + role.err;
  }
  std::error_code ec;
  fs::remove(pwfile, ec);
  if (::rename(work.c_str(), base.c_str()) != 0) {
    fs::remove_all(work, ec);  // another process was faster
    if (!usable()) return "cannot keep the initialised cluster in " + base.string();
  }
  return "";
}

PostgresServer::~PostgresServer() {
  if (!server_) return;
  // Fast shutdown (SIGINT to the postmaster) ends sessions tests left open;
  // the process group's SIGTERM/SIGKILL in Stop is the fallback.
  ::kill(server_->pid(), SIGINT);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server_->running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  server_->Stop();
}

std::string PostgresServer::ConnInfo(const std::string& user, const std::string& password) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=postgres user=" + user +
         " password=" + password;
}

std::vector<std::string> PostgresServer::PsqlArgv(const std::vector<std::string>& commands,
                                                  const std::string& user) const {
  std::vector<std::string> argv = {
      (bin_ / "psql").string(), "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
      std::to_string(port_),    "-U", user,  "-d", "postgres"};
  for (const std::string& c : commands) {
    argv.push_back("-c");
    argv.push_back(c);
  }
  return argv;
}

std::map<std::string, std::string> PostgresServer::PsqlEnv(const std::string& application_name,
                                                           const std::string& password) const {
  return {{"PGPASSWORD", password}, {"PGAPPNAME", application_name}, {"PGCONNECT_TIMEOUT", "5"}};
}

RunResult PostgresServer::Psql(const std::string& sql, const std::string& application_name) const {
  return Run(PsqlArgv({sql}), {}, PsqlEnv(application_name));
}

}  // namespace xcert::testing
