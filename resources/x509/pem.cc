#include "resources/x509/pem.h"

#include "engine/util/strings.h"
#include "resources/x509/digest.h"

namespace xcert::x509 {

namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";

// The label of a "-----BEGIN X-----" / "-----END X-----" line, if it is one.
bool MatchMarker(std::string_view line, std::string_view marker, std::string_view* label) {
  if (line.size() < marker.size() + kDashes.size() || !line.starts_with(marker) ||
      !line.ends_with(kDashes)) {
    return false;
  }
  *label = line.substr(marker.size(), line.size() - marker.size() - kDashes.size());
  return true;
}

// Splits text into lines without copying; tolerates CRLF.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}
  bool Next(std::string_view* line) {
    if (pos_ >= text_.size()) return false;
    size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    *line = Trim(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    ++number_;
    return true;
  }
  int number() const { return number_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int number_ = 0;
};

std::string Where(std::string_view label, int line) {
  return "PEM block '" + std::string(label) + "' at line " + std::to_string(line);
}

// Reads one block's lines after its BEGIN line, up to and including END.
Result<PemBlock> ReadBlock(LineReader& lines, std::string_view label) {
  PemBlock block;
  block.label = std::string(label);
  block.line = lines.number();
  std::string body;
  bool in_headers = true;
  std::string_view line;
  while (lines.Next(&line)) {
    std::string_view other;
    if (MatchMarker(line, kEnd, &other)) {
      if (other != label) {
        return InvalidArgument(Where(label, block.line) + " ends with '-----END " +
                               std::string(other) + "-----' at line " +
                               std::to_string(lines.number()));
      }
      auto der = Base64Decode(body);
      if (!der.ok()) return der.status().WithContext(Where(label, block.line));
      block.der = std::move(der).value();
      return block;
    }
    if (MatchMarker(line, kBegin, &other)) break;
    // RFC 1421 headers ("Proc-Type: 4,ENCRYPTED") precede a blank line;
    // base64 never contains ':'.
    if (in_headers && line.find(':') != std::string_view::npos) {
      block.headers.append(line).append("\n");
      continue;
    }
    in_headers = false;
    body.append(line);
  }
  return InvalidArgument(Where(label, block.line) + " has no '-----END " + std::string(label) +
                         "-----' line");
}

}  // namespace

Result<std::vector<PemBlock>> ParsePem(std::string_view text) {
  std::vector<PemBlock> blocks;
  LineReader lines(text);
  std::string_view line;
  while (lines.Next(&line)) {
    std::string_view label;
    if (!MatchMarker(line, kBegin, &label)) continue;
    XCERT_ASSIGN_OR_RETURN(PemBlock block, ReadBlock(lines, label));
    blocks.push_back(std::move(block));
  }
  return blocks;
}

std::string ToPem(std::string_view label, std::string_view der) {
  const std::string b64 = Base64Encode(der);
  std::string out;
  out.reserve(b64.size() + b64.size() / 64 + 2 * label.size() + 40);
  out.append(kBegin).append(label).append(kDashes).append("\n");
  for (size_t i = 0; i < b64.size(); i += 64) out.append(b64, i, 64).append("\n");
  out.append(kEnd).append(label).append(kDashes).append("\n");
  return out;
}

bool LooksLikePem(std::string_view data) {
  if (data.starts_with("\xef\xbb\xbf")) data.remove_prefix(3);
  return Trim(data).starts_with(kBegin);
}

}  // namespace xcert::x509
