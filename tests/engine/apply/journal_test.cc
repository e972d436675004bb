// The apply journal (engine/apply/journal.h): one file of JSON lines per run,
// each line on disk before the step it announces proceeds; the next run can
// tell that the previous one was interrupted, and after which step, even
// from a journal a crash tore or something damaged.
#include "engine/apply/journal.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/util/strings.h"
#include "tests/support/model_fixtures.h"
#include "tests/support/test_util.h"

namespace xcert {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;
using xcert::testing::ReadFileOrDie;
using xcert::testing::TempDir;

TimePoint T0() { return testing::Day(2026, 11, 25) + std::chrono::hours(10); }

Step MakeStep(int id, StepKind kind, const std::string& server, const std::string& thumbprint) {
  Step s;
  s.id = id;
  s.kind = kind;
  s.server = server;
  s.certificate = "mail";
  s.thumbprint = thumbprint;
  s.summary = "step " + std::to_string(id);
  return s;
}

std::vector<nlohmann::json> Lines(const fs::path& file) {
  std::vector<nlohmann::json> out;
  for (const std::string& line : Split(ReadFileOrDie(file), '\n')) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

std::unique_ptr<FileJournal> OpenOrDie(const fs::path& dir, const Clock& clock) {
  Result<std::unique_ptr<FileJournal>> j = FileJournal::Open(dir, clock);
  EXPECT_TRUE(j.ok()) << j.status().message();
  return j.ok() ? std::move(j).value() : nullptr;
}

// Writes a journal file as an earlier run would have left it, with a
// modification time `age` seconds in the past.
fs::path WriteJournal(const fs::path& dir, const std::string& name, const std::string& text,
                      int age) {
  fs::create_directories(dir);
  const fs::path p = dir / name;
  std::ofstream(p, std::ios::binary) << text;
  fs::last_write_time(p, fs::file_time_type::clock::now() - std::chrono::seconds(age));
  return p;
}

std::string Event(const std::string& event, int step = 0, const std::string& kind = "",
                  const std::string& server = "") {
  nlohmann::ordered_json j{{"time", "2026-11-25T10:00:00Z"}, {"run", "r"}, {"event", event}};
  if (step) {
    j["step"] = step;
    j["kind"] = kind;
    j["server"] = server;
  }
  return j.dump() + "\n";
}

TEST(FileJournalTest, OpenCreatesTheFolderAndAFileNamedAfterTimeAndPid) {
  TempDir dir;
  FixedClock clock(T0());
  auto journal = OpenOrDie(dir.path() / "store/journal", clock);
  ASSERT_TRUE(journal);
  EXPECT_EQ(journal->path(), dir.path() / "store/journal" /
                                 ("2026-11-25T10-00-00Z-" + std::to_string(::getpid()) + ".jsonl"));
  EXPECT_TRUE(fs::is_regular_file(journal->path()));
  EXPECT_EQ(fs::file_size(journal->path()), 0u);
}

TEST(FileJournalTest, RecordsEveryFieldOfAStepAsOneJsonLine) {
  TempDir dir;
  FixedClock clock(T0());
  auto journal = OpenOrDie(dir.path(), clock);
  ASSERT_TRUE(journal);
  const Step backup = MakeStep(1, StepKind::kBackupExport, "MailServer21", testing::Thumb("DEF"));
  ASSERT_TRUE(journal->Record("begin", nullptr, "2 steps from a fresh plan").ok());
  ASSERT_TRUE(journal->Record("start", &backup, backup.summary).ok());
  clock.Advance(Seconds(3));
  ASSERT_TRUE(journal->Record("done", &backup, "backup written to backups/x.crt").ok());
  ASSERT_TRUE(journal->Record("end", nullptr, "").ok());

  const std::vector<nlohmann::json> lines = Lines(journal->path());
  ASSERT_EQ(lines.size(), 4u);
  const std::string run = "2026-11-25T10-00-00Z-" + std::to_string(::getpid());
  EXPECT_EQ(lines[0], nlohmann::json({{"time", "2026-11-25T10:00:00Z"},
                                      {"run", run},
                                      {"event", "begin"},
                                      {"detail", "2 steps from a fresh plan"}}));
  EXPECT_EQ(lines[2], nlohmann::json({{"time", "2026-11-25T10:00:03Z"},
                                      {"run", run},
                                      {"event", "done"},
                                      {"step", 1},
                                      {"kind", "backup-export"},
                                      {"server", "MailServer21"},
                                      {"certificate", "mail"},
                                      {"thumbprint", testing::Thumb("DEF")},
                                      {"detail", "backup written to backups/x.crt"}}));
  EXPECT_FALSE(lines[3].contains("detail")) << "an empty detail is left out";
  // Field order is stable, for people reading the file.
  EXPECT_TRUE(ReadFileOrDie(journal->path()).starts_with("{\"time\":"));
}

TEST(FileJournalTest, EachLineIsOnDiskWhenRecordReturns) {
  TempDir dir;
  FixedClock clock(T0());
  auto journal = OpenOrDie(dir.path(), clock);
  ASSERT_TRUE(journal);
  const Step s = MakeStep(4, StepKind::kRemove, "MailServer22", testing::Thumb("OLD"));
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(journal->Record("start", &s, "").ok());
    // Another reader (the next run, after a crash) sees it without any
    // close or flush: nothing is buffered in the process.
    EXPECT_EQ(Lines(journal->path()).size(), size_t(i));
  }
}

TEST(FileJournalTest, SyncPutsEveryLineOnDisk) {
  TempDir dir;
  FixedClock clock(T0());
  auto journal = OpenOrDie(dir.path(), clock);
  ASSERT_TRUE(journal);
  ASSERT_TRUE(journal->Record("begin", nullptr, "2 steps").ok());
  ASSERT_TRUE(journal->Record("end", nullptr, "ok").ok());
  EXPECT_TRUE(journal->Sync().ok());
  EXPECT_EQ(Lines(journal->path()).size(), 2u);
}

TEST(FileJournalTest, EachRunGetsItsOwnFileEvenWithinOneSecond) {
  TempDir dir;
  FixedClock clock(T0());
  auto first = OpenOrDie(dir.path(), clock);
  auto second = OpenOrDie(dir.path(), clock);
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->path(), second->path());
  ASSERT_TRUE(first->Record("begin", nullptr, "first").ok());
  ASSERT_TRUE(second->Record("begin", nullptr, "second").ok());
  ASSERT_EQ(Lines(first->path()).size(), 1u);
  ASSERT_EQ(Lines(second->path()).size(), 1u);
  EXPECT_NE(Lines(first->path())[0]["run"], Lines(second->path())[0]["run"]);
}

TEST(FileJournalTest, ConcurrentRecordsNeverInterleaveWithinALine) {
  TempDir dir;
  FixedClock clock(T0());
  auto journal = OpenOrDie(dir.path(), clock);
  ASSERT_TRUE(journal);
  const std::string long_detail(5000, 'x');  // longer than any pipe/page-sized write
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const Step s = MakeStep(t + 1, StepKind::kEnable, "MailServer" + std::to_string(t), "");
      for (int i = 0; i < 25; ++i) EXPECT_TRUE(journal->Record("start", &s, long_detail).ok());
    });
  }
  for (std::thread& t : threads) t.join();
  const std::vector<nlohmann::json> lines = Lines(journal->path());  // parse fails on a torn line
  ASSERT_EQ(lines.size(), 100u);
  for (const nlohmann::json& j : lines) EXPECT_EQ(j["detail"], long_detail);
}

TEST(FileJournalTest, FolderThatCannotBeCreatedIsAnErrorNamingIt) {
  TempDir dir;
  dir.Write("store/journal", "a file where the journal folder should be");
  FixedClock clock(T0());
  Result<std::unique_ptr<FileJournal>> j = FileJournal::Open(dir.path() / "store/journal", clock);
  ASSERT_FALSE(j.ok());
  EXPECT_THAT(j.status().message(), HasSubstr((dir.path() / "store/journal").string()));
}

TEST(FindInterruptedRunTest, NothingToReportWithoutJournals) {
  TempDir dir;
  EXPECT_EQ(FindInterruptedRun(dir.path() / "journal"), std::nullopt);  // no folder yet
  fs::create_directories(dir.path() / "journal");
  EXPECT_EQ(FindInterruptedRun(dir.path() / "journal"), std::nullopt);
  WriteJournal(dir.path() / "journal", "notes.txt", "not a journal", 0);
  EXPECT_EQ(FindInterruptedRun(dir.path() / "journal"), std::nullopt);
}

TEST(FindInterruptedRunTest, FinishedRunIsNotReported) {
  TempDir dir;
  FixedClock clock(T0());
  auto journal = OpenOrDie(dir.path(), clock);
  ASSERT_TRUE(journal);
  const Step s = MakeStep(1, StepKind::kCreate, "MailServer21", "");
  ASSERT_TRUE(journal->Record("begin", nullptr, "1 steps").ok());
  ASSERT_TRUE(journal->Record("start", &s, "").ok());
  ASSERT_TRUE(journal->Record("failed", &s, "disk full").ok());
  ASSERT_TRUE(journal->Record("end", nullptr, "with errors").ok());
  EXPECT_EQ(FindInterruptedRun(dir.path()), std::nullopt)
      << "a run that failed but finished is not interrupted";
}

TEST(FindInterruptedRunTest, KilledRunIsReportedWithItsLastFinishedStep) {
  TempDir dir;
  FixedClock clock(T0());
  const pid_t child = ::fork();
  if (child == 0) {
    // An apply that is killed in the middle of its second step.
    Result<std::unique_ptr<FileJournal>> j = FileJournal::Open(dir.path(), clock);
    if (!j.ok()) ::_exit(2);
    const Step backup = MakeStep(1, StepKind::kBackupExport, "MailServer21", testing::Thumb("DEF"));
    const Step create = MakeStep(2, StepKind::kCreate, "MailServer21", "");
    (void)(*j)->Record("begin", nullptr, "2 steps");
    (void)(*j)->Record("start", &backup, "");
    (void)(*j)->Record("done", &backup, "");
    (void)(*j)->Record("start", &create, "");
    ::kill(::getpid(), SIGKILL);
    ::_exit(3);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  const fs::path killed = dir.path() / ("2026-11-25T10-00-00Z-" + std::to_string(child) + ".jsonl");
  EXPECT_THAT(
      FindInterruptedRun(dir.path()),
      Optional(killed.string() + ": interrupted after step 1 (backup-export MailServer21)"));

  // The next run starts its own journal; once it has finished, the
  // interruption is history and no longer reported. (File times are coarse:
  // make sure the killed run's is older, as it would be in real life.)
  fs::last_write_time(killed, fs::last_write_time(killed) - std::chrono::seconds(1));
  auto next = OpenOrDie(dir.path(), clock);
  ASSERT_TRUE(next);
  EXPECT_NE(next->path(), killed);
  ASSERT_TRUE(next->Record("begin", nullptr, "1 steps").ok());
  ASSERT_TRUE(next->Record("end", nullptr, "ok").ok());
  EXPECT_EQ(FindInterruptedRun(dir.path()), std::nullopt);
  EXPECT_EQ(Lines(killed).size(), 4u) << "the interrupted journal is kept as it was, for audit";
}

TEST(FindInterruptedRunTest, RunKilledBeforeAnyStepFinished) {
  TempDir dir;
  const fs::path p = WriteJournal(dir.path(), "2026-11-25T10-00-00Z-42.jsonl",
                                  Event("begin") + Event("start", 1, "create", "MailServer21"), 0);
  EXPECT_THAT(FindInterruptedRun(dir.path()),
              Optional(p.string() + ": interrupted before any step finished"));
  const fs::path empty = WriteJournal(dir.path(), "2026-11-25T10-00-01Z-43.jsonl", "", 0);
  EXPECT_THAT(FindInterruptedRun(dir.path()),
              Optional(empty.string() + ": interrupted before any step finished"));
}

TEST(FindInterruptedRunTest, TornLastLineOfACrashIsTolerated) {
  TempDir dir;
  const std::string end = Event("end");
  const fs::path p = WriteJournal(
      dir.path(), "2026-11-25T10-00-00Z-42.jsonl",
      Event("begin") + Event("done", 3, "enable", "MailServer22") + end.substr(0, end.size() / 2),
      0);
  EXPECT_THAT(FindInterruptedRun(dir.path()),
              Optional(p.string() + ": interrupted after step 3 (enable MailServer22)"));
}

TEST(FindInterruptedRunTest, OnlyTheLatestRunCounts) {
  TempDir dir;
  WriteJournal(dir.path(), "2026-11-24T09-00-00Z-77.jsonl", Event("begin"), 3600);
  WriteJournal(dir.path(), "2026-11-25T10-00-00Z-78.jsonl", Event("begin") + Event("end"), 60);
  EXPECT_EQ(FindInterruptedRun(dir.path()), std::nullopt)
      << "an older interruption was followed by a complete run";
}

TEST(FindInterruptedRunTest, LatestRunWithinOneSecondIsFoundWhateverItsPid) {
  // Two runs in the same second (or with XCERT_NOW fixed): the pids say
  // nothing about which came last ("1000" sorts before "999").
  TempDir dir;
  WriteJournal(dir.path(), "2026-11-25T10-00-00Z-999.jsonl", Event("begin") + Event("end"), 60);
  const fs::path latest =
      WriteJournal(dir.path(), "2026-11-25T10-00-00Z-1000.jsonl",
                   Event("begin") + Event("done", 2, "import", "MailServer21"), 0);
  EXPECT_THAT(FindInterruptedRun(dir.path()),
              Optional(latest.string() + ": interrupted after step 2 (import MailServer21)"));
}

TEST(FindInterruptedRunTest, DamagedJournalIsReportedWithTheDamagedLine) {
  TempDir dir;
  const fs::path p =
      WriteJournal(dir.path(), "2026-11-25T10-00-00Z-42.jsonl",
                   Event("begin") + Event("done", 1, "backup-export", "Ex1") + "\x01\x02garbage\n" +
                       "[1,2]\n" + Event("done", 2, "create", "Ex1"),
                   0);
  const std::optional<std::string> r = FindInterruptedRun(dir.path());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, p.string() +
                    ": interrupted after step 2 (create Ex1); line 3 is damaged (not a journal "
                    "entry) and was skipped");
}

TEST(FindInterruptedRunTest, UnreadableJournalIsReportedNotIgnored) {
  TempDir dir;
  // A folder where the latest journal should be: it cannot be read.
  WriteJournal(dir.path(), "2026-11-25T09-00-00Z-41.jsonl", Event("begin") + Event("end"), 60);
  fs::create_directories(dir.path() / "2026-11-25T10-00-00Z-42.jsonl");
  const std::optional<std::string> r = FindInterruptedRun(dir.path());
  ASSERT_TRUE(r.has_value()) << "a journal that cannot be read is not proof of a finished run";
  EXPECT_THAT(
      *r, HasSubstr((dir.path() / "2026-11-25T10-00-00Z-42.jsonl").string() + ": cannot be read"));
}

TEST(NullJournalTest, AcceptsEverything) {
  NullJournal journal;
  const Step s = MakeStep(1, StepKind::kCreate, "MailServer21", "");
  EXPECT_TRUE(journal.Record("start", &s, "x").ok());
  EXPECT_TRUE(journal.Record("end", nullptr, "").ok());
}

TEST(FileJournalTest, AJournalFolderThatIsALinkIsRefusedAndReported) {
  TempDir dir;
  fs::create_directories(dir.path() / "elsewhere");
  fs::create_directories(dir.path() / "store");
  fs::create_directory_symlink(dir.path() / "elsewhere", dir.path() / "store/journal");
  const FixedClock clock(*ParseIso8601("2026-11-25T10:00:00Z"));
  Result<std::unique_ptr<FileJournal>> j = FileJournal::Open(dir.path() / "store/journal", clock);
  ASSERT_FALSE(j.ok());
  EXPECT_THAT(j.status().message(), HasSubstr("store/journal: a symbolic link"));
  EXPECT_TRUE(fs::is_empty(dir.path() / "elsewhere"));
  const std::optional<std::string> found = FindInterruptedRun(dir.path() / "store/journal");
  ASSERT_TRUE(found.has_value());
  EXPECT_THAT(*found, HasSubstr("store/journal: a symbolic link"));
}

// --- reading runs back: history, restore, an open rollback ---

TEST(ReadRunTest, ARunRecordsWhatEachServerHeldAndHowItEnded) {
  TempDir dir;
  const FixedClock clock(*ParseIso8601("2026-11-25T10:00:00Z"));
  std::unique_ptr<FileJournal> j = OpenOrDie(dir.path() / "journal", clock);
  ASSERT_TRUE(j);
  ASSERT_TRUE(j->Record("begin", nullptr, "2 steps from a fresh plan").ok());
  ASSERT_TRUE(j->RecordServer("before", "Ex1", "",
                              {{"binding/IIS", "AA"}, {"certificate/AA", "services=W"}})
                  .ok());
  const Step a = MakeStep(1, StepKind::kImport, "Ex1", "");
  const Step b = MakeStep(2, StepKind::kEnable, "Ex1", "BB");
  for (const Step* s : {&a, &b}) {
    ASSERT_TRUE(j->Record("start", s, "").ok());
    ASSERT_TRUE(j->Record("done", s, "").ok());
  }
  ASSERT_TRUE(j->RecordServer("verify-failed", "Ex1", "IIS serves AA").ok());
  ASSERT_TRUE(j->RecordServer("rollback-begin", "Ex1", "IIS serves AA").ok());
  ASSERT_TRUE(j->RecordServer("rollback-end", "Ex1", "ok").ok());
  ASSERT_TRUE(j->Record("end", nullptr, "rolled back").ok());

  Result<RunRecord> run = ReadRun(j->path());
  ASSERT_TRUE(run.ok()) << run.status().message();
  EXPECT_EQ(run->id, j->run());
  EXPECT_EQ(run->began, "2026-11-25T10:00:00Z");
  EXPECT_EQ(run->what, "2 steps from a fresh plan");
  EXPECT_EQ(run->result, "rolled back");
  EXPECT_EQ(run->steps, (std::set<int>{1, 2}));
  EXPECT_EQ(run->servers, (std::set<std::string>{"Ex1"}));
  EXPECT_EQ(run->before.at("Ex1").at("binding/IIS"), "AA");
  EXPECT_EQ(run->rolled_back, (std::set<std::string>{"Ex1"}));
  EXPECT_TRUE(run->rollback_open.empty());
}

TEST(ReadRunTest, ARollbackWithoutItsEndIsOpenAndTheRunInterrupted) {
  TempDir dir;
  const fs::path f = WriteJournal(
      dir.path(), "2026-11-25T10-00-00Z-7.jsonl",
      Event("begin") +
          R"({"time":"t","run":"r","event":"before","server":"Ex1","observed":{"binding/IIS":"AA"}})"
          "\n" +
          R"({"time":"t","run":"r","event":"rollback-begin","server":"Ex1"})"
          "\n" +
          R"({"time":"t","run":"r","event":"sta)",
      0);
  Result<RunRecord> run = ReadRun(f);
  ASSERT_TRUE(run.ok());
  EXPECT_FALSE(run->ended());
  EXPECT_EQ(run->rollback_open, (std::set<std::string>{"Ex1"}));
  EXPECT_EQ(run->damaged_line, 0u) << "a torn last line is what a kill leaves";
}

TEST(JournalFilesTest, OldestFirstAndOnlyJournals) {
  TempDir dir;
  WriteJournal(dir.path(), "2026-11-25T10-00-02Z-1.jsonl", Event("end"), 0);
  WriteJournal(dir.path(), "2026-11-25T10-00-01Z-9.jsonl", Event("end"), 0);
  WriteJournal(dir.path(), "notes.txt", "x", 0);
  Result<std::vector<fs::path>> files = JournalFiles(dir.path());
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].filename(), "2026-11-25T10-00-01Z-9.jsonl");
  EXPECT_EQ((*files)[1].filename(), "2026-11-25T10-00-02Z-1.jsonl");
  Result<std::vector<fs::path>> none = JournalFiles(dir.path() / "absent");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(FindRunTest, ExactIdOrAUniquePrefixElseWhatIsThere) {
  TempDir dir;
  WriteJournal(dir.path(), "2026-11-25T10-00-01Z-9.jsonl", Event("end"), 0);
  WriteJournal(dir.path(), "2026-11-25T10-00-02Z-1.jsonl", Event("end"), 0);
  Result<fs::path> exact = FindRun(dir.path(), "2026-11-25T10-00-01Z-9");
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->filename(), "2026-11-25T10-00-01Z-9.jsonl");
  Result<fs::path> prefix = FindRun(dir.path(), "2026-11-25T10-00-02");
  ASSERT_TRUE(prefix.ok());
  EXPECT_EQ(prefix->filename(), "2026-11-25T10-00-02Z-1.jsonl");
  Result<fs::path> both = FindRun(dir.path(), "2026-11-25");
  ASSERT_FALSE(both.ok());
  EXPECT_THAT(both.status().message(), HasSubstr("names 2 runs; give more of the id"));
  Result<fs::path> none = FindRun(dir.path(), "1999");
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.status().message(), HasSubstr("latest: 2026-11-25T10-00-02Z-1"));
  Result<fs::path> empty = FindRun(dir.path() / "absent", "x");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("no run is recorded"));
}

}  // namespace
}  // namespace xcert
