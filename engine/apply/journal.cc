#include "engine/apply/journal.h"

#include <unistd.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "engine/util/strings.h"

namespace xcert {

Result<std::unique_ptr<FileJournal>> FileJournal::Open(const fs::path& dir, const Clock& clock) {
  XCERT_RETURN_IF_ERROR(CreateDirsDurable(dir));
  std::string stamp = FormatIso8601(clock.Now());
  std::replace(stamp.begin(), stamp.end(), ':', '-');
  const std::string run = stamp + "-" + std::to_string(::getpid());
  XCERT_ASSIGN_OR_RETURN(AppendFile file, AppendFile::Open(dir / (run + ".jsonl")));
  return std::unique_ptr<FileJournal>(new FileJournal(std::move(file), run, clock));
}

Status FileJournal::Record(const std::string& event, const Step* step, const std::string& detail) {
  nlohmann::ordered_json j{{"time", FormatIso8601(clock_.Now())}, {"run", run_}, {"event", event}};
  if (step) {
    j["step"] = step->id;
    j["kind"] = StepKindName(step->kind);
    j["server"] = step->server;
    j["certificate"] = step->certificate;
    j["thumbprint"] = step->thumbprint;
  }
  if (!detail.empty()) j["detail"] = detail;
  std::lock_guard<std::mutex> lock(mutex_);
  return file_.AppendLine(j.dump());
}

std::optional<std::string> FindInterruptedRun(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".jsonl") files.push_back(entry.path());
  }
  if (files.empty()) return std::nullopt;
  std::sort(files.begin(), files.end());
  Result<std::string> text = ReadFile(files.back());
  if (!text.ok()) return std::nullopt;
  std::string last_step;
  for (const std::string& line : Split(*text, '\n')) {
    if (line.empty()) continue;
    try {
      const nlohmann::json j = nlohmann::json::parse(line);
      const std::string event = j.value("event", "");
      if (event == "end") return std::nullopt;
      if (event == "done" && j.contains("step")) {
        last_step = std::to_string(j.value("step", 0)) + " (" + j.value("kind", std::string()) +
                    " " + j.value("server", std::string()) + ")";
      }
    } catch (const nlohmann::json::exception&) {
      // A torn last line from a crash: everything before it still counts.
    }
  }
  return files.back().string() + ": interrupted " +
         (last_step.empty() ? std::string("before any step finished") : "after step " + last_step);
}

}  // namespace xcert
