#include "resources/lock/advisory_key.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>

#include <openssl/evp.h>

#include "engine/util/strings.h"

namespace xcert::lock {

namespace {

std::string_view KindName(LockKind kind) {
  return kind == LockKind::kServer ? "server" : "organization";
}

std::string Label(LockKind kind, const std::string& name) {
  return (kind == LockKind::kServer ? "server " : "the organisation ") + Quote(name);
}

}  // namespace

std::string NamespacedName(LockKind kind, std::string_view name) {
  return "xcert:v1:" + std::string(KindName(kind)) + ":" + ToLower(name);
}

int64_t AdvisoryKey(LockKind kind, std::string_view name) {
  const std::string text = NamespacedName(kind, name);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  // Hashing memory cannot fail short of an allocation failure, and a lock
  // without its key must not be taken.
  if (EVP_Digest(text.data(), text.size(), digest.data(), &len, EVP_sha256(), nullptr) != 1 ||
      len < 8) {
    std::fprintf(stderr, "xcert: SHA-256 of a lock name failed\n");
    std::abort();
  }
  uint64_t key = 0;
  for (int i = 0; i < 8; ++i) key = (key << 8) | digest[size_t(i)];
  return static_cast<int64_t>(key);  // two's complement (C++20)
}

std::vector<KeyedLock> KeysInLockOrder(const LockScope& scope) {
  std::map<int64_t, std::vector<std::string>> keys;  // ascending, each once
  const auto add = [&](LockKind kind, const std::string& name) {
    std::vector<std::string>& labels = keys[AdvisoryKey(kind, name)];
    const std::string label = Label(kind, name);
    if (std::find(labels.begin(), labels.end(), label) == labels.end()) labels.push_back(label);
  };
  for (const std::string& server : scope.servers) add(LockKind::kServer, server);
  if (!scope.organization.empty()) add(LockKind::kOrganization, scope.organization);
  std::vector<KeyedLock> out;
  out.reserve(keys.size());
  for (auto& [key, labels] : keys) out.push_back({key, std::move(labels)});
  return out;
}

}  // namespace xcert::lock
