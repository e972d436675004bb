<#
.SYNOPSIS
  xcert plan: 5 steps on MailServer21.

.DESCRIPTION
  Written by `xcert plan --format ps1` on 2026-11-25T00:00:00Z from examples/purchased/xcert.yaml.
  Review it, then run it in the Exchange Management Shell, as a member of Organization
  Management with local administrator rights on the servers:

    .\plan.ps1 -Password_bought (Read-Host -AsSecureString 'Password of bought')

  Every step checks first and skips what is already done, so running the script again is
  safe. It stops at the first error. Backups are exported before anything changes.

  Steps:
    1/5  back up 4445464D… (Microsoft Exchange) from MailServer21 before it loses IIS (certificate only)
    2/5  import 'mail' from certs/mail.pfx on MailServer21
    3/5  enable 'mail' for IIS on MailServer21
    4/5  enable 'mail' for IMAP, POP on MailServer21
    5/5  enable 'mail' for SMTP on MailServer21

  Servers:
    MailServer21: Exchange 2019 (Mailbox)

  Copy these files into the work folder (-WorkFolder, default: beside this script):
    mail.pfx  (from certs/mail.pfx)

  Warnings:
    - backup of 4445464D… (Microsoft Exchange) on MailServer21 holds the certificate only: its private key is not exportable

.PARAMETER BackupFolder
  Where backups go: <BackupFolder>\<server>\<thumbprint>.pfx (or .cer without the key).
  Default: the folder 'backups' beside this script.

.PARAMETER WorkFolder
  Where the files to import are and certificate requests are written. Default: beside this script.

.PARAMETER Password_bought
  The password of the PKCS#12 of the file issuer bought.
#>
#Requires -Version 4.0
[CmdletBinding()]
param(
  [string] $BackupFolder = '',
  [string] $WorkFolder = '',
  [Parameter(Mandatory = $true)] [System.Security.SecureString] $Password_bought
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'
if (-not (Get-Command -Name Get-ExchangeCertificate -ErrorAction SilentlyContinue)) {
  Write-Host 'Run this script in the Exchange Management Shell: the Exchange cmdlets are not loaded.'
  exit 1
}
if (-not $BackupFolder) {
  $BackupFolder = Join-Path $PSScriptRoot 'backups'
}
if (-not $WorkFolder) {
  $WorkFolder = $PSScriptRoot
}

# xcert common functions: reading Exchange certificates and the facts around
# them as plain values (docs/exchange.md). Shared by the operation scripts
# (sent after bootstrap.ps1, before prelude.ps1) and by the reviewed plans of
# `xcert plan --format ps1`. Nothing in this file changes the server.

# A property's value, or $null when the object does not have it (objects that
# arrived through a remote session may carry RawData only).
function Get-XcertProperty($Object, [string]$Name) {
  if ($null -eq $Object) {
    return $null
  }
  $property = $Object.PSObject.Properties[$Name]
  if ($null -eq $property) {
    return $null
  }
  return $property.Value
}

# AllowedServices as its number; a deserialized value arrives as the names.
function ConvertTo-XcertServices($Value) {
  if ($Value -is [string]) {
    $flags = @{ None = 0; IMAP = 1; POP = 2; UM = 4; IIS = 8; SMTP = 16; Federation = 32; UMCallRouter = 64 }
    $sum = 0
    foreach ($name in $Value.Split(',')) {
      $key = $name.Trim()
      if ($flags.ContainsKey($key)) {
        $sum = $sum + $flags[$key]
      }
    }
    return $sum
  }
  return [int]$Value
}

# The projection of one Get-ExchangeCertificate object to plain values.
function ConvertTo-XcertCertificate($Certificate) {
  $raw = Get-XcertProperty $Certificate 'RawData'
  $rawText = $null
  if ($null -ne $raw) {
    $rawText = [System.Convert]::ToBase64String([byte[]]$raw)
  }
  $services = Get-XcertProperty $Certificate 'Services'
  $entry = @{
    Thumbprint = [string](Get-XcertProperty $Certificate 'Thumbprint')
    RawData = $rawText
    Subject = [string](Get-XcertProperty $Certificate 'Subject')
    Issuer = [string](Get-XcertProperty $Certificate 'Issuer')
    AttributesKnown = ($null -ne $services)
  }
  if ($null -ne $services) {
    $iis = @(@(Get-XcertProperty $Certificate 'IISServices') | Where-Object { $null -ne $_ } |
             ForEach-Object { [string](Get-XcertProperty $_ 'ServiceName') })
    $entry['Services'] = ConvertTo-XcertServices $services
    $entry['Status'] = [string](Get-XcertProperty $Certificate 'Status')
    $entry['RootCAType'] = [string](Get-XcertProperty $Certificate 'RootCAType')
    $entry['PrivateKeyExportable'] = [bool](Get-XcertProperty $Certificate 'PrivateKeyExportable')
    $entry['HasPrivateKey'] = [bool](Get-XcertProperty $Certificate 'HasPrivateKey')
    $entry['FriendlyName'] = [string](Get-XcertProperty $Certificate 'FriendlyName')
    $entry['IISServices'] = $iis
    $entry['CertificateRequest'] = [string](Get-XcertProperty $Certificate 'CertificateRequest')
  }
  return $entry
}

# One certificate or pending request by thumbprint, or $null. Filtering the
# list (rather than -Thumbprint) keeps "not there" from being an error.
function Get-XcertCertificate([string]$Server, [string]$Thumbprint) {
  $found = @(Get-ExchangeCertificate -Server $Server |
             Where-Object { [string](Get-XcertProperty $_ 'Thumbprint') -eq $Thumbprint })
  if ($found.Count -eq 0) {
    return $null
  }
  return $found[0]
}

# Whether a certificate (Get-ExchangeCertificate object) carries `$Name`
# among its FQDNs, exactly or through a wildcard.
function Test-XcertCoversName($Certificate, [string]$Name) {
  if (-not $Name) {
    return $false
  }
  $wantedName = $Name.ToLowerInvariant()
  foreach ($domain in @(Get-XcertProperty $Certificate 'CertificateDomains')) {
    $text = ([string]$domain).ToLowerInvariant()
    if ($text -eq $wantedName) {
      return $true
    }
    if ($text.StartsWith('*.') -and $wantedName.EndsWith($text.Substring(1)) -and
        $wantedName.Substring(0, $wantedName.Length - $text.Length + 1).IndexOf('.') -lt 0) {
      return $true
    }
  }
  return $false
}

# Whether this shell runs on `$Server` itself (IIS and services are local).
function Test-XcertLocal([string]$Server, [string]$ExchangeName) {
  return (($env:COMPUTERNAME -eq $Server) -or ($env:COMPUTERNAME -eq $ExchangeName))
}

# Everything xcert needs about one server, as plain values (the projection;
# docs/exchange.md describes each field). A part that cannot be read becomes
# an entry in Problems and xcert takes no destructive step on the server.
# With -Thumbprints, Certificates holds only those and the certificates whose
# names match the POP/IMAP X509CertificateName (they decide who serves POP/IMAP).
function Get-XcertFacts([string]$Server, [string[]]$Thumbprints) {
  $problems = New-Object System.Collections.Generic.List[string]
  $info = Get-ExchangeServer -Identity $Server
  $facts = @{
    Format = 'xcert-exchange-projection'
    Version = 1
    Server = @{
      Name = [string]$info.Name
      Fqdn = [string]$info.Fqdn
      AdminDisplayVersion = [string]$info.AdminDisplayVersion
      ServerRole = [string]$info.ServerRole
      IsEdgeServer = [bool](Get-XcertProperty $info 'IsEdgeServer')
      IsClientAccessServer = [bool](Get-XcertProperty $info 'IsClientAccessServer')
      IsHubTransportServer = [bool](Get-XcertProperty $info 'IsHubTransportServer')
      IsMailboxServer = [bool](Get-XcertProperty $info 'IsMailboxServer')
      IsUnifiedMessagingServer = [bool](Get-XcertProperty $info 'IsUnifiedMessagingServer')
    }
    Local = (Test-XcertLocal $Server ([string]$info.Name))
    Certificates = @()
    AuthConfig = $null
    InternalTransportCertificateThumbprint = $null
    WebBindings = $null
    PopSettings = $null
    ImapSettings = $null
    UMCertificateThumbprint = $null
    UMCallRouterCertificateThumbprint = $null
    Connectors = $null
    Problems = @()
  }
  $serverInfo = $facts['Server']

  if (-not $serverInfo['IsEdgeServer'] -and (Get-Command -Name Get-AuthConfig -ErrorAction SilentlyContinue)) {
    try {
      $auth = Get-AuthConfig
      $effective = $null
      if ($null -ne $auth.NextCertificateEffectiveDate) {
        $effective = ([datetime]$auth.NextCertificateEffectiveDate).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
      }
      $facts['AuthConfig'] = @{
        CurrentCertificateThumbprint = [string]$auth.CurrentCertificateThumbprint
        NextCertificateThumbprint = [string]$auth.NextCertificateThumbprint
        NextCertificateEffectiveDate = $effective
      }
    } catch {
      $problems.Add('Get-AuthConfig: ' + $_.Exception.Message)
    }
  }

  if ($serverInfo['IsHubTransportServer'] -or $serverInfo['IsEdgeServer']) {
    try {
      $transport = Get-TransportService -Identity $Server
      $facts['InternalTransportCertificateThumbprint'] = [string]$transport.InternalTransportCertificateThumbprint
    } catch {
      $problems.Add('Get-TransportService: ' + $_.Exception.Message)
    }
  }

  if ($facts['Local'] -and (Get-Module -ListAvailable -Name WebAdministration)) {
    try {
      Import-Module -Name WebAdministration
      # Every https binding, kept for the two Exchange sites (by the site name
      # in ItemXPath, so a server without one of them is not an error).
      $bindings = @()
      foreach ($binding in @(Get-WebBinding -Protocol 'https')) {
        $xpath = [string](Get-XcertProperty $binding 'ItemXPath')
        foreach ($site in @('Default Web Site', 'Exchange Back End')) {
          if ($xpath -like ("*@name='" + $site + "'*")) {
            $bindings += @{
              Site = $site
              BindingInformation = [string]$binding.bindingInformation
              CertificateHash = [string]$binding.certificateHash
              CertificateStoreName = [string]$binding.certificateStoreName
            }
          }
        }
      }
      $facts['WebBindings'] = $bindings
    } catch {
      $problems.Add('Get-WebBinding: ' + $_.Exception.Message)
    }
  }

  if ($serverInfo['IsClientAccessServer']) {
    try {
      $facts['PopSettings'] = @{ X509CertificateName = [string](Get-PopSettings -Server $Server).X509CertificateName }
      $facts['ImapSettings'] = @{ X509CertificateName = [string](Get-ImapSettings -Server $Server).X509CertificateName }
    } catch {
      $problems.Add('Get-PopSettings/Get-ImapSettings: ' + $_.Exception.Message)
    }
  }

  if ($serverInfo['IsUnifiedMessagingServer'] -and (Get-Command -Name Get-UMService -ErrorAction SilentlyContinue)) {
    try {
      $facts['UMCertificateThumbprint'] = [string](Get-UMService -Identity $Server).UMCertificateThumbprint
    } catch {
      $problems.Add('Get-UMService: ' + $_.Exception.Message)
    }
  }
  if ($serverInfo['IsClientAccessServer'] -and (Get-Command -Name Get-UMCallRouterSettings -ErrorAction SilentlyContinue)) {
    try {
      $facts['UMCallRouterCertificateThumbprint'] = [string](Get-UMCallRouterSettings -Server $Server).UMCertificateThumbprint
    } catch {
      $problems.Add('Get-UMCallRouterSettings: ' + $_.Exception.Message)
    }
  }

  if (Get-Command -Name Get-ReceiveConnector -ErrorAction SilentlyContinue) {
    try {
      $connectors = @()
      foreach ($connector in @(Get-ReceiveConnector -Server $Server)) {
        $connectors += @{ Kind = 'Receive'; Identity = [string]$connector.Identity; TlsCertificateName = [string]$connector.TlsCertificateName }
      }
      foreach ($connector in @(Get-SendConnector)) {
        $connectors += @{ Kind = 'Send'; Identity = [string]$connector.Identity; TlsCertificateName = [string]$connector.TlsCertificateName }
      }
      $facts['Connectors'] = $connectors
    } catch {
      $problems.Add('Get-ReceiveConnector/Get-SendConnector: ' + $_.Exception.Message)
    }
  }

  $names = @()
  if ($null -ne $facts['PopSettings']) {
    $names += $facts['PopSettings']['X509CertificateName']
    $names += $facts['ImapSettings']['X509CertificateName']
  }
  $certificates = @()
  foreach ($certificate in @(Get-ExchangeCertificate -Server $Server)) {
    $keep = ($null -eq $Thumbprints) -or ($Thumbprints -contains [string](Get-XcertProperty $certificate 'Thumbprint'))
    foreach ($name in $names) {
      if (Test-XcertCoversName $certificate $name) {
        $keep = $true
      }
    }
    if ($keep) {
      $certificates += ConvertTo-XcertCertificate $certificate
    }
  }
  $facts['Certificates'] = $certificates
  $facts['Problems'] = @($problems)
  return $facts
}

# Why `$Certificate` must not be removed from the server `$Facts` describe,
# or '' when nothing protects it. xcert checks the same references before it
# calls remove; this is the last line of defence on the server itself.
function Get-XcertProtection($Facts, $Certificate) {
  $thumbprint = [string](Get-XcertProperty $Certificate 'Thumbprint')
  if ($null -eq (Get-XcertProperty $Certificate 'Services')) {
    return 'its Exchange attributes did not reach this shell (RawData only), so nothing can be checked'
  }
  $auth = $Facts['AuthConfig']
  if ($null -ne $auth) {
    if ($auth['CurrentCertificateThumbprint'] -eq $thumbprint) {
      return 'it is the current Auth (OAuth) certificate'
    }
    if ($auth['NextCertificateThumbprint'] -eq $thumbprint) {
      return 'it is the next Auth (OAuth) certificate'
    }
  }
  if ($Facts['InternalTransportCertificateThumbprint'] -eq $thumbprint) {
    return 'it is the internal transport (default SMTP) certificate'
  }
  foreach ($site in @(Get-XcertProperty $Certificate 'IISServices')) {
    $name = [string](Get-XcertProperty $site 'ServiceName')
    if ($name -like '*/W3SVC/2') {
      return 'it is bound to the Exchange Back End site (:444)'
    }
    if ($name -like '*/W3SVC/1') {
      return 'it is bound to the Default Web Site (:443)'
    }
  }
  foreach ($binding in @($Facts['WebBindings'])) {
    if ($null -ne $binding -and $binding['CertificateHash'] -eq $thumbprint) {
      return ('it is bound to the ' + $binding['Site'] + ' site (' + $binding['BindingInformation'] + ')')
    }
  }
  if ($Facts['UMCertificateThumbprint'] -eq $thumbprint -or $Facts['UMCallRouterCertificateThumbprint'] -eq $thumbprint) {
    return 'it is the UM certificate'
  }
  $tlsName = '<I>' + [string](Get-XcertProperty $Certificate 'Issuer') + '<S>' + [string](Get-XcertProperty $Certificate 'Subject')
  foreach ($connector in @($Facts['Connectors'])) {
    if ($null -ne $connector -and $connector['TlsCertificateName'] -eq $tlsName) {
      return ('connector ' + $connector['Identity'] + ' names it in TlsCertificateName')
    }
  }
  return ''
}

# xcert plan helpers: the functions of a reviewed plan written by
# `xcert plan --format ps1` (docs/exchange.md), placed after common.ps1. Each
# plan step is one Invoke-XcertStep whose body checks before it acts and
# returns one line saying what it did.

# Runs one step: prints it, runs the body and prints its outcome. Any error
# is printed and stops the script (exit 1): nothing after a failed step runs.
# A step of an Edge Transport server (-Edge) runs only in that server's own
# shell, and the other steps only outside Edge servers: Edge servers are not
# in Active Directory, so no shell reaches them through -Server. What this
# shell cannot do is left, and listed at the end (Write-XcertDone).
function Invoke-XcertStep([string]$Label, [string]$Summary, [scriptblock]$Body, [string]$Edge = '') {
  Write-Host ('[' + $Label + '] ' + $Summary)
  $here = [string]$env:COMPUTERNAME
  if ($Edge -ne $(if ($EdgeServers -contains $here) { $here } else { '' })) {
    $shell = $(if ($Edge) { "the Exchange Management Shell of the Edge Transport server $Edge" }
      else { 'the Exchange Management Shell of a Mailbox server' })
    Write-Host ('    not in this shell: it runs in ' + $shell)
    if (-not $Elsewhere.Contains($shell)) {
      $Elsewhere[$shell] = @()
    }
    $Elsewhere[$shell] += $Label.Split('/')[0]
    return
  }
  try {
    $outcome = @(& $Body) | Select-Object -Last 1
    Write-Host ('    ' + [string]$outcome)
  } catch {
    Write-Host ('    FAILED: ' + $_.Exception.Message)
    Write-Host ('Stopped at step ' + $Label + '; nothing after it ran. Fix the cause and run this script ' +
                'again: the steps that finished are skipped.')
    exit 1
  }
}

# The last line of a run: every step finished, or which shells still have steps.
function Write-XcertDone {
  if ($Elsewhere.Count -eq 0) {
    Write-Host 'Done: every step finished.'
    return
  }
  Write-Host 'Done in this shell. Run this script again in:'
  foreach ($shell in $Elsewhere.Keys) {
    Write-Host ('  ' + $shell + ' for steps ' + ($Elsewhere[$shell] -join ', '))
  }
}

# The thumbprint of the certificate an earlier step of this run created,
# imported or adopted under `$Name`.
function Get-XcertCreated([string]$Name) {
  if (-not $Created.ContainsKey($Name)) {
    throw ("no earlier step of this run produced the certificate '" + $Name + "'; run the script from the start")
  }
  return $Created[$Name]
}

# A certificate that an earlier run of this script created on `$Server`: one
# that xcert did not see when it planned, with this friendly name, pending
# or not. Re-running a create step adopts it instead of creating another.
function Find-XcertCreated([string]$Server, [string]$FriendlyName, [bool]$Pending) {
  $seen = @($Observed[$Server])
  $found = @(Get-ExchangeCertificate -Server $Server | Where-Object {
      ($seen -notcontains [string](Get-XcertProperty $_ 'Thumbprint')) -and
      ([string](Get-XcertProperty $_ 'FriendlyName') -eq $FriendlyName) -and
      (([string](Get-XcertProperty $_ 'Status') -eq 'PendingRequest') -eq $Pending) })
  if ($found.Count -eq 0) {
    return $null
  }
  return $found[0]
}

# The services in `$Wanted` that `$Certificate` does not serve yet on
# `$Server`: IIS means the Default Web Site (W3SVC/1); SMTP with
# `$ReplaceDefaultSmtp` means being the internal transport certificate.
function Get-XcertMissingServices([string]$Server, $Certificate, [string[]]$Wanted, [bool]$ReplaceDefaultSmtp) {
  $flags = @{ IMAP = 1; POP = 2; UM = 4; IIS = 8; SMTP = 16; UMCallRouter = 64 }
  $have = 0
  $services = Get-XcertProperty $Certificate 'Services'
  if ($null -ne $services) {
    $have = ConvertTo-XcertServices $services
  }
  $thumbprint = [string](Get-XcertProperty $Certificate 'Thumbprint')
  $missing = @()
  foreach ($service in $Wanted) {
    if ($service -eq 'IIS') {
      $front = @(@(Get-XcertProperty $Certificate 'IISServices') | Where-Object {
          [string](Get-XcertProperty $_ 'ServiceName') -like '*/W3SVC/1' })
      $served = $front.Count -gt 0
    } elseif (($service -eq 'SMTP') -and $ReplaceDefaultSmtp) {
      $transport = Get-TransportService -Identity $Server
      $served = ([string]$transport.InternalTransportCertificateThumbprint -eq $thumbprint)
    } else {
      $served = (($have -band $flags[$service]) -ne 0)
    }
    if (-not $served) {
      $missing += $service
    }
  }
  return $missing
}

# Writes a file under a temporary name first, so a stopped run never leaves
# half a file that looks like a finished backup.
function Save-XcertFile([string]$Path, [byte[]]$Bytes) {
  $folder = Split-Path -Parent $Path
  if (-not (Test-Path -LiteralPath $folder)) {
    $null = New-Item -ItemType Directory -Path $folder -Force
  }
  $partial = $Path + '.partial'
  [System.IO.File]::WriteAllBytes($partial, $Bytes)
  Move-Item -LiteralPath $partial -Destination $Path -Force
}

# A random password for copying a certificate between servers in memory; it
# never leaves this PowerShell session.
function New-XcertPassword {
  $bytes = New-Object byte[] 32
  $random = New-Object System.Security.Cryptography.RNGCryptoServiceProvider
  $random.GetBytes($bytes)
  $random.Dispose()
  return (ConvertTo-SecureString -String ([System.Convert]::ToBase64String($bytes)) -AsPlainText -Force)
}

# What xcert saw on each server when it planned (see Find-XcertCreated).
$Observed = @{
  'MailServer21' = @('415554484D61696C536572766572323100000000', '4445464D61696C53657276657232310000000000')
}
$Created = @{}     # thumbprints of certificates created, imported or adopted in this run, by name
$Transit = @{}     # exported copies for other servers, in memory only
$IisChanged = @{}  # servers whose IIS certificate this run changed
$EdgeServers = @()  # Edge Transport servers: their steps run in their own shell
$Elsewhere = [ordered]@{}  # steps left for another shell, by shell

# Plan step 1
Invoke-XcertStep '1/5' 'back up 4445464D… (Microsoft Exchange) from MailServer21 before it loses IIS (certificate only)' {
  $path = Join-Path $BackupFolder 'MailServer21\4445464D61696C53657276657232310000000000.cer'
  if (Test-Path -LiteralPath $path) {
    return ('already done: ' + $path + ' exists')
  }
  $certificate = Get-XcertCertificate 'MailServer21' '4445464D61696C53657276657232310000000000'
  if ($null -eq $certificate) {
    return 'already done: the certificate is no longer on MailServer21'
  }
  # The private key is not exportable: the backup holds the certificate alone.
  Save-XcertFile $path ([byte[]](Get-XcertProperty $certificate 'RawData'))
  'certificate (without its key) written to ' + $path
}

# Plan step 2 (examples/purchased/xcert.yaml:42:5)
Invoke-XcertStep '2/5' 'import ''mail'' from certs/mail.pfx on MailServer21' {
  $thumbprint = '5046582D626F7567687400000000000000000000'
  if ($null -ne (Get-XcertCertificate 'MailServer21' $thumbprint)) {
    $Created['mail'] = $thumbprint
    return ('already done: ' + $thumbprint + ' is on MailServer21')
  }
  $data = [System.IO.File]::ReadAllBytes((Join-Path $WorkFolder 'mail.pfx'))
  $null = Import-ExchangeCertificate -Server 'MailServer21' -FileData $data -Password $Password_bought -PrivateKeyExportable $true -FriendlyName 'mail'
  $Created['mail'] = $thumbprint
  'imported ' + $thumbprint
}

# Plan step 3 (examples/purchased/xcert.yaml:51:15)
Invoke-XcertStep '3/5' 'enable ''mail'' for IIS on MailServer21' {
  $thumbprint = '5046582D626F7567687400000000000000000000'
  $certificate = Get-XcertCertificate 'MailServer21' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MailServer21')
  }
  $missing = @(Get-XcertMissingServices 'MailServer21' $certificate @('IIS') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves IIS'
  }
  # -Force only answers the Require SSL question: SMTP is not part of this call.
  $null = Enable-ExchangeCertificate -Server 'MailServer21' -Thumbprint $thumbprint -Services 'IIS' -Force
  $IisChanged['MailServer21'] = $true
  'IIS now served by ' + $thumbprint
}

# Plan step 4 (examples/purchased/xcert.yaml:51:15)
Invoke-XcertStep '4/5' 'enable ''mail'' for IMAP, POP on MailServer21' {
  $thumbprint = '5046582D626F7567687400000000000000000000'
  $certificate = Get-XcertCertificate 'MailServer21' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MailServer21')
  }
  $missing = @(Get-XcertMissingServices 'MailServer21' $certificate @('IMAP', 'POP') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves IMAP, POP'
  }
  # -Force only answers the Require SSL question: SMTP is not part of this call.
  $null = Enable-ExchangeCertificate -Server 'MailServer21' -Thumbprint $thumbprint -Services 'IMAP,POP' -Force
  'IMAP, POP now served by ' + $thumbprint
}

# Plan step 5 (examples/purchased/xcert.yaml:51:15)
Invoke-XcertStep '5/5' 'enable ''mail'' for SMTP on MailServer21' {
  $thumbprint = '5046582D626F7567687400000000000000000000'
  $certificate = Get-XcertCertificate 'MailServer21' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MailServer21')
  }
  $missing = @(Get-XcertMissingServices 'MailServer21' $certificate @('SMTP') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves SMTP'
  }
  # SMTP without -Force: the internal transport (default SMTP) certificate stays as it is;
  # -NetworkServiceAllowed lets the transport service read this certificate's key.
  $null = Enable-ExchangeCertificate -Server 'MailServer21' -Thumbprint $thumbprint -Services 'None' -NetworkServiceAllowed
  'SMTP now served by ' + $thumbprint
}

# Once per server, after its last enable: IIS and Outlook on the web pick up the new certificate.
Invoke-XcertStep 'after 5' 'reset IIS on MailServer21 (iisreset /noforce), because its certificate changed' {
  if (-not $IisChanged['MailServer21']) {
    return 'not needed: this run did not change the IIS certificate of MailServer21 (if an earlier run did and stopped before this, run iisreset /noforce yourself)'
  }
  $null = & iisreset.exe 'MailServer21' /noforce
  if ($LASTEXITCODE -ne 0) {
    throw ('iisreset MailServer21 /noforce failed with exit code ' + $LASTEXITCODE + '; IIS kept running: run it when the server is less busy')
  }
  'IIS on MailServer21 restarted'
}

Write-XcertDone
