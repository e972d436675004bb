// A plan as an Exchange Management Shell script for review
// (`xcert plan --format ps1 -o plan.ps1`): an administrator reads it and runs
// it on an Exchange server, offline from xcert.
//
// The script has the same steps in the same order as the plan (backups
// first), each an Invoke-XcertStep whose body checks before it acts, so
// running it again after a stop only does what is left:
//   backup-export  skipped when the backup file exists or the certificate is
//                  gone; Export-ExchangeCertificate -BinaryEncoded, .FileData
//                  written under a temporary name then renamed
//   create         adopts a certificate an earlier run created (one xcert did
//                  not see when planning, with the same friendly name);
//                  New-ExchangeCertificate -Services None, or -GenerateRequest
//                  writing the CSR to a file the script names
//   import         skipped when the thumbprint is on the server;
//                  Import-ExchangeCertificate -FileData (never -FileName)
//   export         Export-ExchangeCertificate into memory, with a password
//                  generated in the script, for the copies on other servers
//   enable         skipped when the certificate serves the services already;
//                  SMTP never replaces the internal transport certificate
//                  unless the manifest says replaceDefaultSmtp
//   remove         skipped when the certificate is gone; refused when the
//                  server shows it is still in use
// then `iisreset <server> /noforce` once per server whose IIS certificate
// the run changed. The first error stops the script (exit 1). Steps of an
// Edge Transport server run only in that server's own shell, the others only
// outside Edge servers (an Edge server is not in Active Directory, so
// -Server cannot reach it); each run lists what it left to the other shell.
//
// Secrets never appear in the script: the backup password and file issuers'
// PKCS#12 passwords are SecureString parameters. Refused with a clear
// message (FailedPrecondition, naming the manifest line): certificates from a
// `ca` issuer (xcert signs them during apply; a script cannot carry the new
// key), file issuers given as PEM (Import-ExchangeCertificate needs a
// PKCS#12), copies between an Edge server and another server (a copy lives
// in one shell's memory), keys New-ExchangeCertificate cannot make, and UM/UMCallRouter on
// versions without UM. Version differences follow ServerSpec.version.
#pragma once

#include <string>

#include "engine/model/manifest.h"
#include "engine/plan/plan.h"
#include "engine/util/status.h"

namespace xcert::exchange {

// The script text, UTF-8 with a byte order mark (so Windows PowerShell 5.1
// reads non-ASCII names correctly).
Result<std::string> RenderPs1(const Plan& plan, const Manifest& manifest);

}  // namespace xcert::exchange
