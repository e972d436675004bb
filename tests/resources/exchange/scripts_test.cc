// The PowerShell scripts (resources/exchange/scripts/) and the reviewed plans
// (testdata/*.ps1): every cmdlet and parameter they use is in the allow-list
// table of docs/exchange.md, with its source, and nothing outside it (no
// removed parameters such as -FileName or -RequestFile, no Invoke-Expression).
// Plus the structure every operation script must keep.
#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "resources/exchange/script_protocol.h"
#include "tests/support/test_util.h"

namespace xcert::exchange {
namespace {

namespace fs = std::filesystem;

using xcert::testing::ReadFileOrDie;
using xcert::testing::SourceDir;

using Usage = std::map<std::string, std::set<std::string>>;  // command -> parameters

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

// The commands a script runs and the parameters given to each: a small
// PowerShell scanner that skips comments and strings, finds commands in
// command position (start of a statement, after ( { | = & ;), and collects
// the -Parameter tokens at the command's own nesting level up to the end of
// its statement. Functions the script defines itself are not commands.
class Scanner {
 public:
  // `own`: functions defined elsewhere (xcert's script files) that are not
  // commands either.
  explicit Scanner(std::string_view text, std::set<std::string> own = {})
      : t_(text), own_(std::move(own)) {}

  // The functions `text` defines.
  static std::set<std::string> Functions(const std::string& text) {
    static const std::regex kFunction(R"(function\s+([A-Za-z]+-[A-Za-z0-9]+))");
    std::set<std::string> out;
    for (std::sregex_iterator it(text.begin(), text.end(), kFunction), end; it != end; ++it)
      out.insert((*it)[1]);
    return out;
  }

  Usage Scan() {
    std::set<std::string> own = own_;
    own.merge(Functions(std::string(t_)));
    Usage usage;
    struct Open {
      std::string command;
      int depth;
    };
    std::vector<Open> open;
    int depth = 0;
    bool command_position = true;
    auto close_statements = [&](int at_depth) {
      while (!open.empty() && open.back().depth >= at_depth) open.pop_back();
    };
    for (size_t i = 0; i < t_.size();) {
      const char c = t_[i];
      if (c == '<' && t_.substr(i, 2) == "<#") {
        i = t_.find("#>", i);
        i = i == std::string_view::npos ? t_.size() : i + 2;
        continue;
      }
      if (c == '#') {
        i = t_.find('\n', i);
        if (i == std::string_view::npos) i = t_.size();
        continue;
      }
      if (c == '\'') {
        for (++i; i < t_.size(); ++i) {
          if (t_[i] == '\'' && (i + 1 >= t_.size() || t_[i + 1] != '\'')) break;
          if (t_[i] == '\'') ++i;
        }
        ++i;
        command_position = false;
        continue;
      }
      if (c == '"') {
        for (++i; i < t_.size() && t_[i] != '"'; ++i) {
          if (t_[i] == '`') ++i;
        }
        ++i;
        command_position = false;
        continue;
      }
      if (c == '`' && i + 1 < t_.size() && (t_[i + 1] == '\n' || t_[i + 1] == '\r')) {
        i += 2;  // line continuation
        continue;
      }
      if (c == '\n' || c == ';' || c == '|') {
        close_statements(depth);
        command_position = true;
        ++i;
        continue;
      }
      if (c == '(' || c == '{') {
        ++depth;
        command_position = true;
        ++i;
        continue;
      }
      if (c == ')' || c == '}') {
        close_statements(depth);
        --depth;
        command_position = false;
        ++i;
        continue;
      }
      if (c == '=' || c == '&' || c == ',') {
        command_position = c != ',' || command_position;
        ++i;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') {
        ++i;
        continue;
      }
      size_t j = i;
      if (t_[j] == '/') ++j;  // a native command's /switch
      while (j < t_.size() && IsWordChar(t_[j])) ++j;
      if (j == i) {
        ++i;
        command_position = false;
        continue;
      }
      const std::string word(t_.substr(i, j - i));
      const bool parameter = (word[0] == '-' || word[0] == '/') && word.size() > 1 &&
                             std::isalpha(static_cast<unsigned char>(word[1]));
      if (parameter && !open.empty() && open.back().depth == depth) {
        usage[open.back().command].insert(word);  // "-Confirm:$false" gives "-Confirm"
      } else if (command_position && IsCommand(word) && !own.count(word)) {
        open.push_back({word, depth});
        usage[word];
      }
      command_position = false;
      i = j;
    }
    return usage;
  }

 private:
  static bool IsCommand(const std::string& word) {
    static const std::regex kCmdlet(R"([A-Z][a-z]+[A-Za-z]*-[A-Z][A-Za-z0-9]+)");
    return std::regex_match(word, kCmdlet) || word.ends_with(".exe");
  }
  std::string_view t_;
  std::set<std::string> own_;
};

// The allow-list: the table between <!-- allow-list --> and <!-- /allow-list -->
// in docs/exchange.md, rows "| `Command` | `-A`, `-B` | source |".
struct AllowList {
  Usage allowed;
  std::map<std::string, std::string> sources;
};

AllowList ReadAllowList() {
  const std::string doc = ReadFileOrDie(SourceDir() / "docs" / "exchange.md");
  const size_t begin = doc.find("<!-- allow-list -->");
  const size_t end = doc.find("<!-- /allow-list -->");
  AllowList list;
  EXPECT_NE(begin, std::string::npos) << "docs/exchange.md has no <!-- allow-list --> table";
  if (begin == std::string::npos || end == std::string::npos) return list;
  static const std::regex kRow(R"(^\|\s*`([^`]+)`\s*\|([^|]*)\|([^|]*)\|\s*$)");
  static const std::regex kParam(R"(`([-/][A-Za-z]+)`)");
  std::string table = doc.substr(begin, end - begin);
  std::istringstream lines(table);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, kRow)) continue;
    const std::string command = m[1];
    std::string params = m[2];
    list.allowed[command];
    list.sources[command] = m[3];
    for (std::sregex_iterator it(params.begin(), params.end(), kParam), e; it != e; ++it) {
      list.allowed[command].insert((*it)[1]);
    }
  }
  return list;
}

// Every script xcert runs or writes: the embedded scripts and the golden plans.
std::map<std::string, std::string> AllScripts() {
  std::map<std::string, std::string> out;
  const fs::path scripts = SourceDir() / "resources" / "exchange" / "scripts";
  for (const auto& e : fs::directory_iterator(scripts))
    out[e.path().filename().string()] = ReadFileOrDie(e.path());
  const fs::path plans = SourceDir() / "tests" / "resources" / "exchange" / "testdata";
  for (const auto& e : fs::directory_iterator(plans)) {
    if (e.path().extension() == ".ps1")
      out["testdata/" + e.path().filename().string()] = ReadFileOrDie(e.path());
  }
  return out;
}

TEST(ScannerTest, FindsCommandsAndTheirOwnParameters) {
  const Usage u = Scanner(R"(
function Get-XcertThing([string]$Server) { Get-Date -Format 'o' }
# Remove-Item -Recurse in a comment
$x = @(Get-ExchangeCertificate -Server $s | Where-Object { $_.Thumbprint -eq 'A' })
if (Get-Command -Name Get-AuthConfig -ErrorAction SilentlyContinue) {
  $null = Enable-ExchangeCertificate -Server 'S' -Services ($a -join ',') `
    -Force
  Remove-ExchangeCertificate -Server 'x' -Confirm:$false; Write-Host '-NotAParameter'
}
$null = & iisreset.exe 'S' /noforce
Get-XcertThing -Server 'S'
)")
                      .Scan();
  const Usage expected = {{"Enable-ExchangeCertificate", {"-Server", "-Services", "-Force"}},
                          {"Get-Command", {"-Name", "-ErrorAction"}},
                          {"Get-Date", {"-Format"}},
                          {"Get-ExchangeCertificate", {"-Server"}},
                          {"Remove-ExchangeCertificate", {"-Server", "-Confirm"}},
                          {"Where-Object", {}},
                          {"Write-Host", {}},
                          {"iisreset.exe", {"/noforce"}}};
  EXPECT_EQ(u, expected);
}

TEST(AllowListTest, EveryCommandAndParameterIsDocumentedWithItsSource) {
  const AllowList list = ReadAllowList();
  ASSERT_FALSE(list.allowed.empty());
  const std::map<std::string, std::string> scripts = AllScripts();
  std::set<std::string> xcert_functions;
  for (const auto& [name, text] : scripts) xcert_functions.merge(Scanner::Functions(text));
  EXPECT_TRUE(xcert_functions.count("Get-XcertFacts"));
  Usage used;
  for (const auto& [name, text] : scripts) {
    for (const auto& [command, params] : Scanner(text, xcert_functions).Scan()) {
      auto it = list.allowed.find(command);
      EXPECT_NE(it, list.allowed.end())
          << name << " runs " << command << ", which is not in the allow-list of docs/exchange.md";
      for (const std::string& p : params) {
        used[command].insert(p);
        if (it != list.allowed.end()) {
          EXPECT_TRUE(it->second.count(p))
              << name << " uses " << command << " " << p
              << ", which is not in the allow-list of docs/exchange.md";
        }
      }
      used[command];
    }
  }
  for (const auto& [command, params] : list.allowed) {
    EXPECT_TRUE(used.count(command))
        << "docs/exchange.md allows " << command << ", which nothing uses: remove the row";
    for (const std::string& p : params) {
      EXPECT_TRUE(used[command].count(p))
          << "docs/exchange.md allows " << command << " " << p << ", which nothing uses: remove it";
    }
    EXPECT_NE(list.sources.at(command).find_first_not_of(" "), std::string::npos)
        << command << " has no source";
  }
}

// "" when brackets pair up and every string and block comment ends; else
// where the first problem is. PowerShell does not run on the build machine,
// so this catches the slips that would make a whole script fail to parse.
std::string Unbalanced(std::string_view t) {
  std::vector<std::pair<char, int>> open;
  int line = 1;
  auto at = [&line](const std::string& what) {
    return "line " + std::to_string(line) + ": " + what;
  };
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '\n') ++line;
    if (c == '<' && t.substr(i, 2) == "<#") {
      const size_t end = t.find("#>", i);
      if (end == std::string_view::npos) return at("a <# comment never ends");
      line += int(std::count(t.begin() + long(i), t.begin() + long(end), '\n'));
      i = end + 1;
    } else if (c == '#') {
      while (i + 1 < t.size() && t[i + 1] != '\n') ++i;
    } else if (c == '\'' || c == '"') {
      const int start = line;
      for (++i; i < t.size(); ++i) {
        if (t[i] == '\n') ++line;
        if (c == '"' && t[i] == '`') {
          ++i;
        } else if (t[i] == c && i + 1 < t.size() && t[i + 1] == c) {
          ++i;
        } else if (t[i] == c) {
          break;
        }
      }
      if (i >= t.size()) return "line " + std::to_string(start) + ": a string never ends";
    } else if (c == '(' || c == '{' || c == '[') {
      open.emplace_back(c, line);
    } else if (c == ')' || c == '}' || c == ']') {
      const char want = c == ')' ? '(' : c == '}' ? '{' : '[';
      if (open.empty()) return at(std::string("'") + c + "' closes nothing");
      if (open.back().first != want) {
        return at(std::string("'") + c + "' closes '" + open.back().first + "' of line " +
                  std::to_string(open.back().second));
      }
      open.pop_back();
    }
  }
  if (!open.empty())
    return "line " + std::to_string(open.back().second) + ": '" + open.back().first +
           "' never closes";
  return "";
}

TEST(ScriptsTest, BracketsStringsAndCommentsAreBalanced) {
  EXPECT_EQ(Unbalanced("if ($a) { @('x', \"it`\"s\") } # (\n<# ) #>"), "");
  EXPECT_EQ(Unbalanced("if ($a) {\n  $b = ('x'\n}"), "line 3: '}' closes '(' of line 2");
  EXPECT_EQ(Unbalanced("$a = 'it''s"), "line 1: a string never ends");
  for (const auto& [name, text] : AllScripts()) EXPECT_EQ(Unbalanced(text), "") << name;
}

TEST(ScriptsTest, NoRemovedOrDangerousConstructs) {
  for (const auto& [name, text] : AllScripts()) {
    for (const char* banned :
         {"-FileName", "-RequestFile", "Invoke-Expression", "iex ", "Add-Type",
          "-Services Federation", "-Services 'Federation", "DownloadString", "Start-Process"}) {
      EXPECT_EQ(text.find(banned), std::string::npos) << name << " contains " << banned;
    }
  }
}

TEST(ScriptsTest, OperationsFollowTheProtocol) {
  for (Operation op : kAllOperations) {
    const std::string text(*EmbeddedScript(ScriptFile(op)));
    SCOPED_TRACE(ScriptFile(op));
    EXPECT_TRUE(
        text.starts_with(std::string(kOperationMarker) + std::string(OperationName(op)) + "\n"));
    EXPECT_NE(text.find("\nInvoke-XcertOperation {\n"), std::string::npos)
        << "errors become ok:false answers";
    EXPECT_NE(text.find("$request = Get-XcertArgs\n"), std::string::npos)
        << "values come from the arguments";
    EXPECT_EQ(text.find("$XcertArgsBase64"), std::string::npos)
        << "only the prelude decodes the arguments";
    EXPECT_EQ(text.find("Write-Host"), std::string::npos) << "stdout carries the answer only";
    EXPECT_EQ(Scanner(text).Scan().count("Write-Output"), 0u);
  }
  const std::string prelude(*EmbeddedScript(kPreludeScript));
  EXPECT_NE(prelude.find("'XCERT-RESULT: ' + $ascii"), std::string::npos);
  EXPECT_NE(prelude.find("$ErrorActionPreference = 'Stop'"), std::string::npos);
}

TEST(ScriptsTest, OnlyTheseChangeTheServer) {
  // Read operations must not call a cmdlet that changes anything.
  const std::set<std::string> changes = {"New-ExchangeCertificate",
                                         "Import-ExchangeCertificate",
                                         "Enable-ExchangeCertificate",
                                         "Remove-ExchangeCertificate",
                                         "Restart-Service",
                                         "iisreset.exe"};
  for (std::string_view file : {kCommonScript, kPreludeScript, std::string_view("list.ps1"),
                                std::string_view("get.ps1"), std::string_view("export.ps1")}) {
    for (const auto& [command, params] :
         Scanner(*EmbeddedScript(file), {"Invoke-XcertOperation"}).Scan()) {
      EXPECT_FALSE(changes.count(command)) << file << " runs " << command;
    }
  }
}

}  // namespace
}  // namespace xcert::exchange
