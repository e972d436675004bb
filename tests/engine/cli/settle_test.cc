// What apply does after its steps: a changed server that asks for it is
// probed for its grace, and one that fails is rolled back to what it held
// before the run, with the rollback journaled. The endpoints here are
// loopback ports nothing listens on (a server that is down); the real
// servers are in tests/e2e/service_reload_test.cc.
#include "engine/cli/settle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "resources/store/backup_dir.h"
#include "resources/store/memory_store.h"
#include "tests/support/loopback.h"
#include "tests/support/test_util.h"

namespace xcert::cli {
namespace {

using ::testing::HasSubstr;
using xcert::testing::TempDir;

class SettleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::ServerSeed seed;
    seed.identity = {"EX1", "ex1.contoso.test", {Role::kMailbox}, ExchangeVersion::k2019};
    stores_.Add(seed);
    store_ = stores_.Find("EX1");
    old_ = Make("old.contoso.test");
    ASSERT_TRUE(store_->Enable(old_, ServiceSet{Service::kIis}, {}).ok());
    before_["EX1"] = *store_->List();
    // The run: a new certificate takes IIS.
    fresh_ = Make("new.contoso.test");
    ASSERT_TRUE(store_->Enable(fresh_, ServiceSet{Service::kIis}, {}).ok());

    ServerSpec s;
    s.name = "EX1";
    s.fqdn = "ex1.contoso.test";
    s.roles = {Role::kMailbox};
    s.address = "127.0.0.1";  // apply verifies it
    s.probe.ports = {{"https", {xcert::testing::FreeLoopbackPort()}}};
    s.probe.grace = Seconds(1);
    manifest_.servers.push_back(s);

    Result<std::unique_ptr<FileJournal>> j = FileJournal::Open(dir_.path() / "journal", clock_);
    ASSERT_TRUE(j.ok()) << j.status().message();
    journal_ = std::move(j).value();
    ctx_.stores = &stores_;
    ctx_.backups = &backups_;
    ctx_.backup_password = "settle-test-password";
    ctx_.journal = journal_.get();
    ctx_.clock = &clock_;
    options_.run = "run R";
    options_.poll = std::chrono::milliseconds(100);
  }

  std::string Make(const std::string& name) {
    CreateRequest r;
    r.subject = "CN=" + name;
    r.dns_names = {name};
    r.key = KeySpec{KeyAlgorithm::kEcdsa, 0, EcCurve::kP256, true};
    Result<CreateResult> c = store_->Create(r);
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? c->certificate.thumbprint : "";
  }

  std::string Iis() { return store_->List()->bindings.iis; }

  RunRecord Journaled() {
    Result<RunRecord> r = ReadRun(journal_->path());
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : RunRecord{};
  }

  TempDir dir_;
  SystemClock clock_;
  store::MemoryStoreSet stores_;
  Store* store_ = nullptr;
  store::BackupDir backups_{dir_.path() / "backups"};
  std::unique_ptr<FileJournal> journal_;
  Manifest manifest_;
  ActualState before_;
  ApplyContext ctx_;
  SettleOptions options_;
  std::string old_, fresh_;
  xcert::testing::CapturedFile out_file_, err_file_;
  Output out_{out_file_.get(), err_file_.get()};
};

TEST_F(SettleTest, AServerThatDoesNotServeItsChangeIsRolledBackAndJournaled) {
  const SettleReport report = Settle(manifest_, before_, ctx_, options_, out_);
  ASSERT_EQ(report.servers.size(), 1u);
  const ServerOutcome& o = report.servers[0];
  EXPECT_EQ(o.server, "EX1");
  EXPECT_FALSE(o.verified);
  EXPECT_THAT(o.why, HasSubstr("IIS on EX1 (https 127.0.0.1:"));
  EXPECT_THAT(o.why, HasSubstr("NotServed"));
  EXPECT_TRUE(o.rolled_back);
  // The bindings went back; the endpoint is still down, which is said.
  EXPECT_EQ(Iis(), old_);
  EXPECT_FALSE(o.rollback_ok);
  EXPECT_THAT(o.rollback_detail, HasSubstr("still not served as the store binds"));
  EXPECT_FALSE(report.ok());
  // The new certificate was backed up before it lost IIS.
  EXPECT_TRUE(fs::exists(dir_.path() / "backups" / "EX1" / (fresh_ + ".pfx")));
  const RunRecord run = Journaled();
  EXPECT_EQ(run.rolled_back, (std::set<std::string>{"EX1"}));
  EXPECT_TRUE(run.rollback_open.empty());
  EXPECT_THAT(SettleSummary(report), HasSubstr("rolled back: EX1, because verification failed:"));
  EXPECT_THAT(SettleSummary(report), HasSubstr("the rollback did not complete"));
}

TEST_F(SettleTest, WithoutRollbackTheChangeStaysAndIsReported) {
  options_.rollback = false;
  const SettleReport report = Settle(manifest_, before_, ctx_, options_, out_);
  ASSERT_EQ(report.servers.size(), 1u);
  EXPECT_FALSE(report.servers[0].rolled_back);
  EXPECT_EQ(Iis(), fresh_);
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(SettleSummary(report), HasSubstr("not verified: EX1 (rollback off):"));
}

TEST_F(SettleTest, ServersThatDoNotAskForItOrDidNotChangeAreNotProbed) {
  manifest_.servers[0].probe.after_apply = false;
  SettleReport report = Settle(manifest_, before_, ctx_, options_, out_);
  EXPECT_TRUE(report.servers.empty());
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(Iis(), fresh_);

  manifest_.servers[0].probe.after_apply = true;
  before_["EX1"] = *store_->List();  // nothing changed in this run
  report = Settle(manifest_, before_, ctx_, options_, out_);
  EXPECT_TRUE(report.servers.empty());
  options_.verify = false;  // --no-verify: nothing is probed at all
  before_["EX1"].bindings.iis = old_;
  report = Settle(manifest_, before_, ctx_, options_, out_);
  EXPECT_TRUE(report.servers.empty());
  EXPECT_EQ(Iis(), fresh_);
}

TEST_F(SettleTest, FinishRollbackPutsBackWhatARecordedRunHeld) {
  manifest_.servers[0].probe.after_apply = false;  // nothing to probe: only the rollback
  const std::vector<ServerOutcome> outcomes =
      FinishRollback(manifest_, {{"EX1", ObservedSummary(before_["EX1"])}}, ctx_, options_, out_);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_TRUE(outcomes[0].rollback_ok) << outcomes[0].rollback_detail;
  EXPECT_EQ(Iis(), old_);
  // Again: nothing left to do, still fine.
  const std::vector<ServerOutcome> again =
      FinishRollback(manifest_, {{"EX1", ObservedSummary(before_["EX1"])}}, ctx_, options_, out_);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_TRUE(again[0].rollback_ok);
}

}  // namespace
}  // namespace xcert::cli
