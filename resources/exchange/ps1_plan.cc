#include "resources/exchange/ps1_plan.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "engine/util/strings.h"
#include "resources/exchange/exchange_store.h"
#include "resources/exchange/ps1_text.h"
#include "resources/exchange/script_protocol.h"

namespace xcert::exchange {

namespace {

std::string FileName(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

std::string Indent(const std::string& text, const std::string& prefix) {
  std::string out;
  for (const std::string& line : Split(text, '\n')) {
    if (!line.empty()) out += prefix + line;
    out += '\n';
  }
  if (!out.empty()) out.pop_back();
  return out;
}

std::string PasswordParameter(const std::string& issuer) {
  return "$Password_" + Ps1Identifier(issuer);
}

bool HasUm(ServiceSet s) { return s.Has(Service::kUm) || s.Has(Service::kUmCallRouter); }

// The friendly name a step's certificate gets: the manifest's, else the
// subject's CN, else the certificate's name in the manifest.
std::string FriendlyOf(const Step& s) {
  const std::string name = ExchangeFriendlyName(s.friendly_name, s.subject);
  return name.empty() ? s.certificate : name;
}

// Everything the renderer needs to know about the plan before writing it.
class Renderer {
 public:
  Renderer(const Plan& plan, const Manifest& manifest) : plan_(plan), manifest_(manifest) {
    order_ = plan.steps;
    // Backups first (BuildPlan already orders them so; this keeps the promise).
    std::stable_partition(order_.begin(), order_.end(),
                          [](const Step& s) { return s.kind == StepKind::kBackupExport; });
    for (size_t i = 0; i < order_.size(); ++i) {
      if (IsEdge(order_[i].server)) edge_servers_.insert(order_[i].server);
      if (order_[i].kind == StepKind::kEnable) last_enable_[order_[i].server] = i;
      if (order_[i].kind == StepKind::kEnable && order_[i].services.Has(Service::kIis)) {
        iis_servers_.insert(order_[i].server);
      }
    }
  }

  Result<std::string> Render() {
    for (const Step& s : order_) XCERT_RETURN_IF_ERROR(Check(s));
    std::string steps;
    for (size_t i = 0; i < order_.size(); ++i) {
      steps += "\n" + StepBlock(order_[i], i);
      const std::string& server = order_[i].server;
      auto last = last_enable_.find(server);
      if (last != last_enable_.end() && last->second == i && iis_servers_.count(server)) {
        steps += "\n" + IisResetBlock(server, i);
      }
    }
    if (order_.empty()) steps = "\nWrite-Host 'Nothing to do: the servers match the manifest.'\n";
    XCERT_ASSIGN_OR_RETURN(std::string_view common, EmbeddedScript(kCommonScript));
    XCERT_ASSIGN_OR_RETURN(std::string_view helpers, EmbeddedScript(kPlanHelpersScript));
    std::string out = "\xEF\xBB\xBF";
    out += Header();
    out += Parameters();
    out += Prologue();
    out += "\n" + std::string(common) + "\n" + std::string(helpers);
    out += State();
    out += steps;
    out += "\nWrite-XcertDone\n";
    return out;
  }

 private:
  const ServerSpec* Server(const std::string& name) const { return manifest_.FindServer(name); }

  // An Edge Transport server is outside Active Directory: its certificates
  // are managed in its own Exchange Management Shell, never through -Server
  // from another one. Its steps run only when the script runs on it.
  bool IsEdge(const std::string& name) const {
    const ServerSpec* s = Server(name);
    return s && std::find(s->roles.begin(), s->roles.end(), Role::kEdgeTransport) != s->roles.end();
  }
  // The shell a step runs in: the Edge server's own, or "" for any shell of the organisation.
  std::string ShellOf(const std::string& server) const { return IsEdge(server) ? server : ""; }

  std::string Where(const Step& s) const {
    return s.where.file.empty() ? "" : s.where.ToString() + ": ";
  }

  // "ca" or "acme": the type of the issuer an issue step names.
  std::string IssuerTypeOf(const std::string& name) const {
    const IssuerSpec* issuer = manifest_.FindIssuer(name);
    return issuer ? std::string(IssuerTypeName(issuer->type)) : "ca";
  }

  // The refusals of ps1_plan.h.
  Status Check(const Step& s) const {
    switch (s.kind) {
      case StepKind::kIssue:
        return FailedPrecondition(
            Where(s) + "certificate '" + s.certificate + "' comes from the " +
            IssuerTypeOf(s.issuer) + " issuer '" + s.issuer + "', which " +
            (IssuerTypeOf(s.issuer) == "acme" ? "xcert orders" : "xcert signs") +
            " during apply; a reviewed script cannot "
            "carry its new private key. Apply it with "
            "`xcert apply` through an exchange store, or issue it with your "
            "CA into a PKCS#12 and declare it with "
            "a `file` issuer");
      case StepKind::kCreate:
        return CheckExchangeKey(s.server, s.subject, s.key)
            .WithContext(Where(s) + "xcert plan --format ps1");
      case StepKind::kImport:
        if (s.source == ImportSource::kFile) {
          const IssuerSpec* issuer = manifest_.FindIssuer(s.issuer);
          if (!issuer || issuer->pkcs12.empty()) {
            return FailedPrecondition(Where(s) + "the file issuer '" + s.issuer +
                                      "' supplies PEM files, but Import-ExchangeCertificate "
                                      "needs a PKCS#12: convert it (openssl pkcs12 -export -in "
                                      "cert.pem -inkey key.pem -out " +
                                      s.certificate +
                                      ".pfx) and set the issuer's pkcs12 and password");
          }
        }
        if (s.source == ImportSource::kArtifact && s.source_server.empty()) {
          return Internal("import step " + std::to_string(s.id) + " has no source server");
        }
        if (s.source == ImportSource::kArtifact && ShellOf(s.source_server) != ShellOf(s.server)) {
          return FailedPrecondition(
              Where(s) + "certificate '" + s.certificate + "' would be copied from " +
              s.source_server + " to " + s.server + ", but " +
              (IsEdge(s.server) ? s.server : s.source_server) +
              " is an Edge Transport server, managed only in its own Exchange Management Shell, "
              "and a script keeps the copy in one shell's memory. Apply it with `xcert apply` "
              "through an exchange store, or give the Edge server its own certificate");
        }
        return Status::Ok();
      case StepKind::kEnable: {
        if (s.services.Has(Service::kFederation)) {
          return FailedPrecondition(Where(s) +
                                    "Federation certificates are managed with the federation trust "
                                    "cmdlets; xcert never enables Federation");
        }
        const ServerSpec* server = Server(s.server);
        for (Service svc : s.services.ToVector()) {
          const std::string why =
              server ? WhyNotEnableable(svc, server->roles, server->version) : "";
          if (!why.empty())
            return FailedPrecondition(Where(s) + "cannot enable " + std::string(ServiceName(svc)) +
                                      " on " + s.server + ": " + why);
        }
        return Status::Ok();
      }
      default: return Status::Ok();
    }
  }

  std::string Label(size_t i) const {
    return std::to_string(i + 1) + "/" + std::to_string(order_.size());
  }

  // The thumbprint a step acts on, as a PowerShell expression.
  static std::string ThumbprintOf(const Step& s) {
    return s.thumbprint.empty() ? "(Get-XcertCreated " + Ps1String(s.certificate) + ")"
                                : Ps1String(s.thumbprint);
  }

  std::string Header() const {
    std::set<std::string> servers;
    for (const Step& s : order_) {
      if (!s.server.empty()) servers.insert(s.server);
    }
    std::string h = "<#\n.SYNOPSIS\n  xcert plan: " + CountNoun(order_.size(), "step") + " on " +
                    (servers.empty() ? std::string("no server")
                                     : Join({servers.begin(), servers.end()}, ", ")) +
                    ".\n";
    h += "\n.DESCRIPTION\n";
    h += "  Written by `xcert plan --format ps1` on " + FormatIso8601(plan_.created_at) + " from " +
         Ps1Comment(plan_.manifest_path.empty() ? manifest_.path : plan_.manifest_path) +
         (plan_.manifest_digest.empty() ? "" : " (sha256 " + plan_.manifest_digest + ")") + ".\n";
    h += "  Review it, then run it in the Exchange Management Shell, as a member of Organization\n"
         "  Management with local administrator rights on the servers:\n\n";
    h += "    " + Usage() + "\n\n";
    h +=
        "  Every step checks first and skips what is already done, so running the script again is\n"
        "  safe. It stops at the first error. Backups are exported before anything changes.\n";
    h += "\n  Steps:\n";
    for (size_t i = 0; i < order_.size(); ++i)
      h += "    " + Label(i) + "  " + Ps1Comment(order_[i].summary) + "\n";
    if (order_.empty()) h += "    none: the servers match the manifest\n";
    h += ServerNotes(servers);
    h += FileNotes();
    auto list = [&h](const char* title, const std::vector<std::string>& items) {
      if (items.empty()) return;
      h += std::string("\n  ") + title + ":\n";
      for (const std::string& item : items) h += "    - " + Ps1Comment(item) + "\n";
    };
    list("Warnings", plan_.warnings);
    std::vector<std::string> blocked;
    for (const Blocked& b : plan_.diff.blocked) blocked.push_back(b.address + ": " + b.reason);
    list("Not in this script (blocked)", blocked);
    std::vector<std::string> pending;
    for (const PendingRequest& p : plan_.diff.pending) {
      pending.push_back(p.certificate + " on " + p.server + ": waiting for the CA's answer to " +
                        (p.csr_path.empty() ? p.thumbprint : p.csr_path) +
                        (p.problem.empty() ? "" : " (" + p.problem + ")"));
    }
    list("Pending requests", pending);
    h += ParameterHelp();
    h += "#>\n";
    return h;
  }

  std::string Usage() const {
    std::string u = ".\\plan.ps1";
    if (NeedsBackupPassword())
      u += " -BackupPassword (Read-Host -AsSecureString 'Backup password')";
    for (const std::string& issuer : FileIssuers()) {
      u += " " + PasswordParameter(issuer).replace(0, 1, "-") + " (Read-Host -AsSecureString " +
           Ps1String("Password of " + issuer) + ")";
    }
    return u;
  }

  std::string ServerNotes(const std::set<std::string>& servers) const {
    std::string out;
    for (const std::string& name : servers) {
      const ServerSpec* s = Server(name);
      if (!s) continue;
      std::vector<std::string> roles;
      for (Role r : s->roles) roles.emplace_back(RoleName(r));
      out += "    " + Ps1Comment(name) + ": Exchange " + std::string(VersionName(s->version)) +
             " (" + Join(roles, ", ") + ")";
      if (s->version == ExchangeVersion::k2013) {
        out += "; Exchange 2013 has -FileData and -BinaryEncoded too, so the same cmdlets serve it";
      }
      if (s->version == ExchangeVersion::k2013 || s->version == ExchangeVersion::k2016) {
        out += "; UM services are restarted after UM certificates change";
      }
      if (IsEdge(name)) {
        out +=
            "; Edge Transport: its steps run only when this script runs in its own Exchange "
            "Management Shell, so run the script there too";
      }
      out += "\n";
    }
    return out.empty() ? "" : "\n  Servers:\n" + out;
  }

  std::vector<std::string> FileIssuers() const {
    std::set<std::string> issuers;
    for (const Step& s : order_) {
      if (s.kind == StepKind::kImport && s.source == ImportSource::kFile) issuers.insert(s.issuer);
    }
    return {issuers.begin(), issuers.end()};
  }

  bool NeedsBackupPassword() const {
    return std::any_of(order_.begin(), order_.end(), [](const Step& s) {
      return s.kind == StepKind::kBackupExport && !s.certificate_only;
    });
  }

  bool NeedsTransit() const {
    return std::any_of(order_.begin(), order_.end(),
                       [](const Step& s) { return s.kind == StepKind::kExport; });
  }

  std::string FileNotes() const {
    std::vector<std::string> lines;
    for (const Step& s : order_) {
      if (s.kind == StepKind::kImport &&
          (s.source == ImportSource::kFile || s.source == ImportSource::kInbox)) {
        lines.push_back(FileName(s.source_path) + "  (from " + s.source_path + ")");
      }
    }
    std::sort(lines.begin(), lines.end());
    lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
    std::string out;
    if (!lines.empty()) {
      out +=
          "\n  Copy these files into the work folder (-WorkFolder, default: beside this script):\n";
      for (const std::string& l : lines) out += "    " + Ps1Comment(l) + "\n";
    }
    return out;
  }

  std::string ParameterHelp() const {
    std::string h;
    if (NeedsBackupPassword()) {
      h += "\n.PARAMETER BackupPassword\n  Protects the backup PKCS#12 files (xcert apply reads it "
           "from " +
           Ps1Comment(manifest_.backup.password.env.empty() ? "the backup password setting"
                                                            : manifest_.backup.password.env) +
           "; here you type it).\n";
    }
    h += "\n.PARAMETER BackupFolder\n  Where backups go: "
         "<BackupFolder>\\<server>\\<thumbprint>.pfx (or .cer without the key).\n"
         "  Default: the folder 'backups' beside this script.\n";
    h += "\n.PARAMETER WorkFolder\n  Where the files to import are and certificate requests are "
         "written. Default: beside this script.\n";
    for (const std::string& issuer : FileIssuers()) {
      h += "\n.PARAMETER " + PasswordParameter(issuer).substr(1) +
           "\n  The password of the PKCS#12 of the file issuer " + Ps1Comment(issuer) + ".\n";
    }
    return h;
  }

  std::string Parameters() const {
    std::vector<std::string> params;
    if (NeedsBackupPassword())
      params.push_back(
          "  [Parameter(Mandatory = $true)] [System.Security.SecureString] $BackupPassword");
    params.push_back("  [string] $BackupFolder = ''");
    params.push_back("  [string] $WorkFolder = ''");
    for (const std::string& issuer : FileIssuers()) {
      params.push_back("  [Parameter(Mandatory = $true)] [System.Security.SecureString] " +
                       PasswordParameter(issuer));
    }
    return "#Requires -Version 4.0\n[CmdletBinding()]\nparam(\n" + Join(params, ",\n") + "\n)\n";
  }

  static std::string Prologue() {
    return "\nSet-StrictMode -Version 2.0\n"
           "$ErrorActionPreference = 'Stop'\n"
           "if (-not (Get-Command -Name Get-ExchangeCertificate -ErrorAction SilentlyContinue)) {\n"
           "  Write-Host 'Run this script in the Exchange Management Shell: the Exchange cmdlets "
           "are not loaded.'\n"
           "  exit 1\n"
           "}\n"
           "if (-not $BackupFolder) {\n"
           "  $BackupFolder = Join-Path $PSScriptRoot 'backups'\n"
           "}\n"
           "if (-not $WorkFolder) {\n"
           "  $WorkFolder = $PSScriptRoot\n"
           "}\n";
  }

  // The script's variables: what xcert saw on each server when it planned
  // (Find-XcertCreated), and what steps hand to later ones.
  std::string State() const {
    std::string out =
        "\n# What xcert saw on each server when it planned (see Find-XcertCreated).\n$Observed = "
        "@{\n";
    for (const auto& [server, observation] : plan_.observed) {
      std::vector<std::string> thumbs;
      for (const auto& [key, value] : observation.summary) {
        if (key.starts_with("certificate/")) thumbs.push_back(key.substr(12));
      }
      out += "  " + Ps1String(server) + " = " + Ps1StringArray(thumbs) + "\n";
    }
    out += "}\n";
    out +=
        "$Created = @{}     # thumbprints of certificates created, imported or adopted in this "
        "run, by name\n";
    out += "$Transit = @{}     # exported copies for other servers, in memory only\n";
    out += "$IisChanged = @{}  # servers whose IIS certificate this run changed\n";
    out += "$EdgeServers = " + Ps1StringArray({edge_servers_.begin(), edge_servers_.end()}) +
           "  # Edge Transport servers: their steps run in their own shell\n";
    out += "$Elsewhere = [ordered]@{}  # steps left for another shell, by shell\n";
    if (NeedsTransit()) out += "$TransitPassword = New-XcertPassword\n";
    return out;
  }

  std::string Wrap(size_t i, const Step& s, const std::string& body) const {
    return "# Plan step " + std::to_string(s.id) +
           (s.where.file.empty() ? "" : " (" + Ps1Comment(s.where.ToString()) + ")") +
           "\nInvoke-XcertStep " + Ps1String(Label(i)) + " " + Ps1String(s.summary) +
           (IsEdge(s.server) ? " -Edge " + Ps1String(s.server) : "") + " {\n" + Indent(body, "  ") +
           "\n}\n";
  }

  std::string StepBlock(const Step& s, size_t i) const {
    switch (s.kind) {
      case StepKind::kBackupExport: return Wrap(i, s, Backup(s));
      case StepKind::kCreate:
        return Wrap(i, s, s.pending_request ? CreateRequest(s) : CreateSelfSigned(s));
      case StepKind::kImport: return Wrap(i, s, Import(s));
      case StepKind::kExport: return Wrap(i, s, Export(s));
      case StepKind::kEnable: return Wrap(i, s, Enable(s));
      case StepKind::kRemove: return Wrap(i, s, Remove(s));
      case StepKind::kIssue: break;  // refused by Check
    }
    return "";
  }

  static std::string Backup(const Step& s) {
    const std::string server = Ps1String(s.server);
    const std::string thumb = Ps1String(s.thumbprint);
    std::string b =
        "$path = Join-Path $BackupFolder " +
        Ps1String(s.server + "\\" + s.thumbprint + (s.certificate_only ? ".cer" : ".pfx")) + "\n";
    b +=
        "if (Test-Path -LiteralPath $path) {\n  return ('already done: ' + $path + ' exists')\n}\n";
    b += "$certificate = Get-XcertCertificate " + server + " " + thumb + "\n";
    b += "if ($null -eq $certificate) {\n  return " +
         Ps1String("already done: the certificate is no longer on " + s.server) + "\n}\n";
    if (s.certificate_only) {
      b += "# The private key is not exportable: the backup holds the certificate alone.\n";
      b += "Save-XcertFile $path ([byte[]](Get-XcertProperty $certificate 'RawData'))\n";
      b += "'certificate (without its key) written to ' + $path";
    } else {
      b += "$export = Export-ExchangeCertificate -Server " + server + " -Thumbprint " + thumb +
           " -BinaryEncoded -Password $BackupPassword\n";
      b += "Save-XcertFile $path ([byte[]]$export.FileData)\n";
      b += "'backup written to ' + $path";
    }
    return b;
  }

  std::string NewCertificateArguments(const Step& s) const {
    return "-SubjectName " + Ps1String(s.subject) + " -DomainName " + Ps1StringArray(s.dns_names) +
           " -KeySize " + std::to_string(s.key.rsa_bits) + " -PrivateKeyExportable $" +
           (s.key.exportable ? "true" : "false") + " -FriendlyName " + Ps1String(FriendlyOf(s));
  }

  std::string Adopt(const Step& s, bool pending) const {
    const std::string name = Ps1String(s.certificate);
    return "$existing = Find-XcertCreated " + Ps1String(s.server) + " " + Ps1String(FriendlyOf(s)) +
           " $" + (pending ? "true" : "false") + "\n" + "if ($null -ne $existing) {\n  $Created[" +
           name + "] = [string](Get-XcertProperty $existing 'Thumbprint')\n";
  }

  std::string CreateSelfSigned(const Step& s) const {
    const std::string name = Ps1String(s.certificate);
    std::string b = Adopt(s, false);
    b += "  return ('already done: an earlier run created ' + $Created[" + name + "])\n}\n";
    b += "# New-ExchangeCertificate makes self-signed certificates valid for 5 years; it has no "
         "validity\n"
         "# parameter. -Services None: no service yet (the enable steps follow), and the default "
         "SMTP\n"
         "# certificate stays as it is.\n";
    b += "$new = New-ExchangeCertificate -Server " + Ps1String(s.server) + " " +
         NewCertificateArguments(s) + " -Services 'None'\n";
    b += "$Created[" + name + "] = [string](Get-XcertProperty $new 'Thumbprint')\n";
    b += "'created ' + $Created[" + name + "]";
    return b;
  }

  std::string CreateRequest(const Step& s) const {
    const std::string csr = Ps1String(CsrFileName(s.certificate, s.server));
    std::string b = "$csrPath = Join-Path $WorkFolder " + csr + "\n";
    b += Adopt(s, true);
    b += "  if (-not (Test-Path -LiteralPath $csrPath)) {\n"
         "    Save-XcertFile $csrPath "
         "([System.Text.Encoding]::ASCII.GetBytes([string](Get-XcertProperty $existing "
         "'CertificateRequest')))\n"
         "  }\n";
    b += "  return ('already done: the request exists; submit ' + $csrPath + ' to the CA')\n}\n";
    b += "$request = @(New-ExchangeCertificate -Server " + Ps1String(s.server) +
         " -GenerateRequest " + NewCertificateArguments(s) + ")\n";
    b += "Save-XcertFile $csrPath ([System.Text.Encoding]::ASCII.GetBytes((($request | "
         "ForEach-Object { [string]$_ }) -join \"`r`n\")))\n";
    b += "'request created: submit ' + $csrPath + " +
         Ps1String(" to the CA, put its answer in the inbox of issuer " + s.issuer +
                   " and run xcert plan again");
    return b;
  }

  std::string Import(const Step& s) const {
    const std::string server = Ps1String(s.server);
    const std::string name = Ps1String(s.certificate);
    std::string b = "$thumbprint = " + ThumbprintOf(s) + "\n";
    b += "if ($null -ne (Get-XcertCertificate " + server + " $thumbprint)) {\n  $Created[" + name +
         "] = $thumbprint\n  return ('already done: ' + $thumbprint + " +
         Ps1String(" is on " + s.server) + ")\n}\n";
    const std::string flags = " -PrivateKeyExportable $" +
                              std::string(s.exportable ? "true" : "false") + " -FriendlyName " +
                              Ps1String(FriendlyOf(s));
    switch (s.source) {
      case ImportSource::kFile:
        b += "$data = [System.IO.File]::ReadAllBytes((Join-Path $WorkFolder " +
             Ps1String(FileName(s.source_path)) + "))\n";
        b += "$null = Import-ExchangeCertificate -Server " + server +
             " -FileData $data -Password " + PasswordParameter(s.issuer) + flags + "\n";
        break;
      case ImportSource::kInbox:
        b += "# The CA's answer completes the pending request that holds the key on " +
             Ps1Comment(s.server) + ".\n";
        b += "$data = [System.IO.File]::ReadAllBytes((Join-Path $WorkFolder " +
             Ps1String(FileName(s.source_path)) + "))\n";
        b += "$null = Import-ExchangeCertificate -Server " + server + " -FileData $data\n";
        break;
      default:
        b += "if (-not $Transit.ContainsKey(" + name + ")) {\n  throw " +
             Ps1String("the export step of '" + s.certificate +
                       "' did not run in this run; run the script from the start") +
             "\n}\n";
        b += "$null = Import-ExchangeCertificate -Server " + server +
             " -FileData ([byte[]]$Transit[" + name + "].FileData) -Password $TransitPassword" +
             flags + "\n";
        break;
    }
    b += "$Created[" + name + "] = $thumbprint\n";
    b += "'imported ' + $thumbprint";
    return b;
  }

  static std::string Export(const Step& s) {
    const std::string name = Ps1String(s.certificate);
    std::string b = "$thumbprint = " + ThumbprintOf(s) + "\n";
    b += "$Transit[" + name + "] = Export-ExchangeCertificate -Server " + Ps1String(s.server) +
         " -Thumbprint $thumbprint -BinaryEncoded -Password $TransitPassword\n";
    b += "$Created[" + name + "] = $thumbprint\n";
    b += "'exported ' + $thumbprint + ' into memory for the copies'";
    return b;
  }

  // Enable-ExchangeCertificate for the step's services, keeping the default
  // SMTP certificate unless the manifest opted in (reference §0.5).
  static std::string EnableCommand(const Step& s) {
    const std::string head = "$null = Enable-ExchangeCertificate -Server " + Ps1String(s.server) +
                             " -Thumbprint $thumbprint";
    ServiceSet others = s.services.Minus(ServiceSet{Service::kSmtp});
    std::vector<std::string> names;
    for (Service svc : others.ToVector()) names.emplace_back(ServiceName(svc));
    const std::string list = Ps1String(Join(names, ","));
    if (!s.services.Has(Service::kSmtp)) {
      return "# -Force only answers the Require SSL question: SMTP is not part of this call.\n" +
             head + " -Services " + list + " -Force\n";
    }
    if (s.replace_default_smtp) {
      names.emplace_back("SMTP");
      return "# The manifest sets replaceDefaultSmtp: -Force makes this the internal transport "
             "(default SMTP)\n"
             "# certificate.\n" +
             head + " -Services " + Ps1String(Join(names, ",")) + " -Force\n";
    }
    std::string c =
        "# SMTP without -Force: the internal transport (default SMTP) certificate stays as it is;\n"
        "# -NetworkServiceAllowed lets the transport service read this certificate's key.\n";
    if (names.empty()) return c + head + " -Services 'None' -NetworkServiceAllowed\n";
    return c + head + " -Services " + list + " -NetworkServiceAllowed -Force\n";
  }

  std::string Enable(const Step& s) const {
    const std::string server = Ps1String(s.server);
    std::vector<std::string> wanted;
    for (Service svc : s.services.ToVector()) wanted.emplace_back(ServiceName(svc));
    std::string b = "$thumbprint = " + ThumbprintOf(s) + "\n";
    b += "$certificate = Get-XcertCertificate " + server + " $thumbprint\n";
    b += "if ($null -eq $certificate) {\n  throw ('the certificate ' + $thumbprint + " +
         Ps1String(" is not on " + s.server) + ")\n}\n";
    b += "$missing = @(Get-XcertMissingServices " + server + " $certificate " +
         Ps1StringArray(wanted) + " $" + (s.replace_default_smtp ? "true" : "false") + ")\n";
    b += "if ($missing.Count -eq 0) {\n  return " +
         Ps1String("already done: it serves " + s.services.ToString()) + "\n}\n";
    b += EnableCommand(s);
    if (s.services.Has(Service::kIis)) b += "$IisChanged[" + server + "] = $true\n";
    const ServerSpec* spec = Server(s.server);
    if (HasUm(s.services) && spec) {
      if (s.services.Has(Service::kUm)) {
        b += "Restart-Service -InputObject (Get-Service -ComputerName " + server +
             " -Name 'MSExchangeUM')\n";
      }
      if (s.services.Has(Service::kUmCallRouter)) {
        b += "Restart-Service -InputObject (Get-Service -ComputerName " + server +
             " -Name 'MSExchangeUMCR')\n";
      }
    }
    b += Ps1String(s.services.ToString() + " now served by ") + " + $thumbprint";
    return b;
  }

  static std::string Remove(const Step& s) {
    const std::string server = Ps1String(s.server);
    const std::string thumb = Ps1String(s.thumbprint);
    std::string b = "$certificate = Get-XcertCertificate " + server + " " + thumb + "\n";
    b += "if ($null -eq $certificate) {\n  return 'already done: it is gone'\n}\n";
    b += "$why = Get-XcertProtection (Get-XcertFacts -Server " + server + " -Thumbprints @(" +
         thumb + ")) $certificate\n";
    b += "if ($why) {\n  throw (" +
         Ps1String(s.thumbprint + " on " + s.server + " cannot be removed: ") +
         " + $why + '; the server changed since xcert planned: run xcert plan again')\n}\n";
    b += "Remove-ExchangeCertificate -Server " + server + " -Thumbprint " + thumb +
         " -Confirm:$false\n";
    b += Ps1String("removed " + s.thumbprint);
    return b;
  }

  std::string IisResetBlock(const std::string& server, size_t after) const {
    const std::string s = Ps1String(server);
    std::string b =
        "if (-not $IisChanged[" + s + "]) {\n  return " +
        Ps1String(
            "not needed: this run did not change the IIS certificate of " + server +
            " (if an earlier run did and stopped before this, run iisreset /noforce yourself)") +
        "\n}\n";
    b += "$null = & iisreset.exe " + s + " /noforce\n";
    b += "if ($LASTEXITCODE -ne 0) {\n  throw (" +
         Ps1String("iisreset " + server + " /noforce failed with exit code ") +
         " + $LASTEXITCODE + '; IIS kept running: run it when the server is less busy')\n}\n";
    b += Ps1String("IIS on " + server + " restarted");
    return "# Once per server, after its last enable: IIS and Outlook on the web pick up the new "
           "certificate.\n"
           "Invoke-XcertStep " +
           Ps1String("after " + std::to_string(after + 1)) + " " +
           Ps1String("reset IIS on " + server +
                     " (iisreset /noforce), because its certificate changed") +
           " {\n" + Indent(b, "  ") + "\n}\n";
  }

  const Plan& plan_;
  const Manifest& manifest_;
  std::vector<Step> order_;
  std::map<std::string, size_t> last_enable_;
  std::set<std::string> edge_servers_;  // servers of the plan's steps that are Edge Transport
  std::set<std::string> iis_servers_;
};

}  // namespace

Result<std::string> RenderPs1(const Plan& plan, const Manifest& manifest) {
  return Renderer(plan, manifest).Render();
}

}  // namespace xcert::exchange
