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

Status FileJournal::RecordServer(const std::string& event, const std::string& server,
                                 const std::string& detail,
                                 const std::map<std::string, std::string>& observed) {
  nlohmann::ordered_json j{
      {"time", FormatIso8601(clock_.Now())}, {"run", run_}, {"event", event}, {"server", server}};
  if (!detail.empty()) j["detail"] = detail;
  if (!observed.empty()) j["observed"] = observed;
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

void Apply(const nlohmann::json& j, RunRecord* run) {
  const std::string event = j.value("event", "");
  const std::string server = j.value("server", std::string());
  if (run->began.empty()) run->began = j.value("time", std::string());
  if (event == "begin") {
    run->what = j.value("detail", std::string());
  } else if (event == "manifest") {
    run->manifest_digest = j.value("detail", std::string());
  } else if (event == "end") {
    run->result = j.value("detail", std::string("ended"));
  } else if (event == "before" && j.contains("observed") && j["observed"].is_object()) {
    auto& summary = run->before[server];
    for (const auto& [k, v] : j["observed"].items()) {
      if (v.is_string()) summary[k] = v.get<std::string>();
    }
  } else if (event == "rollback-begin") {
    run->rollback_open.insert(server);
  } else if (event == "rollback-end") {
    run->rollback_open.erase(server);
    run->rolled_back.insert(server);
  } else if (j.contains("step")) {
    if (event == "start") run->steps.insert(j.value("step", 0));
    if (event == "done" && !server.empty()) run->servers.insert(server);
    if (event == "done") {
      run->last_done = std::to_string(j.value("step", 0)) + " (" + j.value("kind", std::string()) +
                       " " + server + ")";
    }
  }
}

}  // namespace

Result<std::vector<fs::path>> JournalFiles(const fs::path& dir) {
  if (dir.has_parent_path()) XCERT_RETURN_IF_ERROR(RefuseLinksBelow(dir.parent_path(), dir));
  std::error_code ec;
  std::vector<JournalOrder> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".jsonl") continue;
    const std::string name = entry.path().filename().string();
    std::error_code time_ec;
    const fs::file_time_type modified = fs::last_write_time(entry.path(), time_ec);
    files.push_back({name.substr(0, name.find('Z') + 1), modified, entry.path()});
  }
  std::sort(files.begin(), files.end());
  std::vector<fs::path> out;
  for (const JournalOrder& f : files) out.push_back(f.path);
  return out;
}

Result<RunRecord> ReadRun(const fs::path& file) {
  XCERT_ASSIGN_OR_RETURN(std::string text, ReadFile(file, Links::kRefuse));
  RunRecord run;
  run.path = file;
  run.id = file.stem().string();
  const std::vector<std::string> lines = Split(text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    bool entry = false;
    try {
      const nlohmann::json j = nlohmann::json::parse(lines[i]);
      entry = j.is_object();
      if (entry) Apply(j, &run);
    } catch (const nlohmann::json::exception&) {
    }
    // A torn last line (no newline) is what a crash leaves: everything before
    // it still counts. Any other line that is not an entry is damage.
    const bool torn = i + 1 == lines.size() && !text.ends_with('\n');
    if (!entry && !torn && run.damaged_line == 0) run.damaged_line = i + 1;
  }
  return run;
}

std::optional<std::string> FindInterruptedRun(const fs::path& dir) {
  Result<std::vector<fs::path>> files = JournalFiles(dir);
  if (!files.ok()) return files.status().message();
  if (files->empty()) return std::nullopt;
  const fs::path& latest = files->back();
  Result<RunRecord> run = ReadRun(latest);
  if (!run.ok()) {
    // Not proof that the run finished: say so rather than stay silent.
    return latest.string() + ": cannot be read (" + run.status().message() + ")";
  }
  if (run->ended()) return std::nullopt;
  std::string out = latest.string() + ": interrupted " +
                    (run->last_done.empty() ? std::string("before any step finished")
                                            : "after step " + run->last_done);
  if (run->damaged_line) {
    out += "; line " + std::to_string(run->damaged_line) +
           " is damaged (not a journal entry) and was skipped";
  }
  return out;
}

Result<fs::path> FindRun(const fs::path& dir, const std::string& id) {
  XCERT_ASSIGN_OR_RETURN(std::vector<fs::path> files, JournalFiles(dir));
  std::vector<fs::path> matches;
  for (const fs::path& f : files) {
    const std::string stem = f.stem().string();
    if (stem == id) return f;
    if (!id.empty() && stem.starts_with(id)) matches.push_back(f);
  }
  if (matches.size() == 1) return matches.front();
  if (files.empty()) {
    return NotFound("no run is recorded in " + dir.string() + " (apply records each run there)");
  }
  if (matches.size() > 1) {
    return InvalidArgument(Quote(id) + " names " + std::to_string(matches.size()) +
                           " runs; give more of the id (xcert history lists them)");
  }
  return NotFound("no run " + Quote(id) + " in " + dir.string() +
                  "; xcert history lists the runs (latest: " + files.back().stem().string() + ")");
}

}  // namespace xcert
