#include "tests/support/leak_scan.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

namespace xcert::testing {

namespace fs = std::filesystem;

namespace {

// Files bigger than this are no output of a test's xcert run.
constexpr std::uintmax_t kMaxScannedBytes = 8u << 20;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool NamesASecret(std::string_view name) {
  const std::string lower = Lower(name);
  for (const char* word : {"password", "pass", "secret", "token"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

bool IsSecretFile(const fs::path& p) {
  const std::string name = Lower(p.filename().string());
  return p.extension() == ".pass" || name.find("password") != std::string::npos ||
         name.find("secret") != std::string::npos;
}

bool IsOutputFile(const fs::path& p) {
  static const std::set<std::string> kOutputs = {".json", ".jsonl", ".ps1", ".md",   ".dot",
                                                 ".xml",  ".log",   ".csv", ".html", ".junit"};
  return kOutputs.count(Lower(p.extension().string())) > 0;
}

// Whether `dir` is inside the temporary directory, where tests make their folders.
bool InTempDir(const fs::path& dir) {
  const char* tmp = std::getenv("TMPDIR");
  const fs::path base =
      fs::weakly_canonical(tmp && *tmp ? fs::path(tmp) : fs::temp_directory_path());
  const fs::path d = fs::weakly_canonical(dir);
  auto [b, _] = std::mismatch(base.begin(), base.end(), d.begin(), d.end());
  return b == base.end() && d != base;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Regular files under `dir` (no symlinks followed), nothing when `dir` is not
// a test's temporary folder.
std::vector<fs::path> FilesUnder(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec) || !InTempDir(dir)) return out;
  for (auto it =
           fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::end(it); it.increment(ec)) {
    if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
    if (it->file_size(ec) > kMaxScannedBytes) continue;
    out.push_back(it->path());
  }
  return out;
}

bool IsBase64(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
}

}  // namespace

namespace {

struct PemBody {
  std::string_view label;  // "-----BEGIN EC PRIVATE KEY", ...
  std::string base64;      // without line breaks, spaces and RFC 1421 headers
};

std::vector<PemBody> PemBodies(std::string_view text) {
  std::vector<PemBody> out;
  size_t at = 0;
  for (;;) {
    const size_t begin = text.find("-----BEGIN", at);
    if (begin == std::string_view::npos) break;
    const size_t label_end = text.find("-----", begin + 10);
    if (label_end == std::string_view::npos) break;
    const size_t body = label_end + 5;
    const size_t end = text.find("-----END", body);
    if (end == std::string_view::npos) break;
    at = end + 8;
    PemBody b{text.substr(begin, label_end - begin), {}};
    for (const std::string_view line_text = text.substr(body, end - body); char c : line_text) {
      if (IsBase64(c)) b.base64 += c;
      if (c == ':') b.base64.clear();  // an RFC 1421 header line: the body follows it
    }
    out.push_back(std::move(b));
  }
  return out;
}

bool IsPrivate(const PemBody& b) { return b.label.find("PRIVATE KEY") != std::string_view::npos; }

}  // namespace

std::vector<std::string> PrivateKeyPieces(std::string_view text) {
  std::vector<std::string> pieces;
  for (const PemBody& b : PemBodies(text)) {
    if (!IsPrivate(b)) continue;
    // Pieces that start every kKeyPieceChars/2 characters: a leak of any
    // kKeyPieceChars*3/2 consecutive characters contains one.
    for (size_t i = 0; i + kKeyPieceChars <= b.base64.size(); i += kKeyPieceChars / 2) {
      pieces.push_back(b.base64.substr(i, kKeyPieceChars));
    }
  }
  return pieces;
}

LeakNeedles CollectNeedles(const fs::path& dir, const std::map<std::string, std::string>& env) {
  LeakNeedles needles;
  std::vector<std::string> public_bodies;
  for (const auto& [name, value] : env) {
    if (NamesASecret(name) && value.size() >= kMinPasswordChars) {
      needles.passwords.push_back({value, "the password in " + name});
    }
  }
  for (const fs::path& file : FilesUnder(dir)) {
    const std::string text = Slurp(file);
    const std::string shown = fs::relative(file, dir).string();
    if (IsSecretFile(file)) {
      const std::string first_line = text.substr(0, text.find_first_of("\r\n"));
      if (first_line.size() >= kMinPasswordChars) {
        needles.passwords.push_back({first_line, "the password in " + shown});
      }
    }
    for (std::string& piece : PrivateKeyPieces(text)) {
      needles.key_pieces.push_back({std::move(piece), "the private key in " + shown});
    }
    for (PemBody& b : PemBodies(text)) {
      if (!IsPrivate(b)) public_bodies.push_back(std::move(b.base64));
    }
  }
  // A private key holds its public key, which certificates, requests and
  // public keys show too: a piece found in one of those is no secret.
  std::erase_if(needles.key_pieces, [&](const Needle& n) {
    return std::any_of(public_bodies.begin(), public_bodies.end(), [&](const std::string& body) {
      return body.find(n.value) != std::string::npos;
    });
  });
  return needles;
}

std::vector<std::string> FindLeaks(std::string_view text, std::string_view where,
                                   const LeakNeedles& needles) {
  std::vector<std::string> found;
  auto report = [&](size_t offset, const std::string& what) {
    found.push_back(std::string(where) + ", offset " + std::to_string(offset) + ": " + what);
  };
  for (size_t at = text.find("-----BEGIN"); at != std::string_view::npos;
       at = text.find("-----BEGIN", at + 1)) {
    const size_t label_end = text.find("-----", at + 10);
    if (label_end != std::string_view::npos &&
        text.substr(at, label_end - at).find("PRIVATE KEY") != std::string_view::npos) {
      report(at, "private key PEM armour");
    }
  }
  for (const Needle& n : needles.passwords) {
    if (size_t at = text.find(n.value); at != std::string_view::npos) report(at, n.origin);
  }
  std::set<std::string> reported;  // one finding per key, not one per piece
  for (const Needle& n : needles.key_pieces) {
    if (reported.count(n.origin)) continue;
    if (size_t at = text.find(n.value); at != std::string_view::npos) {
      report(at, "a piece of " + n.origin);
      reported.insert(n.origin);
    }
  }
  return found;
}

std::vector<std::string> ScanRun(const std::string& out, const std::string& err,
                                 const fs::path& dir,
                                 const std::map<std::string, std::string>& env) {
  const LeakNeedles needles = CollectNeedles(dir, env);
  std::vector<std::string> found = FindLeaks(out, "stdout", needles);
  for (std::string& f : FindLeaks(err, "stderr", needles)) found.push_back(std::move(f));
  for (const fs::path& file : FilesUnder(dir)) {
    if (!IsOutputFile(file)) continue;
    const std::string text = Slurp(file);
    for (std::string& f : FindLeaks(text, fs::relative(file, dir).string(), needles)) {
      found.push_back(std::move(f));
    }
  }
  return found;
}

void ExpectNoLeaks(const std::string& command, const std::string& out, const std::string& err,
                   const fs::path& dir, const std::map<std::string, std::string>& env) {
  for (const std::string& leak : ScanRun(out, err, dir, env)) {
    ADD_FAILURE() << "`" << command << "` leaked a secret: " << leak;
  }
}

}  // namespace xcert::testing
