// Which of the certificates bound to SMTP a server serves first, as Exchange
// prefers: not the internal transport (default SMTP) certificate, not a
// self-signed one when there is another, then the one valid longest, then the
// larger thumbprint, so that the choice is stable. One rule for the local
// store's services/SMTP folder (resources/store/service_files.cc) and for what
// verify expects SMTP to serve (resources/probe/verify.cc).
#pragma once

#include <string>
#include <tuple>

#include "engine/model/server_state.h"
#include "engine/util/time.h"

namespace xcert {

// Greater is preferred.
using SmtpRank = std::tuple<bool, bool, TimePoint, std::string>;

inline SmtpRank RankForSmtp(const Bindings& b, const std::string& thumbprint, bool self_signed,
                            TimePoint not_after) {
  return {thumbprint != b.internal_transport, !self_signed, not_after, thumbprint};
}

}  // namespace xcert
