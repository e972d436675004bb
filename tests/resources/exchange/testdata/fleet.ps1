<#
.SYNOPSIS
  xcert plan: 16 steps on Legacy13, MailServer21, MailServer22, Um16.

.DESCRIPTION
  Written by `xcert plan --format ps1` on 2026-11-25T00:00:00Z from fleet.yaml (sha256 5f2b0c1e9a).
  Review it, then run it in the Exchange Management Shell, as a member of Organization
  Management with local administrator rights on the servers:

    .\plan.ps1 -BackupPassword (Read-Host -AsSecureString 'Backup password') -Password_purchased_2026 (Read-Host -AsSecureString 'Password of purchased-2026')

  Every step checks first and skips what is already done, so running the script again is
  safe. It stops at the first error. Backups are exported before anything changes.

  Steps:
    1/16  back up 44454632… (Microsoft Exchange) from MailServer21 before it loses IIS (certificate only)
    2/16  back up 4F4C4432… (mail 2025) from MailServer21 before it is removed
    3/16  create self-signed 'mail' on MailServer21 (RSA 2048, 365d)
    4/16  export 'mail' from MailServer21 to copy it to its other servers
    5/16  import 'mail' on MailServer22 (copied from MailServer21)
    6/16  import 'um' from /srv/xcert/pki/um.pfx on Um16
    7/16  create a key and certificate request for 'legacy' on Legacy13 (RSA 4096; CSR to the outbox of corp-req)
    8/16  complete the request of 'owa' on Legacy13 with /srv/xcert/inbox/owa.cer
    9/16  enable 'mail' for IIS on MailServer21
    10/16  enable 'mail' for IMAP, POP on MailServer21
    11/16  enable 'mail' for SMTP on MailServer21
    12/16  enable 'mail' for IIS on MailServer22
    13/16  enable 'mail' for IMAP, SMTP on MailServer22 (replacing the default SMTP certificate)
    14/16  enable 'um' for UM, UMCallRouter on Um16
    15/16  enable 'owa' for IIS on Legacy13
    16/16  remove 4F4C4432… (mail 2025) from MailServer21 (superseded by 'mail')

  Servers:
    Legacy13: Exchange 2013 (Mailbox, ClientAccess); Exchange 2013 has -FileData and -BinaryEncoded too, so the same cmdlets serve it; UM services are restarted after UM certificates change
    MailServer21: Exchange 2019 (Mailbox)
    MailServer22: Exchange 2019 (Mailbox)
    Um16: Exchange 2016 (Mailbox); UM services are restarted after UM certificates change

  Copy these files into the work folder (-WorkFolder, default: beside this script):
    owa.cer  (from /srv/xcert/inbox/owa.cer)
    um.pfx  (from /srv/xcert/pki/um.pfx)

  Warnings:
    - backup of 44454632… (Microsoft Exchange) on MailServer21 holds the certificate only: its private key is not exportable

  Not in this script (blocked):
    - Edge01: the store of Edge01 could not be read completely: Get-TransportService: Access is denied; no step touches this server until it reads cleanly

  Pending requests:
    - legacy on Legacy13: waiting for the CA's answer to outbox/legacy@Legacy13.csr

.PARAMETER BackupPassword
  Protects the backup PKCS#12 files (xcert apply reads it from XCERT_BACKUP_PASSWORD; here you type it).

.PARAMETER BackupFolder
  Where backups go: <BackupFolder>\<server>\<thumbprint>.pfx (or .cer without the key).
  Default: the folder 'backups' beside this script.

.PARAMETER WorkFolder
  Where the files to import are and certificate requests are written. Default: beside this script.

.PARAMETER Password_purchased_2026
  The password of the PKCS#12 of the file issuer purchased-2026.
#>
#Requires -Version 4.0
[CmdletBinding()]
param(
  [Parameter(Mandatory = $true)] [System.Security.SecureString] $BackupPassword,
  [string] $BackupFolder = '',
  [string] $WorkFolder = '',
  [Parameter(Mandatory = $true)] [System.Security.SecureString] $Password_purchased_2026
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
  'Legacy13' = @('415554484C656761637931330000000000000000', '4445464C65676163793133000000000000000000')
  'MailServer21' = @('415554484D61696C536572766572323100000000', '4445464D61696C53657276657232310000000000', '4F4C443231000000000000000000000000000000')
  'MailServer22' = @('415554484D61696C536572766572323200000000', '4445464D61696C53657276657232320000000000')
  'Um16' = @('41555448556D3136000000000000000000000000', '444546556D313600000000000000000000000000')
}
$Created = @{}     # thumbprints of certificates created, imported or adopted in this run, by name
$Transit = @{}     # exported copies for other servers, in memory only
$IisChanged = @{}  # servers whose IIS certificate this run changed
$EdgeServers = @()  # Edge Transport servers: their steps run in their own shell
$Elsewhere = [ordered]@{}  # steps left for another shell, by shell
$TransitPassword = New-XcertPassword

# Plan step 1
Invoke-XcertStep '1/16' 'back up 44454632… (Microsoft Exchange) from MailServer21 before it loses IIS (certificate only)' {
  $path = Join-Path $BackupFolder 'MailServer21\4445463231000000000000000000000000000000.cer'
  if (Test-Path -LiteralPath $path) {
    return ('already done: ' + $path + ' exists')
  }
  $certificate = Get-XcertCertificate 'MailServer21' '4445463231000000000000000000000000000000'
  if ($null -eq $certificate) {
    return 'already done: the certificate is no longer on MailServer21'
  }
  # The private key is not exportable: the backup holds the certificate alone.
  Save-XcertFile $path ([byte[]](Get-XcertProperty $certificate 'RawData'))
  'certificate (without its key) written to ' + $path
}

# Plan step 2
Invoke-XcertStep '2/16' 'back up 4F4C4432… (mail 2025) from MailServer21 before it is removed' {
  $path = Join-Path $BackupFolder 'MailServer21\4F4C443231000000000000000000000000000000.pfx'
  if (Test-Path -LiteralPath $path) {
    return ('already done: ' + $path + ' exists')
  }
  $certificate = Get-XcertCertificate 'MailServer21' '4F4C443231000000000000000000000000000000'
  if ($null -eq $certificate) {
    return 'already done: the certificate is no longer on MailServer21'
  }
  $export = Export-ExchangeCertificate -Server 'MailServer21' -Thumbprint '4F4C443231000000000000000000000000000000' -BinaryEncoded -Password $BackupPassword
  Save-XcertFile $path ([byte[]]$export.FileData)
  'backup written to ' + $path
}

# Plan step 3 (fleet.yaml:20:5)
Invoke-XcertStep '3/16' 'create self-signed ''mail'' on MailServer21 (RSA 2048, 365d)' {
  $existing = Find-XcertCreated 'MailServer21' 'mail' $false
  if ($null -ne $existing) {
    $Created['mail'] = [string](Get-XcertProperty $existing 'Thumbprint')
    return ('already done: an earlier run created ' + $Created['mail'])
  }
  # New-ExchangeCertificate makes self-signed certificates valid for 5 years; it has no validity
  # parameter. -Services None: no service yet (the enable steps follow), and the default SMTP
  # certificate stays as it is.
  $new = New-ExchangeCertificate -Server 'MailServer21' -SubjectName 'CN=mail.pocket-consultant.com' -DomainName @('mail.pocket-consultant.com', 'autodiscover.pocket-consultant.com') -KeySize 2048 -PrivateKeyExportable $true -FriendlyName 'mail' -Services 'None'
  $Created['mail'] = [string](Get-XcertProperty $new 'Thumbprint')
  'created ' + $Created['mail']
}

# Plan step 4 (fleet.yaml:20:5)
Invoke-XcertStep '4/16' 'export ''mail'' from MailServer21 to copy it to its other servers' {
  $thumbprint = (Get-XcertCreated 'mail')
  $Transit['mail'] = Export-ExchangeCertificate -Server 'MailServer21' -Thumbprint $thumbprint -BinaryEncoded -Password $TransitPassword
  $Created['mail'] = $thumbprint
  'exported ' + $thumbprint + ' into memory for the copies'
}

# Plan step 5 (fleet.yaml:20:5)
Invoke-XcertStep '5/16' 'import ''mail'' on MailServer22 (copied from MailServer21)' {
  $thumbprint = (Get-XcertCreated 'mail')
  if ($null -ne (Get-XcertCertificate 'MailServer22' $thumbprint)) {
    $Created['mail'] = $thumbprint
    return ('already done: ' + $thumbprint + ' is on MailServer22')
  }
  if (-not $Transit.ContainsKey('mail')) {
    throw 'the export step of ''mail'' did not run in this run; run the script from the start'
  }
  $null = Import-ExchangeCertificate -Server 'MailServer22' -FileData ([byte[]]$Transit['mail'].FileData) -Password $TransitPassword -PrivateKeyExportable $true -FriendlyName 'mail'
  $Created['mail'] = $thumbprint
  'imported ' + $thumbprint
}

# Plan step 6 (fleet.yaml:40:5)
Invoke-XcertStep '6/16' 'import ''um'' from /srv/xcert/pki/um.pfx on Um16' {
  $thumbprint = '5046583136000000000000000000000000000000'
  if ($null -ne (Get-XcertCertificate 'Um16' $thumbprint)) {
    $Created['um'] = $thumbprint
    return ('already done: ' + $thumbprint + ' is on Um16')
  }
  $data = [System.IO.File]::ReadAllBytes((Join-Path $WorkFolder 'um.pfx'))
  $null = Import-ExchangeCertificate -Server 'Um16' -FileData $data -Password $Password_purchased_2026 -PrivateKeyExportable $false -FriendlyName 'UM 2026'
  $Created['um'] = $thumbprint
  'imported ' + $thumbprint
}

# Plan step 7 (fleet.yaml:50:5)
Invoke-XcertStep '7/16' 'create a key and certificate request for ''legacy'' on Legacy13 (RSA 4096; CSR to the outbox of corp-req)' {
  $csrPath = Join-Path $WorkFolder 'legacy@Legacy13.csr'
  $existing = Find-XcertCreated 'Legacy13' 'legacy' $true
  if ($null -ne $existing) {
    $Created['legacy'] = [string](Get-XcertProperty $existing 'Thumbprint')
    if (-not (Test-Path -LiteralPath $csrPath)) {
      Save-XcertFile $csrPath ([System.Text.Encoding]::ASCII.GetBytes([string](Get-XcertProperty $existing 'CertificateRequest')))
    }
    return ('already done: the request exists; submit ' + $csrPath + ' to the CA')
  }
  $request = @(New-ExchangeCertificate -Server 'Legacy13' -GenerateRequest -SubjectName 'CN=legacy.pocket-consultant.com, O=Pocket Consultant' -DomainName @('legacy.pocket-consultant.com') -KeySize 4096 -PrivateKeyExportable $false -FriendlyName 'legacy')
  Save-XcertFile $csrPath ([System.Text.Encoding]::ASCII.GetBytes((($request | ForEach-Object { [string]$_ }) -join "`r`n")))
  'request created: submit ' + $csrPath + ' to the CA, put its answer in the inbox of issuer corp-req and run xcert plan again'
}

# Plan step 8 (fleet.yaml:60:5)
Invoke-XcertStep '8/16' 'complete the request of ''owa'' on Legacy13 with /srv/xcert/inbox/owa.cer' {
  $thumbprint = '4F57413133000000000000000000000000000000'
  if ($null -ne (Get-XcertCertificate 'Legacy13' $thumbprint)) {
    $Created['owa'] = $thumbprint
    return ('already done: ' + $thumbprint + ' is on Legacy13')
  }
  # The CA's answer completes the pending request that holds the key on Legacy13.
  $data = [System.IO.File]::ReadAllBytes((Join-Path $WorkFolder 'owa.cer'))
  $null = Import-ExchangeCertificate -Server 'Legacy13' -FileData $data
  $Created['owa'] = $thumbprint
  'imported ' + $thumbprint
}

# Plan step 9 (fleet.yaml:30:5)
Invoke-XcertStep '9/16' 'enable ''mail'' for IIS on MailServer21' {
  $thumbprint = (Get-XcertCreated 'mail')
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

# Plan step 10 (fleet.yaml:30:5)
Invoke-XcertStep '10/16' 'enable ''mail'' for IMAP, POP on MailServer21' {
  $thumbprint = (Get-XcertCreated 'mail')
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

# Plan step 11 (fleet.yaml:30:5)
Invoke-XcertStep '11/16' 'enable ''mail'' for SMTP on MailServer21' {
  $thumbprint = (Get-XcertCreated 'mail')
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
Invoke-XcertStep 'after 11' 'reset IIS on MailServer21 (iisreset /noforce), because its certificate changed' {
  if (-not $IisChanged['MailServer21']) {
    return 'not needed: this run did not change the IIS certificate of MailServer21 (if an earlier run did and stopped before this, run iisreset /noforce yourself)'
  }
  $null = & iisreset.exe 'MailServer21' /noforce
  if ($LASTEXITCODE -ne 0) {
    throw ('iisreset MailServer21 /noforce failed with exit code ' + $LASTEXITCODE + '; IIS kept running: run it when the server is less busy')
  }
  'IIS on MailServer21 restarted'
}

# Plan step 12 (fleet.yaml:30:5)
Invoke-XcertStep '12/16' 'enable ''mail'' for IIS on MailServer22' {
  $thumbprint = (Get-XcertCreated 'mail')
  $certificate = Get-XcertCertificate 'MailServer22' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MailServer22')
  }
  $missing = @(Get-XcertMissingServices 'MailServer22' $certificate @('IIS') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves IIS'
  }
  # -Force only answers the Require SSL question: SMTP is not part of this call.
  $null = Enable-ExchangeCertificate -Server 'MailServer22' -Thumbprint $thumbprint -Services 'IIS' -Force
  $IisChanged['MailServer22'] = $true
  'IIS now served by ' + $thumbprint
}

# Plan step 13 (fleet.yaml:30:5)
Invoke-XcertStep '13/16' 'enable ''mail'' for IMAP, SMTP on MailServer22 (replacing the default SMTP certificate)' {
  $thumbprint = (Get-XcertCreated 'mail')
  $certificate = Get-XcertCertificate 'MailServer22' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MailServer22')
  }
  $missing = @(Get-XcertMissingServices 'MailServer22' $certificate @('IMAP', 'SMTP') $true)
  if ($missing.Count -eq 0) {
    return 'already done: it serves IMAP, SMTP'
  }
  # The manifest sets replaceDefaultSmtp: -Force makes this the internal transport (default SMTP)
  # certificate.
  $null = Enable-ExchangeCertificate -Server 'MailServer22' -Thumbprint $thumbprint -Services 'IMAP,SMTP' -Force
  'IMAP, SMTP now served by ' + $thumbprint
}

# Once per server, after its last enable: IIS and Outlook on the web pick up the new certificate.
Invoke-XcertStep 'after 13' 'reset IIS on MailServer22 (iisreset /noforce), because its certificate changed' {
  if (-not $IisChanged['MailServer22']) {
    return 'not needed: this run did not change the IIS certificate of MailServer22 (if an earlier run did and stopped before this, run iisreset /noforce yourself)'
  }
  $null = & iisreset.exe 'MailServer22' /noforce
  if ($LASTEXITCODE -ne 0) {
    throw ('iisreset MailServer22 /noforce failed with exit code ' + $LASTEXITCODE + '; IIS kept running: run it when the server is less busy')
  }
  'IIS on MailServer22 restarted'
}

# Plan step 14 (fleet.yaml:30:5)
Invoke-XcertStep '14/16' 'enable ''um'' for UM, UMCallRouter on Um16' {
  $thumbprint = '5046583136000000000000000000000000000000'
  $certificate = Get-XcertCertificate 'Um16' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on Um16')
  }
  $missing = @(Get-XcertMissingServices 'Um16' $certificate @('UM', 'UMCallRouter') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves UM, UMCallRouter'
  }
  # -Force only answers the Require SSL question: SMTP is not part of this call.
  $null = Enable-ExchangeCertificate -Server 'Um16' -Thumbprint $thumbprint -Services 'UM,UMCallRouter' -Force
  Restart-Service -InputObject (Get-Service -ComputerName 'Um16' -Name 'MSExchangeUM')
  Restart-Service -InputObject (Get-Service -ComputerName 'Um16' -Name 'MSExchangeUMCR')
  'UM, UMCallRouter now served by ' + $thumbprint
}

# Plan step 15 (fleet.yaml:30:5)
Invoke-XcertStep '15/16' 'enable ''owa'' for IIS on Legacy13' {
  $thumbprint = '4F57413133000000000000000000000000000000'
  $certificate = Get-XcertCertificate 'Legacy13' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on Legacy13')
  }
  $missing = @(Get-XcertMissingServices 'Legacy13' $certificate @('IIS') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves IIS'
  }
  # -Force only answers the Require SSL question: SMTP is not part of this call.
  $null = Enable-ExchangeCertificate -Server 'Legacy13' -Thumbprint $thumbprint -Services 'IIS' -Force
  $IisChanged['Legacy13'] = $true
  'IIS now served by ' + $thumbprint
}

# Once per server, after its last enable: IIS and Outlook on the web pick up the new certificate.
Invoke-XcertStep 'after 15' 'reset IIS on Legacy13 (iisreset /noforce), because its certificate changed' {
  if (-not $IisChanged['Legacy13']) {
    return 'not needed: this run did not change the IIS certificate of Legacy13 (if an earlier run did and stopped before this, run iisreset /noforce yourself)'
  }
  $null = & iisreset.exe 'Legacy13' /noforce
  if ($LASTEXITCODE -ne 0) {
    throw ('iisreset Legacy13 /noforce failed with exit code ' + $LASTEXITCODE + '; IIS kept running: run it when the server is less busy')
  }
  'IIS on Legacy13 restarted'
}

# Plan step 16
Invoke-XcertStep '16/16' 'remove 4F4C4432… (mail 2025) from MailServer21 (superseded by ''mail'')' {
  $certificate = Get-XcertCertificate 'MailServer21' '4F4C443231000000000000000000000000000000'
  if ($null -eq $certificate) {
    return 'already done: it is gone'
  }
  $why = Get-XcertProtection (Get-XcertFacts -Server 'MailServer21' -Thumbprints @('4F4C443231000000000000000000000000000000')) $certificate
  if ($why) {
    throw ('4F4C443231000000000000000000000000000000 on MailServer21 cannot be removed: ' + $why + '; the server changed since xcert planned: run xcert plan again')
  }
  Remove-ExchangeCertificate -Server 'MailServer21' -Thumbprint '4F4C443231000000000000000000000000000000' -Confirm:$false
  'removed 4F4C443231000000000000000000000000000000'
}

Write-XcertDone
