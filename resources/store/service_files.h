// The files that real servers read in a local store (docs/store-format.md,
// "services/"): for each service a server binds among IIS, SMTP, IMAP and
// POP, <server>/services/<SERVICE>/ holds
//
//   cert.pem       the bound certificate alone
//   key.pem        its private key (PKCS#8), mode 0600; absent without a key
//   fullchain.pem  the certificate, then its chain (what nginx's
//                  ssl_certificate, Postfix's smtpd_tls_chain_files and
//                  Dovecot's ssl_cert want)
//
// at a path that never changes, so nginx, Postfix and Dovecot are configured
// once. SMTP may have several bound certificates: its folder holds, as
// Exchange prefers, one that is not the internal transport (default SMTP)
// certificate and not self-signed when there is such a one, then the one
// valid longest (latest NotAfter), then the larger thumbprint.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "engine/model/server_state.h"
#include "engine/util/status.h"

namespace xcert::store {

namespace fs = std::filesystem;

// The services that get a folder, and the names of the folders.
inline constexpr Service kServedServices[] = {Service::kIis, Service::kSmtp, Service::kImap,
                                              Service::kPop};
inline constexpr std::string_view kServicesDir = "services";
inline constexpr std::string_view kFullchainFile = "fullchain.pem";

// Makes <server_dir>/services match `bindings`, reading the certificates
// from <server_dir>/certificates/<THUMBPRINT>/. A service whose folder
// already holds the bound certificate is left alone (its files keep their
// inodes); any other is switched as a whole: the three files are written
// and fsynced in a work folder, which then trades places with the old one
// in one renameat2(RENAME_EXCHANGE) (a plain rename when there was none),
// the parent is fsynced, and the old files are deleted. A reader opening
// services/<SERVICE>/cert.pem and key.pem therefore sees one certificate
// and its key, old or new, never a mix. A service no longer bound loses its
// folder (renamed away, then deleted). `changed`, when given, is set to
// whether any folder changed. The caller holds the store's lock.
Status SyncServiceFiles(const fs::path& server_dir, const Bindings& bindings,
                        bool* changed = nullptr);

}  // namespace xcert::store
