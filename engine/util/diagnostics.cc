#include "engine/util/diagnostics.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace xcert {

std::string Location::ToString() const {
  if (line <= 0) return file;
  std::string s = file + ":" + std::to_string(line);
  if (column > 0) s += ":" + std::to_string(column);
  return s;
}

std::string Diagnostic::ToString() const {
  std::string s = location.ToString();
  s += severity == Severity::kError ? ": error: " : ": warning: ";
  s += message;
  if (!hint.empty()) s += "; " + hint;
  return s;
}

void Diagnostics::Error(Location where, std::string message, std::string hint) {
  items_.push_back({Severity::kError, std::move(where), std::move(message), std::move(hint)});
}

void Diagnostics::Warning(Location where, std::string message, std::string hint) {
  items_.push_back({Severity::kWarning, std::move(where), std::move(message), std::move(hint)});
}

void Diagnostics::Append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

size_t Diagnostics::error_count() const {
  return std::count_if(items_.begin(), items_.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

size_t Diagnostics::warning_count() const { return items_.size() - error_count(); }

void Diagnostics::SortAndUnique() {
  auto key = [](const Diagnostic& d) {
    return std::tie(d.location, d.severity, d.message, d.hint);
  };
  std::stable_sort(items_.begin(), items_.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  items_.erase(std::unique(items_.begin(), items_.end()), items_.end());
}

std::string Diagnostics::ToString() const {
  std::string out;
  for (const Diagnostic& d : items_) out += d.ToString() + "\n";
  return out;
}

std::vector<Diagnostic> Diagnostics::Capped(size_t max_per_file) const {
  struct Dropped {
    size_t errors = 0;
    size_t warnings = 0;
  };
  std::map<std::string, size_t> shown;
  std::map<std::string, Dropped> dropped;
  std::vector<Diagnostic> out;
  for (const Diagnostic& d : items_) {
    if (shown[d.location.file] < max_per_file) {
      ++shown[d.location.file];
      out.push_back(d);
    } else if (d.severity == Severity::kError) {
      ++dropped[d.location.file].errors;
    } else {
      ++dropped[d.location.file].warnings;
    }
  }
  for (const auto& [file, n] : dropped) {
    auto count = [](size_t k, const char* noun) {
      return std::to_string(k) + " more " + noun + (k == 1 ? "" : "s");
    };
    std::string what;
    if (n.errors > 0) what = count(n.errors, "error");
    if (n.warnings > 0) what += (what.empty() ? "" : " and ") + count(n.warnings, "warning");
    out.push_back({n.errors > 0 ? Severity::kError : Severity::kWarning,
                   {file, 0, 0},
                   "\u2026 and " + what + " not shown",
                   "fix the first ones and run again"});
  }
  return out;
}

}  // namespace xcert
