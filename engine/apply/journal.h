// The apply journal: one append-only file of JSON lines per run in the
// journal directory (`<UTC time>-<pid>.jsonl`). Each line is written at once
// (a killed apply loses none) and the file is fsynced once, by Sync() at the
// end of the run: a sync per line would cost more than the steps themselves
// on fast ones, and a power cut that loses the tail only makes the next run
// report an interrupted run, which it would re-plan anyway. It records every step (start, done,
// skipped, failed, with thumbprints and backup paths), so an interrupted run can be told apart and
// audited. Apply never needs it to converge: every run re-reads the stores and re-plans.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/plan/plan.h"
#include "engine/util/file_util.h"
#include "engine/util/status.h"
#include "engine/util/time.h"

namespace xcert {

class Journal {
 public:
  virtual ~Journal() = default;
  // Appends one event. Thread-safe.
  virtual Status Record(const std::string& event, const Step* step, const std::string& detail) = 0;
  // Appends one event about a whole server: "before" (with `observed`, what
  // the server held before the run: ObservedSummary, for rollback and
  // restore), "verified", "verify-failed", "rollback-begin", "rollback-end".
  virtual Status RecordServer(const std::string& event, const std::string& server,
                              const std::string& detail,
                              const std::map<std::string, std::string>& observed = {}) = 0;
};

// A journal that keeps nothing (plans without a store, tests).
class NullJournal final : public Journal {
 public:
  Status Record(const std::string&, const Step*, const std::string&) override {
    return Status::Ok();
  }
  Status RecordServer(const std::string&, const std::string&, const std::string&,
                      const std::map<std::string, std::string>&) override {
    return Status::Ok();
  }
};

class FileJournal final : public Journal {
 public:
  // Creates the directory if needed and opens a new journal file for a run
  // (numbered "-2", "-3", ... if this process already opened one this second).
  // DataLoss when `dir` or the file is a symbolic link: it is never followed.
  static Result<std::unique_ptr<FileJournal>> Open(const fs::path& dir, const Clock& clock);

  Status Record(const std::string& event, const Step* step, const std::string& detail) override;
  Status RecordServer(const std::string& event, const std::string& server,
                      const std::string& detail,
                      const std::map<std::string, std::string>& observed = {}) override;
  const std::string& run() const { return run_; }
  // Puts every recorded line on disk.
  Status Sync();
  const fs::path& path() const { return file_.path(); }

 private:
  FileJournal(AppendFile file, std::string run, const Clock& clock)
      : file_(std::move(file)), run_(std::move(run)), clock_(clock) {}
  std::mutex mutex_;
  AppendFile file_;
  std::string run_;
  const Clock& clock_;
};

// The latest journal in `dir` (by the time in its name, then by modification
// time: runs within one second, or under a fixed clock, share the name time)
// when its run did not record "end" (it was killed or crashed):
// "<file>: interrupted after step N (kind server)". A torn last line (a
// crash) is ignored; another line that is not an entry is named ("; line 7
// is damaged (not a journal entry) and was skipped"); a journal that cannot
// be read gives "<file>: cannot be read (<reason>)" rather than silence,
// and a `dir` that is a symbolic link "<dir>: a symbolic link, …".
std::optional<std::string> FindInterruptedRun(const fs::path& dir);

// One run as its journal file tells it.
struct RunRecord {
  std::string id;  // the file name without ".jsonl": what `xcert restore` takes
  fs::path path;
  std::string began;  // time of the first entry (ISO 8601)
  std::string what;   // the "begin" entry's detail ("3 steps from a fresh plan", "restore of …")
  // Apply runs: the SHA-256 of the manifest their plan was made from (the
  // "manifest" entry), which tells a saved plan that was applied already.
  std::string manifest_digest;
  // The "end" entry's detail ("ok", "with errors", "rolled back"); "" when
  // the run did not end (killed, crashed, or still running).
  std::string result;
  std::set<std::string> servers;  // servers its steps changed
  std::set<int> steps;            // ids of the steps it started
  std::string last_done;          // "3 (enable MailServer21)"
  // What each server held before the run ("before" entries).
  std::map<std::string, std::map<std::string, std::string>> before;
  std::set<std::string> rolled_back;    // rollback began and ended
  std::set<std::string> rollback_open;  // rollback began and did not end
  size_t damaged_line = 0;              // first line that is not an entry (1-based), 0 = none

  bool ended() const { return !result.empty(); }
};

// Reads one journal file. A torn last line (a crash) is ignored.
Result<RunRecord> ReadRun(const fs::path& file);

// The journal files in `dir`, oldest first (by the time in the name, then
// modification time, then name). Empty when `dir` does not exist; an error
// when it is a symbolic link.
Result<std::vector<fs::path>> JournalFiles(const fs::path& dir);

// The journal of run `id` in `dir`: its exact id, or the one run whose id
// starts with `id`. The error lists what is there.
Result<fs::path> FindRun(const fs::path& dir, const std::string& id);

}  // namespace xcert
