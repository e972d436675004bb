// The command line as a user meets it: the real binary's help, version and
// parse errors, and the documented synopsis of every command.
#include "engine/cli/cli.h"

#include <regex>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace xcert::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

RunResult X(const std::vector<std::string>& args) {
  TempDir dir;  // an empty folder: no xcert.yaml to find
  return RunXcert(args, dir.path(), {{"NO_COLOR", "1"}});
}

TEST(CliTest, VersionPrintsNameAndVersion) {
  const RunResult r = X({"--version"});
  EXPECT_EQ(r.exit_code, cli::kExitOk);
  EXPECT_THAT(r.out, MatchesRegex("xcert [0-9]+\\.[0-9]+\\.[0-9]+\n"));
  EXPECT_EQ(r.err, "");
}

TEST(CliTest, HelpListsEveryCommand) {
  const RunResult r = X({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  // One line each in the "Subcommands:" list: "  plan    Show the steps ...".
  for (const char* command : {"validate", "plan", "apply", "drift", "show", "store", "snapshot",
                              "verify", "history", "restore"})
    EXPECT_THAT(r.out, HasSubstr("\n  " + std::string(command) + " ")) << command;
  EXPECT_THAT(r.out, HasSubstr("--version"));
  EXPECT_EQ(r.err, "");
}

TEST(CliTest, NoCommandIsAnErrorThatPointsAtHelp) {
  const RunResult r = X({});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: A subcommand is required; see xcert --help\n");
  EXPECT_EQ(r.out, "") << "errors never go to stdout";
}

TEST(CliTest, UnknownCommandIsNamed) {
  RunResult r = X({"frobnicate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: 'frobnicate' is not an xcert command; commands: validate, plan, apply, "
            "drift, show, store, snapshot, verify, history, restore, report (see xcert --help)\n");
  EXPECT_EQ(r.out, "");
  r = X({"plna"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("error: 'plna' is not an xcert command; did you mean plan?"));
}

TEST(CliTest, UnknownFlagIsNamedAndNothingRuns) {
  for (const char* command :
       {"validate", "plan", "apply", "drift", "show", "verify", "history", "restore"}) {
    // restore's RUN is required, and given here, so that the flag is the error.
    const RunResult r = std::string(command) == "restore"
                            ? X({command, "2026-12-07T02", "--bogus-flag"})
                            : X({command, "--bogus-flag"});
    EXPECT_EQ(r.exit_code, 1) << command;
    // Like every error (docs/exit-codes.md), with the command's help named.
    EXPECT_EQ(r.err, "error: The following argument was not expected: --bogus-flag; see xcert " +
                         std::string(command) + " --help\n");
    EXPECT_THAT(r.err, ::testing::Not(HasSubstr("xcert.yaml"))) << command << ": it did not run";
    EXPECT_EQ(r.out, "") << command;
  }
}

TEST(CliTest, BadFormatNamesTheChoices) {
  RunResult r = X({"plan", "--format", "yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: --format: yaml not in {text,json,markdown,dot,ps1}; see xcert plan --help\n");
  r = X({"drift", "--format", "html"});
  EXPECT_EQ(r.exit_code, 1);
  for (const char* f : {"text", "json", "markdown", "junit"}) EXPECT_THAT(r.err, HasSubstr(f));
  r = X({"apply", "--format", "markdown"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("markdown"));
}

TEST(CliTest, ParallelismMustBeAPositiveNumber) {
  for (const char* bad : {"0", "-2", "many", "5000"}) {
    const RunResult r = X({"apply", "--parallelism", bad});
    EXPECT_EQ(r.exit_code, 1) << bad;
    EXPECT_THAT(r.err, HasSubstr("--parallelism")) << bad;
  }
}

TEST(CliTest, OptionsNeedTheirValue) {
  RunResult r = X({"plan", "-f"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--file"));
  r = X({"store", "init", "--store", "./s"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: --server is required (or -f MANIFEST for every server of a manifest); see "
            "xcert store init --help\n");
  r = X({"store", "init", "-f", "m.yaml", "--server", "S1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--file excludes --server"));
}

// The synopsis at the top of docs/commands/<name>.md, e.g.
//   xcert plan [-f FILE] [-o PLAN] [--format text|json|...] ...
struct Synopsis {
  std::vector<std::string> command;  // {"store", "init"}
  std::set<std::string> flags;       // {"-f", "--format", ...}
};

Synopsis ReadSynopsis(const std::string& doc) {
  const std::string text = ReadFileOrDie(SourceDir() / "docs" / "commands" / (doc + ".md"));
  const size_t start = text.find("```\nxcert ");
  const size_t end = text.find("```", start + 4);
  if (start == std::string::npos || end == std::string::npos) return {};
  const std::string block = text.substr(start + 4, end - start - 4);
  Synopsis s;
  std::istringstream words(block.substr(0, block.find('\n')));
  std::string word;
  words >> word;  // "xcert"
  while (words >> word && std::regex_match(word, std::regex("[a-z][a-z-]*")))
    s.command.push_back(word);
  const std::regex flag("(^|[\\[ |])(--?[a-zA-Z][a-zA-Z0-9-]*)");
  for (auto it = std::sregex_iterator(block.begin(), block.end(), flag);
       it != std::sregex_iterator(); ++it)
    s.flags.insert((*it)[2]);
  return s;
}

TEST(CliTest, EveryDocumentedCommandAndFlagIsInItsHelp) {
  const std::vector<std::string> docs = {"validate", "plan",       "apply",    "drift",
                                         "show",     "store-init", "snapshot", "verify",
                                         "history",  "restore",    "report"};
  for (const std::string& doc : docs) {
    SCOPED_TRACE("docs/commands/" + doc + ".md");
    const Synopsis s = ReadSynopsis(doc);
    ASSERT_FALSE(s.command.empty()) << "no synopsis";
    ASSERT_FALSE(s.flags.empty()) << "no flags in the synopsis";
    std::vector<std::string> args = s.command;
    args.push_back("--help");
    const RunResult r = X(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const std::string& f : s.flags) EXPECT_THAT(r.out, HasSubstr(f)) << "documented " << f;
  }
}

// Every documented flag parses: with an empty folder, each command fails
// only because there is no manifest or store, never because of its flags.
TEST(CliTest, EveryDocumentedFlagParses) {
  const std::vector<std::vector<std::string>> lines = {
      {"validate", "-f", "m.yaml"},
      {"validate", "--file", "m.yaml"},
      {"plan", "-f", "m.yaml", "-o", "p.json", "--format", "json", "--detailed-exitcode",
       "--server", "A", "--server", "B"},
      {"plan", "--file", "m.yaml", "--out", "p.ps1", "--format", "dot"},
      {"apply", "-f", "m.yaml", "--auto-approve", "--parallelism", "4", "--format", "json"},
      {"apply", "p.json", "--auto-approve"},
      {"apply", "-f", "m.yaml", "--no-verify", "--no-rollback"},
      {"history", "-f", "m.yaml", "--format", "json"},
      {"history", "--file", "m.yaml"},
      {"restore", "2026-12-07T02", "-f", "m.yaml", "--server", "A", "--auto-approve",
       "--no-verify"},
      {"drift", "-f", "m.yaml", "--format", "junit"},
      {"drift", "--file", "m.yaml", "--format", "markdown", "--probe"},
      {"verify", "-f", "m.yaml", "--server", "A", "--server", "B", "--format", "junit", "--timeout",
       "3", "--parallel", "8"},
      {"verify", "--file", "m.yaml", "--format", "json"},
      {"verify", "--file", "m.yaml", "--format", "markdown"},
      {"verify", "--file", "m.yaml", "--format", "text"},
      {"store", "init", "-f", "m.yaml", "--parallelism", "4"},
      {"store", "init", "--file", "m.yaml"},
      {"plan", "-f", "m.yaml", "--shard", "1/2"},
      {"apply", "-f", "m.yaml", "--shard", "2/2", "--auto-approve"},
      {"drift", "-f", "m.yaml", "--shard", "3/4", "--format", "json"},
      {"verify", "-f", "m.yaml", "--shard", "1/4"},
      {"report", "merge", "p.json", "--format", "junit"},
  };
  for (const auto& args : lines) {
    const RunResult r = X(args);
    std::string shown;
    for (const std::string& a : args) shown += a + " ";
    EXPECT_EQ(r.exit_code, 1) << shown;
    EXPECT_THAT(r.err, ::testing::AnyOf(HasSubstr("m.yaml"), HasSubstr("p.json"))) << shown << "\n"
                                                                                   << r.err;
    EXPECT_THAT(r.err, ::testing::Not(HasSubstr("--help"))) << shown << "\n" << r.err;
  }
}

}  // namespace
}  // namespace xcert::testing
