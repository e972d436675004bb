// Apply (engine/apply/executor.h) against in-memory stores, a fake CA, an
// in-memory backup sink and journal: the order steps run in, what runs in
// parallel, what a failure stops and what it does not, re-runs, backups
// before changes, and the report.
#include "engine/apply/executor.h"

#include <numeric>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "resources/x509/pkcs12.h"
#include "tests/engine/apply/apply_test_util.h"

namespace xcert {
namespace {

using namespace xcert::apply_testing;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

const std::vector<std::string> kThree = {"Ex1", "Ex2", "Ex3"};

// The outcome of the step of `kind` on `server` (the first, or the one whose
// services include `services`).
const StepOutcome& OutcomeOf(const Plan& plan, const ApplyReport& report, StepKind kind,
                             const std::string& server, ServiceSet services = {}) {
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& s = plan.steps[i];
    if (s.kind == kind && s.server == server && s.services.Contains(services)) {
      return report.outcomes[i];
    }
  }
  ADD_FAILURE() << "no " << StepKindName(kind) << " step on " << server;
  static const StepOutcome none;
  return none;
}

std::vector<StepStatus> Statuses(const ApplyReport& r) {
  std::vector<StepStatus> out;
  for (const StepOutcome& o : r.outcomes) out.push_back(o.status);
  return out;
}

// Position of the first trace event matching, or npos.
size_t IndexOf(const std::vector<TraceEvent>& events, const std::string& op,
               const std::string& server, bool begin, const std::string& arg = "") {
  for (size_t i = 0; i < events.size(); ++i) {
    const TraceEvent& e = events[i];
    if (e.op == op && e.server == server && e.begin == begin && (arg.empty() || e.arg == arg)) {
      return i;
    }
  }
  return std::string::npos;
}

// --- order ---

TEST(ApplyTest, EveryStepStartsAfterTheStepsItDependsOnFinished) {
  World w;
  for (const std::string& s : kThree) w.AddServer(s);
  const Plan plan = w.MakePlan(testing::DesiredOf({Mail(kThree)}, {CaFacts()}));
  ASSERT_THAT(plan.steps, SizeIs(16));  // 3 backups, 1 issue, 3 imports, 9 enables

  const ApplyReport report = w.Apply(plan, 8);
  ASSERT_TRUE(report.ok());
  EXPECT_THAT(Statuses(report), Each(StepStatus::kDone));

  // The journal shows when each step started and finished.
  std::map<int, size_t> started, finished;
  const std::vector<JournalEntry> journal = w.journal().entries();
  for (size_t i = 0; i < journal.size(); ++i) {
    if (journal[i].event == "start") started[journal[i].step] = i;
    if (journal[i].event == "done") finished[journal[i].step] = i;
  }
  ASSERT_EQ(started.size(), plan.steps.size());
  ASSERT_EQ(finished.size(), plan.steps.size());
  for (const Step& s : plan.steps) {
    EXPECT_LT(started[s.id], finished[s.id]);
    for (int d : s.depends_on) {
      EXPECT_LT(finished[d], started[s.id])
          << "step " << s.id << " (" << s.summary << ") started before step " << d << " finished";
    }
  }
}

TEST(ApplyTest, StepsOfOneServerKeepTheirOrderWhileServersInterleave) {
  World w;
  for (const std::string& s : kThree) w.AddServer(s);
  const Plan plan = w.MakePlan(testing::DesiredOf({Mail(kThree)}, {CaFacts()}));
  ASSERT_TRUE(w.Apply(plan, 8).ok());

  const std::vector<TraceEvent> events = w.trace().events();
  for (const std::string& server : kThree) {
    SCOPED_TRACE(server);
    // Backups end before the server's first change begins.
    const size_t backup_end = IndexOf(events, "Save", server, false);
    ASSERT_NE(backup_end, std::string::npos);
    for (const TraceEvent& e : events) {
      if (e.server == server && e.begin && Trace::IsMutation(e.op)) {
        EXPECT_GT(e.seq, events[backup_end].seq) << e.op << " before the backup was written";
      }
    }
    // Import, then the enables one at a time: IIS, IMAP/POP, SMTP.
    std::vector<std::string> changes;
    int open = 0;
    for (const TraceEvent& e : events) {
      if (e.server != server || !Trace::IsMutation(e.op)) continue;
      if (e.begin) {
        EXPECT_EQ(open++, 0) << e.op << " " << e.arg << " overlaps another change";
        changes.push_back(e.op + " " + e.arg);
      } else {
        --open;
      }
    }
    EXPECT_THAT(changes, ElementsAre("Import ", "Enable IIS", "Enable IMAP, POP", "Enable SMTP"));
  }
}

// --- parallelism ---

TEST(ApplyTest, IndependentServersRunInParallel) {
  World w;
  for (const std::string& s : kThree) w.AddServer(s);
  const Plan plan = w.MakePlan(testing::DesiredOf({Mail(kThree)}, {CaFacts()}));
  // Each server's first step is its backup; with three workers all three are
  // in progress at once, or this rendezvous times out.
  Rendezvous all_three(3);
  w.backups().set_rendezvous(&all_three);
  const ApplyReport report = w.Apply(plan, 3);
  EXPECT_TRUE(all_three.reached()) << "the backups of three servers did not run at the same time";
  EXPECT_TRUE(report.ok());
}

TEST(ApplyTest, KeyGenerationForDifferentCertificatesRunsInParallel) {
  World w;
  w.AddServer("Ex1");
  DesiredCertificate a = Mail({"Ex1"}, "self");
  a.name = a.artifact = a.friendly_name = "imap";
  a.subject = "CN=imap.pocket-consultant.com";
  a.dns_names = {"imap.pocket-consultant.com"};
  a.services = ServiceSet{Service::kImap};
  DesiredCertificate b = Mail({"Ex1"}, "self");
  b.name = b.artifact = b.friendly_name = "pop";
  b.subject = "CN=pop.pocket-consultant.com";
  b.dns_names = {"pop.pocket-consultant.com"};
  b.services = ServiceSet{Service::kPop};
  IssuerFacts self;
  self.name = "self";
  const Plan plan = w.MakePlan(testing::DesiredOf({a, b}, {self}));
  ASSERT_EQ(plan.CountOf(StepKind::kCreate), 2u);

  Rendezvous both(2);
  w.stores().traced("Ex1").set_hook([&both](const std::string& op, const std::string&) {
    if (op == "Create") both.Arrive();
    return Status::Ok();
  });
  const ApplyReport report = w.Apply(plan, 2);
  EXPECT_TRUE(both.reached()) << "the two creates on Ex1 did not run at the same time";
  EXPECT_TRUE(report.ok());
}

TEST(ApplyTest, ParallelismOneRunsOneThingAtATime) {
  World w;
  for (const std::string& s : kThree) w.AddServer(s);
  const Plan plan = w.MakePlan(testing::DesiredOf({Mail(kThree)}, {CaFacts()}));
  w.trace().RestartMaxActive();  // planning read the servers in parallel
  const ApplyReport report = w.Apply(plan, 1);
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(w.trace().max_active(), 1);
  // One worker takes ready steps in plan order: the journal is the plan.
  std::vector<int> started;
  for (const JournalEntry& e : w.journal().entries()) {
    if (e.event == "start") started.push_back(e.step);
  }
  std::vector<int> ids;
  for (const Step& s : plan.steps) ids.push_back(s.id);
  EXPECT_EQ(started, ids);
}

TEST(ApplyTest, DefaultParallelismFinishesEveryStep) {
  World w;
  for (const std::string& s : kThree) w.AddServer(s);
  const Plan plan = w.MakePlan(testing::DesiredOf({Mail(kThree)}, {CaFacts()}));
  const ApplyReport report = w.Apply(plan, 0);  // the number of cores
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.Count(StepStatus::kDone), plan.steps.size());
}

// --- failures ---

TEST(ApplyTest, FailedStepSkipsItsDependentsAndOtherServersFinish) {
  World w;
  for (const std::string& s : kThree) w.AddServer(s);
  const Desired desired = testing::DesiredOf({Mail(kThree)}, {CaFacts()});
  const Plan plan = w.MakePlan(desired);
  w.stores().traced("Ex2").set_hook([](const std::string& op, const std::string&) {
    return op == "Import" ? IoError("Ex2: disk full") : Status::Ok();
  });
  std::vector<std::string> progress;
  ApplyContext ctx = w.Context();
  ctx.progress = [&](const Step& s, const StepOutcome& o, int, int) {
    progress.push_back(std::string(StepStatusName(o.status)) + " " +
                       std::string(StepKindName(s.kind)) + " " + s.server);
  };
  const ApplyReport report = Apply(plan, ctx, ApplyOptions{4});

  EXPECT_FALSE(report.ok());
  const StepOutcome& import2 = OutcomeOf(plan, report, StepKind::kImport, "Ex2");
  EXPECT_EQ(import2.status, StepStatus::kFailed);
  EXPECT_EQ(import2.detail, "Ex2: disk full");
  const StepOutcome& iis2 =
      OutcomeOf(plan, report, StepKind::kEnable, "Ex2", ServiceSet{Service::kIis});
  EXPECT_EQ(iis2.status, StepStatus::kSkipped);
  EXPECT_EQ(iis2.detail, "not run because step " + std::to_string(import2.step) +
                             " (import 'mail' issued by corp-ca on Ex2) failed");
  const StepOutcome& smtp2 =
      OutcomeOf(plan, report, StepKind::kEnable, "Ex2", ServiceSet{Service::kSmtp});
  EXPECT_EQ(smtp2.status, StepStatus::kSkipped);
  EXPECT_THAT(smtp2.detail, StartsWith("not run because step "));
  EXPECT_EQ(report.Count(StepStatus::kFailed), 1u);
  EXPECT_EQ(report.Count(StepStatus::kSkipped), 3u);  // Ex2's three enables
  EXPECT_EQ(report.Count(StepStatus::kDone), plan.steps.size() - 4);
  for (const char* server : {"Ex1", "Ex3"}) {
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      if (plan.steps[i].server == server) {
        EXPECT_EQ(report.outcomes[i].status, StepStatus::kDone);
      }
    }
  }
  // Skipped steps never touched the store, and are reported and journaled.
  for (const TraceEvent& e : w.trace().events()) {
    if (e.server == "Ex2") {
      EXPECT_NE(e.op, "Enable");
    }
  }
  EXPECT_THAT(progress, Contains("failed import Ex2"));
  EXPECT_EQ(std::count(progress.begin(), progress.end(), "skipped enable Ex2"), 3);
  EXPECT_THAT(w.journal().entries(),
              Contains(AllOf(Field(&JournalEntry::event, "failed"),
                             Field(&JournalEntry::detail, "Ex2: disk full"))));
  int skipped = 0;
  for (const JournalEntry& e : w.journal().entries()) skipped += e.event == "skipped";
  EXPECT_EQ(skipped, 3);

  // The next run has only Ex2 left to do.
  w.stores().traced("Ex2").set_hook(nullptr);
  const Plan rest = w.MakePlan(desired);
  ASSERT_FALSE(rest.empty());
  for (const Step& s : rest.steps) {
    // Ex1 and Ex3 are done: at most the source of a copy for Ex2.
    if (s.server != "Ex2") {
      EXPECT_EQ(s.kind, StepKind::kExport) << s.summary;
    }
  }
  EXPECT_TRUE(w.Apply(rest).ok());
  EXPECT_TRUE(w.MakePlan(desired).empty());
}

TEST(ApplyTest, JournalHasStartAndOutcomeOfRunStepsAndOnlyTheSkipOfSkippedOnes) {
  World w;
  w.AddServer("Ex1");
  w.AddServer("Ex2");
  const Plan plan = w.MakePlan(testing::DesiredOf({Mail({"Ex1", "Ex2"})}, {CaFacts()}));
  w.stores().traced("Ex2").set_hook([](const std::string& op, const std::string& arg) {
    return op == "Enable" && arg == "IMAP, POP" ? IoError("IMAP4 service missing") : Status::Ok();
  });
  const ApplyReport report = w.Apply(plan);
  std::map<int, std::vector<std::string>> events;
  for (const JournalEntry& e : w.journal().entries()) events[e.step].push_back(e.event);
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const std::vector<std::string>& got = events[plan.steps[i].id];
    switch (report.outcomes[i].status) {
      case StepStatus::kDone: EXPECT_THAT(got, ElementsAre("start", "done")); break;
      case StepStatus::kAlreadyDone: EXPECT_THAT(got, ElementsAre("start", "already-done")); break;
      case StepStatus::kFailed: EXPECT_THAT(got, ElementsAre("start", "failed")); break;
      case StepStatus::kSkipped: EXPECT_THAT(got, ElementsAre("skipped")); break;
      case StepStatus::kNotRun: ADD_FAILURE() << "step " << plan.steps[i].id << " not run"; break;
    }
  }
  EXPECT_EQ(report.Count(StepStatus::kFailed), 1u);
  EXPECT_EQ(report.Count(StepStatus::kSkipped), 1u);  // Ex2's SMTP, chained after IMAP/POP
}

TEST(ApplyTest, SecretsNeverReachTheJournalOrTheReport) {
  World w;
  const store::StoredCertificate mail =
      CaSigned("CN=mail.pocket-consultant.com",
               {"mail.pocket-consultant.com", "autodiscover.pocket-consultant.com"}, true, "mail");
  w.AddServer("Ex1", {mail});
  w.AddServer("Ex2");
  w.AddServer("Ex3");
  // Ex1 -> Ex2 is copied (export with a transit password); Ex3's per-server
  // certificate is issued (a PEM bundle with its key, in memory).
  DesiredCertificate host = Mail({"Ex3"});
  host.name = host.artifact = host.friendly_name = "host";
  host.subject = "CN=ex3.pocket-consultant.com";
  host.dns_names = {"ex3.pocket-consultant.com"};
  host.services = ServiceSet{Service::kSmtp};
  const Plan plan = w.MakePlan(testing::DesiredOf({Mail({"Ex1", "Ex2"}), host}, {CaFacts()}));
  ASSERT_EQ(plan.CountOf(StepKind::kExport), 1u);
  ASSERT_EQ(plan.CountOf(StepKind::kIssue), 1u);
  const ApplyReport report = w.Apply(plan);
  ASSERT_TRUE(report.ok());
  std::string everything;
  for (const JournalEntry& e : w.journal().entries()) everything += e.detail + "\n";
  for (const StepOutcome& o : report.outcomes) everything += o.detail + "\n";
  for (const std::string& warning : report.warnings) everything += warning + "\n";
  EXPECT_THAT(everything, Not(HasSubstr("PRIVATE KEY")));
  EXPECT_THAT(everything, Not(HasSubstr("backup-password")));
  EXPECT_THAT(everything, HasSubstr("(kept in memory for the copies)"));
}

TEST(ApplyTest, FailedIssueSkipsEveryImportButNotTheBackups) {
  World w;
  for (const std::string& s : kThree) w.AddServer(s);
  const Plan plan = w.MakePlan(testing::DesiredOf({Mail(kThree)}, {CaFacts()}));
  w.ca().set_fail("the CA key is locked");
  const ApplyReport report = w.Apply(plan);
  EXPECT_EQ(report.Count(StepStatus::kFailed), 1u);
  EXPECT_EQ(report.Count(StepStatus::kDone), 3u);      // the backups
  EXPECT_EQ(report.Count(StepStatus::kSkipped), 12u);  // imports and enables everywhere
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    if (plan.steps[i].kind == StepKind::kIssue) {
      EXPECT_EQ(report.outcomes[i].detail, "the CA key is locked");
    }
    if (plan.steps[i].kind == StepKind::kEnable) {
      EXPECT_THAT(report.outcomes[i].detail, HasSubstr("not run because step"));
    }
  }
  // Nothing on any server changed.
  for (const TraceEvent& e : w.trace().events()) EXPECT_FALSE(Trace::IsMutation(e.op)) << e.op;
}

TEST(ApplyTest, FailedBackupStopsEveryChangeOfItsServer) {
  World w;
  for (const std::string& s : kThree) w.AddServer(s);
  const Plan plan = w.MakePlan(testing::DesiredOf({Mail(kThree)}, {CaFacts()}));
  const ActualState before = w.Observe();
  ApplyContext ctx = w.Context();
  ctx.backups = nullptr;  // apply without a backup folder
  const ApplyReport report = Apply(plan, ctx, ApplyOptions{4});
  EXPECT_FALSE(report.ok());
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& s = plan.steps[i];
    if (s.kind == StepKind::kBackupExport) {
      EXPECT_EQ(report.outcomes[i].status, StepStatus::kFailed);
      EXPECT_EQ(report.outcomes[i].detail, "no backup folder is configured");
    } else if (!s.server.empty()) {
      EXPECT_EQ(report.outcomes[i].status, StepStatus::kSkipped) << s.summary;
    }
  }
  const ActualState after = w.Observe();
  for (const std::string& s : kThree) {
    EXPECT_EQ(after.at(s).Fingerprint(), before.at(s).Fingerprint()) << s << " was changed";
  }
}

TEST(ApplyTest, ServerWithoutAStoreFailsItsStepsOnly) {
  World w;
  w.AddServer("Ex1");
  w.AddServer("Ex2");
  const Plan plan = w.MakePlan(testing::DesiredOf({Mail({"Ex1", "Ex2"})}, {CaFacts()}));
  // Ex2's store disappears between plan and apply.
  class Without final : public StoreSet {
   public:
    explicit Without(StoreSet* inner) : inner_(inner) {}
    Store* Find(const std::string& s) override { return s == "Ex2" ? nullptr : inner_->Find(s); }
    StoreSet* inner_;
  } without(&w.stores());
  ApplyContext ctx = w.Context();
  ctx.stores = &without;
  const ApplyReport report = Apply(plan, ctx, ApplyOptions{2});
  const StepOutcome& backup2 = OutcomeOf(plan, report, StepKind::kBackupExport, "Ex2");
  EXPECT_EQ(backup2.status, StepStatus::kFailed);
  EXPECT_EQ(backup2.detail, "no store for server Ex2");
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    if (plan.steps[i].server == "Ex1") {
      EXPECT_EQ(report.outcomes[i].status, StepStatus::kDone);
    }
  }
}

TEST(ApplyTest, UnknownIssuerFailsTheStepNamingIt) {
  World w;
  w.AddServer("Ex1");
  const Plan plan =
      w.MakePlan(testing::DesiredOf({Mail({"Ex1"}, "other-ca")}, {CaFacts("other-ca")}));
  const ApplyReport report = w.Apply(plan);
  const StepOutcome& issue = OutcomeOf(plan, report, StepKind::kIssue, "");
  EXPECT_EQ(issue.status, StepStatus::kFailed);
  EXPECT_EQ(issue.detail, "issuer 'other-ca' is not configured");
}

TEST(ApplyTest, ImportOfAFileThatChangedSinceThePlanFails) {
  World w;
  w.AddServer("Ex1");
  const store::StoredCertificate planned =
      CaSigned("CN=mail.pocket-consultant.com",
               {"mail.pocket-consultant.com", "autodiscover.pocket-consultant.com"}, true, "mail");
  const store::StoredCertificate replaced =
      CaSigned("CN=mail.pocket-consultant.com",
               {"mail.pocket-consultant.com", "autodiscover.pocket-consultant.com"}, true, "mail");
  // A hand-made import step of the file issuer, as a saved plan holds it.
  Plan plan;
  Step s;
  s.id = 1;
  s.kind = StepKind::kImport;
  s.server = "Ex1";
  s.certificate = "mail";
  s.issuer = "corp-ca";
  s.thumbprint = Thumbprint(planned);
  s.source = ImportSource::kFile;
  s.source_path = "certs/mail.pem";
  s.summary = "import 'mail' from certs/mail.pem on Ex1";
  plan.steps = {s};
  ImportRequest data;
  data.data = x509::ToPem("CERTIFICATE", replaced.der) + replaced.key.ToPkcs8Pem();
  w.ca().set_file_data(data);
  const ApplyReport report = w.Apply(plan);
  ASSERT_EQ(report.outcomes[0].status, StepStatus::kFailed);
  EXPECT_EQ(report.outcomes[0].detail,
            "imported " + Thumbprint(replaced) + " but the plan expected " + Thumbprint(planned) +
                " (the source changed since the plan); run xcert plan again");
}

// --- idempotence ---

TEST(ApplyTest, AppliedPlanLeavesNothingToDo) {
  World w;
  for (const std::string& s : kThree) w.AddServer(s);
  const Desired desired = testing::DesiredOf({Mail(kThree)}, {CaFacts()});
  ASSERT_TRUE(w.Apply(w.MakePlan(desired)).ok());
  const Plan again = w.MakePlan(desired);
  EXPECT_TRUE(again.empty()) << ::testing::PrintToString(Kinds(again));
  EXPECT_FALSE(again.diff.HasDrift());
  // One certificate, the same thumbprint on every server, serving what it should.
  const ActualState actual = w.Observe();
  std::set<std::string> mail;
  for (const std::string& s : kThree) {
    for (const CertificateInfo& c : actual.at(s).certificates) {
      if (c.subject == "CN=mail.pocket-consultant.com") {
        mail.insert(c.thumbprint);
        EXPECT_EQ(c.services.ToString(), "IMAP, POP, IIS, SMTP") << s;
      }
    }
  }
  EXPECT_THAT(mail, SizeIs(1));
  EXPECT_EQ(w.ca().issued(), 1) << "a shared certificate is issued once";
}

TEST(ApplyTest, ReRunOfTheSamePlanFindsEveryStepAlreadyDone) {
  World w;
  const store::StoredCertificate mail =
      CaSigned("CN=mail.pocket-consultant.com",
               {"mail.pocket-consultant.com", "autodiscover.pocket-consultant.com"}, true, "mail");
  const store::StoredCertificate old =
      CaSigned("CN=legacy.pocket-consultant.com", {"legacy.pocket-consultant.com"}, true, "legacy");
  w.AddServer("Ex1", {mail, old});
  w.AddServer("Ex2");
  Desired desired = testing::DesiredOf({Mail({"Ex1", "Ex2"})}, {CaFacts()});
  desired.prune = true;
  const Plan plan = w.MakePlan(desired);
  // Every step acts on a known thumbprint: mail is copied from Ex1 to Ex2,
  // the unmanaged legacy certificate is pruned.
  EXPECT_THAT(Kinds(plan),
              UnorderedElementsAre("backup-export Ex1", "backup-export Ex1", "backup-export Ex2",
                                   "export Ex1", "import Ex2", "enable Ex1 IIS", "enable Ex2 IIS",
                                   "enable Ex1 IMAP, POP", "enable Ex2 IMAP, POP",
                                   "enable Ex1 SMTP", "enable Ex2 SMTP", "remove Ex1"));
  const ApplyReport first = w.Apply(plan);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.Count(StepStatus::kDone), plan.steps.size());
  const ActualState after_first = w.Observe();

  const ApplyReport second = w.Apply(plan);
  EXPECT_TRUE(second.ok());
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& s = plan.steps[i];
    const StepStatus want =
        s.kind == StepKind::kExport ? StepStatus::kDone : StepStatus::kAlreadyDone;
    EXPECT_EQ(second.outcomes[i].status, want) << s.summary << ": " << second.outcomes[i].detail;
  }
  const ActualState after_second = w.Observe();
  for (const char* s : {"Ex1", "Ex2"}) {
    EXPECT_EQ(after_second.at(s).Fingerprint(), after_first.at(s).Fingerprint());
  }
  // What "already done" says.
  EXPECT_EQ(OutcomeOf(plan, second, StepKind::kRemove, "Ex1").detail,
            Thumbprint(old) + " is already gone");
  EXPECT_EQ(OutcomeOf(plan, second, StepKind::kImport, "Ex2").detail,
            Thumbprint(mail) + " is already in the store");
  EXPECT_EQ(OutcomeOf(plan, second, StepKind::kEnable, "Ex2", ServiceSet{Service::kIis}).detail,
            Thumbprint(mail) + " already serves IIS");
  EXPECT_THAT(OutcomeOf(plan, second, StepKind::kBackupExport, "Ex2").detail,
              StartsWith("backup exists and was verified: backups/Ex2/"));
  EXPECT_TRUE(w.MakePlan(desired).empty());
}

TEST(ApplyTest, ReplacingTheDefaultSmtpCertificateIsAlreadyDoneOnReRun) {
  World w;
  const store::StoredCertificate mail =
      CaSigned("CN=mail.pocket-consultant.com",
               {"mail.pocket-consultant.com", "autodiscover.pocket-consultant.com"}, true, "mail");
  w.AddServer("Ex1", {mail});
  DesiredCertificate d = Mail({"Ex1"});
  d.services = ServiceSet{Service::kSmtp};
  d.replace_default_smtp = true;
  const Desired desired = testing::DesiredOf({d}, {CaFacts()});
  const Plan plan = w.MakePlan(desired);
  ASSERT_EQ(plan.CountOf(StepKind::kEnable), 1u);
  ASSERT_TRUE(w.Apply(plan).ok());
  EXPECT_EQ(w.Observe().at("Ex1").bindings.internal_transport, Thumbprint(mail));
  const ApplyReport again = w.Apply(plan);
  EXPECT_EQ(OutcomeOf(plan, again, StepKind::kEnable, "Ex1").status, StepStatus::kAlreadyDone);
  EXPECT_TRUE(w.MakePlan(desired).empty());
}

// --- backups ---

TEST(ApplyTest, BackupIsWrittenBeforeACertificateLosesAServiceOrIsRemoved) {
  World w;
  const store::StoredCertificate old =
      CaSigned("CN=legacy.pocket-consultant.com", {"legacy.pocket-consultant.com"}, true, "legacy");
  const std::string def1 = w.AddServer("Ex1", {old});
  const std::string def2 = w.AddServer("Ex2");
  Desired desired = testing::DesiredOf({Mail({"Ex1", "Ex2"})}, {CaFacts()});
  desired.prune = true;
  const Plan plan = w.MakePlan(desired);
  ASSERT_TRUE(w.Apply(plan).ok());

  const std::vector<TraceEvent> events = w.trace().events();
  // The default certificates lose IIS (and IMAP, POP): saved first.
  for (const auto& [server, def] : {std::pair{"Ex1", def1}, std::pair{"Ex2", def2}}) {
    const size_t saved = IndexOf(events, "Save", server, false, def);
    const size_t iis = IndexOf(events, "Enable", server, true, "IIS");
    ASSERT_NE(saved, std::string::npos) << server;
    ASSERT_NE(iis, std::string::npos) << server;
    EXPECT_LT(saved, iis) << server << ": IIS moved before its certificate was backed up";
  }
  const size_t saved_old = IndexOf(events, "Save", "Ex1", false, Thumbprint(old));
  const size_t removed = IndexOf(events, "Remove", "Ex1", true, Thumbprint(old));
  ASSERT_NE(removed, std::string::npos);
  EXPECT_LT(saved_old, removed);

  // The default key is not exportable: the certificate alone. The pruned one
  // is a PKCS#12 that opens with the backup password and holds its key.
  const auto saved = w.backups().saved();
  ASSERT_TRUE(saved.count({"Ex1", def1}));
  EXPECT_FALSE(saved.at({"Ex1", def1}).pkcs12.has_value());
  ASSERT_TRUE(saved.count({"Ex1", Thumbprint(old)}));
  const std::optional<std::string> p12 = saved.at({"Ex1", Thumbprint(old)}).pkcs12;
  ASSERT_TRUE(p12.has_value());
  Result<x509::Pkcs12Contents> contents = x509::ReadPkcs12(*p12, "backup-password");
  ASSERT_TRUE(contents.ok()) << contents.status().message();
  EXPECT_EQ(contents->certificate_der, old.der);
  EXPECT_TRUE(contents->key.Matches(old.der));
  EXPECT_EQ(OutcomeOf(plan, w.Apply(plan), StepKind::kBackupExport, "Ex1").status,
            StepStatus::kAlreadyDone);
}

TEST(ApplyTest, BackupOfACertificateThatIsAlreadyGoneIsAlreadyDone) {
  World w;
  const store::StoredCertificate old =
      CaSigned("CN=legacy.pocket-consultant.com", {"legacy.pocket-consultant.com"}, true, "legacy");
  w.AddServer("Ex1", {old});
  Desired desired = testing::DesiredOf({}, {});
  desired.servers = {
      {"Ex1", "Ex1.pocket-consultant.com", {Role::kMailbox}, ExchangeVersion::k2019, {}}};
  desired.prune = true;
  const Plan plan = w.MakePlan(desired);
  ASSERT_THAT(Kinds(plan), ElementsAre("backup-export Ex1", "remove Ex1"));
  // Someone removed it by hand (with their own backup) between plan and apply.
  ASSERT_TRUE(w.stores().Find("Ex1")->Remove(Thumbprint(old)).ok());
  const ApplyReport report = w.Apply(plan);
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.outcomes[0].detail, "the certificate is gone; nothing to back up");
  EXPECT_EQ(report.outcomes[1].status, StepStatus::kAlreadyDone);
  EXPECT_TRUE(w.backups().saved().empty());
}

// A file where the backup belongs is not trusted: unproven, it is kept
// aside (never replaced) and the backup written again before the removal.
TEST(ApplyTest, ABackupThatIsThereButNotProvenIsKeptAsideAndWrittenAgain) {
  World w;
  const store::StoredCertificate old =
      CaSigned("CN=legacy.pocket-consultant.com", {"legacy.pocket-consultant.com"}, true, "legacy");
  w.AddServer("Ex1", {old});
  Desired desired = testing::DesiredOf({}, {});
  desired.servers = {
      {"Ex1", "Ex1.pocket-consultant.com", {Role::kMailbox}, ExchangeVersion::k2019, {}}};
  desired.prune = true;
  const Plan plan = w.MakePlan(desired);
  ASSERT_THAT(Kinds(plan), ElementsAre("backup-export Ex1", "remove Ex1"));
  SavedBackup junk{"Ex1", Thumbprint(old), std::string("8 bytes!")};
  junk.tampered = true;
  w.backups().Put(junk);

  const ApplyReport report = w.Apply(plan);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.outcomes[0].status, StepStatus::kDone);
  EXPECT_THAT(report.outcomes[0].detail, HasSubstr("was not a valid backup"));
  EXPECT_THAT(report.outcomes[0].detail, HasSubstr(".unproven.1"));
  EXPECT_THAT(report.warnings, Contains(HasSubstr("Ex1/" + Thumbprint(old) +
                                                  ": the file that was "
                                                  "there was not a valid backup")))
      << "the summary says so too";
  ASSERT_EQ(w.backups().kept_aside().size(), 1u);
  EXPECT_EQ(w.backups().kept_aside()[0].pkcs12, std::string("8 bytes!"));
  const auto saved = w.backups().saved();
  ASSERT_TRUE(saved.count({"Ex1", Thumbprint(old)}));
  Result<x509::Pkcs12Contents> p12 =
      x509::ReadPkcs12(*saved.at({"Ex1", Thumbprint(old)}).pkcs12, "backup-password");
  ASSERT_TRUE(p12.ok()) << p12.status().message();
  EXPECT_EQ(p12->certificate_der, old.der);
  EXPECT_EQ(report.outcomes[1].status, StepStatus::kDone);
}

// The backup is read again just before the removal: damaged after the
// backup step (by a disk, a person, another tool), nothing is removed.
TEST(ApplyTest, ARemoveWhoseBackupIsNoLongerProvenRemovesNothing) {
  World w;
  const store::StoredCertificate old =
      CaSigned("CN=legacy.pocket-consultant.com", {"legacy.pocket-consultant.com"}, true, "legacy");
  w.AddServer("Ex1", {old});
  Desired desired = testing::DesiredOf({}, {});
  desired.servers = {
      {"Ex1", "Ex1.pocket-consultant.com", {Role::kMailbox}, ExchangeVersion::k2019, {}}};
  desired.prune = true;
  const Plan plan = w.MakePlan(desired);
  ASSERT_THAT(Kinds(plan), ElementsAre("backup-export Ex1", "remove Ex1"));
  // The remove step starts with Get; the backup step's Get is the first.
  int gets = 0;
  w.stores().traced("Ex1").set_hook([&](const std::string& op, const std::string& arg) {
    if (op == "Get" && arg == Thumbprint(old) && ++gets == 2) {
      w.backups().Tamper("Ex1", Thumbprint(old));
    }
    return Status::Ok();
  });
  const ApplyReport report = w.Apply(plan, 1);
  EXPECT_EQ(report.outcomes[0].status, StepStatus::kDone);
  ASSERT_EQ(report.outcomes[1].status, StepStatus::kFailed);
  EXPECT_THAT(report.outcomes[1].detail,
              StartsWith("Ex1/" + Thumbprint(old) + " was not removed: its backup is not proven"));
  EXPECT_THAT(report.outcomes[1].detail, HasSubstr("backups/Ex1/" + Thumbprint(old) + ".pfx"));
  EXPECT_THAT(report.outcomes[1].detail, HasSubstr("run xcert apply again"));
  EXPECT_TRUE(w.Observe().at("Ex1").Find(Thumbprint(old))) << "the certificate is still there";
  w.stores().traced("Ex1").set_hook(nullptr);

  // Applying again writes a proven backup (the damaged one kept aside) and removes.
  const ApplyReport again = w.Apply(plan, 1);
  EXPECT_TRUE(again.ok());
  EXPECT_EQ(w.backups().kept_aside().size(), 1u);
  EXPECT_FALSE(w.Observe().at("Ex1").Find(Thumbprint(old)));
}

// --- the report ---

TEST(ApplyTest, ReportHasOneOutcomePerStepInPlanOrderAndCountsThem) {
  World w;
  w.AddServer("Ex1");
  w.AddServer("Ex2");
  const Plan plan = w.MakePlan(testing::DesiredOf({Mail({"Ex1", "Ex2"})}, {CaFacts()}));
  w.stores().traced("Ex2").set_hook([](const std::string& op, const std::string& arg) {
    return op == "Enable" && arg == "IIS" ? FailedPrecondition("IIS is stopped") : Status::Ok();
  });
  w.ca().set_warnings({"validity capped at the CA's NotAfter (2030-01-01)"});
  std::atomic<bool> inside{false};
  std::vector<int> finished;
  int totals_wrong = 0, overlapping = 0;
  ApplyContext ctx = w.Context();
  ctx.progress = [&](const Step&, const StepOutcome&, int n, int total) {
    if (inside.exchange(true)) ++overlapping;
    finished.push_back(n);
    totals_wrong += total != int(plan.steps.size());
    inside = false;
  };
  const ApplyReport r = Apply(plan, ctx, ApplyOptions{4});

  ASSERT_EQ(r.outcomes.size(), plan.steps.size());
  for (size_t i = 0; i < plan.steps.size(); ++i) EXPECT_EQ(r.outcomes[i].step, plan.steps[i].id);
  for (const StepOutcome& o : r.outcomes) {
    EXPECT_NE(o.status, StepStatus::kNotRun);
    EXPECT_GE(o.seconds, 0);
  }
  // Ex2: IIS failed, IMAP/POP and SMTP (chained after it) skipped.
  EXPECT_EQ(r.Count(StepStatus::kFailed), 1u);
  EXPECT_EQ(r.Count(StepStatus::kSkipped), 2u);
  EXPECT_EQ(r.Count(StepStatus::kDone), plan.steps.size() - 3);
  EXPECT_EQ(r.Count(StepStatus::kAlreadyDone), 0u);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.warnings, ElementsAre("'mail': validity capped at the CA's NotAfter (2030-01-01)"));
  // Progress: once per step, one call at a time, counting up to the total.
  EXPECT_EQ(overlapping, 0);
  EXPECT_EQ(totals_wrong, 0);
  std::vector<int> expected(plan.steps.size());
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(finished, expected);
}

TEST(ApplyTest, EmptyPlanGivesAnEmptySuccessfulReport) {
  World w;
  const ApplyReport r = w.Apply(Plan{});
  EXPECT_THAT(r.outcomes, IsEmpty());
  EXPECT_TRUE(r.ok());
  EXPECT_THAT(w.journal().entries(), IsEmpty());
}

TEST(ApplyTest, JournalFailureIsAWarningAndDoesNotStopTheRun) {
  World w;
  w.AddServer("Ex1");
  const Plan plan = w.MakePlan(testing::DesiredOf({Mail({"Ex1"})}, {CaFacts()}));
  w.journal().set_fail("journal: No space left on device");
  const ApplyReport r = w.Apply(plan);
  EXPECT_TRUE(r.ok());
  // Said once, not once per record.
  EXPECT_THAT(r.warnings, ElementsAre("journal: journal: No space left on device"));
}

TEST(ApplyTest, StepStatusNames) {
  EXPECT_EQ(StepStatusName(StepStatus::kNotRun), "not run");
  EXPECT_EQ(StepStatusName(StepStatus::kDone), "done");
  EXPECT_EQ(StepStatusName(StepStatus::kAlreadyDone), "already done");
  EXPECT_EQ(StepStatusName(StepStatus::kFailed), "failed");
  EXPECT_EQ(StepStatusName(StepStatus::kSkipped), "skipped");
}

TEST(ApplyTest, WithTheRealTimeKnownNothingOutsideItsDatesIsIssuedOrBound) {
  World w;
  for (const std::string& s : kThree) w.AddServer(s);
  const Plan plan = w.MakePlan(testing::DesiredOf({Mail(kThree)}, {CaFacts()}));
  ApplyContext ctx = w.Context();
  // The clock (XCERT_NOW) is three years before the real time: a 365-day
  // certificate issued "now" would have expired long ago.
  ctx.real_now = w.clock().Now() + std::chrono::hours(24 * 365 * 3);
  const ApplyReport report = xcert::Apply(plan, ctx, ApplyOptions{4});
  EXPECT_FALSE(report.ok());
  size_t at = 0;
  while (at < plan.steps.size() && plan.steps[at].kind != StepKind::kIssue) ++at;
  ASSERT_LT(at, plan.steps.size());
  const StepOutcome& issue = report.outcomes[at];
  EXPECT_EQ(issue.status, StepStatus::kFailed);
  EXPECT_THAT(issue.detail, HasSubstr("which does not contain the real time"));
  EXPECT_THAT(issue.detail, HasSubstr("--allow-clock-skew"));
  const auto observed = w.Observe();
  for (const std::string& s : kThree) {
    for (const CertificateInfo& c : observed.at(s).certificates) {
      EXPECT_NE(c.subject, "CN=mail.pocket-consultant.com") << "issued and imported on " << s;
    }
  }
  // Within its dates (the real time one day on), the same plan applies.
  ctx.real_now = w.clock().Now() + std::chrono::hours(24);
  EXPECT_TRUE(xcert::Apply(plan, ctx, ApplyOptions{4}).ok());
}

TEST(ApplyTest, ACertificateOutsideTheRealTimeIsNotBound) {
  World w;
  for (const std::string& s : kThree) w.AddServer(s);
  const Plan plan = w.MakePlan(testing::DesiredOf({Mail(kThree)}, {CaFacts()}));
  ApplyContext ctx = w.Context();
  ASSERT_TRUE(xcert::Apply(plan, ctx, ApplyOptions{4}).ok());
  // A second certificate's binding when the real time is past its end.
  ctx.real_now = w.clock().Now() + std::chrono::hours(24 * 400);
  Plan bind = plan;
  std::erase_if(bind.steps, [](const Step& s) { return s.kind != StepKind::kEnable; });
  ASSERT_FALSE(bind.steps.empty());
  std::string thumbprint;
  const auto observed = w.Observe();
  for (const CertificateInfo& c : observed.at("Ex1").certificates) {
    if (c.subject == "CN=mail.pocket-consultant.com") thumbprint = c.thumbprint;
  }
  ASSERT_FALSE(thumbprint.empty());
  Step enable = bind.steps[0];
  enable.id = 1;
  enable.depends_on.clear();
  enable.thumbprint = thumbprint;
  enable.services = ServiceSet{Service::kUm};
  bind.steps = {enable};
  const ApplyReport report = xcert::Apply(bind, ctx, ApplyOptions{1});
  ASSERT_EQ(report.outcomes.size(), 1u);
  EXPECT_EQ(report.outcomes[0].status, StepStatus::kFailed);
  EXPECT_THAT(report.outcomes[0].detail,
              HasSubstr(thumbprint + " on " + enable.server + " would be valid from "));
}

}  // namespace
}  // namespace xcert
