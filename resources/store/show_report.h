// What `xcert show` reports: every certificate and pending request of some
// servers, with Exchange-like status from chain verification and, for the
// local store, where each item lives. Servers are read in parallel.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/apply/executor.h"
#include "engine/model/server_state.h"
#include "engine/util/file_util.h"
#include "engine/util/time.h"
#include "resources/store/local_reader.h"
#include "resources/x509/chain.h"

namespace xcert::store {

struct ShowServer {
  std::string name;
  std::string error;  // the store of this server could not be read at all
  ServerState state;
  std::optional<fs::path> dir;            // local store only
  std::vector<local::ItemFiles> files;    // parallel to state.certificates; local store only
  std::vector<x509::ChainResult> status;  // parallel to state.certificates
};

struct ShowReport {
  std::string store;                // the store as the user named it
  TimePoint at{};                   // the time status was computed for
  std::vector<ShowServer> servers;  // in the order asked

  // Problems and unreadable servers, one line each ("MailServer21: …", the
  // name once even when the store's error starts with it).
  std::vector<std::string> Problems() const;
};

struct ShowOptions {
  std::vector<std::string> servers;  // empty: every server of the store
  // Whether every name in `servers` must have a folder (an InvalidArgument
  // otherwise); when false, a missing one is reported as that server's error.
  bool require_known = true;
  TimePoint now{};
  int parallelism = 0;  // 0: the number of cores
};

// The local store at `root` (`display` is how the user named it). With
// require_known, an unknown --server is an InvalidArgument listing the
// servers there are.
Result<ShowReport> CollectLocalShow(const fs::path& root, const std::string& display,
                                    const ShowOptions& options);

// Any stores (e.g. Exchange): status as their List reports it.
ShowReport CollectShow(StoreSet& stores, const std::string& display, const ShowOptions& options);

}  // namespace xcert::store
