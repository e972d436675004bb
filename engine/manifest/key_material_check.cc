#include "engine/manifest/key_material_check.h"

#include <string>
#include <string_view>

#include "engine/manifest/describe.h"
#include "engine/manifest/pointer.h"
#include "engine/util/quote.h"

namespace xcert::manifest {

namespace {

using json = nlohmann::json;

// The settings that name a file or folder, with an example of what belongs there.
struct PathSetting {
  std::string_view section;  // "/issuers", "/store", "/backup"
  std::string_view field;
  std::string_view example;
};

constexpr PathSetting kPathSettings[] = {
    {"/issuers", "key", "pki/ca.key"},
    {"/issuers", "certificate", "pki/ca.pem"},
    {"/issuers", "chain", "pki/chain.pem"},
    {"/issuers", "pkcs12", "certs/mail.pfx"},
    {"/issuers", "keyPasswordFile", "secrets/ca-key.pass"},
    {"/issuers", "passwordFile", "secrets/mail-pfx.pass"},
    {"/issuers", "outbox", "requests/out"},
    {"/issuers", "inbox", "requests/in"},
    {"/store", "path", "./store"},
    {"/backup", "path", "./backups"},
    {"/backup", "passwordFile", "secrets/backup.pass"},
};

const PathSetting* PathSettingAt(std::string_view pointer) {
  const std::vector<std::string> tokens = SplitPointer(pointer);
  if (tokens.empty()) return nullptr;
  const std::string section = "/" + tokens.front();
  const std::string& field = tokens.back();
  // "/issuers/<i>/<field>", "/store/<field>", "/backup/<field>".
  const size_t depth = section == "/issuers" ? 3 : 2;
  if (tokens.size() != depth) return nullptr;
  for (const PathSetting& s : kPathSettings) {
    if (s.section == section && s.field == field) return &s;
  }
  return nullptr;
}

void Report(const json& doc, const std::string& pointer, At at, Reporter& r) {
  const std::string what = at == At::kKey ? "a field name in " + DescribeValue(doc, pointer)
                                          : DescribeValue(doc, pointer);
  if (const PathSetting* s = at == At::kValue ? PathSettingAt(pointer) : nullptr) {
    r.Error(pointer,
            what +
                " holds key material (PEM or base64), not the path of a file; the value is "
                "not shown",
            "put the key material in a file readable only by you (chmod 600) and write that "
            "file's path here, e.g. '" +
                std::string(s->field) + ": " + std::string(s->example) +
                "' (relative to this manifest); then replace the key: it has been exposed",
            at);
    return;
  }
  r.Error(pointer, what + " holds key material (PEM or base64); the value is not shown",
          "key material never goes in the manifest: put it in a file readable only by you "
          "(chmod 600) and name the file in the issuer's certificate, key or pkcs12 setting",
          at);
}

void Walk(const json& doc, const json& value, const std::string& pointer, Reporter& r) {
  if (value.is_string()) {
    if (LastToken(pointer).ends_with("Env")) return;
    if (LooksLikeKeyMaterial(value.get_ref<const std::string&>())) {
      Report(doc, pointer, At::kValue, r);
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) Walk(doc, value[i], JoinPointer(pointer, i), r);
  } else if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      const std::string child = JoinPointer(pointer, it.key());
      if (LooksLikeKeyMaterial(it.key())) {
        Report(doc, child, At::kKey, r);
        continue;
      }
      Walk(doc, it.value(), child, r);
    }
  }
}

}  // namespace

void CheckKeyMaterial(const json& doc, Reporter& reporter) { Walk(doc, doc, "", reporter); }

}  // namespace xcert::manifest
