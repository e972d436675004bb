// xcert store init --store DIR --server NAME --fqdn FQDN --roles ROLE[,ROLE]
//                  [--version V] [--domain D]
// xcert store init -f MANIFEST [--parallelism N]
// Creates a server in a local store with what Exchange setup creates for its
// roles (resources/store/setup_certificates.h) and prints the certificates;
// with -f, every server of the manifest, as it describes them, in parallel.
// An existing server is left as it is (exit 0, "nothing changed").
#include "engine/cli/session.h"
#include "engine/cli/store_commands.h"
#include "engine/manifest/load.h"
#include "engine/util/strings.h"
#include "resources/store/store_init.h"

namespace xcert::cli {

namespace {

struct StoreInitFlags {
  std::string manifest;  // -f: every server of this manifest
  int parallelism = 0;
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

// Without -f, the flags that name the one server are required; CLI11 cannot
// say "required unless -f", so they are checked here, in CLI11's words.
Status CheckOneServerFlags(const StoreInitFlags& f) {
  const std::pair<const char*, bool> required[] = {{"--store", !f.store.empty()},
                                                   {"--server", !f.server.empty()},
                                                   {"--fqdn", !f.fqdn.empty()},
                                                   {"--roles", !f.roles.empty()}};
  for (const auto& [flag, given] : required) {
    if (!given) {
      return InvalidArgument(std::string(flag) +
                             " is required (or -f MANIFEST for every server of a manifest); see "
                             "xcert store init --help");
    }
  }
  return Status::Ok();
}

// "MailServer22 already exists …" and, when it differs from what was asked,
// a warning: store init never changes an existing server.
void ReportExisting(const store::StoreInitResult& r, const ServerIdentity& asked,
                    const std::string& store, Output& out) {
  out.Print(asked.name + " already exists in " + store + "; nothing changed\n");
  const ServerIdentity& have = r.state.identity;
  if (!EqualsIgnoreCase(have.fqdn, asked.fqdn) || !SameRoles(have.roles, asked.roles) ||
      have.version != asked.version) {
    out.Warning(r.server_dir.string() + " describes " + Describe(have) +
                "; store init never changes an existing server");
  }
}

// store init -f: every server of the manifest, with its FQDN, roles and
// version, and the organisation's domain.
int RunStoreInitFromManifest(const StoreInitFlags& flags, const Clock& clock, Output& out) {
  LoadResult loaded = LoadManifestFile(flags.manifest);
  out.Report(loaded.diagnostics);
  if (!loaded.manifest) return kExitError;
  const Manifest& m = *loaded.manifest;
  if (m.store.type != StoreType::kLocal) {
    out.Error(m.source.Find("/store/type").ToString() + ": store init makes local stores; " +
              m.path + "'s store is of type '" + std::string(StoreTypeName(m.store.type)) +
              "', whose servers exist already");
    return kExitError;
  }
  const std::string root = m.Resolve(m.store.path);
  std::vector<ServerIdentity> ids;
  for (const ServerSpec& s : m.servers) ids.push_back({s.name, s.fqdn, s.roles, s.version});
  auto results =
      store::InitServerStores(root, ids, m.organization.domain, clock, flags.parallelism);
  if (!results.ok()) {
    out.Error(results.status().message());
    return kExitError;
  }
  size_t created = 0, failed = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    const Result<store::StoreInitResult>& r = (*results)[i];
    if (!r.ok()) {
      ++failed;
      out.Error(m.WhereServer(ids[i].name).ToString() + ": server " + Quote(ids[i].name) + ": " +
                r.status().message());
    } else if (r->created) {
      ++created;
      out.Print("Created " + ids[i].name + " (" + Describe(ids[i]) + ") with " +
                CountNoun(r->state.certificates.size(), "certificate") + "\n");
    } else {
      ReportExisting(*r, ids[i], root, out);
    }
  }
  out.Print(CountNoun(created, "server") + " created in " + root + ", " +
            std::to_string(ids.size() - created - failed) + " already there" +
            (failed ? ", " + std::to_string(failed) + " failed" : std::string()) + "\n");
  if (failed == 0 && created > 0) out.Progress("List them with: xcert show -f " + m.path);
  return failed == 0 ? kExitOk : kExitError;
}

int RunStoreInit(const StoreInitFlags& flags, Output& out) {
  std::unique_ptr<Clock> clock = MakeClock(out);
  if (!clock) return kExitError;
  if (!flags.manifest.empty()) return RunStoreInitFromManifest(flags, *clock, out);
  if (Status s = CheckOneServerFlags(flags); !s.ok()) {
    out.Error(s.message());
    return kExitError;
  }
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
    ReportExisting(*r, *id, flags.store, out);
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
  auto* file = cmd->add_option(
      "-f,--file", flags->manifest,
      "Create every server of this manifest that its local store lacks, as it describes them");
  cmd->add_option("--parallelism", flags->parallelism,
                  "With -f: servers created at once (default: one per CPU)")
      ->check(CLI::Range(1, 256))
      ->needs(file);
  const auto one = [&](CLI::Option* o) { o->excludes(file); };
  one(cmd->add_option("--store", flags->store, "Local store folder (created when missing)"));
  one(cmd->add_option("--server", flags->server, "Server name, e.g. MailServer21"));
  one(cmd->add_option("--fqdn", flags->fqdn, "The server's FQDN"));
  one(cmd->add_option("--roles", flags->roles, "Mailbox, ClientAccess (2013 only) or EdgeTransport")
          ->delimiter(','));
  one(cmd->add_option("--version", flags->version, "Exchange version: 2013, 2016, 2019 or SE")
          ->capture_default_str());
  one(cmd->add_option("--domain", flags->domain,
                      "Also name DOMAIN and autodiscover.DOMAIN in the default certificate"));
  cmd->callback(
      [run, flags] { *run = [flags](Output& out) { return RunStoreInit(*flags, out); }; });
}

}  // namespace xcert::cli
