// The apply journal: one append-only file of JSON lines per run in the
// journal directory (`<UTC time>-<pid>.jsonl`). Each line is written at once
// (a killed apply loses none) and the file is fsynced once, by Sync() at the
// end of the run: a sync per line would cost more than the steps themselves
// on fast ones, and a power cut that loses the tail only makes the next run
// report an interrupted run, which it would re-plan anyway. It records every step (start, done,
// skipped, failed, with thumbprints and backup paths), so an interrupted run can be told apart and
// audited. Apply never needs it to converge: every run re-reads the stores and re-plans.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

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
};

// A journal that keeps nothing (plans without a store, tests).
class NullJournal final : public Journal {
 public:
  Status Record(const std::string&, const Step*, const std::string&) override {
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

}  // namespace xcert
