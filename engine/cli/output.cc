#include "engine/cli/output.h"

#include <unistd.h>

#include <cstdlib>
#include <mutex>

namespace xcert::cli {

namespace {

bool WantColor(std::FILE* f) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  if (term && std::string_view(term) == "dumb") return false;
  return ::isatty(::fileno(f)) == 1;
}

std::mutex g_err_mutex;  // progress lines come from several apply threads

}  // namespace

Output::Output(std::FILE* out, std::FILE* err)
    : out_(out), err_(err), color_(WantColor(out)), err_color_(WantColor(err)) {}

void Output::Print(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
}

void Output::Report(const Diagnostic& d) {
  std::string line = d.ToString();
  if (err_color_) {
    const std::string label = d.severity == Severity::kError ? "error:" : "warning:";
    const std::string colored =
        d.severity == Severity::kError ? "\033[1;31merror:\033[0m" : "\033[1;35mwarning:\033[0m";
    const size_t at = line.find(" " + label);
    if (at != std::string::npos) line.replace(at + 1, label.size(), colored);
  }
  std::lock_guard<std::mutex> lock(g_err_mutex);
  std::fprintf(err_, "%s\n", line.c_str());
}

void Output::Report(const Diagnostics& ds) {
  for (const Diagnostic& d : ds.Capped(kMaxDiagnosticsPerFile)) Report(d);
}

void Output::Error(std::string_view message) {
  std::lock_guard<std::mutex> lock(g_err_mutex);
  std::fprintf(err_, "%s %.*s\n",
               err_color_ ? "\033[1;31merror:\033[0m" : "error:", int(message.size()),
               message.data());
}

void Output::Warning(std::string_view message) {
  std::lock_guard<std::mutex> lock(g_err_mutex);
  std::fprintf(err_, "%s %.*s\n",
               err_color_ ? "\033[1;35mwarning:\033[0m" : "warning:", int(message.size()),
               message.data());
}

void Output::Progress(std::string_view line) {
  std::lock_guard<std::mutex> lock(g_err_mutex);
  std::fprintf(err_, "%.*s\n", int(line.size()), line.data());
  std::fflush(err_);
}

bool Output::stdin_is_terminal() const { return ::isatty(0) == 1; }

}  // namespace xcert::cli
