// xcert store init --store DIR --server NAME --fqdn FQDN --roles ROLE[,ROLE]
//                  [--version V] [--domain D]
// Creates a server in a local store with what Exchange setup creates for its
// roles (resources/store/setup_certificates.h) and prints the certificates.
// An existing server is left as it is (exit 0, "nothing changed").
#include "engine/cli/session.h"
#include "engine/cli/store_commands.h"
#include "engine/util/strings.h"
#include "resources/store/store_init.h"

namespace xcert::cli {

namespace {

struct StoreInitFlags {
  std::string store;
  std::string server;
  std::string fqdn;
  std::vector<std::string> roles;
  std::string version = "2019";
  std::string domain;
};

Result<ServerIdentity> ParseIdentity(const StoreInitFlags& f) {
  ServerIdentity id;
  id.name = f.server;
  id.fqdn = f.fqdn;
  for (const std::string& text : f.roles) {
    std::optional<Role> role = ParseRole(Trim(text));
    if (!role) {
      return InvalidArgument("--roles: unknown role '" + text +
                             "' (known: Mailbox, ClientAccess, EdgeTransport)");
    }
    id.roles.push_back(*role);
  }
  std::optional<ExchangeVersion> version = ParseVersion(f.version);
  if (!version) {
    return InvalidArgument("--version: unknown Exchange version '" + f.version +
                           "' (known: 2013, 2016, 2019, SE)");
  }
  id.version = *version;
  return id;
}

std::string Describe(const ServerIdentity& id) {
  std::vector<std::string> roles;
  for (Role r : id.roles) roles.push_back(std::string(RoleName(r)));
  return id.fqdn + "; " + Join(roles, ", ") + "; Exchange " + std::string(VersionName(id.version));
}

std::string CertificateLine(const CertificateInfo& c) {
  std::string line = "  " + c.thumbprint + "  " + c.services.ToLetters() + "  " + c.subject;
  line += "  (" + (c.friendly_name.empty() ? std::string("no friendly name") : c.friendly_name);
  line += c.exportable ? ", exportable" : ", not exportable";
  line += ", valid until " + FormatIso8601(c.not_after).substr(0, 10) + ")";
  return line + "\n";
}

int RunStoreInit(const StoreInitFlags& flags, Output& out) {
  std::unique_ptr<Clock> clock = MakeClock(out);
  if (!clock) return kExitError;
  Result<ServerIdentity> id = ParseIdentity(flags);
  if (!id.ok()) {
    out.Error(id.status().message());
    return kExitError;
  }
  Result<store::StoreInitResult> r =
      store::InitServerStore({flags.store, *id, flags.domain}, *clock);
  if (!r.ok()) {
    out.Error(r.status().message());
    return kExitError;
  }
  if (!r->created) {
    out.Print(flags.server + " already exists in " + flags.store + "; nothing changed\n");
    const ServerIdentity& have = r->state.identity;
    if (have.fqdn != id->fqdn || have.roles != id->roles || have.version != id->version) {
      out.Warning(r->server_dir.string() + " describes " + Describe(have) +
                  "; store init never changes an existing server");
    }
    return kExitOk;
  }
  std::string text = "Created " + flags.server + " (" + Describe(*id) + ") in " + flags.store +
                     " with " + CountNoun(r->state.certificates.size(), "certificate") + ":\n";
  for (const CertificateInfo& c : r->state.certificates) text += CertificateLine(c);
  out.Print(text);
  out.Progress("List them with: xcert show --store " + flags.store + " --server " + flags.server);
  return kExitOk;
}

}  // namespace

void RegisterStoreInit(CLI::App& app, CommandAction* run) {
  auto* store = app.add_subcommand("store", "Manage a local certificate store");
  store->require_subcommand(1);
  auto* cmd = store->add_subcommand(
      "init", "Create a server in a local store with the certificates Exchange setup creates");
  auto flags = std::make_shared<StoreInitFlags>();
  cmd->add_option("--store", flags->store, "Local store folder (created when missing)")->required();
  cmd->add_option("--server", flags->server, "Server name, e.g. MailServer21")->required();
  cmd->add_option("--fqdn", flags->fqdn, "The server's FQDN")->required();
  cmd->add_option("--roles", flags->roles, "Mailbox, ClientAccess (2013 only) or EdgeTransport")
      ->required()
      ->delimiter(',');
  cmd->add_option("--version", flags->version, "Exchange version: 2013, 2016, 2019 or SE")
      ->capture_default_str();
  cmd->add_option("--domain", flags->domain,
                  "Also name DOMAIN and autodiscover.DOMAIN in the default certificate");
  cmd->callback(
      [run, flags] { *run = [flags](Output& out) { return RunStoreInit(*flags, out); }; });
}

}  // namespace xcert::cli
