#include "engine/apply/journal.h"

#include <unistd.h>

#include <algorithm>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/util/strings.h"

namespace xcert {

Result<std::unique_ptr<FileJournal>> FileJournal::Open(const fs::path& dir, const Clock& clock) {
  // The journal folder belongs to the store: a link there is not followed.
  if (dir.has_parent_path()) XCERT_RETURN_IF_ERROR(RefuseLinksBelow(dir.parent_path(), dir));
  XCERT_RETURN_IF_ERROR(CreateDirsDurable(dir));
  std::string stamp = FormatIso8601(clock.Now());
  std::replace(stamp.begin(), stamp.end(), ':', '-');
  // One file per run: a second run of this process within the same second
  // (or under a fixed clock) gets a numbered name instead of appending to the
  // first one's file.
  const std::string base = stamp + "-" + std::to_string(::getpid());
  std::string run = base;
  std::error_code ec;
  for (int n = 2; fs::exists(dir / (run + ".jsonl"), ec); ++n) run = base + "-" + std::to_string(n);
  XCERT_ASSIGN_OR_RETURN(AppendFile file,
                         AppendFile::Open(dir / (run + ".jsonl"), 0644, Links::kRefuse));
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

Status FileJournal::Sync() {
  std::lock_guard<std::mutex> lock(mutex_);
  return file_.Sync();
}

namespace {

// Which journal is the latest: the UTC time in its name, then its modification
// time (runs within one second, or under a fixed clock, have the same name
// time, and their pids say nothing about their order), then the name.
struct JournalOrder {
  std::string stamp;
  fs::file_time_type modified;
  fs::path path;
  bool operator<(const JournalOrder& o) const {
    return std::tie(stamp, modified, path) < std::tie(o.stamp, o.modified, o.path);
  }
};

}  // namespace

std::optional<std::string> FindInterruptedRun(const fs::path& dir) {
  std::error_code ec;
  if (dir.has_parent_path()) {
    if (Status links = RefuseLinksBelow(dir.parent_path(), dir); !links.ok()) {
      return links.message();
    }
  }
  std::vector<JournalOrder> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".jsonl") continue;
    const std::string name = entry.path().filename().string();
    std::error_code time_ec;
    const fs::file_time_type modified = fs::last_write_time(entry.path(), time_ec);
    files.push_back({name.substr(0, name.find('Z') + 1), modified, entry.path()});
  }
  if (files.empty()) return std::nullopt;
  const fs::path latest = std::max_element(files.begin(), files.end())->path;
  Result<std::string> text = ReadFile(latest, Links::kRefuse);
  if (!text.ok()) {
    // Not proof that the run finished: say so rather than stay silent.
    return latest.string() + ": cannot be read (" + text.status().message() + ")";
  }
  const std::vector<std::string> lines = Split(*text, '\n');
  std::string last_step;
  size_t damaged = 0;  // first damaged line (1-based), 0 = none
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
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
      // A torn last line (no newline) is what a crash leaves: everything
      // before it still counts. Any other line that is not an entry is damage.
      const bool torn = i + 1 == lines.size() && !text->ends_with('\n');
      if (!torn && damaged == 0) damaged = i + 1;
    }
  }
  std::string out =
      latest.string() + ": interrupted " +
      (last_step.empty() ? std::string("before any step finished") : "after step " + last_step);
  if (damaged) {
    out +=
        "; line " + std::to_string(damaged) + " is damaged (not a journal entry) and was skipped";
  }
  return out;
}

}  // namespace xcert
