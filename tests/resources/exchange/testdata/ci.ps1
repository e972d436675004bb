<#
.SYNOPSIS
  xcert plan: 53 steps on MX01, MX02, MX03, MX04, MX05, MX06, MX07, MX08, MX09, MX10, MX11, MX12.

.DESCRIPTION
  Written by `xcert plan --format ps1` on 2026-11-25T00:00:00Z from examples/ci/xcert.yaml.
  Review it, then run it in the Exchange Management Shell, as a member of Organization
  Management with local administrator rights on the servers:

    .\plan.ps1

  Every step checks first and skips what is already done, so running the script again is
  safe. It stops at the first error. Backups are exported before anything changes.

  Steps:
    1/53  back up 4445464D… (Microsoft Exchange) from MX01 before it loses IIS (certificate only)
    2/53  back up 4445464D… (Microsoft Exchange) from MX02 before it loses IIS (certificate only)
    3/53  back up 4445464D… (Microsoft Exchange) from MX03 before it loses IIS (certificate only)
    4/53  back up 4445464D… (Microsoft Exchange) from MX04 before it loses IIS (certificate only)
    5/53  back up 4445464D… (Microsoft Exchange) from MX05 before it loses IIS (certificate only)
    6/53  back up 4445464D… (Microsoft Exchange) from MX06 before it loses IIS (certificate only)
    7/53  back up 4445464D… (Microsoft Exchange) from MX07 before it loses IIS (certificate only)
    8/53  back up 4445464D… (Microsoft Exchange) from MX08 before it loses IIS (certificate only)
    9/53  back up 4445464D… (Microsoft Exchange) from MX09 before it loses IIS (certificate only)
    10/53  create self-signed 'smtp' on MX01 (RSA 2048, 1y)
    11/53  create self-signed 'web-site-a' on MX01 (RSA 2048, 1y)
    12/53  create self-signed 'smtp' on MX02 (RSA 2048, 1y)
    13/53  create self-signed 'smtp' on MX03 (RSA 2048, 1y)
    14/53  create self-signed 'smtp' on MX04 (RSA 2048, 1y)
    15/53  create self-signed 'smtp' on MX05 (RSA 2048, 1y)
    16/53  create self-signed 'smtp' on MX06 (RSA 2048, 1y)
    17/53  create self-signed 'smtp' on MX07 (RSA 2048, 1y)
    18/53  create self-signed 'web-site-b' on MX07 (RSA 2048, 1y)
    19/53  create self-signed 'smtp' on MX08 (RSA 2048, 1y)
    20/53  create self-signed 'smtp' on MX09 (RSA 2048, 1y)
    21/53  create self-signed 'smtp' on MX10 (RSA 2048, 1y)
    22/53  create self-signed 'smtp' on MX11 (RSA 2048, 1y)
    23/53  create self-signed 'smtp' on MX12 (RSA 2048, 1y)
    24/53  export 'web-site-a' from MX01 to copy it to its other servers
    25/53  import 'web-site-a' on MX02 (copied from MX01)
    26/53  import 'web-site-a' on MX03 (copied from MX01)
    27/53  import 'web-site-a' on MX04 (copied from MX01)
    28/53  import 'web-site-a' on MX05 (copied from MX01)
    29/53  import 'web-site-a' on MX06 (copied from MX01)
    30/53  export 'web-site-b' from MX07 to copy it to its other servers
    31/53  import 'web-site-b' on MX08 (copied from MX07)
    32/53  import 'web-site-b' on MX09 (copied from MX07)
    33/53  enable 'web-site-a' for IIS on MX01
    34/53  enable 'smtp' for SMTP on MX01
    35/53  enable 'web-site-a' for IIS on MX02
    36/53  enable 'smtp' for SMTP on MX02
    37/53  enable 'web-site-a' for IIS on MX03
    38/53  enable 'smtp' for SMTP on MX03
    39/53  enable 'web-site-a' for IIS on MX04
    40/53  enable 'smtp' for SMTP on MX04
    41/53  enable 'web-site-a' for IIS on MX05
    42/53  enable 'smtp' for SMTP on MX05
    43/53  enable 'web-site-a' for IIS on MX06
    44/53  enable 'smtp' for SMTP on MX06
    45/53  enable 'web-site-b' for IIS on MX07
    46/53  enable 'smtp' for SMTP on MX07
    47/53  enable 'web-site-b' for IIS on MX08
    48/53  enable 'smtp' for SMTP on MX08
    49/53  enable 'web-site-b' for IIS on MX09
    50/53  enable 'smtp' for SMTP on MX09
    51/53  enable 'smtp' for SMTP on MX10
    52/53  enable 'smtp' for SMTP on MX11
    53/53  enable 'smtp' for SMTP on MX12

  Servers:
    MX01: Exchange 2019 (Mailbox)
    MX02: Exchange 2019 (Mailbox)
    MX03: Exchange 2019 (Mailbox)
    MX04: Exchange 2019 (Mailbox)
    MX05: Exchange 2019 (Mailbox)
    MX06: Exchange 2019 (Mailbox)
    MX07: Exchange 2019 (Mailbox)
    MX08: Exchange 2019 (Mailbox)
    MX09: Exchange 2019 (Mailbox)
    MX10: Exchange 2019 (Mailbox)
    MX11: Exchange 2019 (Mailbox)
    MX12: Exchange 2019 (Mailbox)

  Warnings:
    - backup of 4445464D… (Microsoft Exchange) on MX01 holds the certificate only: its private key is not exportable
    - backup of 4445464D… (Microsoft Exchange) on MX02 holds the certificate only: its private key is not exportable
    - backup of 4445464D… (Microsoft Exchange) on MX03 holds the certificate only: its private key is not exportable
    - backup of 4445464D… (Microsoft Exchange) on MX04 holds the certificate only: its private key is not exportable
    - backup of 4445464D… (Microsoft Exchange) on MX05 holds the certificate only: its private key is not exportable
    - backup of 4445464D… (Microsoft Exchange) on MX06 holds the certificate only: its private key is not exportable
    - backup of 4445464D… (Microsoft Exchange) on MX07 holds the certificate only: its private key is not exportable
    - backup of 4445464D… (Microsoft Exchange) on MX08 holds the certificate only: its private key is not exportable
    - backup of 4445464D… (Microsoft Exchange) on MX09 holds the certificate only: its private key is not exportable

.PARAMETER BackupFolder
  Where backups go: <BackupFolder>\<server>\<thumbprint>.pfx (or .cer without the key).
  Default: the folder 'backups' beside this script.

.PARAMETER WorkFolder
  Where the files to import are and certificate requests are written. Default: beside this script.
#>
#Requires -Version 4.0
[CmdletBinding()]
param(
  [string] $BackupFolder = '',
  [string] $WorkFolder = ''
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
  'MX01' = @('415554484D583031000000000000000000000000', '4445464D58303100000000000000000000000000')
  'MX02' = @('415554484D583032000000000000000000000000', '4445464D58303200000000000000000000000000')
  'MX03' = @('415554484D583033000000000000000000000000', '4445464D58303300000000000000000000000000')
  'MX04' = @('415554484D583034000000000000000000000000', '4445464D58303400000000000000000000000000')
  'MX05' = @('415554484D583035000000000000000000000000', '4445464D58303500000000000000000000000000')
  'MX06' = @('415554484D583036000000000000000000000000', '4445464D58303600000000000000000000000000')
  'MX07' = @('415554484D583037000000000000000000000000', '4445464D58303700000000000000000000000000')
  'MX08' = @('415554484D583038000000000000000000000000', '4445464D58303800000000000000000000000000')
  'MX09' = @('415554484D583039000000000000000000000000', '4445464D58303900000000000000000000000000')
  'MX10' = @('415554484D583130000000000000000000000000', '4445464D58313000000000000000000000000000')
  'MX11' = @('415554484D583131000000000000000000000000', '4445464D58313100000000000000000000000000')
  'MX12' = @('415554484D583132000000000000000000000000', '4445464D58313200000000000000000000000000')
}
$Created = @{}     # thumbprints of certificates created, imported or adopted in this run, by name
$Transit = @{}     # exported copies for other servers, in memory only
$IisChanged = @{}  # servers whose IIS certificate this run changed
$EdgeServers = @()  # Edge Transport servers: their steps run in their own shell
$Elsewhere = [ordered]@{}  # steps left for another shell, by shell
$TransitPassword = New-XcertPassword

# Plan step 1
Invoke-XcertStep '1/53' 'back up 4445464D… (Microsoft Exchange) from MX01 before it loses IIS (certificate only)' {
  $path = Join-Path $BackupFolder 'MX01\4445464D58303100000000000000000000000000.cer'
  if (Test-Path -LiteralPath $path) {
    return ('already done: ' + $path + ' exists')
  }
  $certificate = Get-XcertCertificate 'MX01' '4445464D58303100000000000000000000000000'
  if ($null -eq $certificate) {
    return 'already done: the certificate is no longer on MX01'
  }
  # The private key is not exportable: the backup holds the certificate alone.
  Save-XcertFile $path ([byte[]](Get-XcertProperty $certificate 'RawData'))
  'certificate (without its key) written to ' + $path
}

# Plan step 2
Invoke-XcertStep '2/53' 'back up 4445464D… (Microsoft Exchange) from MX02 before it loses IIS (certificate only)' {
  $path = Join-Path $BackupFolder 'MX02\4445464D58303200000000000000000000000000.cer'
  if (Test-Path -LiteralPath $path) {
    return ('already done: ' + $path + ' exists')
  }
  $certificate = Get-XcertCertificate 'MX02' '4445464D58303200000000000000000000000000'
  if ($null -eq $certificate) {
    return 'already done: the certificate is no longer on MX02'
  }
  # The private key is not exportable: the backup holds the certificate alone.
  Save-XcertFile $path ([byte[]](Get-XcertProperty $certificate 'RawData'))
  'certificate (without its key) written to ' + $path
}

# Plan step 3
Invoke-XcertStep '3/53' 'back up 4445464D… (Microsoft Exchange) from MX03 before it loses IIS (certificate only)' {
  $path = Join-Path $BackupFolder 'MX03\4445464D58303300000000000000000000000000.cer'
  if (Test-Path -LiteralPath $path) {
    return ('already done: ' + $path + ' exists')
  }
  $certificate = Get-XcertCertificate 'MX03' '4445464D58303300000000000000000000000000'
  if ($null -eq $certificate) {
    return 'already done: the certificate is no longer on MX03'
  }
  # The private key is not exportable: the backup holds the certificate alone.
  Save-XcertFile $path ([byte[]](Get-XcertProperty $certificate 'RawData'))
  'certificate (without its key) written to ' + $path
}

# Plan step 4
Invoke-XcertStep '4/53' 'back up 4445464D… (Microsoft Exchange) from MX04 before it loses IIS (certificate only)' {
  $path = Join-Path $BackupFolder 'MX04\4445464D58303400000000000000000000000000.cer'
  if (Test-Path -LiteralPath $path) {
    return ('already done: ' + $path + ' exists')
  }
  $certificate = Get-XcertCertificate 'MX04' '4445464D58303400000000000000000000000000'
  if ($null -eq $certificate) {
    return 'already done: the certificate is no longer on MX04'
  }
  # The private key is not exportable: the backup holds the certificate alone.
  Save-XcertFile $path ([byte[]](Get-XcertProperty $certificate 'RawData'))
  'certificate (without its key) written to ' + $path
}

# Plan step 5
Invoke-XcertStep '5/53' 'back up 4445464D… (Microsoft Exchange) from MX05 before it loses IIS (certificate only)' {
  $path = Join-Path $BackupFolder 'MX05\4445464D58303500000000000000000000000000.cer'
  if (Test-Path -LiteralPath $path) {
    return ('already done: ' + $path + ' exists')
  }
  $certificate = Get-XcertCertificate 'MX05' '4445464D58303500000000000000000000000000'
  if ($null -eq $certificate) {
    return 'already done: the certificate is no longer on MX05'
  }
  # The private key is not exportable: the backup holds the certificate alone.
  Save-XcertFile $path ([byte[]](Get-XcertProperty $certificate 'RawData'))
  'certificate (without its key) written to ' + $path
}

# Plan step 6
Invoke-XcertStep '6/53' 'back up 4445464D… (Microsoft Exchange) from MX06 before it loses IIS (certificate only)' {
  $path = Join-Path $BackupFolder 'MX06\4445464D58303600000000000000000000000000.cer'
  if (Test-Path -LiteralPath $path) {
    return ('already done: ' + $path + ' exists')
  }
  $certificate = Get-XcertCertificate 'MX06' '4445464D58303600000000000000000000000000'
  if ($null -eq $certificate) {
    return 'already done: the certificate is no longer on MX06'
  }
  # The private key is not exportable: the backup holds the certificate alone.
  Save-XcertFile $path ([byte[]](Get-XcertProperty $certificate 'RawData'))
  'certificate (without its key) written to ' + $path
}

# Plan step 7
Invoke-XcertStep '7/53' 'back up 4445464D… (Microsoft Exchange) from MX07 before it loses IIS (certificate only)' {
  $path = Join-Path $BackupFolder 'MX07\4445464D58303700000000000000000000000000.cer'
  if (Test-Path -LiteralPath $path) {
    return ('already done: ' + $path + ' exists')
  }
  $certificate = Get-XcertCertificate 'MX07' '4445464D58303700000000000000000000000000'
  if ($null -eq $certificate) {
    return 'already done: the certificate is no longer on MX07'
  }
  # The private key is not exportable: the backup holds the certificate alone.
  Save-XcertFile $path ([byte[]](Get-XcertProperty $certificate 'RawData'))
  'certificate (without its key) written to ' + $path
}

# Plan step 8
Invoke-XcertStep '8/53' 'back up 4445464D… (Microsoft Exchange) from MX08 before it loses IIS (certificate only)' {
  $path = Join-Path $BackupFolder 'MX08\4445464D58303800000000000000000000000000.cer'
  if (Test-Path -LiteralPath $path) {
    return ('already done: ' + $path + ' exists')
  }
  $certificate = Get-XcertCertificate 'MX08' '4445464D58303800000000000000000000000000'
  if ($null -eq $certificate) {
    return 'already done: the certificate is no longer on MX08'
  }
  # The private key is not exportable: the backup holds the certificate alone.
  Save-XcertFile $path ([byte[]](Get-XcertProperty $certificate 'RawData'))
  'certificate (without its key) written to ' + $path
}

# Plan step 9
Invoke-XcertStep '9/53' 'back up 4445464D… (Microsoft Exchange) from MX09 before it loses IIS (certificate only)' {
  $path = Join-Path $BackupFolder 'MX09\4445464D58303900000000000000000000000000.cer'
  if (Test-Path -LiteralPath $path) {
    return ('already done: ' + $path + ' exists')
  }
  $certificate = Get-XcertCertificate 'MX09' '4445464D58303900000000000000000000000000'
  if ($null -eq $certificate) {
    return 'already done: the certificate is no longer on MX09'
  }
  # The private key is not exportable: the backup holds the certificate alone.
  Save-XcertFile $path ([byte[]](Get-XcertProperty $certificate 'RawData'))
  'certificate (without its key) written to ' + $path
}

# Plan step 10 (examples/ci/xcert.yaml:60:5)
Invoke-XcertStep '10/53' 'create self-signed ''smtp'' on MX01 (RSA 2048, 1y)' {
  $existing = Find-XcertCreated 'MX01' 'smtp' $false
  if ($null -ne $existing) {
    $Created['smtp@MX01'] = [string](Get-XcertProperty $existing 'Thumbprint')
    return ('already done: an earlier run created ' + $Created['smtp@MX01'])
  }
  # New-ExchangeCertificate makes self-signed certificates valid for 5 years; it has no validity
  # parameter. -Services None: no service yet (the enable steps follow), and the default SMTP
  # certificate stays as it is.
  $new = New-ExchangeCertificate -Server 'MX01' -SubjectName 'CN=mx01.contoso.example' -DomainName @('mx01.contoso.example') -KeySize 2048 -PrivateKeyExportable $true -FriendlyName 'smtp' -Services 'None'
  $Created['smtp@MX01'] = [string](Get-XcertProperty $new 'Thumbprint')
  'created ' + $Created['smtp@MX01']
}

# Plan step 11 (examples/ci/xcert.yaml:46:5)
Invoke-XcertStep '11/53' 'create self-signed ''web-site-a'' on MX01 (RSA 2048, 1y)' {
  $existing = Find-XcertCreated 'MX01' 'web-site-a' $false
  if ($null -ne $existing) {
    $Created['web-site-a'] = [string](Get-XcertProperty $existing 'Thumbprint')
    return ('already done: an earlier run created ' + $Created['web-site-a'])
  }
  # New-ExchangeCertificate makes self-signed certificates valid for 5 years; it has no validity
  # parameter. -Services None: no service yet (the enable steps follow), and the default SMTP
  # certificate stays as it is.
  $new = New-ExchangeCertificate -Server 'MX01' -SubjectName 'CN=mail.contoso.example' -DomainName @('mail.contoso.example', 'autodiscover.contoso.example') -KeySize 2048 -PrivateKeyExportable $true -FriendlyName 'web-site-a' -Services 'None'
  $Created['web-site-a'] = [string](Get-XcertProperty $new 'Thumbprint')
  'created ' + $Created['web-site-a']
}

# Plan step 12 (examples/ci/xcert.yaml:60:5)
Invoke-XcertStep '12/53' 'create self-signed ''smtp'' on MX02 (RSA 2048, 1y)' {
  $existing = Find-XcertCreated 'MX02' 'smtp' $false
  if ($null -ne $existing) {
    $Created['smtp@MX02'] = [string](Get-XcertProperty $existing 'Thumbprint')
    return ('already done: an earlier run created ' + $Created['smtp@MX02'])
  }
  # New-ExchangeCertificate makes self-signed certificates valid for 5 years; it has no validity
  # parameter. -Services None: no service yet (the enable steps follow), and the default SMTP
  # certificate stays as it is.
  $new = New-ExchangeCertificate -Server 'MX02' -SubjectName 'CN=mx02.contoso.example' -DomainName @('mx02.contoso.example') -KeySize 2048 -PrivateKeyExportable $true -FriendlyName 'smtp' -Services 'None'
  $Created['smtp@MX02'] = [string](Get-XcertProperty $new 'Thumbprint')
  'created ' + $Created['smtp@MX02']
}

# Plan step 13 (examples/ci/xcert.yaml:60:5)
Invoke-XcertStep '13/53' 'create self-signed ''smtp'' on MX03 (RSA 2048, 1y)' {
  $existing = Find-XcertCreated 'MX03' 'smtp' $false
  if ($null -ne $existing) {
    $Created['smtp@MX03'] = [string](Get-XcertProperty $existing 'Thumbprint')
    return ('already done: an earlier run created ' + $Created['smtp@MX03'])
  }
  # New-ExchangeCertificate makes self-signed certificates valid for 5 years; it has no validity
  # parameter. -Services None: no service yet (the enable steps follow), and the default SMTP
  # certificate stays as it is.
  $new = New-ExchangeCertificate -Server 'MX03' -SubjectName 'CN=mx03.contoso.example' -DomainName @('mx03.contoso.example') -KeySize 2048 -PrivateKeyExportable $true -FriendlyName 'smtp' -Services 'None'
  $Created['smtp@MX03'] = [string](Get-XcertProperty $new 'Thumbprint')
  'created ' + $Created['smtp@MX03']
}

# Plan step 14 (examples/ci/xcert.yaml:60:5)
Invoke-XcertStep '14/53' 'create self-signed ''smtp'' on MX04 (RSA 2048, 1y)' {
  $existing = Find-XcertCreated 'MX04' 'smtp' $false
  if ($null -ne $existing) {
    $Created['smtp@MX04'] = [string](Get-XcertProperty $existing 'Thumbprint')
    return ('already done: an earlier run created ' + $Created['smtp@MX04'])
  }
  # New-ExchangeCertificate makes self-signed certificates valid for 5 years; it has no validity
  # parameter. -Services None: no service yet (the enable steps follow), and the default SMTP
  # certificate stays as it is.
  $new = New-ExchangeCertificate -Server 'MX04' -SubjectName 'CN=mx04.contoso.example' -DomainName @('mx04.contoso.example') -KeySize 2048 -PrivateKeyExportable $true -FriendlyName 'smtp' -Services 'None'
  $Created['smtp@MX04'] = [string](Get-XcertProperty $new 'Thumbprint')
  'created ' + $Created['smtp@MX04']
}

# Plan step 15 (examples/ci/xcert.yaml:60:5)
Invoke-XcertStep '15/53' 'create self-signed ''smtp'' on MX05 (RSA 2048, 1y)' {
  $existing = Find-XcertCreated 'MX05' 'smtp' $false
  if ($null -ne $existing) {
    $Created['smtp@MX05'] = [string](Get-XcertProperty $existing 'Thumbprint')
    return ('already done: an earlier run created ' + $Created['smtp@MX05'])
  }
  # New-ExchangeCertificate makes self-signed certificates valid for 5 years; it has no validity
  # parameter. -Services None: no service yet (the enable steps follow), and the default SMTP
  # certificate stays as it is.
  $new = New-ExchangeCertificate -Server 'MX05' -SubjectName 'CN=mx05.contoso.example' -DomainName @('mx05.contoso.example') -KeySize 2048 -PrivateKeyExportable $true -FriendlyName 'smtp' -Services 'None'
  $Created['smtp@MX05'] = [string](Get-XcertProperty $new 'Thumbprint')
  'created ' + $Created['smtp@MX05']
}

# Plan step 16 (examples/ci/xcert.yaml:60:5)
Invoke-XcertStep '16/53' 'create self-signed ''smtp'' on MX06 (RSA 2048, 1y)' {
  $existing = Find-XcertCreated 'MX06' 'smtp' $false
  if ($null -ne $existing) {
    $Created['smtp@MX06'] = [string](Get-XcertProperty $existing 'Thumbprint')
    return ('already done: an earlier run created ' + $Created['smtp@MX06'])
  }
  # New-ExchangeCertificate makes self-signed certificates valid for 5 years; it has no validity
  # parameter. -Services None: no service yet (the enable steps follow), and the default SMTP
  # certificate stays as it is.
  $new = New-ExchangeCertificate -Server 'MX06' -SubjectName 'CN=mx06.contoso.example' -DomainName @('mx06.contoso.example') -KeySize 2048 -PrivateKeyExportable $true -FriendlyName 'smtp' -Services 'None'
  $Created['smtp@MX06'] = [string](Get-XcertProperty $new 'Thumbprint')
  'created ' + $Created['smtp@MX06']
}

# Plan step 17 (examples/ci/xcert.yaml:60:5)
Invoke-XcertStep '17/53' 'create self-signed ''smtp'' on MX07 (RSA 2048, 1y)' {
  $existing = Find-XcertCreated 'MX07' 'smtp' $false
  if ($null -ne $existing) {
    $Created['smtp@MX07'] = [string](Get-XcertProperty $existing 'Thumbprint')
    return ('already done: an earlier run created ' + $Created['smtp@MX07'])
  }
  # New-ExchangeCertificate makes self-signed certificates valid for 5 years; it has no validity
  # parameter. -Services None: no service yet (the enable steps follow), and the default SMTP
  # certificate stays as it is.
  $new = New-ExchangeCertificate -Server 'MX07' -SubjectName 'CN=mx07.contoso.example' -DomainName @('mx07.contoso.example') -KeySize 2048 -PrivateKeyExportable $true -FriendlyName 'smtp' -Services 'None'
  $Created['smtp@MX07'] = [string](Get-XcertProperty $new 'Thumbprint')
  'created ' + $Created['smtp@MX07']
}

# Plan step 18 (examples/ci/xcert.yaml:53:5)
Invoke-XcertStep '18/53' 'create self-signed ''web-site-b'' on MX07 (RSA 2048, 1y)' {
  $existing = Find-XcertCreated 'MX07' 'web-site-b' $false
  if ($null -ne $existing) {
    $Created['web-site-b'] = [string](Get-XcertProperty $existing 'Thumbprint')
    return ('already done: an earlier run created ' + $Created['web-site-b'])
  }
  # New-ExchangeCertificate makes self-signed certificates valid for 5 years; it has no validity
  # parameter. -Services None: no service yet (the enable steps follow), and the default SMTP
  # certificate stays as it is.
  $new = New-ExchangeCertificate -Server 'MX07' -SubjectName 'CN=mail-b.contoso.example' -DomainName @('mail-b.contoso.example') -KeySize 2048 -PrivateKeyExportable $true -FriendlyName 'web-site-b' -Services 'None'
  $Created['web-site-b'] = [string](Get-XcertProperty $new 'Thumbprint')
  'created ' + $Created['web-site-b']
}

# Plan step 19 (examples/ci/xcert.yaml:60:5)
Invoke-XcertStep '19/53' 'create self-signed ''smtp'' on MX08 (RSA 2048, 1y)' {
  $existing = Find-XcertCreated 'MX08' 'smtp' $false
  if ($null -ne $existing) {
    $Created['smtp@MX08'] = [string](Get-XcertProperty $existing 'Thumbprint')
    return ('already done: an earlier run created ' + $Created['smtp@MX08'])
  }
  # New-ExchangeCertificate makes self-signed certificates valid for 5 years; it has no validity
  # parameter. -Services None: no service yet (the enable steps follow), and the default SMTP
  # certificate stays as it is.
  $new = New-ExchangeCertificate -Server 'MX08' -SubjectName 'CN=mx08.contoso.example' -DomainName @('mx08.contoso.example') -KeySize 2048 -PrivateKeyExportable $true -FriendlyName 'smtp' -Services 'None'
  $Created['smtp@MX08'] = [string](Get-XcertProperty $new 'Thumbprint')
  'created ' + $Created['smtp@MX08']
}

# Plan step 20 (examples/ci/xcert.yaml:60:5)
Invoke-XcertStep '20/53' 'create self-signed ''smtp'' on MX09 (RSA 2048, 1y)' {
  $existing = Find-XcertCreated 'MX09' 'smtp' $false
  if ($null -ne $existing) {
    $Created['smtp@MX09'] = [string](Get-XcertProperty $existing 'Thumbprint')
    return ('already done: an earlier run created ' + $Created['smtp@MX09'])
  }
  # New-ExchangeCertificate makes self-signed certificates valid for 5 years; it has no validity
  # parameter. -Services None: no service yet (the enable steps follow), and the default SMTP
  # certificate stays as it is.
  $new = New-ExchangeCertificate -Server 'MX09' -SubjectName 'CN=mx09.contoso.example' -DomainName @('mx09.contoso.example') -KeySize 2048 -PrivateKeyExportable $true -FriendlyName 'smtp' -Services 'None'
  $Created['smtp@MX09'] = [string](Get-XcertProperty $new 'Thumbprint')
  'created ' + $Created['smtp@MX09']
}

# Plan step 21 (examples/ci/xcert.yaml:60:5)
Invoke-XcertStep '21/53' 'create self-signed ''smtp'' on MX10 (RSA 2048, 1y)' {
  $existing = Find-XcertCreated 'MX10' 'smtp' $false
  if ($null -ne $existing) {
    $Created['smtp@MX10'] = [string](Get-XcertProperty $existing 'Thumbprint')
    return ('already done: an earlier run created ' + $Created['smtp@MX10'])
  }
  # New-ExchangeCertificate makes self-signed certificates valid for 5 years; it has no validity
  # parameter. -Services None: no service yet (the enable steps follow), and the default SMTP
  # certificate stays as it is.
  $new = New-ExchangeCertificate -Server 'MX10' -SubjectName 'CN=mx10.contoso.example' -DomainName @('mx10.contoso.example') -KeySize 2048 -PrivateKeyExportable $true -FriendlyName 'smtp' -Services 'None'
  $Created['smtp@MX10'] = [string](Get-XcertProperty $new 'Thumbprint')
  'created ' + $Created['smtp@MX10']
}

# Plan step 22 (examples/ci/xcert.yaml:60:5)
Invoke-XcertStep '22/53' 'create self-signed ''smtp'' on MX11 (RSA 2048, 1y)' {
  $existing = Find-XcertCreated 'MX11' 'smtp' $false
  if ($null -ne $existing) {
    $Created['smtp@MX11'] = [string](Get-XcertProperty $existing 'Thumbprint')
    return ('already done: an earlier run created ' + $Created['smtp@MX11'])
  }
  # New-ExchangeCertificate makes self-signed certificates valid for 5 years; it has no validity
  # parameter. -Services None: no service yet (the enable steps follow), and the default SMTP
  # certificate stays as it is.
  $new = New-ExchangeCertificate -Server 'MX11' -SubjectName 'CN=mx11.contoso.example' -DomainName @('mx11.contoso.example') -KeySize 2048 -PrivateKeyExportable $true -FriendlyName 'smtp' -Services 'None'
  $Created['smtp@MX11'] = [string](Get-XcertProperty $new 'Thumbprint')
  'created ' + $Created['smtp@MX11']
}

# Plan step 23 (examples/ci/xcert.yaml:60:5)
Invoke-XcertStep '23/53' 'create self-signed ''smtp'' on MX12 (RSA 2048, 1y)' {
  $existing = Find-XcertCreated 'MX12' 'smtp' $false
  if ($null -ne $existing) {
    $Created['smtp@MX12'] = [string](Get-XcertProperty $existing 'Thumbprint')
    return ('already done: an earlier run created ' + $Created['smtp@MX12'])
  }
  # New-ExchangeCertificate makes self-signed certificates valid for 5 years; it has no validity
  # parameter. -Services None: no service yet (the enable steps follow), and the default SMTP
  # certificate stays as it is.
  $new = New-ExchangeCertificate -Server 'MX12' -SubjectName 'CN=mx12.contoso.example' -DomainName @('mx12.contoso.example') -KeySize 2048 -PrivateKeyExportable $true -FriendlyName 'smtp' -Services 'None'
  $Created['smtp@MX12'] = [string](Get-XcertProperty $new 'Thumbprint')
  'created ' + $Created['smtp@MX12']
}

# Plan step 24 (examples/ci/xcert.yaml:46:5)
Invoke-XcertStep '24/53' 'export ''web-site-a'' from MX01 to copy it to its other servers' {
  $thumbprint = (Get-XcertCreated 'web-site-a')
  $Transit['web-site-a'] = Export-ExchangeCertificate -Server 'MX01' -Thumbprint $thumbprint -BinaryEncoded -Password $TransitPassword
  $Created['web-site-a'] = $thumbprint
  'exported ' + $thumbprint + ' into memory for the copies'
}

# Plan step 25 (examples/ci/xcert.yaml:46:5)
Invoke-XcertStep '25/53' 'import ''web-site-a'' on MX02 (copied from MX01)' {
  $thumbprint = (Get-XcertCreated 'web-site-a')
  if ($null -ne (Get-XcertCertificate 'MX02' $thumbprint)) {
    $Created['web-site-a'] = $thumbprint
    return ('already done: ' + $thumbprint + ' is on MX02')
  }
  if (-not $Transit.ContainsKey('web-site-a')) {
    throw 'the export step of ''web-site-a'' did not run in this run; run the script from the start'
  }
  $null = Import-ExchangeCertificate -Server 'MX02' -FileData ([byte[]]$Transit['web-site-a'].FileData) -Password $TransitPassword -PrivateKeyExportable $true -FriendlyName 'web-site-a'
  $Created['web-site-a'] = $thumbprint
  'imported ' + $thumbprint
}

# Plan step 26 (examples/ci/xcert.yaml:46:5)
Invoke-XcertStep '26/53' 'import ''web-site-a'' on MX03 (copied from MX01)' {
  $thumbprint = (Get-XcertCreated 'web-site-a')
  if ($null -ne (Get-XcertCertificate 'MX03' $thumbprint)) {
    $Created['web-site-a'] = $thumbprint
    return ('already done: ' + $thumbprint + ' is on MX03')
  }
  if (-not $Transit.ContainsKey('web-site-a')) {
    throw 'the export step of ''web-site-a'' did not run in this run; run the script from the start'
  }
  $null = Import-ExchangeCertificate -Server 'MX03' -FileData ([byte[]]$Transit['web-site-a'].FileData) -Password $TransitPassword -PrivateKeyExportable $true -FriendlyName 'web-site-a'
  $Created['web-site-a'] = $thumbprint
  'imported ' + $thumbprint
}

# Plan step 27 (examples/ci/xcert.yaml:46:5)
Invoke-XcertStep '27/53' 'import ''web-site-a'' on MX04 (copied from MX01)' {
  $thumbprint = (Get-XcertCreated 'web-site-a')
  if ($null -ne (Get-XcertCertificate 'MX04' $thumbprint)) {
    $Created['web-site-a'] = $thumbprint
    return ('already done: ' + $thumbprint + ' is on MX04')
  }
  if (-not $Transit.ContainsKey('web-site-a')) {
    throw 'the export step of ''web-site-a'' did not run in this run; run the script from the start'
  }
  $null = Import-ExchangeCertificate -Server 'MX04' -FileData ([byte[]]$Transit['web-site-a'].FileData) -Password $TransitPassword -PrivateKeyExportable $true -FriendlyName 'web-site-a'
  $Created['web-site-a'] = $thumbprint
  'imported ' + $thumbprint
}

# Plan step 28 (examples/ci/xcert.yaml:46:5)
Invoke-XcertStep '28/53' 'import ''web-site-a'' on MX05 (copied from MX01)' {
  $thumbprint = (Get-XcertCreated 'web-site-a')
  if ($null -ne (Get-XcertCertificate 'MX05' $thumbprint)) {
    $Created['web-site-a'] = $thumbprint
    return ('already done: ' + $thumbprint + ' is on MX05')
  }
  if (-not $Transit.ContainsKey('web-site-a')) {
    throw 'the export step of ''web-site-a'' did not run in this run; run the script from the start'
  }
  $null = Import-ExchangeCertificate -Server 'MX05' -FileData ([byte[]]$Transit['web-site-a'].FileData) -Password $TransitPassword -PrivateKeyExportable $true -FriendlyName 'web-site-a'
  $Created['web-site-a'] = $thumbprint
  'imported ' + $thumbprint
}

# Plan step 29 (examples/ci/xcert.yaml:46:5)
Invoke-XcertStep '29/53' 'import ''web-site-a'' on MX06 (copied from MX01)' {
  $thumbprint = (Get-XcertCreated 'web-site-a')
  if ($null -ne (Get-XcertCertificate 'MX06' $thumbprint)) {
    $Created['web-site-a'] = $thumbprint
    return ('already done: ' + $thumbprint + ' is on MX06')
  }
  if (-not $Transit.ContainsKey('web-site-a')) {
    throw 'the export step of ''web-site-a'' did not run in this run; run the script from the start'
  }
  $null = Import-ExchangeCertificate -Server 'MX06' -FileData ([byte[]]$Transit['web-site-a'].FileData) -Password $TransitPassword -PrivateKeyExportable $true -FriendlyName 'web-site-a'
  $Created['web-site-a'] = $thumbprint
  'imported ' + $thumbprint
}

# Plan step 30 (examples/ci/xcert.yaml:53:5)
Invoke-XcertStep '30/53' 'export ''web-site-b'' from MX07 to copy it to its other servers' {
  $thumbprint = (Get-XcertCreated 'web-site-b')
  $Transit['web-site-b'] = Export-ExchangeCertificate -Server 'MX07' -Thumbprint $thumbprint -BinaryEncoded -Password $TransitPassword
  $Created['web-site-b'] = $thumbprint
  'exported ' + $thumbprint + ' into memory for the copies'
}

# Plan step 31 (examples/ci/xcert.yaml:53:5)
Invoke-XcertStep '31/53' 'import ''web-site-b'' on MX08 (copied from MX07)' {
  $thumbprint = (Get-XcertCreated 'web-site-b')
  if ($null -ne (Get-XcertCertificate 'MX08' $thumbprint)) {
    $Created['web-site-b'] = $thumbprint
    return ('already done: ' + $thumbprint + ' is on MX08')
  }
  if (-not $Transit.ContainsKey('web-site-b')) {
    throw 'the export step of ''web-site-b'' did not run in this run; run the script from the start'
  }
  $null = Import-ExchangeCertificate -Server 'MX08' -FileData ([byte[]]$Transit['web-site-b'].FileData) -Password $TransitPassword -PrivateKeyExportable $true -FriendlyName 'web-site-b'
  $Created['web-site-b'] = $thumbprint
  'imported ' + $thumbprint
}

# Plan step 32 (examples/ci/xcert.yaml:53:5)
Invoke-XcertStep '32/53' 'import ''web-site-b'' on MX09 (copied from MX07)' {
  $thumbprint = (Get-XcertCreated 'web-site-b')
  if ($null -ne (Get-XcertCertificate 'MX09' $thumbprint)) {
    $Created['web-site-b'] = $thumbprint
    return ('already done: ' + $thumbprint + ' is on MX09')
  }
  if (-not $Transit.ContainsKey('web-site-b')) {
    throw 'the export step of ''web-site-b'' did not run in this run; run the script from the start'
  }
  $null = Import-ExchangeCertificate -Server 'MX09' -FileData ([byte[]]$Transit['web-site-b'].FileData) -Password $TransitPassword -PrivateKeyExportable $true -FriendlyName 'web-site-b'
  $Created['web-site-b'] = $thumbprint
  'imported ' + $thumbprint
}

# Plan step 33 (examples/ci/xcert.yaml:52:15)
Invoke-XcertStep '33/53' 'enable ''web-site-a'' for IIS on MX01' {
  $thumbprint = (Get-XcertCreated 'web-site-a')
  $certificate = Get-XcertCertificate 'MX01' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MX01')
  }
  $missing = @(Get-XcertMissingServices 'MX01' $certificate @('IIS') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves IIS'
  }
  # -Force only answers the Require SSL question: SMTP is not part of this call.
  $null = Enable-ExchangeCertificate -Server 'MX01' -Thumbprint $thumbprint -Services 'IIS' -Force
  $IisChanged['MX01'] = $true
  'IIS now served by ' + $thumbprint
}

# Plan step 34 (examples/ci/xcert.yaml:67:15)
Invoke-XcertStep '34/53' 'enable ''smtp'' for SMTP on MX01' {
  $thumbprint = (Get-XcertCreated 'smtp@MX01')
  $certificate = Get-XcertCertificate 'MX01' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MX01')
  }
  $missing = @(Get-XcertMissingServices 'MX01' $certificate @('SMTP') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves SMTP'
  }
  # SMTP without -Force: the internal transport (default SMTP) certificate stays as it is;
  # -NetworkServiceAllowed lets the transport service read this certificate's key.
  $null = Enable-ExchangeCertificate -Server 'MX01' -Thumbprint $thumbprint -Services 'None' -NetworkServiceAllowed
  'SMTP now served by ' + $thumbprint
}

# Once per server, after its last enable: IIS and Outlook on the web pick up the new certificate.
Invoke-XcertStep 'after 34' 'reset IIS on MX01 (iisreset /noforce), because its certificate changed' {
  if (-not $IisChanged['MX01']) {
    return 'not needed: this run did not change the IIS certificate of MX01 (if an earlier run did and stopped before this, run iisreset /noforce yourself)'
  }
  $null = & iisreset.exe 'MX01' /noforce
  if ($LASTEXITCODE -ne 0) {
    throw ('iisreset MX01 /noforce failed with exit code ' + $LASTEXITCODE + '; IIS kept running: run it when the server is less busy')
  }
  'IIS on MX01 restarted'
}

# Plan step 35 (examples/ci/xcert.yaml:52:15)
Invoke-XcertStep '35/53' 'enable ''web-site-a'' for IIS on MX02' {
  $thumbprint = (Get-XcertCreated 'web-site-a')
  $certificate = Get-XcertCertificate 'MX02' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MX02')
  }
  $missing = @(Get-XcertMissingServices 'MX02' $certificate @('IIS') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves IIS'
  }
  # -Force only answers the Require SSL question: SMTP is not part of this call.
  $null = Enable-ExchangeCertificate -Server 'MX02' -Thumbprint $thumbprint -Services 'IIS' -Force
  $IisChanged['MX02'] = $true
  'IIS now served by ' + $thumbprint
}

# Plan step 36 (examples/ci/xcert.yaml:67:15)
Invoke-XcertStep '36/53' 'enable ''smtp'' for SMTP on MX02' {
  $thumbprint = (Get-XcertCreated 'smtp@MX02')
  $certificate = Get-XcertCertificate 'MX02' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MX02')
  }
  $missing = @(Get-XcertMissingServices 'MX02' $certificate @('SMTP') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves SMTP'
  }
  # SMTP without -Force: the internal transport (default SMTP) certificate stays as it is;
  # -NetworkServiceAllowed lets the transport service read this certificate's key.
  $null = Enable-ExchangeCertificate -Server 'MX02' -Thumbprint $thumbprint -Services 'None' -NetworkServiceAllowed
  'SMTP now served by ' + $thumbprint
}

# Once per server, after its last enable: IIS and Outlook on the web pick up the new certificate.
Invoke-XcertStep 'after 36' 'reset IIS on MX02 (iisreset /noforce), because its certificate changed' {
  if (-not $IisChanged['MX02']) {
    return 'not needed: this run did not change the IIS certificate of MX02 (if an earlier run did and stopped before this, run iisreset /noforce yourself)'
  }
  $null = & iisreset.exe 'MX02' /noforce
  if ($LASTEXITCODE -ne 0) {
    throw ('iisreset MX02 /noforce failed with exit code ' + $LASTEXITCODE + '; IIS kept running: run it when the server is less busy')
  }
  'IIS on MX02 restarted'
}

# Plan step 37 (examples/ci/xcert.yaml:52:15)
Invoke-XcertStep '37/53' 'enable ''web-site-a'' for IIS on MX03' {
  $thumbprint = (Get-XcertCreated 'web-site-a')
  $certificate = Get-XcertCertificate 'MX03' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MX03')
  }
  $missing = @(Get-XcertMissingServices 'MX03' $certificate @('IIS') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves IIS'
  }
  # -Force only answers the Require SSL question: SMTP is not part of this call.
  $null = Enable-ExchangeCertificate -Server 'MX03' -Thumbprint $thumbprint -Services 'IIS' -Force
  $IisChanged['MX03'] = $true
  'IIS now served by ' + $thumbprint
}

# Plan step 38 (examples/ci/xcert.yaml:67:15)
Invoke-XcertStep '38/53' 'enable ''smtp'' for SMTP on MX03' {
  $thumbprint = (Get-XcertCreated 'smtp@MX03')
  $certificate = Get-XcertCertificate 'MX03' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MX03')
  }
  $missing = @(Get-XcertMissingServices 'MX03' $certificate @('SMTP') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves SMTP'
  }
  # SMTP without -Force: the internal transport (default SMTP) certificate stays as it is;
  # -NetworkServiceAllowed lets the transport service read this certificate's key.
  $null = Enable-ExchangeCertificate -Server 'MX03' -Thumbprint $thumbprint -Services 'None' -NetworkServiceAllowed
  'SMTP now served by ' + $thumbprint
}

# Once per server, after its last enable: IIS and Outlook on the web pick up the new certificate.
Invoke-XcertStep 'after 38' 'reset IIS on MX03 (iisreset /noforce), because its certificate changed' {
  if (-not $IisChanged['MX03']) {
    return 'not needed: this run did not change the IIS certificate of MX03 (if an earlier run did and stopped before this, run iisreset /noforce yourself)'
  }
  $null = & iisreset.exe 'MX03' /noforce
  if ($LASTEXITCODE -ne 0) {
    throw ('iisreset MX03 /noforce failed with exit code ' + $LASTEXITCODE + '; IIS kept running: run it when the server is less busy')
  }
  'IIS on MX03 restarted'
}

# Plan step 39 (examples/ci/xcert.yaml:52:15)
Invoke-XcertStep '39/53' 'enable ''web-site-a'' for IIS on MX04' {
  $thumbprint = (Get-XcertCreated 'web-site-a')
  $certificate = Get-XcertCertificate 'MX04' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MX04')
  }
  $missing = @(Get-XcertMissingServices 'MX04' $certificate @('IIS') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves IIS'
  }
  # -Force only answers the Require SSL question: SMTP is not part of this call.
  $null = Enable-ExchangeCertificate -Server 'MX04' -Thumbprint $thumbprint -Services 'IIS' -Force
  $IisChanged['MX04'] = $true
  'IIS now served by ' + $thumbprint
}

# Plan step 40 (examples/ci/xcert.yaml:67:15)
Invoke-XcertStep '40/53' 'enable ''smtp'' for SMTP on MX04' {
  $thumbprint = (Get-XcertCreated 'smtp@MX04')
  $certificate = Get-XcertCertificate 'MX04' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MX04')
  }
  $missing = @(Get-XcertMissingServices 'MX04' $certificate @('SMTP') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves SMTP'
  }
  # SMTP without -Force: the internal transport (default SMTP) certificate stays as it is;
  # -NetworkServiceAllowed lets the transport service read this certificate's key.
  $null = Enable-ExchangeCertificate -Server 'MX04' -Thumbprint $thumbprint -Services 'None' -NetworkServiceAllowed
  'SMTP now served by ' + $thumbprint
}

# Once per server, after its last enable: IIS and Outlook on the web pick up the new certificate.
Invoke-XcertStep 'after 40' 'reset IIS on MX04 (iisreset /noforce), because its certificate changed' {
  if (-not $IisChanged['MX04']) {
    return 'not needed: this run did not change the IIS certificate of MX04 (if an earlier run did and stopped before this, run iisreset /noforce yourself)'
  }
  $null = & iisreset.exe 'MX04' /noforce
  if ($LASTEXITCODE -ne 0) {
    throw ('iisreset MX04 /noforce failed with exit code ' + $LASTEXITCODE + '; IIS kept running: run it when the server is less busy')
  }
  'IIS on MX04 restarted'
}

# Plan step 41 (examples/ci/xcert.yaml:52:15)
Invoke-XcertStep '41/53' 'enable ''web-site-a'' for IIS on MX05' {
  $thumbprint = (Get-XcertCreated 'web-site-a')
  $certificate = Get-XcertCertificate 'MX05' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MX05')
  }
  $missing = @(Get-XcertMissingServices 'MX05' $certificate @('IIS') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves IIS'
  }
  # -Force only answers the Require SSL question: SMTP is not part of this call.
  $null = Enable-ExchangeCertificate -Server 'MX05' -Thumbprint $thumbprint -Services 'IIS' -Force
  $IisChanged['MX05'] = $true
  'IIS now served by ' + $thumbprint
}

# Plan step 42 (examples/ci/xcert.yaml:67:15)
Invoke-XcertStep '42/53' 'enable ''smtp'' for SMTP on MX05' {
  $thumbprint = (Get-XcertCreated 'smtp@MX05')
  $certificate = Get-XcertCertificate 'MX05' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MX05')
  }
  $missing = @(Get-XcertMissingServices 'MX05' $certificate @('SMTP') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves SMTP'
  }
  # SMTP without -Force: the internal transport (default SMTP) certificate stays as it is;
  # -NetworkServiceAllowed lets the transport service read this certificate's key.
  $null = Enable-ExchangeCertificate -Server 'MX05' -Thumbprint $thumbprint -Services 'None' -NetworkServiceAllowed
  'SMTP now served by ' + $thumbprint
}

# Once per server, after its last enable: IIS and Outlook on the web pick up the new certificate.
Invoke-XcertStep 'after 42' 'reset IIS on MX05 (iisreset /noforce), because its certificate changed' {
  if (-not $IisChanged['MX05']) {
    return 'not needed: this run did not change the IIS certificate of MX05 (if an earlier run did and stopped before this, run iisreset /noforce yourself)'
  }
  $null = & iisreset.exe 'MX05' /noforce
  if ($LASTEXITCODE -ne 0) {
    throw ('iisreset MX05 /noforce failed with exit code ' + $LASTEXITCODE + '; IIS kept running: run it when the server is less busy')
  }
  'IIS on MX05 restarted'
}

# Plan step 43 (examples/ci/xcert.yaml:52:15)
Invoke-XcertStep '43/53' 'enable ''web-site-a'' for IIS on MX06' {
  $thumbprint = (Get-XcertCreated 'web-site-a')
  $certificate = Get-XcertCertificate 'MX06' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MX06')
  }
  $missing = @(Get-XcertMissingServices 'MX06' $certificate @('IIS') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves IIS'
  }
  # -Force only answers the Require SSL question: SMTP is not part of this call.
  $null = Enable-ExchangeCertificate -Server 'MX06' -Thumbprint $thumbprint -Services 'IIS' -Force
  $IisChanged['MX06'] = $true
  'IIS now served by ' + $thumbprint
}

# Plan step 44 (examples/ci/xcert.yaml:67:15)
Invoke-XcertStep '44/53' 'enable ''smtp'' for SMTP on MX06' {
  $thumbprint = (Get-XcertCreated 'smtp@MX06')
  $certificate = Get-XcertCertificate 'MX06' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MX06')
  }
  $missing = @(Get-XcertMissingServices 'MX06' $certificate @('SMTP') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves SMTP'
  }
  # SMTP without -Force: the internal transport (default SMTP) certificate stays as it is;
  # -NetworkServiceAllowed lets the transport service read this certificate's key.
  $null = Enable-ExchangeCertificate -Server 'MX06' -Thumbprint $thumbprint -Services 'None' -NetworkServiceAllowed
  'SMTP now served by ' + $thumbprint
}

# Once per server, after its last enable: IIS and Outlook on the web pick up the new certificate.
Invoke-XcertStep 'after 44' 'reset IIS on MX06 (iisreset /noforce), because its certificate changed' {
  if (-not $IisChanged['MX06']) {
    return 'not needed: this run did not change the IIS certificate of MX06 (if an earlier run did and stopped before this, run iisreset /noforce yourself)'
  }
  $null = & iisreset.exe 'MX06' /noforce
  if ($LASTEXITCODE -ne 0) {
    throw ('iisreset MX06 /noforce failed with exit code ' + $LASTEXITCODE + '; IIS kept running: run it when the server is less busy')
  }
  'IIS on MX06 restarted'
}

# Plan step 45 (examples/ci/xcert.yaml:59:15)
Invoke-XcertStep '45/53' 'enable ''web-site-b'' for IIS on MX07' {
  $thumbprint = (Get-XcertCreated 'web-site-b')
  $certificate = Get-XcertCertificate 'MX07' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MX07')
  }
  $missing = @(Get-XcertMissingServices 'MX07' $certificate @('IIS') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves IIS'
  }
  # -Force only answers the Require SSL question: SMTP is not part of this call.
  $null = Enable-ExchangeCertificate -Server 'MX07' -Thumbprint $thumbprint -Services 'IIS' -Force
  $IisChanged['MX07'] = $true
  'IIS now served by ' + $thumbprint
}

# Plan step 46 (examples/ci/xcert.yaml:67:15)
Invoke-XcertStep '46/53' 'enable ''smtp'' for SMTP on MX07' {
  $thumbprint = (Get-XcertCreated 'smtp@MX07')
  $certificate = Get-XcertCertificate 'MX07' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MX07')
  }
  $missing = @(Get-XcertMissingServices 'MX07' $certificate @('SMTP') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves SMTP'
  }
  # SMTP without -Force: the internal transport (default SMTP) certificate stays as it is;
  # -NetworkServiceAllowed lets the transport service read this certificate's key.
  $null = Enable-ExchangeCertificate -Server 'MX07' -Thumbprint $thumbprint -Services 'None' -NetworkServiceAllowed
  'SMTP now served by ' + $thumbprint
}

# Once per server, after its last enable: IIS and Outlook on the web pick up the new certificate.
Invoke-XcertStep 'after 46' 'reset IIS on MX07 (iisreset /noforce), because its certificate changed' {
  if (-not $IisChanged['MX07']) {
    return 'not needed: this run did not change the IIS certificate of MX07 (if an earlier run did and stopped before this, run iisreset /noforce yourself)'
  }
  $null = & iisreset.exe 'MX07' /noforce
  if ($LASTEXITCODE -ne 0) {
    throw ('iisreset MX07 /noforce failed with exit code ' + $LASTEXITCODE + '; IIS kept running: run it when the server is less busy')
  }
  'IIS on MX07 restarted'
}

# Plan step 47 (examples/ci/xcert.yaml:59:15)
Invoke-XcertStep '47/53' 'enable ''web-site-b'' for IIS on MX08' {
  $thumbprint = (Get-XcertCreated 'web-site-b')
  $certificate = Get-XcertCertificate 'MX08' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MX08')
  }
  $missing = @(Get-XcertMissingServices 'MX08' $certificate @('IIS') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves IIS'
  }
  # -Force only answers the Require SSL question: SMTP is not part of this call.
  $null = Enable-ExchangeCertificate -Server 'MX08' -Thumbprint $thumbprint -Services 'IIS' -Force
  $IisChanged['MX08'] = $true
  'IIS now served by ' + $thumbprint
}

# Plan step 48 (examples/ci/xcert.yaml:67:15)
Invoke-XcertStep '48/53' 'enable ''smtp'' for SMTP on MX08' {
  $thumbprint = (Get-XcertCreated 'smtp@MX08')
  $certificate = Get-XcertCertificate 'MX08' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MX08')
  }
  $missing = @(Get-XcertMissingServices 'MX08' $certificate @('SMTP') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves SMTP'
  }
  # SMTP without -Force: the internal transport (default SMTP) certificate stays as it is;
  # -NetworkServiceAllowed lets the transport service read this certificate's key.
  $null = Enable-ExchangeCertificate -Server 'MX08' -Thumbprint $thumbprint -Services 'None' -NetworkServiceAllowed
  'SMTP now served by ' + $thumbprint
}

# Once per server, after its last enable: IIS and Outlook on the web pick up the new certificate.
Invoke-XcertStep 'after 48' 'reset IIS on MX08 (iisreset /noforce), because its certificate changed' {
  if (-not $IisChanged['MX08']) {
    return 'not needed: this run did not change the IIS certificate of MX08 (if an earlier run did and stopped before this, run iisreset /noforce yourself)'
  }
  $null = & iisreset.exe 'MX08' /noforce
  if ($LASTEXITCODE -ne 0) {
    throw ('iisreset MX08 /noforce failed with exit code ' + $LASTEXITCODE + '; IIS kept running: run it when the server is less busy')
  }
  'IIS on MX08 restarted'
}

# Plan step 49 (examples/ci/xcert.yaml:59:15)
Invoke-XcertStep '49/53' 'enable ''web-site-b'' for IIS on MX09' {
  $thumbprint = (Get-XcertCreated 'web-site-b')
  $certificate = Get-XcertCertificate 'MX09' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MX09')
  }
  $missing = @(Get-XcertMissingServices 'MX09' $certificate @('IIS') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves IIS'
  }
  # -Force only answers the Require SSL question: SMTP is not part of this call.
  $null = Enable-ExchangeCertificate -Server 'MX09' -Thumbprint $thumbprint -Services 'IIS' -Force
  $IisChanged['MX09'] = $true
  'IIS now served by ' + $thumbprint
}

# Plan step 50 (examples/ci/xcert.yaml:67:15)
Invoke-XcertStep '50/53' 'enable ''smtp'' for SMTP on MX09' {
  $thumbprint = (Get-XcertCreated 'smtp@MX09')
  $certificate = Get-XcertCertificate 'MX09' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MX09')
  }
  $missing = @(Get-XcertMissingServices 'MX09' $certificate @('SMTP') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves SMTP'
  }
  # SMTP without -Force: the internal transport (default SMTP) certificate stays as it is;
  # -NetworkServiceAllowed lets the transport service read this certificate's key.
  $null = Enable-ExchangeCertificate -Server 'MX09' -Thumbprint $thumbprint -Services 'None' -NetworkServiceAllowed
  'SMTP now served by ' + $thumbprint
}

# Once per server, after its last enable: IIS and Outlook on the web pick up the new certificate.
Invoke-XcertStep 'after 50' 'reset IIS on MX09 (iisreset /noforce), because its certificate changed' {
  if (-not $IisChanged['MX09']) {
    return 'not needed: this run did not change the IIS certificate of MX09 (if an earlier run did and stopped before this, run iisreset /noforce yourself)'
  }
  $null = & iisreset.exe 'MX09' /noforce
  if ($LASTEXITCODE -ne 0) {
    throw ('iisreset MX09 /noforce failed with exit code ' + $LASTEXITCODE + '; IIS kept running: run it when the server is less busy')
  }
  'IIS on MX09 restarted'
}

# Plan step 51 (examples/ci/xcert.yaml:67:15)
Invoke-XcertStep '51/53' 'enable ''smtp'' for SMTP on MX10' {
  $thumbprint = (Get-XcertCreated 'smtp@MX10')
  $certificate = Get-XcertCertificate 'MX10' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MX10')
  }
  $missing = @(Get-XcertMissingServices 'MX10' $certificate @('SMTP') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves SMTP'
  }
  # SMTP without -Force: the internal transport (default SMTP) certificate stays as it is;
  # -NetworkServiceAllowed lets the transport service read this certificate's key.
  $null = Enable-ExchangeCertificate -Server 'MX10' -Thumbprint $thumbprint -Services 'None' -NetworkServiceAllowed
  'SMTP now served by ' + $thumbprint
}

# Plan step 52 (examples/ci/xcert.yaml:67:15)
Invoke-XcertStep '52/53' 'enable ''smtp'' for SMTP on MX11' {
  $thumbprint = (Get-XcertCreated 'smtp@MX11')
  $certificate = Get-XcertCertificate 'MX11' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MX11')
  }
  $missing = @(Get-XcertMissingServices 'MX11' $certificate @('SMTP') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves SMTP'
  }
  # SMTP without -Force: the internal transport (default SMTP) certificate stays as it is;
  # -NetworkServiceAllowed lets the transport service read this certificate's key.
  $null = Enable-ExchangeCertificate -Server 'MX11' -Thumbprint $thumbprint -Services 'None' -NetworkServiceAllowed
  'SMTP now served by ' + $thumbprint
}

# Plan step 53 (examples/ci/xcert.yaml:67:15)
Invoke-XcertStep '53/53' 'enable ''smtp'' for SMTP on MX12' {
  $thumbprint = (Get-XcertCreated 'smtp@MX12')
  $certificate = Get-XcertCertificate 'MX12' $thumbprint
  if ($null -eq $certificate) {
    throw ('the certificate ' + $thumbprint + ' is not on MX12')
  }
  $missing = @(Get-XcertMissingServices 'MX12' $certificate @('SMTP') $false)
  if ($missing.Count -eq 0) {
    return 'already done: it serves SMTP'
  }
  # SMTP without -Force: the internal transport (default SMTP) certificate stays as it is;
  # -NetworkServiceAllowed lets the transport service read this certificate's key.
  $null = Enable-ExchangeCertificate -Server 'MX12' -Thumbprint $thumbprint -Services 'None' -NetworkServiceAllowed
  'SMTP now served by ' + $thumbprint
}

Write-XcertDone
