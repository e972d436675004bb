// Compiler-style diagnostics for user input: "FILE:LINE:COL: error: MESSAGE; HINT".
// Every manifest error and warning (and every later error that a manifest line
// caused, from diff and plan) is a Diagnostic, so users always see where.
#pragma once

#include <string>
#include <vector>

namespace xcert {

// A position in a source file. Lines and columns are 1-based; line 0 means
// "the file as a whole" and prints as "FILE: ...".
struct Location {
  std::string file;
  int line = 0;
  int column = 0;

  // "file:line:col", "file:line" (column 0) or "file".
  std::string ToString() const;
  auto operator<=>(const Location&) const = default;
};

enum class Severity { kError, kWarning };

// At most this many diagnostics are printed per file (Diagnostics::Capped).
inline constexpr size_t kMaxDiagnosticsPerFile = 50;

struct Diagnostic {
  Severity severity = Severity::kError;
  Location location;
  std::string message;  // what is wrong, naming the thing ("certificate 'mail' ...")
  std::string hint;     // what to do; may be empty

  // "file:line:col: error: message; hint"
  std::string ToString() const;
  bool operator==(const Diagnostic&) const = default;
};

// An ordered collection of diagnostics from one run.
class Diagnostics {
 public:
  void Error(Location where, std::string message, std::string hint = {});
  void Warning(Location where, std::string message, std::string hint = {});
  void Add(Diagnostic d) { items_.push_back(std::move(d)); }
  void Append(const Diagnostics& other);

  bool has_errors() const;
  size_t error_count() const;
  size_t warning_count() const;
  bool empty() const { return items_.empty(); }
  const std::vector<Diagnostic>& items() const { return items_; }

  // Sorts by position (file, line, column), errors before warnings at one
  // position, and drops exact duplicates.
  void SortAndUnique();

  // One line per diagnostic, in order.
  std::string ToString() const;

  // What to print: at most `max_per_file` diagnostics of each file, in order,
  // then, for a file that had more, one line "FILE: error: … and N more errors"
  // (or "… and N more warnings", or both counts). A generated manifest gone
  // wrong can have thousands of errors; the first ones are the ones to fix.
  std::vector<Diagnostic> Capped(size_t max_per_file) const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace xcert
