#include "engine/cli/output.h"

#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <regex>
#include <string>
#include <utility>

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

// Splits "FILE:LINE[:COL]: rest" into the location and the rest, so that a
// message which names where it happened prints as a compiler would print it.
// Returns an empty location when the message does not start with one.
std::pair<std::string_view, std::string_view> SplitLocation(std::string_view message) {
  static const std::regex location(R"([^\n\t:][^\n\t]*:[0-9]+(:[0-9]+)?)");
  const size_t end = message.find(": ");
  if (end == std::string_view::npos) return {{}, message};
  const std::string_view head = message.substr(0, end);
  if (!std::regex_match(head.begin(), head.end(), location)) return {{}, message};
  return {head, message.substr(end + 2)};
}

// "LOCATION: LABEL rest" when the message starts with a location (dropping a
// label the message already carries), else "LABEL message".
std::string Labelled(std::string_view label, std::string_view colored_label,
                     std::string_view message) {
  auto [where, rest] = SplitLocation(message);
  const std::string plain = std::string(label) + " ";
  if (rest.substr(0, plain.size()) == plain) rest.remove_prefix(plain.size());
  std::string line;
  if (!where.empty()) line.append(where).append(": ");
  line.append(colored_label).append(" ").append(rest);
  return line;
}

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
  const std::string line =
      Labelled("error:", err_color_ ? "\033[1;31merror:\033[0m" : "error:", message);
  std::lock_guard<std::mutex> lock(g_err_mutex);
  std::fprintf(err_, "%s\n", line.c_str());
}

void Output::Warning(std::string_view message) {
  const std::string line =
      Labelled("warning:", err_color_ ? "\033[1;35mwarning:\033[0m" : "warning:", message);
  std::lock_guard<std::mutex> lock(g_err_mutex);
  std::fprintf(err_, "%s\n", line.c_str());
}

void Output::Progress(std::string_view line) {
  std::lock_guard<std::mutex> lock(g_err_mutex);
  std::fprintf(err_, "%.*s\n", int(line.size()), line.data());
  std::fflush(err_);
}

bool Output::stdin_is_terminal() const { return ::isatty(0) == 1; }

}  // namespace xcert::cli
