<#
.SYNOPSIS
  The simulator for xcert's C++ tests (tests/support/exchange_sim.h): make an
  organisation, and read back what it holds as Exchange shows it.

.DESCRIPTION
    Invoke-Sim.ps1 -Action New -StateFolder DIR -Domain contoso.com -Server MailServer21:Mailbox:2019,Edge01:Edge:2019
    Invoke-Sim.ps1 -Action Summary -StateFolder DIR
    Invoke-Sim.ps1 -Action Certificates -StateFolder DIR -Server EX01 -ContentFile FILE

  New takes each server as Name[:Role[:Version[:Fqdn]]].

  Summary prints one JSON document that two organisations can be compared by,
  read through the simulated cmdlets of an organisation-wide shell: per server,
  its certificates (subject, CertificateDomains, Services, FriendlyName,
  IsSelfSigned, exportable key) and what uses them (the https bindings of the
  Default Web Site and the Exchange Back End, the internal transport
  certificate, POP and IMAP X509CertificateName, how often IIS was reset), plus
  Get-ExchangeSimProblem's list. Thumbprints are replaced by C1, C2, ... in the
  order the certificates are met (servers by name, certificates by subject,
  names and services), so the same certificate on two servers has the same
  label, and two runs that made different keys compare equal when they made
  the same certificates and used them the same way.

  Certificates replaces one server's certificates and what uses them with the
  JSON object in FILE: the parameters of Set-ExchangeSimCertificates
  (Certificates, Iis, IisBackEnd, InternalTransport, ImapName, PopName,
  AuthCertificate).
#>
param(
  [Parameter(Mandatory = $true)] [ValidateSet('New', 'Summary', 'Certificates')] [string]$Action,
  [Parameter(Mandatory = $true)] [string]$StateFolder,
  [string]$Domain = 'contoso.com',
  [string[]]$Server = @(),
  [string]$ContentFile
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Remove-Item Env:COMPUTERNAME -ErrorAction SilentlyContinue
Import-Module (Join-Path $PSScriptRoot 'modules' 'ExchangeSim' 'ExchangeSim.psd1')

if ($Action -eq 'New') {
  $null = New-ExchangeSimOrganization -Name ($Domain.Split('.')[0]) -Domain $Domain -StateFolder $StateFolder
  # -File passes 'a,b' as one string: split it as -Command would.
  foreach ($spec in @($Server | ForEach-Object { $_.Split(',') } | Where-Object { $_ })) {
    $name, $role, $version, $fqdn = $spec.Split(':')
    $null = Add-ExchangeSimServer -Name $name -Role $(if ($role) { $role } else { 'Mailbox' }) -Version $(if ($version) { $version } else { '2019' }) `
      -Fqdn $(if ($fqdn) { $fqdn } else { '' })
  }
  exit 0
}

$env:XCERT_SIM_STATE = $StateFolder
if ($Action -eq 'Certificates') {
  $content = ConvertFrom-Json -InputObject ([IO.File]::ReadAllText($ContentFile)) -AsHashtable
  $content['Server'] = $Server[0]
  Set-ExchangeSimCertificates @content
  exit 0
}

# Reading is not part of what a test counts (shells started, cmdlets called):
# the log is put back as it was when the summary is made.
$logPath = Join-Path $StateFolder 'sim.log'
$log = if (Test-Path -LiteralPath $logPath) { [IO.File]::ReadAllText($logPath) } else { $null }
$labels = @{}
function Get-Label([string]$Thumbprint) {
  if (-not $Thumbprint) {
    return $null
  }
  $key = $Thumbprint.ToUpperInvariant()
  if (-not $labels.ContainsKey($key)) {
    $labels[$key] = 'C' + ($labels.Count + 1)
  }
  return $labels[$key]
}

$servers = [ordered]@{}
foreach ($name in @((Get-ExchangeServer | ForEach-Object { [string]$_.Name }) | Sort-Object)) {
  $state = Get-ExchangeSimState $name
  $exportable = @{}
  foreach ($entry in @($state.Certificates)) {
    $exportable[$entry.Thumbprint] = [bool]$entry.Exportable
  }
  $certificates = @(Get-ExchangeCertificate -Server $name | Sort-Object -Property `
      @{ Expression = { $_.Subject } }, @{ Expression = { ($_.CertificateDomains | ForEach-Object { [string]$_ }) -join ',' } },
    @{ Expression = { [string]$_.Services } }, @{ Expression = { $_.FriendlyName } })
  $listed = foreach ($certificate in $certificates) {
    [ordered]@{
      Label = Get-Label $certificate.Thumbprint
      Subject = $certificate.Subject
      Domains = @($certificate.CertificateDomains | ForEach-Object { [string]$_ })
      Services = [string]$certificate.Services
      FriendlyName = $certificate.FriendlyName
      SelfSigned = [bool]$certificate.IsSelfSigned
      Exportable = $exportable[$certificate.Thumbprint]
    }
  }
  $bindings = [ordered]@{}
  $sites = if ($state -is [System.Collections.IDictionary]) { $state['WebSites'] } else { $state.PSObject.Properties['WebSites'].Value }
  foreach ($site in @($sites | Where-Object { $null -ne $_ })) {
    foreach ($binding in @($site.Bindings | Where-Object { $_.protocol -eq 'https' })) {
      $bindings[$site.Name + ' ' + $binding.bindingInformation] = Get-Label $binding.certificateHash
    }
  }
  $summary = [ordered]@{
    Certificates = @($listed)
    HttpsBindings = $bindings
    InternalTransport = Get-Label $state.InternalTransportCertificateThumbprint
  }
  if ($state.Role -ne 'Edge') {
    $summary.ImapCertificateName = (Get-ImapSettings -Server $name).X509CertificateName
    $summary.PopCertificateName = (Get-PopSettings -Server $name).X509CertificateName
    $summary.IisResets = @($state.IisResets).Count
  }
  $servers[$name] = $summary
}
$document = [ordered]@{
  Servers = $servers
  Problems = @(Get-ExchangeSimProblem)
} | ConvertTo-Json -Depth 8
if ($null -eq $log) {
  Remove-Item -LiteralPath $logPath -ErrorAction SilentlyContinue
} else {
  [IO.File]::WriteAllText($logPath, $log)
}
$document
