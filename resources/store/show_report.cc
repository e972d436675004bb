#include "resources/store/show_report.h"

#include <algorithm>

#include "engine/util/parallel.h"
#include "engine/util/strings.h"
#include "resources/store/chain_status.h"
#include "resources/store/local_store.h"

namespace xcert::store {

namespace {

Status CheckAsked(const std::vector<std::string>& asked, const std::vector<std::string>& known,
                  const std::string& display) {
  for (const std::string& name : asked) {
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    const std::string hint = ClosestMatch(name, known);
    return InvalidArgument(
        "--server " + name + ": " + display + " has no such server" +
        (hint.empty() ? "; servers there: " : "; did you mean " + hint + "? Servers there: ") +
        (known.empty() ? "(none)" : Join(known, ", ")));
  }
  return Status::Ok();
}

}  // namespace

std::vector<std::string> ShowReport::Problems() const {
  std::vector<std::string> out;
  for (const ShowServer& s : servers) {
    // Stores that reach a server over the network name it in their errors.
    if (!s.error.empty())
      out.push_back(s.error.starts_with(s.name + ": ") ? s.error : s.name + ": " + s.error);
    for (const std::string& p : s.state.problems) out.push_back(s.name + ": " + p);
  }
  return out;
}

Result<ShowReport> CollectLocalShow(const fs::path& root, const std::string& display,
                                    const ShowOptions& options) {
  XCERT_ASSIGN_OR_RETURN(std::vector<std::string> known, LocalStore::ListServers(root));
  if (options.require_known) XCERT_RETURN_IF_ERROR(CheckAsked(options.servers, known, display));
  ShowReport report;
  report.store = display;
  report.at = options.now;
  const std::vector<std::string>& names = options.servers.empty() ? known : options.servers;
  report.servers.resize(names.size());
  LocalStoreSet stores(root);
  ChainStatusCache chains(options.now);
  ParallelFor(names.size(), options.parallelism, [&](size_t i) {
    ShowServer& out = report.servers[i];
    out.name = names[i];
    LocalStore* store = stores.FindLocal(names[i]);
    out.dir = store->dir();
    Result<local::ServerView> view = store->Read({.chains = true});
    if (!view.ok()) {
      out.error = view.status().message();
      return;
    }
    out.state = std::move(view->state);
    out.files = std::move(view->files);
    out.status.reserve(out.state.certificates.size());
    for (size_t c = 0; c < out.state.certificates.size(); ++c) {
      CertificateInfo& cert = out.state.certificates[c];
      out.status.push_back(chains.StatusOf(cert, out.files[c].chain_der));
      // A local store records no RootCAType: it follows from the chain, as
      // Exchange computes it. Other stores report theirs.
      cert.root_ca_type = RootCaTypeOf(cert, out.status.back().status);
    }
  });
  return report;
}

ShowReport CollectShow(StoreSet& stores, const std::string& display, const ShowOptions& options) {
  ShowReport report;
  report.store = display;
  report.at = options.now;
  report.servers.resize(options.servers.size());
  ParallelFor(options.servers.size(), options.parallelism, [&](size_t i) {
    ShowServer& out = report.servers[i];
    out.name = options.servers[i];
    Store* store = stores.Find(out.name);
    if (!store) {
      out.error = "no store is configured for this server";
      return;
    }
    Result<ServerState> state = store->List();
    if (!state.ok()) {
      out.error = state.status().message();
      return;
    }
    out.state = std::move(*state);
    for (const CertificateInfo& c : out.state.certificates) out.status.push_back({c.status, ""});
  });
  return report;
}

}  // namespace xcert::store
