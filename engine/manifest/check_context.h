// What the semantic checks share: the manifest, its JSON form (for the
// pointers of list entries), the reporter, and name indexes.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/manifest/reporter.h"
#include "engine/model/manifest.h"

namespace xcert::manifest {

class CheckContext {
 public:
  CheckContext(const Manifest& manifest, const nlohmann::json& doc, Reporter& reporter);

  const Manifest& manifest() const { return manifest_; }
  const nlohmann::json& doc() const { return doc_; }
  Reporter& reporter() const { return reporter_; }

  // Entries by their exact name (the first one when a name repeats), or null.
  const IssuerSpec* FindIssuer(const std::string& name) const;
  const ServerSpec* FindServer(const std::string& name) const;

  // Whether every entry's name could be read. When not, "unknown issuer /
  // server" errors are not reported: the name may be the broken entry's.
  bool all_issuer_names_known() const { return all_issuer_names_known_; }
  bool all_server_names_known() const { return all_server_names_known_; }

  // "/certificates/3" or "/certificates/3/<field>"; same for servers, issuers.
  static std::string Certificate(size_t index, std::string_view field = {});
  static std::string Server(size_t index, std::string_view field = {});
  static std::string Issuer(size_t index, std::string_view field = {});

  // The pointer of the entry of the list at `list_pointer` whose value is
  // `text` (e.g. which entry of "services" says "IIS"), or `list_pointer`.
  std::string EntryPointer(const std::string& list_pointer, std::string_view text) const;

  // 1-based line of the value at `pointer`, for "first at line N".
  int LineOf(const std::string& pointer) const;

 private:
  const Manifest& manifest_;
  const nlohmann::json& doc_;
  Reporter& reporter_;
  std::unordered_map<std::string, const IssuerSpec*> issuers_;
  std::unordered_map<std::string, const ServerSpec*> servers_;
  bool all_issuer_names_known_ = true;
  bool all_server_names_known_ = true;
};

// "'a', 'b', 'c'"; after `limit` names, "... and N more".
std::string KnownNames(const std::vector<std::string>& names, size_t limit = 10);

}  // namespace xcert::manifest
