// Observe (engine/apply/observe.h): every server's store is listed, in
// parallel; a server whose store cannot be read (completely) is still in the
// result with the reason, and the plan then takes no step on it at all, let
// alone a destructive one, while the other servers proceed.
#include "engine/apply/observe.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/engine/apply/apply_test_util.h"

namespace xcert {
namespace {

using namespace xcert::apply_testing;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A store that returns a canned state (or error) from List.
class CannedStore final : public Store {
 public:
  CannedStore(std::string server, Result<ServerState> state, Rendezvous* meet = nullptr,
              std::atomic<int>* active = nullptr, std::atomic<int>* max_active = nullptr)
      : server_(std::move(server)),
        state_(std::move(state)),
        meet_(meet),
        active_(active),
        max_active_(max_active) {}
  const std::string& server() const override { return server_; }
  Result<ServerState> List() override {
    if (active_) {
      const int now = ++*active_;
      int seen = max_active_->load();
      while (now > seen && !max_active_->compare_exchange_weak(seen, now)) {
      }
    }
    if (meet_) meet_->Arrive();
    if (active_) --*active_;
    return state_;
  }
  Result<std::optional<CertificateInfo>> Get(const std::string&) override { return Refuse(); }
  Result<CreateResult> Create(const CreateRequest&) override { return Refuse(); }
  Result<CertificateInfo> Import(const ImportRequest&) override { return Refuse(); }
  Status Enable(const std::string&, ServiceSet, const EnableOptions&) override { return Refuse(); }
  Result<std::string> Export(const std::string&, const std::string&) override { return Refuse(); }
  Status Remove(const std::string&) override { return Refuse(); }

 private:
  static Status Refuse() { return Internal("observe must only list"); }
  std::string server_;
  Result<ServerState> state_;
  Rendezvous* meet_;
  std::atomic<int>* active_;
  std::atomic<int>* max_active_;
};

class CannedStores final : public StoreSet {
 public:
  void Add(std::unique_ptr<CannedStore> s) {
    const std::string name = s->server();
    stores_[name] = std::move(s);
  }
  Store* Find(const std::string& server) override {
    auto it = stores_.find(server);
    return it == stores_.end() ? nullptr : it->second.get();
  }

 private:
  std::map<std::string, std::unique_ptr<CannedStore>> stores_;
};

ServerState Mailbox(const std::string& name) {
  return testing::MailboxServer(name, name + ".pocket-consultant.com");
}

TEST(ObserveTest, ListsEveryServerByName) {
  CannedStores stores;
  for (const char* s : {"Ex1", "Ex2", "Ex3"}) {
    stores.Add(std::make_unique<CannedStore>(s, Mailbox(s)));
  }
  const ActualState actual = Observe(stores, {"Ex1", "Ex2", "Ex3"}, 2);
  ASSERT_EQ(actual.size(), 3u);
  for (const char* s : {"Ex1", "Ex2", "Ex3"}) {
    ASSERT_TRUE(actual.count(s));
    EXPECT_EQ(actual.at(s).server, s);
    EXPECT_TRUE(actual.at(s).complete());
    EXPECT_EQ(actual.at(s).certificates.size(), 2u);
  }
  EXPECT_THAT(Observe(stores, {}, 4), IsEmpty());
}

TEST(ObserveTest, StateIsFiledUnderTheServerItWasAskedFor) {
  // A foreign store that does not know its own name (partly empty state).
  CannedStores stores;
  ServerState anonymous = Mailbox("Ex1");
  anonymous.server.clear();
  stores.Add(std::make_unique<CannedStore>("Ex1", anonymous));
  const ActualState actual = Observe(stores, {"Ex1"}, 1);
  ASSERT_TRUE(actual.count("Ex1"));
  EXPECT_EQ(actual.at("Ex1").server, "Ex1");
}

TEST(ObserveTest, UnreadableStoreIsMarkedWithItsError) {
  CannedStores stores;
  stores.Add(std::make_unique<CannedStore>("Ex1", Mailbox("Ex1")));
  stores.Add(std::make_unique<CannedStore>(
      "Ex2", Result<ServerState>(Unavailable("ssh: connect to host ex2 port 22: timed out"))));
  const ActualState actual = Observe(stores, {"Ex1", "Ex2", "Ex3"}, 3);
  ASSERT_EQ(actual.size(), 3u);
  EXPECT_TRUE(actual.at("Ex1").complete());
  EXPECT_FALSE(actual.at("Ex2").complete());
  EXPECT_THAT(actual.at("Ex2").problems,
              ElementsAre("ssh: connect to host ex2 port 22: timed out"));
  EXPECT_THAT(actual.at("Ex2").certificates, IsEmpty());
  EXPECT_FALSE(actual.at("Ex3").complete());
  EXPECT_THAT(actual.at("Ex3").problems, ElementsAre("no store is configured for Ex3"));
}

TEST(ObserveTest, PartlyReadableStoreKeepsWhatItReadAndItsProblems) {
  World w;
  w.AddServer("Ex1");
  store::MemoryStore& damaged = w.stores().Add(FastSeed("Ex2"));
  damaged.AddProblem("store/Ex2/certificates/AB12/cert.pem: not a PEM certificate");
  const ActualState actual = xcert::Observe(w.stores(), {"Ex1", "Ex2"}, 2);
  EXPECT_TRUE(actual.at("Ex1").complete());
  EXPECT_FALSE(actual.at("Ex2").complete());
  EXPECT_EQ(actual.at("Ex2").certificates.size(), 2u) << "what could be read is still there";
  EXPECT_THAT(actual.at("Ex2").problems,
              ElementsAre("store/Ex2/certificates/AB12/cert.pem: not a PEM certificate"));
}

TEST(ObserveTest, IncompleteServerGetsNoStepWhileTheOthersProceed) {
  World w;
  const store::StoredCertificate old =
      CaSigned("CN=legacy.pocket-consultant.com", {"legacy.pocket-consultant.com"}, true, "legacy");
  w.AddServer("Ex1", {old});
  // Ex2 holds the same unmanaged certificate, and a file it could not read:
  // for all xcert knows, that file is the certificate serving IIS.
  store::ServerSeed seed = FastSeed("Ex2");
  seed.certificates.push_back(old);
  store::MemoryStore& damaged = w.stores().Add(std::move(seed));
  damaged.AddProblem("store/Ex2/bindings.json: invalid JSON at line 3");
  const std::vector<std::string> servers = {"Ex1", "Ex2"};
  const ActualState actual = xcert::Observe(w.stores(), servers, 2);

  Desired desired = testing::DesiredOf({Mail(servers)}, {CaFacts()});
  desired.prune = true;
  Result<Plan> plan = BuildPlan(desired, actual, Diff(desired, actual, Now()), {}, Now());
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  bool ex1_pruned = false;
  for (const Step& s : plan->steps) {
    EXPECT_NE(s.server, "Ex2") << "step on the incomplete server: " << s.summary;
    ex1_pruned |= s.kind == StepKind::kRemove && s.server == "Ex1";
  }
  EXPECT_TRUE(ex1_pruned) << "the complete server is pruned as asked";
  bool reported = false;
  for (const Blocked& b : plan->diff.blocked) {
    if (b.server != "Ex2") continue;
    reported = true;
    EXPECT_THAT(b.reason, HasSubstr("store/Ex2/bindings.json: invalid JSON at line 3"));
    EXPECT_THAT(b.reason, HasSubstr("no step touches this server until it reads cleanly"));
  }
  EXPECT_TRUE(reported) << "the plan says why Ex2 is left alone";

  // Applied, the plan leaves Ex2 exactly as it was.
  const std::string before = actual.at("Ex2").Fingerprint();
  ASSERT_TRUE(w.Apply(*plan).ok());
  EXPECT_EQ(xcert::Observe(w.stores(), servers, 2).at("Ex2").Fingerprint(), before);
  for (const TraceEvent& e : w.trace().events()) {
    if (e.server == "Ex2") {
      EXPECT_FALSE(Trace::IsMutation(e.op)) << e.op;
    }
  }
}

TEST(ObserveTest, ServersAreListedInParallel) {
  Rendezvous all(3);
  std::atomic<int> active{0}, max_active{0};
  CannedStores stores;
  for (const char* s : {"Ex1", "Ex2", "Ex3"}) {
    stores.Add(std::make_unique<CannedStore>(s, Mailbox(s), &all, &active, &max_active));
  }
  const ActualState actual = Observe(stores, {"Ex1", "Ex2", "Ex3"}, 3);
  EXPECT_TRUE(all.reached()) << "the three stores were not read at the same time";
  EXPECT_EQ(actual.size(), 3u);
}

TEST(ObserveTest, ParallelismLimitsHowManyStoresAreReadAtOnce) {
  std::atomic<int> active{0}, max_active{0};
  CannedStores stores;
  std::vector<std::string> servers;
  for (int i = 1; i <= 6; ++i) {
    const std::string s = "Ex" + std::to_string(i);
    servers.push_back(s);
    stores.Add(std::make_unique<CannedStore>(s, Mailbox(s), nullptr, &active, &max_active));
  }
  EXPECT_EQ(Observe(stores, servers, 1).size(), 6u);
  EXPECT_EQ(max_active.load(), 1);
}

}  // namespace
}  // namespace xcert
