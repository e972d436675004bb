#include "engine/manifest/load.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "engine/manifest/build.h"
#include "engine/manifest/json_typing.h"
#include "engine/manifest/key_material_check.h"
#include "engine/manifest/reporter.h"
#include "engine/manifest/schema_check.h"
#include "engine/manifest/semantic_check.h"
#include "engine/manifest/yaml_tree.h"

namespace xcert {

namespace {

namespace fs = std::filesystem;

// A manifest is a few kilobytes to a few megabytes (10,000 certificates are
// about 3 MB); anything far larger is not a manifest.
constexpr std::uintmax_t kMaxManifestBytes = 64u << 20;

LoadResult FileError(const std::string& path, std::string message, std::string hint) {
  LoadResult r;
  r.diagnostics.Error(Location{path, 0, 0}, std::move(message), std::move(hint));
  return r;
}

}  // namespace

LoadResult LoadManifestText(std::string_view text, const std::string& display_path,
                            const std::string& base_dir) {
  LoadResult result;
  manifest::YamlDocument yaml = manifest::ParseYaml(text, display_path);
  result.diagnostics = std::move(yaml.diagnostics);
  if (!yaml.root) {
    result.diagnostics.SortAndUnique();
    return result;
  }
  manifest::Reporter reporter(display_path, yaml.root);
  reporter.diagnostics() = std::move(result.diagnostics);
  nlohmann::json doc = manifest::ToJson(*yaml.root, reporter);
  manifest::CanonicalizeServiceNames(&doc);
  manifest::CheckKeyMaterial(doc, reporter);
  manifest::CheckSchema(doc, reporter);
  Manifest m = manifest::BuildManifest(doc, reporter);
  manifest::CheckSemantics(m, doc, reporter);
  result.diagnostics = std::move(reporter.diagnostics());
  result.diagnostics.SortAndUnique();
  if (result.diagnostics.has_errors()) return result;
  m.path = display_path;
  m.base_dir = base_dir;
  m.source.set_file(display_path);
  manifest::FillSourceMap(*yaml.root, &m.source);
  result.manifest = std::move(m);
  return result;
}

LoadResult LoadManifestFile(const std::string& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    return FileError(path, "cannot read the manifest: no such file",
                     "check the path, or pass the manifest with -f FILE");
  }
  if (fs::is_directory(status)) {
    return FileError(
        path, "cannot read the manifest: it is a directory",
        "pass the manifest file itself, e.g. -f " + (fs::path(path) / "xcert.yaml").string());
  }
  const std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > kMaxManifestBytes) {
    return FileError(path,
                     "the manifest is " + std::to_string(size >> 20) +
                         " MiB; xcert reads manifests up to 64 MiB",
                     "check that this is the right file");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    return FileError(path, "cannot read the manifest: " + std::generic_category().message(errno),
                     "check the file's permissions");
  }
  const fs::path absolute = fs::absolute(path, ec);
  const std::string base = ec ? fs::path(path).parent_path().string()
                              : absolute.parent_path().lexically_normal().string();
  return LoadManifestText(text.str(), path, base);
}

}  // namespace xcert
