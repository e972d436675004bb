// The local store's on-disk format, version 1 (docs/store-format.md): names
// and the JSON files' encoding. Decoders accept unknown fields (later
// versions of this format may add some) and refuse a newer version.
//
//   <store>/xcert-store.json                          {"format":"xcert-local-store","version":1}
//   <store>/<server>/server.json                      identity (name, fqdn, roles, version)
//   <store>/<server>/bindings.json                    which thumbprint serves what
//   <store>/<server>/certificates/<T>/cert.pem        the certificate
//   <store>/<server>/certificates/<T>/key.pem         PKCS#8 key, 0600 (absent: no key)
//   <store>/<server>/certificates/<T>/chain.pem       issuer chain (when known)
//   <store>/<server>/certificates/<T>/meta.json       friendly name, exportable, created by/at
//   <store>/<server>/requests/<ID>/{request.csr,key.pem,meta.json}   pending requests
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/model/server_state.h"
#include "engine/util/file_util.h"
#include "engine/util/status.h"
#include "resources/store/material.h"

namespace xcert::store::local {

inline constexpr int kFormatVersion = 1;
inline constexpr std::string_view kFormatName = "xcert-local-store";

inline constexpr std::string_view kRootMarker = "xcert-store.json";
inline constexpr std::string_view kServerFile = "server.json";
inline constexpr std::string_view kBindingsFile = "bindings.json";
inline constexpr std::string_view kCertificatesDir = "certificates";
inline constexpr std::string_view kRequestsDir = "requests";
inline constexpr std::string_view kCertFile = "cert.pem";
inline constexpr std::string_view kKeyFile = "key.pem";
inline constexpr std::string_view kChainFile = "chain.pem";
inline constexpr std::string_view kMetaFile = "meta.json";
inline constexpr std::string_view kRequestFile = "request.csr";
// Entries of <store> that are not servers (the writer lock and apply journals).
inline constexpr std::string_view kLockFile = "xcert.lock";
inline constexpr std::string_view kJournalDir = "journal";
// Prefixes of work-in-progress entries that readers ignore and writers clean.
inline constexpr std::string_view kTempPrefix = ".tmp-";
inline constexpr std::string_view kTrashPrefix = ".trash-";

// Why `name` cannot be a server folder, or "": letters, digits, '-', '_' and
// '.', not starting with '.', at most 64 characters, not a reserved name.
std::string WhyInvalidServerName(std::string_view name);

std::string EncodeRootMarker();
// OK when `root` holds a marker of this format and a version this build
// reads; otherwise an error naming the path and what to do.
Status CheckRoot(const fs::path& root);

std::string EncodeServer(const ServerIdentity& identity);
// Errors are InvalidArgument with the reason only (the caller adds the path).
Result<ServerIdentity> DecodeServer(std::string_view text);

std::string EncodeBindings(const Bindings& bindings);
Result<Bindings> DecodeBindings(std::string_view text);

std::string EncodeMeta(const ItemMeta& meta);
Result<ItemMeta> DecodeMeta(std::string_view text);

// The PEM text of a chain (one CERTIFICATE block per certificate).
std::string EncodeChain(const std::vector<std::string>& chain_der);

// A unique name for a work-in-progress entry: prefix + "<pid>-<random>".
std::string WorkName(std::string_view prefix);
// Whether a work-in-progress entry (".tmp-<pid>-…", ".trash-<pid>-…", or a
// WriteFileAtomic temp "<name>.tmp.<pid>.…") belongs to a process other than
// this one: then it is a crash's leftover (writers hold the store lock).
bool IsStaleWork(std::string_view name);
// Whether a work entry belongs to a process that no longer runs: a crash's
// leftover even in a folder that no lock guards (backups). Entries without a
// pid are not.
bool IsDeadWork(std::string_view name);
// Whether `name` is any work-in-progress entry.
bool IsWork(std::string_view name);

}  // namespace xcert::store::local
