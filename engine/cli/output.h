// Where commands write: results to stdout, diagnostics and progress to
// stderr (through spdlog), colour only on a terminal and never with NO_COLOR.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "engine/util/diagnostics.h"

namespace xcert::cli {

class Output {
 public:
  Output(std::FILE* out, std::FILE* err);

  // Result text (plans, tables, JSON).
  void Print(std::string_view text);
  // One diagnostic line on stderr, "error:"/"warning:" coloured on a terminal.
  void Report(const Diagnostic& d);
  // Every diagnostic of `ds`, at most kMaxDiagnosticsPerFile per file (Diagnostics::Capped).
  void Report(const Diagnostics& ds);
  // One error line on stderr: "FILE:LINE:COL: error: rest" when the message
  // starts with a location ("FILE:LINE:COL: rest" or "FILE:LINE: rest"; a
  // leading "error: " in rest is not repeated), else "error: message". So every
  // error prints in one format, whether it came as a Diagnostic or a Status.
  void Error(std::string_view message);
  // The same for "warning:".
  void Warning(std::string_view message);
  // A progress line on stderr.
  void Progress(std::string_view line);

  // Whether results printed with Print may be coloured: stdout is a terminal
  // (`xcert plan > plan.txt` gets no escape codes) and NO_COLOR is unset.
  bool color() const { return color_; }
  bool stdin_is_terminal() const;

 private:
  std::FILE* out_;
  std::FILE* err_;
  bool color_;      // stdout
  bool err_color_;  // stderr: diagnostics and progress
};

}  // namespace xcert::cli
