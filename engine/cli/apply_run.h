// What apply and restore share to run steps against the stores
// (cmd_apply.cc).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/apply/backup.h"
#include "engine/apply/executor.h"
#include "engine/apply/journal.h"
#include "engine/cli/output.h"
#include "engine/cli/session.h"
#include "engine/plan/restore.h"

namespace xcert::cli {

// One journaled run of steps (apply, restore, finishing a rollback).
struct Run {
  std::unique_ptr<FileJournal> journal;
  std::unique_ptr<BackupSink> backups;
  // Apply's context: the session's stores and issuers, these backups and
  // journal, `clock`, progress lines on `out`. The backup password is the
  // caller's to set.
  ApplyContext ctx;
};

// Opens a new journal in `journal_dir` and records "begin" (`what`) and,
// per server of `before`, what it holds ("before"). nullopt after reporting
// the error.
std::optional<Run> StartRun(Session& session, const fs::path& journal_dir, const Clock& clock,
                            const std::string& what, const RecordedServers& before, Output& out);

// Records "end" (`result`) and puts the journal on disk; a journal that may
// be incomplete after a power cut is a warning.
void EndRun(Run& run, const std::string& result, Output& out);

// What `session` read of each server that `plan` changes: the "before" of
// a run.
RecordedServers BeforeOf(const Session& session, const Plan& plan);

// The backup password a rollback or restore may need (to import a removed
// certificate from its backup) even when the plan backs up nothing with a
// key: `plan_password` when set, else the manifest's when it sets one and it
// can be read, else "".
std::string RollbackPassword(const Session& session, const std::string& plan_password);

// The "Do you want to perform these actions?" prompt: true with
// `auto_approve` or a "yes"; else false after saying why on `out` (stdin not
// a terminal, cancelled). `what`: "apply", "restore"; `other_way` follows
// "pass --auto-approve" when stdin is not a terminal.
bool ConfirmChanges(Output& out, bool auto_approve, const std::string& what,
                    const std::string& other_way = "");

// "Apply complete! 5 steps: 4 done, 1 already done, 0 failed, 0 skipped."
// (`what` = "Apply", "Restore"; "finished with errors" unless `ok`), then a
// line per failed and skipped step, warning and blocked change.
std::string StepsSummary(std::string_view what, const Plan& plan, const ApplyReport& report,
                         bool ok);

}  // namespace xcert::cli
