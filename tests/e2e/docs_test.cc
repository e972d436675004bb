// The documentation, held to the real binary: every xcert command line shown
// in README.md, docs/ and examples/ runs against the bundled example and is
// not refused as a usage mistake (a flag, subcommand or argument the binary
// does not have), unless an HTML comment right before its code block says why
// it cannot run offline:
//
//   <!-- not runnable offline: needs an Exchange server -->
//
// Synopsis blocks (the first code block of docs/commands/*.md) are checked
// flag by flag in tests/engine/cli/cli_test.cc. And every relative link in
// the documentation leads to a file of the repository (and a heading, for
// a link with an #anchor).
#include <fstream>
#include <functional>
#include <regex>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "engine/util/strings.h"
#include "tests/support/test_util.h"

namespace xcert::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The Markdown files a user reads.
std::vector<fs::path> DocumentationFiles() {
  std::vector<fs::path> out = {SourceDir() / "README.md"};
  for (const char* dir : {"docs", "examples"}) {
    for (const auto& e : fs::recursive_directory_iterator(SourceDir() / dir)) {
      if (e.is_regular_file() && e.path().extension() == ".md") out.push_back(e.path());
    }
  }
  return out;
}

std::string Relative(const fs::path& p) { return fs::relative(p, SourceDir()).string(); }

struct CommandLine {
  std::string file;  // "docs/commands/plan.md:42"
  std::string text;  // continuation lines joined
};

// The xcert command lines of one file's code blocks: lines that start with
// "xcert " (after VAR=value prefixes), with "\" continuations joined. In a
// block that shows a session ("$ xcert …" followed by its output), only the
// "$ " lines are commands. Skips the synopsis and blocks marked "not
// runnable offline".
std::vector<CommandLine> CommandLines(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  static const std::regex command(R"(^(\$ )?(env( -u [A-Z_]+)+ )?([A-Z_]+=\S+ )*xcert( .*)?$)");
  const bool is_command_doc = file.parent_path().filename() == "commands";
  std::vector<CommandLine> out;
  std::string previous_text_line;
  bool first_block = true;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("```", 0) != 0) {
      if (!lines[i].empty()) previous_text_line = lines[i];
      continue;
    }
    size_t end = i + 1;
    while (end < lines.size() && lines[end].rfind("```", 0) != 0) ++end;
    const bool skip = (is_command_doc && first_block) ||
                      previous_text_line.find("not runnable offline") != std::string::npos;
    first_block = false;
    bool session = false;
    for (size_t k = i + 1; k < end; ++k) session = session || lines[k].rfind("$ ", 0) == 0;
    for (size_t k = i + 1; !skip && k < end; ++k) {
      if (!std::regex_match(lines[k], command)) continue;
      if (session && lines[k].rfind("$ ", 0) != 0) continue;  // output, not a command
      CommandLine c{Relative(file) + ":" + std::to_string(k + 1), lines[k]};
      while (!c.text.empty() && c.text.back() == '\\' && k + 1 < end) {
        c.text.pop_back();
        c.text += " " + lines[++k];
      }
      out.push_back(std::move(c));
    }
    i = end;
  }
  return out;
}

// One xcert invocation of a command line: its environment and arguments,
// shell-split (quotes, no expansion), up to the first |, >, ;, && or #.
struct Invocation {
  std::map<std::string, std::string> env;
  std::vector<std::string> args;
};

std::vector<std::string> ShellWords(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\'' || c == '"') {
      const size_t end = text.find(c, i + 1);
      word += text.substr(i + 1, end - i - 1);
      in_word = true;
      i = end == std::string::npos ? text.size() : end;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else if (c == '|' || c == '>' || c == ';' || c == '&' || (c == '#' && !in_word)) {
      break;  // a pipe, redirection, list or comment ends the xcert invocation
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

Invocation Parse(const std::string& text) {
  Invocation inv;
  std::vector<std::string> words = ShellWords(text);
  size_t i = 0;
  if (i < words.size() && words[i] == "$") ++i;
  if (i < words.size() && words[i] == "env") {
    ++i;
    while (i + 1 < words.size() && words[i] == "-u") i += 2;
  }
  for (; i < words.size() && words[i].find('=') != std::string::npos; ++i) {
    const size_t eq = words[i].find('=');
    inv.env[words[i].substr(0, eq)] = words[i].substr(eq + 1);
  }
  if (i < words.size() && words[i] == "xcert") ++i;
  inv.args.assign(words.begin() + std::ptrdiff_t(i), words.end());
  return inv;
}

// What the binary says when the command line itself is wrong (CLI11's parse
// errors, an unknown command): never the fault of the example it runs on.
bool IsUsageError(const RunResult& r) {
  return r.err.find("--help") != std::string::npos ||
         r.err.find("is not an xcert command") != std::string::npos;
}

// Runs one documented command line in `dir` (after creating the files it
// names): never a usage mistake, a crash or an internal error.
void ExpectRunsAsWritten(const CommandLine& line, TempDir& dir,
                         const std::map<std::string, std::string>& base_env) {
  SCOPED_TRACE(line.file + ": " + line.text);
  // The files the line names exist, so that only the command line is judged.
  Invocation inv = Parse(line.text);
  ASSERT_FALSE(inv.args.empty());
  for (const std::string& a : inv.args) {
    if (std::regex_match(a, std::regex(R"([\w./-]+\.(xml|json|pem|pfx))")) &&
        !fs::exists(dir.path() / a)) {
      dir.Write(a, "");  // a recorded or saved file the line names
    }
  }
  std::map<std::string, std::string> env = base_env;
  env.insert(inv.env.begin(), inv.env.end());
  std::vector<std::string> argv = {XcertBinary().string()};
  argv.insert(argv.end(), inv.args.begin(), inv.args.end());
  const RunResult r = testing::Run(argv, dir.path(), env);
  EXPECT_FALSE(IsUsageError(r)) << r.err;
  EXPECT_THAT(r.exit_code, ::testing::AnyOf(0, 1, 2)) << "crashed or killed:\n" << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("internal error"))) << r.err;
}

TEST(Docs, EveryCommandLineRunsAgainstTheBundledExample) {
  std::vector<CommandLine> lines;
  for (const fs::path& f : DocumentationFiles()) {
    for (CommandLine& c : CommandLines(f)) lines.push_back(std::move(c));
  }
  ASSERT_GE(lines.size(), 30u) << "the extraction found too few command lines";
  // The bundled example with its server's store, as a new user has it after
  // the README's first command; the lines run in order, as a reader would.
  TempDir dir;
  fs::copy(SourceDir() / "examples", dir.path() / "examples", fs::copy_options::recursive);
  fs::copy_file(SourceDir() / "examples/pocket-consultant/xcert.yaml", dir.path() / "xcert.yaml");
  const std::map<std::string, std::string> base_env = {
      {"XCERT_BACKUP_PASSWORD", "docs-test-password"}, {"NO_COLOR", "1"}};
  const RunResult init = RunXcert({"store", "init", "-f", "xcert.yaml"}, dir.path(), base_env);
  ASSERT_EQ(init.exit_code, 0) << init.err;
  for (const CommandLine& line : lines) ExpectRunsAsWritten(line, dir, base_env);
}

// Every xcert command of a CI example (examples/ci/*.yml): the lines of the
// YAML's strings from "xcert " on, with the CI engine's expressions for the
// shard replaced by a number.
std::vector<CommandLine> CiCommandLines(const fs::path& file) {
  std::vector<CommandLine> out;
  std::function<void(const YAML::Node&)> walk = [&](const YAML::Node& n) {
    if (n.IsScalar()) {
      for (std::string line : Split(n.as<std::string>(), '\n')) {
        const size_t at = line.find("xcert ");
        if (at == std::string::npos || (at > 0 && line[at - 1] != ' ')) continue;
        line = std::regex_replace(line.substr(at), std::regex(R"(\$\{\{[^}]*\}\}|\$CI_NODE_INDEX)"),
                                  "1");
        out.push_back({Relative(file) + ": " + line.substr(0, 30), line});
      }
    }
    for (auto it = n.begin(); n.IsMap() && it != n.end(); ++it) walk(it->second);
    for (size_t i = 0; n.IsSequence() && i < n.size(); ++i) walk(n[i]);
  };
  walk(YAML::LoadFile(file.string()));
  return out;
}

TEST(Docs, CiExamplesParseAndTheirCommandsRun) {
  TempDir dir;
  fs::copy_file(SourceDir() / "examples/pocket-consultant/xcert.yaml", dir.path() / "xcert.yaml");
  const std::map<std::string, std::string> base_env = {
      {"XCERT_BACKUP_PASSWORD", "docs-test-password"}, {"NO_COLOR", "1"}};
  ASSERT_EQ(RunXcert({"store", "init", "-f", "xcert.yaml"}, dir.path(), base_env).exit_code, 0);
  for (const char* name : {"gitlab-ci.yml", "github-workflow.yml"}) {
    SCOPED_TRACE(name);
    const fs::path file = SourceDir() / "examples/ci" / name;
    std::vector<CommandLine> lines;
    ASSERT_NO_THROW(lines = CiCommandLines(file)) << "not valid YAML";
    std::set<std::string> commands;
    for (const CommandLine& line : lines) {
      ExpectRunsAsWritten(line, dir, base_env);
      commands.insert(Parse(line.text).args.front());
    }
    // Plan on merge requests, apply on merge, drift on a schedule, one report.
    EXPECT_EQ(commands, (std::set<std::string>{"validate", "plan", "apply", "drift", "report"}));
  }
}

// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as '-'.
std::string Slug(const std::string& heading) {
  std::string out;
  for (unsigned char c : heading) {
    if (std::isalnum(c) || c == '-' || c == '_')
      out += char(std::tolower(c));
    else if (c == ' ')
      out += '-';
    else if (c >= 0x80)
      out += char(c);
  }
  return out;
}

std::set<std::string> Anchors(const fs::path& md) {
  std::set<std::string> out;
  std::ifstream in(md);
  bool in_block = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("```", 0) == 0) in_block = !in_block;
    if (in_block || line.rfind('#', 0) != 0) continue;
    const size_t text = line.find_first_not_of('#');
    if (text == std::string::npos || line[text] != ' ') continue;
    out.insert(Slug(line.substr(text + 1)));
  }
  return out;
}

TEST(Docs, EveryRelativeLinkLeadsIntoTheRepository) {
  static const std::regex link(R"(\]\(([^)\s]+)\))");
  size_t checked = 0;
  for (const fs::path& file : DocumentationFiles()) {
    const std::string text = ReadFileOrDie(file);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), link);
         it != std::sregex_iterator(); ++it) {
      const std::string target = (*it)[1];
      if (target.find("://") != std::string::npos || target.rfind("mailto:", 0) == 0) continue;
      SCOPED_TRACE(Relative(file) + ": (" + target + ")");
      ++checked;
      const size_t hash = target.find('#');
      const std::string path = target.substr(0, hash);
      const fs::path resolved =
          path.empty() ? file : (file.parent_path() / path).lexically_normal();
      const std::string inside = fs::relative(resolved, SourceDir()).string();
      EXPECT_FALSE(inside.rfind("..", 0) == 0) << "leads outside the repository";
      ASSERT_TRUE(fs::exists(resolved)) << "no such file";
      if (hash != std::string::npos && resolved.extension() == ".md") {
        EXPECT_TRUE(Anchors(resolved).count(target.substr(hash + 1)))
            << "no heading with that anchor in " << Relative(resolved);
      }
    }
  }
  EXPECT_GE(checked, 20u) << "the extraction found too few links";
}

}  // namespace
}  // namespace xcert::testing
