#include "engine/manifest/reporter.h"

#include "engine/manifest/pointer.h"

namespace xcert::manifest {

Reporter::Reporter(std::string file, YamlNodePtr root)
    : file_(std::move(file)), root_(std::move(root)) {}

void Reporter::Error(std::string_view pointer, std::string message, std::string hint, At at) {
  if (IsBad(pointer)) return;
  diagnostics_.Error(Where(pointer, at), std::move(message), std::move(hint));
  MarkBad(pointer);
}

void Reporter::Warning(std::string_view pointer, std::string message, std::string hint, At at) {
  if (IsBad(pointer)) return;
  diagnostics_.Warning(Where(pointer, at), std::move(message), std::move(hint));
}

void Reporter::MarkBad(std::string_view pointer) { bad_.emplace(pointer); }

bool Reporter::IsBad(std::string_view pointer) const {
  if (bad_.empty()) return false;
  for (std::string_view p = pointer;; p = ParentPointer(p)) {
    if (bad_.find(p) != bad_.end()) return true;
    if (p.empty()) return false;
  }
}

bool Reporter::AnyBadAround(std::string_view pointer) const {
  if (IsBad(pointer)) return true;
  for (auto it = bad_.lower_bound(pointer); it != bad_.end(); ++it) {
    if (!it->starts_with(pointer)) break;
    if (IsSelfOrAncestor(pointer, *it)) return true;
  }
  return false;
}

const YamlNode* Reporter::NodeAt(std::string_view pointer) const {
  return root_ ? LookUp(*root_, pointer).value : nullptr;
}

Location Reporter::Where(std::string_view pointer, At at) const {
  if (!root_) return Location{file_, 0, 0};
  for (std::string_view p = pointer;; p = ParentPointer(p)) {
    const YamlLookup found = LookUp(*root_, p);
    if (found.value) {
      const SourcePos pos =
          at == At::kKey && found.key && p == pointer ? found.key->pos : found.value->pos;
      return Location{file_, pos.line, pos.column};
    }
    if (p.empty()) return Location{file_, 0, 0};
  }
}

}  // namespace xcert::manifest
