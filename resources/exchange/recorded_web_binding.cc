#include "resources/exchange/recorded_web_binding.h"

#include <charconv>
#include <limits>

#include "engine/util/strings.h"
#include "resources/exchange/recorded_objects.h"

namespace xcert::exchange {

namespace {

// A decimal number in [0, max].
std::optional<int> ParseNumber(std::string_view text, int max) {
  int n = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size() || n < 0 ||
      n > max) {
    return std::nullopt;
  }
  return n;
}

// "ip:port:host", where ip may be an IPv6 literal in brackets (with colons),
// so the port and host are found from the right.
void SplitBindingInformation(RecordedWebBinding* b) {
  std::string_view info = b->binding_information;
  size_t host_colon = info.rfind(':');
  if (host_colon == std::string_view::npos || host_colon == 0) return;
  size_t port_colon = info.rfind(':', host_colon - 1);
  if (port_colon == std::string_view::npos) return;
  std::optional<int> port =
      ParseNumber(info.substr(port_colon + 1, host_colon - port_colon - 1), 65535);
  if (!port) return;
  b->ip_address = std::string(info.substr(0, port_colon));
  b->port = *port;
  b->host_name = std::string(info.substr(host_colon + 1));
}

// The value of `@attr='...'` in an IIS XPath; XPath doubles an apostrophe
// inside a literal.
std::string XPathAttribute(std::string_view xpath, std::string_view attr) {
  std::string marker = "@" + std::string(attr) + "='";
  size_t pos = xpath.find(marker);
  if (pos == std::string_view::npos) return "";
  std::string out;
  for (size_t i = pos + marker.size(); i < xpath.size(); ++i) {
    if (xpath[i] != '\'') {
      out += xpath[i];
    } else if (i + 1 < xpath.size() && xpath[i + 1] == '\'') {
      out += '\'';
      ++i;
    } else {
      break;
    }
  }
  return out;
}

}  // namespace

Result<RecordedWebBinding> RecordedWebBindingFromObject(const PsObject& object) {
  XCERT_RETURN_IF_ERROR(
      CheckRecordedType(object, {kWebBindingType}, "an IIS binding", "Get-WebBinding"));
  RecordedWebBinding out;
  std::optional<std::string> protocol = object.FindText("protocol");
  std::optional<std::string> info = object.FindText("bindingInformation");
  if (!protocol || !info) {
    return InvalidArgument(
        "IIS configuration element without protocol and bindingInformation "
        "(expected the output of Get-WebBinding)");
  }
  out.protocol = *protocol;
  out.binding_information = *info;
  if (out.protocol == "http" || out.protocol == "https") SplitBindingInformation(&out);
  if (const PsValue* flags = object.Find("sslFlags")) out.ssl_flags = flags->AsInt64().value_or(0);
  out.certificate_hash = ToUpper(Trim(object.FindText("certificateHash").value_or("")));
  out.certificate_store_name = object.FindText("certificateStoreName").value_or("");
  std::string xpath = object.FindText("ItemXPath").value_or("");
  out.site_name = XPathAttribute(xpath, "name");
  out.site_id =
      ParseNumber(XPathAttribute(xpath, "id"), std::numeric_limits<int>::max()).value_or(0);
  return out;
}

Result<std::vector<RecordedWebBinding>> ReadRecordedWebBindings(std::string_view clixml_text,
                                                                const std::string& source_name) {
  return ReadRecordedObjects<RecordedWebBinding>(clixml_text, source_name,
                                                 RecordedWebBindingFromObject);
}

}  // namespace xcert::exchange
