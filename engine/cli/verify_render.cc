#include "engine/cli/verify_render.h"

#include <algorithm>
#include <map>

#include "engine/plan/json_writer.h"
#include "engine/util/strings.h"
#include "engine/util/xml.h"

namespace xcert::cli {

using probe::EndpointResult;
using probe::Finding;
using probe::VerifyReport;

std::string EndpointStatus(const EndpointResult& r) {
  if (r.ok()) return "ok";
  if (r.outcome != probe::Outcome::kOk) return std::string(probe::OutcomeName(r.outcome));
  return "failed";
}

namespace {

std::string FindingLine(const Finding& f) {
  return std::string(probe::ProblemName(f.problem)) + ": " + f.message;
}

std::string DaysLeft(const EndpointResult& r) {
  if (!r.verdict.days_left) return "";
  return CountNoun(static_cast<size_t>(std::max(0LL, *r.verdict.days_left)), "day") + " left";
}

std::string Summary(const VerifyReport& report) {
  const size_t failed = report.FailedCount();
  std::map<std::string, int> servers;
  for (const EndpointResult& r : report.endpoints) servers[r.check.server]++;
  const std::string on =
      CountNoun(report.endpoints.size(), "endpoint") + " on " + CountNoun(servers.size(), "server");
  if (failed > 0) {
    return "Verify failed: " + std::to_string(failed) + " of " + on +
           (failed == 1 ? " does" : " do") + " not serve what the store binds, or serve it badly.";
  }
  if (!report.errors.empty()) {
    return "Verify incomplete: " + CountNoun(report.errors.size(), "server") +
           " could not be verified.";
  }
  if (report.endpoints.empty()) return "Nothing to verify: no server binds IIS, SMTP, IMAP or POP.";
  return "Verified: " + on + (report.endpoints.size() == 1 ? " serves" : " serve") +
         " what the store binds.";
}

}  // namespace

std::string RenderVerifyText(const VerifyReport& report, bool color) {
  auto paint = [color](const char* code, const std::string& s) {
    return color ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
  };
  std::string out;
  std::string server;
  for (const EndpointResult& r : report.endpoints) {
    if (r.check.server != server) {
      server = r.check.server;
      out += (out.empty() ? "" : "\n") + paint("1", server) + " (" + r.check.target.address + ")\n";
    }
    std::string status = EndpointStatus(r);
    std::string label = status == "ok" ? paint("32", "ok  ") : paint("31", "FAIL");
    std::string service(ServiceName(r.check.service));
    service.resize(std::max<size_t>(service.size(), 4), ' ');
    std::string line = "  " + label + "  " + service + "  " + r.check.target.Describe();
    if (!r.served.empty()) line += "  " + r.served;
    if (!r.tls_version.empty()) line += "  " + r.tls_version;
    if (const std::string days = DaysLeft(r); !days.empty()) line += "  " + days;
    out += line + "\n";
    for (const Finding& f : r.verdict.findings) out += "        " + FindingLine(f) + "\n";
  }
  for (const std::string& e : report.errors) out += paint("31", "error") + ": " + e + "\n";
  out += (out.empty() ? "" : "\n") + Summary(report) + "\n";
  return out;
}

std::string RenderVerifyJson(const VerifyReport& report, TimePoint now) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Field("format_version", 1);
  w.Field("checked_at", FormatIso8601(now));
  w.Key("endpoints");
  w.BeginArray();
  for (const EndpointResult& r : report.endpoints) {
    w.BeginObject();
    w.Field("server", r.check.server);
    w.Field("service", std::string(ServiceName(r.check.service)));
    w.Field("protocol", std::string(probe::ProtocolName(r.check.target.protocol)));
    w.Field("address", r.check.target.address);
    w.Field("port", static_cast<int>(r.check.target.EffectivePort()));
    w.Field("sni", r.check.target.sni);
    w.Field("status", EndpointStatus(r));
    w.Key("bound");
    w.Strings(r.check.bound);
    w.Field("served", r.served);
    w.Field("tls_version", r.tls_version);
    w.Key("days_left");
    if (r.verdict.days_left) {
      w.Int(*r.verdict.days_left);
    } else {
      w.Null();
    }
    w.Key("not_after");
    if (r.verdict.served) {
      w.String(FormatIso8601(r.verdict.served->not_after));
    } else {
      w.Null();
    }
    w.Field("elapsed_ms", static_cast<long long>(r.elapsed.count()));
    w.Key("findings");
    w.BeginArray();
    for (const Finding& f : r.verdict.findings) {
      w.BeginObject();
      w.Field("problem", std::string(probe::ProblemName(f.problem)));
      w.Field("message", f.message);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("errors");
  w.Strings(report.errors);
  w.Key("summary");
  w.BeginObject();
  w.Field("endpoints", static_cast<long long>(report.endpoints.size()));
  w.Field("failed", static_cast<long long>(report.FailedCount()));
  w.Field("errors", static_cast<long long>(report.errors.size()));
  w.EndObject();
  w.EndObject();
  return out + "\n";
}

std::string RenderVerifyJunit(const VerifyReport& report) {
  std::map<std::string, std::vector<const EndpointResult*>> by_server;
  std::vector<std::string> order;
  for (const EndpointResult& r : report.endpoints) {
    if (!by_server.count(r.check.server)) order.push_back(r.check.server);
    by_server[r.check.server].push_back(&r);
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"xcert verify\" tests=\"" + std::to_string(report.endpoints.size()) +
         "\" failures=\"" + std::to_string(report.FailedCount()) + "\" errors=\"" +
         std::to_string(report.errors.size()) + "\">\n";
  for (const std::string& server : order) {
    const auto& list = by_server[server];
    size_t failures = 0;
    for (const EndpointResult* r : list) failures += r->ok() ? 0 : 1;
    out += "  <testsuite name=\"" + XmlEscape(server) + "\" tests=\"" +
           std::to_string(list.size()) + "\" failures=\"" + std::to_string(failures) + "\">\n";
    for (const EndpointResult* r : list) {
      out +=
          "    <testcase classname=\"" + XmlEscape(server) + "\" name=\"" +
          XmlEscape(std::string(ServiceName(r->check.service)) + " " + r->check.target.Describe()) +
          "\"";
      if (r->ok()) {
        out += "/>\n";
        continue;
      }
      std::string body;
      for (const Finding& f : r->verdict.findings) body += FindingLine(f) + "\n";
      out += ">\n      <failure type=\"" +
             std::string(probe::ProblemName(r->verdict.findings.front().problem)) +
             "\" message=\"" + XmlEscape(r->verdict.findings.front().message) + "\">" +
             XmlEscape(body) + "</failure>\n    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  for (const std::string& e : report.errors) {
    out += "  <testsuite name=\"errors\" tests=\"1\" errors=\"1\">\n    <testcase name=\"" +
           XmlEscape(e.substr(0, e.find(':'))) + "\">\n      <error message=\"" + XmlEscape(e) +
           "\"/>\n    </testcase>\n  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

std::string RenderVerifyMarkdown(const VerifyReport& report) {
  auto cell = [](std::string s) {
    std::string out;
    for (char c : s) {
      if (c == '|')
        out += "\\|";
      else if (c == '\n')
        out += "<br>";
      else
        out += c;
    }
    return out;
  };
  std::string out = "## xcert verify\n\n" + Summary(report) + "\n\n";
  if (!report.endpoints.empty()) {
    out += "| server | service | endpoint | status | served | days left | findings |\n";
    out += "|---|---|---|---|---|---|---|\n";
    for (const EndpointResult& r : report.endpoints) {
      std::vector<std::string> findings;
      for (const Finding& f : r.verdict.findings) findings.push_back(FindingLine(f));
      out += "| " + cell(r.check.server) + " | " + std::string(ServiceName(r.check.service)) +
             " | " + cell(r.check.target.Describe()) + " | " + EndpointStatus(r) + " | " +
             (r.served.empty() ? "" : "`" + r.served + "`") + " | " +
             (r.verdict.days_left ? std::to_string(*r.verdict.days_left) : "") + " | " +
             cell(Join(findings, "\n")) + " |\n";
    }
  }
  for (const std::string& e : report.errors) out += "\n- **error**: " + cell(e) + "\n";
  return out;
}

}  // namespace xcert::cli
