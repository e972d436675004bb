#include "engine/manifest/check_context.h"

#include "engine/manifest/pointer.h"
#include "engine/util/strings.h"

namespace xcert::manifest {

namespace {

std::string Entry(std::string_view section, size_t index, std::string_view field) {
  std::string p = JoinPointer(JoinPointer("", section), index);
  return field.empty() ? p : JoinPointer(p, field);
}

template <typename T>
bool IndexNames(const std::vector<T>& items, std::string_view section, const Reporter& r,
                std::unordered_map<std::string, const T*>* index) {
  bool all_known = !r.IsBad(JoinPointer("", section));
  for (size_t i = 0; i < items.size(); ++i) {
    index->emplace(items[i].name, &items[i]);
    if (items[i].name.empty() || r.IsBad(Entry(section, i, "name"))) all_known = false;
  }
  return all_known;
}

}  // namespace

CheckContext::CheckContext(const Manifest& manifest, const nlohmann::json& doc, Reporter& reporter)
    : manifest_(manifest), doc_(doc), reporter_(reporter) {
  all_issuer_names_known_ = IndexNames(manifest.issuers, "issuers", reporter, &issuers_);
  all_server_names_known_ = IndexNames(manifest.servers, "servers", reporter, &servers_);
}

const IssuerSpec* CheckContext::FindIssuer(const std::string& name) const {
  auto it = issuers_.find(name);
  return it == issuers_.end() ? nullptr : it->second;
}

const ServerSpec* CheckContext::FindServer(const std::string& name) const {
  auto it = servers_.find(name);
  return it == servers_.end() ? nullptr : it->second;
}

std::string CheckContext::Certificate(size_t index, std::string_view field) {
  return Entry("certificates", index, field);
}
std::string CheckContext::Server(size_t index, std::string_view field) {
  return Entry("servers", index, field);
}
std::string CheckContext::Issuer(size_t index, std::string_view field) {
  return Entry("issuers", index, field);
}

std::string CheckContext::EntryPointer(const std::string& list_pointer,
                                       std::string_view text) const {
  const nlohmann::json* list = &doc_;
  for (const std::string& token : SplitPointer(list_pointer)) {
    if (list->is_object() && list->contains(token)) {
      list = &(*list)[token];
    } else if (list->is_array() && IsIndexToken(token) && std::stoul(token) < list->size()) {
      list = &(*list)[std::stoul(token)];
    } else {
      return list_pointer;
    }
  }
  if (!list->is_array()) return list_pointer;
  for (size_t i = 0; i < list->size(); ++i) {
    if ((*list)[i].is_string() && (*list)[i].get_ref<const std::string&>() == text) {
      return JoinPointer(list_pointer, i);
    }
  }
  return list_pointer;
}

int CheckContext::LineOf(const std::string& pointer) const { return reporter_.Where(pointer).line; }

std::string KnownNames(const std::vector<std::string>& names, size_t limit) {
  if (names.size() <= limit) return QuotedList(names);
  std::vector<std::string> shown(names.begin(), names.begin() + static_cast<long>(limit));
  return QuotedList(shown) + " and " + std::to_string(names.size() - limit) + " more";
}

}  // namespace xcert::manifest
