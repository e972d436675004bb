// Semantic checks of the services certificates serve: each service must
// exist for the server's roles and version (EdgeTransport: SMTP only;
// UM/UMCallRouter only on 2013/2016; Federation never), a server has one
// certificate for IIS, one for IMAP and one for POP, and one that replaces
// the default SMTP certificate.
#pragma once

#include "engine/manifest/check_context.h"

namespace xcert::manifest {

void CheckServices(const CheckContext& c);

}  // namespace xcert::manifest
