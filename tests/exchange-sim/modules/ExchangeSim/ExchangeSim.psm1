# ExchangeSim: an Exchange Server simulator for xcert's tests (tests/exchange-sim/README.md).
#
# Functions with the names and parameter sets of the Exchange Management Shell
# cmdlets xcert's scripts and plans use, over a simulated organisation kept in
# JSON files (one per server, one for the organisation) under
# $env:XCERT_SIM_STATE. Certificates are real: keys, requests, PKCS#12 and
# thumbprints come from .NET (System.Security.Cryptography.X509Certificates),
# never from xcert's code, so xcert can be checked against them.
#
# Every cmdlet cites the Microsoft page it follows; the rules (what Enable,
# Import, Export and Remove refuse, what Services shows) follow the research
# notes summarised in README.md, sections "What it models" and "What it does
# not".
using namespace System.Collections.Generic
using namespace System.Management.Automation
using namespace System.Security.Cryptography
using namespace System.Security.Cryptography.X509Certificates

Set-StrictMode -Version Latest

# Exchange's enums (Microsoft.Exchange.Management.SystemConfigurationTasks),
# with their numeric values: Get-ExchangeCertificate reference and the
# recorded SerializationData agree on them.
[Flags()] enum AllowedServices {
  None = 0; IMAP = 1; POP = 2; UM = 4; IIS = 8; SMTP = 16; Federation = 32; UMCallRouter = 64
}
enum CertificateStatus {
  Unknown = 0; Valid = 1; Revoked = 2; DateInvalid = 3; Untrusted = 4; Invalid = 5
  RevocationCheckFailure = 6; PendingRequest = 7
}
enum CertificateAuthorityType {
  None = 0; ThirdParty = 1; Enterprise = 2; Registry = 3; GroupPolicy = 4; Unknown = 5
}

# A refusal or failure of a simulated cmdlet: reported with WriteError, so the
# caller's -ErrorAction / $ErrorActionPreference decide whether it stops, as
# with Exchange's own errors.
class SimError : System.Exception {
  [string]$Category
  [string]$ErrorId
  SimError([string]$category, [string]$message, [string]$errorId) : base($message) {
    $this.Category = $category
    $this.ErrorId = $errorId
  }
}

$script:ServiceLetters = 'IPUWSFC'
$script:LockDepth = 0
$script:LockStream = $null
$script:X509Cache = [Dictionary[string, X509Certificate2]]::new()
$script:ServerRoleNames = @{ '2013' = 'Mailbox, ClientAccess'; '2016' = 'Mailbox'; '2019' = 'Mailbox'; 'SE' = 'Mailbox' }
$script:AdminDisplayVersions = @{
  '2013' = 'Version 15.0 (Build 1497.2)'; '2016' = 'Version 15.1 (Build 2507.6)'
  '2019' = 'Version 15.2 (Build 1544.4)'; 'SE' = 'Version 15.2 (Build 2562.17)'
}
$script:CommonParameterNames = [HashSet[string]]::new([string[]]@(
    'Verbose', 'Debug', 'ErrorAction', 'WarningAction', 'InformationAction', 'ProgressAction',
    'ErrorVariable', 'WarningVariable', 'InformationVariable', 'OutVariable', 'OutBuffer',
    'PipelineVariable', 'WhatIf', 'Confirm', 'DomainController', 'Identity', 'Server', 'Force'),
  [StringComparer]::OrdinalIgnoreCase)

#region errors, preferences, cost model and log

function Stop-Sim([string]$Category, [string]$Message, [string]$ErrorId = 'ExchangeSim') {
  throw [SimError]::new($Category, $Message, $ErrorId)
}

function Write-SimError([PSCmdlet]$Cmdlet, [SimError]$Failure) {
  $exception = [InvalidOperationException]::new($Failure.Message)
  $record = [ErrorRecord]::new($exception, $Failure.ErrorId, [ErrorCategory]$Failure.Category, $null)
  $Cmdlet.WriteError($record)
}

function Write-SimLog([string]$Line) {
  $folder = $env:XCERT_SIM_STATE
  if (-not $folder -or -not [IO.Directory]::Exists($folder)) {
    return
  }
  $text = '{0:o} {1} {2}' -f [DateTime]::UtcNow, $PID, $Line
  [IO.File]::AppendAllText([IO.Path]::Combine($folder, 'sim.log'), $text + "`n")
}

function Wait-SimCost([string]$Variable) {
  $value = [Environment]::GetEnvironmentVariable($Variable)
  if ($value) {
    $seconds = [double]::Parse($value, [Globalization.CultureInfo]::InvariantCulture)
    if ($seconds -gt 0) {
      Start-Sleep -Milliseconds ([int]($seconds * 1000))
    }
  }
}

# The start of every simulated cmdlet. A compiled cmdlet takes the caller's
# preference variables; a module function does not, so they are copied from
# the caller (unless given as common parameters) into the cmdlet's scope.
# Then the per-call cost is paid and the call is logged.
function Initialize-SimCall([PSCmdlet]$Cmdlet, $Bound) {
  $pairs = @(
    @('ErrorActionPreference', 'ErrorAction'), @('WarningPreference', 'WarningAction'),
    @('InformationPreference', 'InformationAction'), @('VerbosePreference', 'Verbose'),
    @('DebugPreference', 'Debug'), @('ConfirmPreference', 'Confirm'), @('WhatIfPreference', 'WhatIf'))
  foreach ($pair in $pairs) {
    if (-not $Bound.ContainsKey($pair[1])) {
      $value = $Cmdlet.SessionState.PSVariable.GetValue($pair[0])
      if ($null -ne $value) {
        Set-Variable -Scope 1 -Name $pair[0] -Value $value -WhatIf:$false -Confirm:$false
      }
    }
  }
  Wait-SimCost 'XCERT_SIM_CALL_COST'
  $target = Get-SimLocalName
  if ($Bound.ContainsKey('Server')) {
    $target = [string]$Bound['Server']
  } elseif ($Bound.ContainsKey('Identity')) {
    $target = [string]$Bound['Identity']
  }
  Write-SimLog ('call {0} {1}' -f $Cmdlet.MyInvocation.MyCommand.Name, $target)
}

# Runs the body of a simulated cmdlet: the caller's preferences, the cost and
# the log first (Initialize-SimCall), then the body, whose refusals (SimError)
# are written as the cmdlet's errors. The body sees the cmdlet's bound
# parameters as $Bound.
function Invoke-SimCmdlet([PSCmdlet]$Cmdlet, $Bound, [scriptblock]$Body) {
  Initialize-SimCall $Cmdlet $Bound
  try {
    & $Body
  } catch [SimError] {
    Write-SimError $Cmdlet $_.Exception
  }
}

#endregion

#region state: one JSON file per server, one for the organisation

function Get-SimStateFolder {
  $folder = $env:XCERT_SIM_STATE
  if (-not $folder) {
    Stop-Sim 'ResourceUnavailable' ('XCERT_SIM_STATE is not set: point it at the folder of a simulated ' +
      'organisation (New-ExchangeSimOrganization makes one; tests/exchange-sim/README.md).')
  }
  return $folder
}

function Get-SimServerPath([string]$Name) {
  return [IO.Path]::Combine((Get-SimStateFolder), ('server-' + $Name.ToLowerInvariant() + '.json'))
}

function Get-SimOrgPath {
  return [IO.Path]::Combine((Get-SimStateFolder), 'organization.json')
}

function Read-SimJson([string]$Path) {
  return (ConvertFrom-Json -InputObject ([IO.File]::ReadAllText($Path)) -AsHashtable -Depth 64)
}

# Written under a temporary name, then renamed: a reader in another process
# sees the old or the new file, never half of one.
function Write-SimJson([string]$Path, $Value) {
  $temporary = $Path + '.' + $PID + '.tmp'
  [IO.File]::WriteAllText($temporary, (ConvertTo-Json -InputObject $Value -Depth 64))
  [IO.File]::Move($temporary, $Path, $true)
}

# Runs $Body holding the state folder's lock (an exclusive open of .lock, which
# .NET turns into a file lock that other processes respect). Re-entrant.
function Invoke-SimLocked([scriptblock]$Body) {
  if ($script:LockDepth -eq 0) {
    $path = [IO.Path]::Combine((Get-SimStateFolder), '.lock')
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ($null -eq $script:LockStream) {
      try {
        $script:LockStream = [IO.File]::Open($path, 'OpenOrCreate', 'ReadWrite', 'None')
      } catch [IO.IOException] {
        if ([DateTime]::UtcNow -gt $deadline) {
          throw
        }
        Start-Sleep -Milliseconds 5
      }
    }
  }
  $script:LockDepth++
  try {
    & $Body
  } finally {
    $script:LockDepth--
    if ($script:LockDepth -eq 0) {
      $script:LockStream.Dispose()
      $script:LockStream = $null
    }
  }
}

function Read-SimOrg {
  $path = Get-SimOrgPath
  if (-not [IO.File]::Exists($path)) {
    Stop-Sim 'ResourceUnavailable' ('no simulated organisation in ' + (Get-SimStateFolder) +
      ': run New-ExchangeSimOrganization first (tests/exchange-sim/README.md).')
  }
  return (Read-SimJson $path)
}

function Save-SimOrg($Org) {
  Write-SimJson (Get-SimOrgPath) $Org
}

function Save-SimServer($Server) {
  Write-SimJson (Get-SimServerPath $Server.Name) $Server
}

function Get-SimAllServers {
  $folder = Get-SimStateFolder
  if (-not [IO.Directory]::Exists($folder)) {
    return @()
  }
  $servers = foreach ($file in [IO.Directory]::GetFiles($folder, 'server-*.json')) {
    Read-SimJson $file
  }
  return @($servers | Sort-Object { $_.Name })
}

function Get-SimDomainController {
  $org = Read-SimOrg
  return ('DC01.' + $org.Domain)
}

# The server the shell runs on: $env:COMPUTERNAME, as on Windows (ems.ps1
# sets it from -Server). Empty when unset.
function Get-SimLocalName {
  $name = $env:COMPUTERNAME
  if ($null -eq $name) {
    return ''
  }
  return $name
}

function Find-SimServer([string]$Identity) {
  if (-not $Identity) {
    return $null
  }
  $path = Get-SimServerPath $Identity
  if ([IO.File]::Exists($path)) {
    return (Read-SimJson $path)
  }
  foreach ($server in Get-SimAllServers) {
    if ($server.Fqdn -ieq $Identity) {
      return $server
    }
  }
  return $null
}

# A ServerIdParameter (name or FQDN; the local server when empty) to that
# server's state. Edge Transport servers are outside the organisation's
# directory: from an Edge only the Edge itself is found, and an Edge is not
# reached from another server (run its commands in its own shell). A fault
# set with Set-ExchangeSimFault for this cmdlet fails here.
function Resolve-SimServer([string]$Identity, [string]$Cmdlet) {
  $localName = Get-SimLocalName
  $wanted = $Identity
  if (-not $wanted) {
    $wanted = $localName
  }
  if (-not $wanted) {
    Stop-Sim 'InvalidOperation' ('the shell runs on no simulated Exchange server: set COMPUTERNAME ' +
      '(tests/exchange-sim/ems.ps1 -Server does) or pass -Server.')
  }
  $server = Find-SimServer $wanted
  $local = $null
  if ($localName) {
    $local = Find-SimServer $localName
  }
  $isolated = ($null -ne $server -and $null -ne $local -and $server.Name -ne $local.Name -and
    ($server.Role -eq 'Edge' -or $local.Role -eq 'Edge'))
  if ($null -eq $server -or $isolated) {
    $dc = if ($null -ne $local -and $local.Role -eq 'Edge') { $local.Fqdn } else { Get-SimDomainController }
    Stop-Sim 'ObjectNotFound' ("The operation couldn't be performed because object '" + $wanted +
      "' couldn't be found on '" + $dc + "'.") 'ManagementObjectNotFound'
  }
  Assert-SimNoFault $server $Cmdlet
  return $server
}

function Assert-SimNoFault($Server, [string]$Cmdlet) {
  if ($Cmdlet -and $Server.Faults.ContainsKey($Cmdlet)) {
    $fault = $Server.Faults[$Cmdlet]
    if ($fault.Message) {
      Stop-Sim $fault.Category $fault.Message 'SimulatedFault'
    }
  }
}

function Get-SimRoles($Server) {
  $edge = ($Server.Role -eq 'Edge')
  return @{
    Edge = $edge
    Mailbox = (-not $edge)
    ClientAccess = (-not $edge)
    HubTransport = (-not $edge)
    UnifiedMessaging = ((-not $edge) -and @('2013', '2016') -contains $Server.Version)
  }
}

#endregion

#region certificates: .NET objects, Exchange's derived attributes

function ConvertTo-SimThumbprint([string]$Value) {
  # Exchange accepts the spaced form "AB CD ..." (spaces are dropped only when
  # the third character is one) and compares without regard to case.
  $text = $Value.Trim()
  if ($text.Length -ge 3 -and $text[2] -eq ' ') {
    $text = $text.Replace(' ', '')
  }
  return $text.ToUpperInvariant()
}

function Test-SimDnsName([string]$Name) {
  if (-not $Name -or $Name.Length -gt 255) {
    return $false
  }
  $label = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
  return ($Name -match ('^(\*\.)?' + $label + '(\.' + $label + ')*$'))
}

# The PKCS#12 form the state keeps: no password, one PBKDF iteration, so
# loading it costs milliseconds. (Exports to users are real PKCS#12 files.)
function ConvertTo-SimPfx([X509Certificate2]$Certificate) {
  $pbe = [PbeParameters]::new([PbeEncryptionAlgorithm]::Aes256Cbc, [HashAlgorithmName]::SHA256, 1)
  return [Convert]::ToBase64String($Certificate.ExportPkcs12($pbe, ''))
}

# The .NET certificate of a state entry, with its private key when it has
# one; a fresh object every time (notes added to it stay on that object).
function Get-SimX509($Entry) {
  $key = $Entry.Thumbprint + ':' + [bool]$Entry.Pfx
  if (-not $script:X509Cache.ContainsKey($key)) {
    if ($Entry.Pfx) {
      $x509 = [X509CertificateLoader]::LoadPkcs12([Convert]::FromBase64String($Entry.Pfx), '',
        [X509KeyStorageFlags]::Exportable)
    } else {
      $x509 = [X509CertificateLoader]::LoadCertificate([Convert]::FromBase64String($Entry.Der))
    }
    $script:X509Cache[$key] = $x509
  }
  return [X509Certificate2]::new($script:X509Cache[$key])
}

function New-SimEntry([X509Certificate2]$Certificate, [hashtable]$Fields) {
  $entry = [ordered]@{
    Thumbprint = $Certificate.Thumbprint
    Store = 'My'
    Der = [Convert]::ToBase64String($Certificate.RawData)
    Pfx = $null
    Exportable = $false
    FriendlyName = ''
    NetworkServiceAllowed = $false
    InTrustedRoot = $false
    Request = $null
    Added = [DateTime]::UtcNow.ToString('o')
  }
  if ($Certificate.HasPrivateKey) {
    $entry.Pfx = ConvertTo-SimPfx $Certificate
  }
  foreach ($name in $Fields.Keys) {
    $entry[$name] = $Fields[$name]
  }
  return $entry
}

function Find-SimEntry($Server, [string]$Thumbprint) {
  $wanted = ConvertTo-SimThumbprint $Thumbprint
  foreach ($entry in @($Server.Certificates)) {
    if ($entry.Thumbprint -eq $wanted) {
      return $entry
    }
  }
  return $null
}

function Get-SimSanNames([X509Certificate2]$Certificate) {
  foreach ($extension in $Certificate.Extensions) {
    if ($extension.Oid.Value -eq '2.5.29.17') {
      $san = [X509SubjectAlternativeNameExtension]::new($extension.RawData, $extension.Critical)
      return @($san.EnumerateDnsNames())
    }
  }
  return @()
}

# CertificateDomains: the subject's CN when it is a DNS name, then the SAN
# DNS names, without repeats (reference §1.1, TlsCertificateInfo.GetFQDNs).
function Get-SimCertificateDomains([X509Certificate2]$Certificate) {
  $names = [List[string]]::new()
  $seen = [HashSet[string]]::new([StringComparer]::OrdinalIgnoreCase)
  $cn = $Certificate.GetNameInfo([X509NameType]::SimpleName, $false)
  foreach ($name in @(@($cn) + @(Get-SimSanNames $Certificate))) {
    if ((Test-SimDnsName $name) -and $seen.Add($name)) {
      $names.Add($name)
    }
  }
  return $names.ToArray()
}

function Test-SimSelfSigned([X509Certificate2]$Certificate) {
  return [Linq.Enumerable]::SequenceEqual([byte[]]$Certificate.SubjectName.RawData,
    [byte[]]$Certificate.IssuerName.RawData)
}

# The RSA key size in bits, or 0 for other keys. (RSAOpenSsl overrides only
# the KeySize setter, which hides the getter from PowerShell.)
function Get-SimKeySize([X509Certificate2]$Certificate) {
  $rsa = [RSACertificateExtensions]::GetRSAPublicKey($Certificate)
  if ($null -eq $rsa) {
    return 0
  }
  return ($rsa.ExportParameters($false).Modulus.Length * 8)
}

function Get-SimKeyUsage([X509Certificate2]$Certificate) {
  foreach ($extension in $Certificate.Extensions) {
    if ($extension.Oid.Value -eq '2.5.29.15') {
      return [X509KeyUsageExtension]::new($extension, $extension.Critical).KeyUsages
    }
  }
  return $null
}

# Why Exchange would not use the certificate ('Valid' when it would): what
# Get-ExchangeCertificate silently omits (reference §1.1).
function Get-SimValidity([X509Certificate2]$Certificate) {
  if (-not $Certificate.HasPrivateKey) {
    return 'PrivateKeyMissing'
  }
  if ((Get-SimKeySize $Certificate) -eq 0) {
    return 'KeyAlgorithmUnsupported'
  }
  if ((Get-SimKeySize $Certificate) -lt 1024) {
    return 'PublicKeyUnsupportedSize'
  }
  $usage = Get-SimKeyUsage $Certificate
  if ($null -ne $usage -and $usage -ne [X509KeyUsageFlags]::None -and
      -not ($usage -band ([X509KeyUsageFlags]::DigitalSignature -bor [X509KeyUsageFlags]::NonRepudiation))) {
    return 'SigningNotSupported'
  }
  foreach ($extension in $Certificate.Extensions) {
    if ($extension.Oid.Value -eq '2.5.29.37') {
      $eku = [X509EnhancedKeyUsageExtension]::new($extension, $extension.Critical)
      $purposes = @($eku.EnhancedKeyUsages | ForEach-Object { $_.Value })
      if ($purposes.Count -gt 0 -and $purposes -notcontains '1.3.6.1.5.5.7.3.1') {
        return 'PkixKpServerAuthNotFoundInEnhancedKeyUsage'
      }
    }
  }
  return 'Valid'
}

# Status, RootCAType and IsSelfSigned as Exchange computes them (reference
# §1.3): a chain for server authentication without revocation checks, trusted
# when it ends at one of the organisation's trusted roots or at a self-signed
# certificate setup put in Trusted Root (RootCAType Registry).
function Get-SimChainFacts($Entry, [X509Certificate2]$Certificate, $Server, $Org) {
  if ($Entry.Store -eq 'Request') {
    return @{ Status = [CertificateStatus]::PendingRequest; RootCAType = [CertificateAuthorityType]::Unknown; IsSelfSigned = $false }
  }
  $selfSigned = Test-SimSelfSigned $Certificate
  $rootTypes = @{}
  $chain = [X509Chain]::new()
  try {
    $chain.ChainPolicy.RevocationMode = [X509RevocationMode]::NoCheck
    $chain.ChainPolicy.TrustMode = [X509ChainTrustMode]::CustomRootTrust
    foreach ($root in @($Org.TrustedRoots)) {
      $rootCertificate = [X509CertificateLoader]::LoadCertificate([Convert]::FromBase64String($root.Der))
      $rootTypes[$rootCertificate.Thumbprint] = [string]$root.Store
      [void]$chain.ChainPolicy.CustomTrustStore.Add($rootCertificate)
    }
    if ($Entry.InTrustedRoot) {
      $rootTypes[$Certificate.Thumbprint] = 'Registry'
      [void]$chain.ChainPolicy.CustomTrustStore.Add([X509CertificateLoader]::LoadCertificate($Certificate.RawData))
    }
    foreach ($ca in @($Server.CaCertificates)) {
      [void]$chain.ChainPolicy.ExtraStore.Add([X509CertificateLoader]::LoadCertificate([Convert]::FromBase64String($ca)))
    }
    [void]$chain.Build($Certificate)
    $flags = [X509ChainStatusFlags]::NoError
    foreach ($status in $chain.ChainStatus) {
      $flags = $flags -bor $status.Status
    }
    $rootType = [CertificateAuthorityType]::Unknown
    $elements = $chain.ChainElements
    if ($elements.Count -gt 0) {
      $rootThumbprint = $elements[$elements.Count - 1].Certificate.Thumbprint
      if ($rootTypes.ContainsKey($rootThumbprint)) {
        $rootType = [CertificateAuthorityType]$rootTypes[$rootThumbprint]
      }
    }
  } finally {
    $chain.Dispose()
  }
  $time = [X509ChainStatusFlags]::NotTimeValid -bor [X509ChainStatusFlags]::NotTimeNested
  if ($flags -eq [X509ChainStatusFlags]::NoError) {
    return @{ Status = [CertificateStatus]::Valid; RootCAType = $rootType; IsSelfSigned = $selfSigned }
  }
  if ($flags -eq [X509ChainStatusFlags]::UntrustedRoot) {
    if ($selfSigned) {
      return @{ Status = [CertificateStatus]::Valid; RootCAType = [CertificateAuthorityType]::None; IsSelfSigned = $true }
    }
    return @{ Status = [CertificateStatus]::Untrusted; RootCAType = [CertificateAuthorityType]::Unknown; IsSelfSigned = $false }
  }
  if ($flags -eq [X509ChainStatusFlags]::PartialChain) {
    return @{ Status = [CertificateStatus]::Untrusted; RootCAType = [CertificateAuthorityType]::Unknown; IsSelfSigned = $selfSigned }
  }
  if (([int]$flags -band (-bnot [int]$time)) -eq 0) {
    return @{ Status = [CertificateStatus]::DateInvalid; RootCAType = $rootType; IsSelfSigned = $selfSigned }
  }
  return @{ Status = [CertificateStatus]::Invalid; RootCAType = [CertificateAuthorityType]::Unknown; IsSelfSigned = $selfSigned }
}

function Get-SimSiteOfBinding($Server, [string]$Thumbprint) {
  $sites = foreach ($site in @($Server.WebSites)) {
    foreach ($binding in @($site.Bindings)) {
      if ($binding.protocol -eq 'https' -and $binding.certificateHash -ieq $Thumbprint) {
        $site
        break
      }
    }
  }
  return @($sites)
}

# Services, derived as Exchange derives them on every call (reference §0.2):
# IMAP/POP from the settings' X509CertificateName, IIS from the web sites'
# https bindings, SMTP from the key's NETWORK SERVICE permission, UM and
# UMCallRouter from their settings, Federation from the federation trust.
function Get-SimServices($Entry, [string[]]$Domains, $Server, $Org) {
  $services = [AllowedServices]::None
  if ($Entry.Store -eq 'Request') {
    return $services
  }
  $roles = Get-SimRoles $Server
  $thumbprint = $Entry.Thumbprint
  if ($roles.ClientAccess) {
    if ($Server.ImapSettings.X509CertificateName -and $Domains -contains $Server.ImapSettings.X509CertificateName) {
      $services = $services -bor [AllowedServices]::IMAP
    }
    if ($Server.PopSettings.X509CertificateName -and $Domains -contains $Server.PopSettings.X509CertificateName) {
      $services = $services -bor [AllowedServices]::POP
    }
  }
  if ($roles.UnifiedMessaging) {
    if ($Server.UM.UMCertificateThumbprint -eq $thumbprint) {
      $services = $services -bor [AllowedServices]::UM
    }
    if ($Server.UMCallRouter.UMCertificateThumbprint -eq $thumbprint) {
      $services = $services -bor [AllowedServices]::UMCallRouter
    }
  }
  if (@(Get-SimSiteOfBinding $Server $thumbprint).Count -gt 0) {
    $services = $services -bor [AllowedServices]::IIS
  }
  if ($Entry.NetworkServiceAllowed -and ($roles.HubTransport -or $roles.Edge)) {
    $services = $services -bor [AllowedServices]::SMTP
  }
  if (@($Org.FederationCertificateThumbprints) -contains $thumbprint) {
    $services = $services -bor [AllowedServices]::Federation
  }
  return $services
}

function Get-SimServicesStringForm([AllowedServices]$Services) {
  $text = ''
  for ($bit = 0; $bit -lt 7; $bit++) {
    if ([int]$Services -band (1 -shl $bit)) {
      $text += $script:ServiceLetters[$bit]
    } else {
      $text += '.'
    }
  }
  return $text
}

# A PKCS#10 request as certreq and Exchange write it: base64 in lines of 64
# characters between BEGIN/END NEW CERTIFICATE REQUEST.
function Get-SimRequestText([byte[]]$Der) {
  $base64 = [Convert]::ToBase64String($Der)
  $lines = for ($at = 0; $at -lt $base64.Length; $at += 64) {
    $base64.Substring($at, [Math]::Min(64, $base64.Length - $at))
  }
  return ("-----BEGIN NEW CERTIFICATE REQUEST-----`r`n" + ($lines -join "`r`n") + "`r`n-----END NEW CERTIFICATE REQUEST-----")
}

function Add-SimNote([psobject]$Object, [string]$Name, $Value) {
  $Object.PSObject.Properties.Add([PSNoteProperty]::new($Name, $Value), $true)
}

# The Get-ExchangeCertificate object: the X509Certificate2 itself (so RawData,
# Thumbprint, Subject, NotBefore... are .NET's) with Exchange's properties
# added, under Exchange's type name (reference §1.1).
function New-SimCertificateObject($Entry, $Server, $Org) {
  $x509 = Get-SimX509 $Entry
  $domains = [string[]]@(Get-SimCertificateDomains $x509)
  $facts = Get-SimChainFacts $Entry $x509 $Server $Org
  $services = Get-SimServices $Entry $domains $Server $Org
  $object = [psobject]::AsPSObject($x509)
  $object.PSObject.TypeNames.Insert(0, 'Microsoft.Exchange.Management.SystemConfigurationTasks.ExchangeCertificate')
  $rules = @()
  if ($Entry.NetworkServiceAllowed) {
    $rules += [pscustomobject]@{ IdentityReference = 'NT AUTHORITY\NETWORK SERVICE'; CryptoKeyRights = 'GenericRead'; AccessControlType = 'Allow' }
  }
  $rules += [pscustomobject]@{ IdentityReference = 'BUILTIN\Administrators'; CryptoKeyRights = 'FullControl'; AccessControlType = 'Allow' }
  $iis = foreach ($site in @(Get-SimSiteOfBinding $Server $Entry.Thumbprint)) {
    [pscustomobject]@{
      PSTypeName = 'Microsoft.Exchange.Management.SystemConfigurationTasks.IisService'
      ServiceName = ('IIS://{0}/W3SVC/{1}' -f $Server.Name, $site.Id)
      InternalUrl = $null; InternalUrlValid = 'NotAvailable'; ExternalUrl = $null; ExternalUrlValid = 'NotAvailable'
    }
  }
  $ski = ''
  foreach ($extension in $x509.Extensions) {
    if ($extension.Oid.Value -eq '2.5.29.14') {
      $ski = [X509SubjectKeyIdentifierExtension]::new($extension, $extension.Critical).SubjectKeyIdentifier
    }
  }
  $request = ''
  if ($Entry.Store -eq 'Request') {
    $request = Get-SimRequestText ([Convert]::FromBase64String($Entry.Request))
  }
  $publicKeySize = Get-SimKeySize $x509
  Add-SimNote $object 'AccessRules' $rules
  Add-SimNote $object 'CertificateDomains' $domains
  Add-SimNote $object 'CertificateRequest' $request
  Add-SimNote $object 'FriendlyName' ([string]$Entry.FriendlyName)
  Add-SimNote $object 'IISServices' @($iis)
  Add-SimNote $object 'Identity' ($Server.Fqdn + '\' + $Entry.Thumbprint)
  Add-SimNote $object 'IsSelfSigned' $facts.IsSelfSigned
  Add-SimNote $object 'KeyIdentifier' ([X509SubjectKeyIdentifierExtension]::new($x509.PublicKey, $false).SubjectKeyIdentifier)
  Add-SimNote $object 'PrivateKeyExportable' ([bool]$Entry.Exportable)
  Add-SimNote $object 'PublicKeySize' $publicKeySize
  Add-SimNote $object 'RootCAType' $facts.RootCAType
  Add-SimNote $object 'Services' $services
  Add-SimNote $object 'ServicesStringForm' (Get-SimServicesStringForm $services)
  Add-SimNote $object 'Status' $facts.Status
  Add-SimNote $object 'SubjectKeyIdentifier' $ski
  return $object
}

# What Get-ExchangeCertificate lists on a server: certificates Exchange can
# use and pending requests, newest NotBefore first (reference §1.1).
function Get-SimListedEntries($Server) {
  $listed = foreach ($entry in @($Server.Certificates)) {
    if ($entry.Store -eq 'Request' -or (Get-SimValidity (Get-SimX509 $entry)) -eq 'Valid') {
      $entry
    }
  }
  return @($listed | Sort-Object -Descending { (Get-SimX509 $_).NotBefore })
}

function Get-SimInternalTransport($Server) {
  return [string]$Server.InternalTransportCertificateThumbprint
}

# The certificate a thumbprint-or-identity parameter names, with its server.
function Resolve-SimCertificate([string]$Thumbprint, [string]$Identity, [string]$ServerName, [string]$Cmdlet) {
  if ($Identity) {
    $parts = $Identity.Split('\')
    if ($parts.Count -eq 2) {
      $ServerName = $parts[0]
      $Thumbprint = $parts[1]
    } else {
      $Thumbprint = $Identity
    }
  }
  $server = Resolve-SimServer $ServerName $Cmdlet
  $entry = $null
  if ($Thumbprint) {
    $entry = Find-SimEntry $server $Thumbprint
  }
  if ($null -eq $entry) {
    Stop-Sim 'ObjectNotFound' ("The certificate with thumbprint " + (ConvertTo-SimThumbprint ([string]$Thumbprint)) +
      " was not found on server " + $server.Name + ".") 'CertificateNotFound'
  }
  return @{ Server = $server; Entry = $entry }
}

#endregion

#region certificate cmdlets

function Test-SimDomainMatch([string[]]$Domains, [string]$Name) {
  foreach ($domain in $Domains) {
    if ($domain -ieq $Name) {
      return 2
    }
    if ($domain.StartsWith('*.') -and $Name.EndsWith($domain.Substring(1), [StringComparison]::OrdinalIgnoreCase) -and
        $Name.Substring(0, $Name.Length - $domain.Length + 1).IndexOf('.') -lt 0) {
      return 1
    }
  }
  return 0
}

function Get-ExchangeCertificate {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/get-exchangecertificate
  [CmdletBinding(DefaultParameterSetName = 'Thumbprint')]
  param(
    [Parameter(ParameterSetName = 'Thumbprint', Position = 0, ValueFromPipeline = $true)]
    [string]$Thumbprint,
    [Parameter(ParameterSetName = 'Identity', Position = 0)]
    [string]$Identity,
    [Parameter(ParameterSetName = 'Instance', ValueFromPipeline = $true)]
    [X509Certificate2]$Instance,
    [string]$DomainController,
    [string[]]$DomainName,
    [Parameter(ParameterSetName = 'Thumbprint')]
    [Parameter(ParameterSetName = 'Instance')]
    [string]$Server
  )
  process {
    Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
      $org = Read-SimOrg
      $serverName = $Server
      $wanted = $Thumbprint
      if ($PSCmdlet.ParameterSetName -eq 'Identity' -and $Identity) {
        $parts = $Identity.Split('\')
        if ($parts.Count -eq 2) {
          $serverName = $parts[0]
          $wanted = $parts[1]
        } else {
          $wanted = $Identity
        }
      } elseif ($PSCmdlet.ParameterSetName -eq 'Instance' -and $null -ne $Instance) {
        $wanted = $Instance.Thumbprint
      }
      $target = Resolve-SimServer $serverName 'Get-ExchangeCertificate'
      if ($wanted) {
        $entry = Find-SimEntry $target $wanted
        if ($null -eq $entry) {
          Stop-Sim 'ObjectNotFound' ('The certificate with thumbprint ' + (ConvertTo-SimThumbprint $wanted) +
            ' was not found on server ' + $target.Name + '.') 'CertificateNotFound'
        }
        if ($entry.Store -ne 'Request') {
          $validity = Get-SimValidity (Get-SimX509 $entry)
          if ($validity -ne 'Valid') {
            Stop-Sim 'InvalidData' ('The certificate with thumbprint ' + $entry.Thumbprint + ' was found but is not ' +
              'valid for use with Exchange Server (reason: ' + $validity + ').') 'CertificateNotValid'
          }
        }
        $entries = @($entry)
      } else {
        $entries = Get-SimListedEntries $target
      }
      if ($DomainName) {
        $ranked = foreach ($entry in $entries) {
          if ($entry.Store -eq 'Request') {
            continue
          }
          $x509 = Get-SimX509 $entry
          $best = 0
          foreach ($name in $DomainName) {
            $best = [Math]::Max($best, (Test-SimDomainMatch @(Get-SimCertificateDomains $x509) $name))
          }
          if ($best -gt 0) {
            # Best match first: exact names, then CA-issued before self-signed, then the longest-lived.
            [pscustomobject]@{ Entry = $entry; Match = $best; Ca = -not (Test-SimSelfSigned $x509); NotAfter = $x509.NotAfter }
          }
        }
        $entries = @($ranked | Sort-Object -Descending Match, Ca, NotAfter | ForEach-Object { $_.Entry })
      }
      foreach ($entry in $entries) {
        New-SimCertificateObject $entry $target $org
      }
    }
  }
}

# The confirmations and effects of enabling services (Enable-ExchangeCertificate,
# and New-ExchangeCertificate for the services of a new certificate).
# Reference §2.3: Enable only adds; IIS sets the Default Web Site's
# certificate (the Exchange Back End keeps its own); POP/IMAP set the
# settings' X509CertificateName to the certificate's first FQDN; SMTP (and
# POP, IMAP, -NetworkServiceAllowed) let NETWORK SERVICE read the key, and
# SMTP asks before replacing the internal transport certificate unless
# -Force; Federation is refused.
function Invoke-SimEnable([PSCmdlet]$Cmdlet, $Server, $Entry, [AllowedServices]$Services, [bool]$Force,
                          [bool]$DoNotRequireSsl, [bool]$NetworkServiceAllowed) {
  $thumbprint = $Entry.Thumbprint
  if ($Services -band [AllowedServices]::Federation) {
    Stop-Sim 'InvalidOperation' 'Federation certificates can only be managed through the FederationTrust tasks.' 'EnableCertificateFederation'
  }
  if ($Entry.Store -eq 'Request') {
    Stop-Sim 'InvalidOperation' ('The certificate with thumbprint ' + $thumbprint + ' on ' + $Server.Name +
      ' is a pending request; complete it with Import-ExchangeCertificate before enabling it.') 'EnableCertificatePending'
  }
  $x509 = Get-SimX509 $Entry
  if (-not $NetworkServiceAllowed) {
    $validity = Get-SimValidity $x509
    if ($validity -ne 'Valid') {
      Stop-Sim 'InvalidData' ('The certificate with thumbprint ' + $thumbprint + ' was found but is not valid for use ' +
        'with Exchange Server (reason: ' + $validity + ').') 'CertificateNotValid'
    }
  }
  $roles = Get-SimRoles $Server
  $needs = @(
    @([AllowedServices]::IIS, $roles.ClientAccess), @([AllowedServices]::IMAP, $roles.ClientAccess),
    @([AllowedServices]::POP, $roles.ClientAccess), @([AllowedServices]::SMTP, ($roles.HubTransport -or $roles.Edge)),
    @([AllowedServices]::UM, $roles.UnifiedMessaging), @([AllowedServices]::UMCallRouter, $roles.UnifiedMessaging))
  foreach ($need in $needs) {
    if (($Services -band $need[0]) -and -not $need[1]) {
      Stop-Sim 'NotInstalled' ('The certificate can''t be enabled for ' + $need[0] + ' because that service isn''t ' +
        'installed on ' + $Server.Name + '.') 'EnableCertificateServiceNotInstalled'
    }
  }
  foreach ($um in @(@([AllowedServices]::UM, 'UM', 'Set-UMService'), @([AllowedServices]::UMCallRouter, 'UMCallRouter', 'Set-UMCallRouterSettings'))) {
    if ($Services -band $um[0]) {
      if (@('TLS', 'Dual') -notcontains $Server[$um[1]].UMStartupMode) {
        Stop-Sim 'InvalidOperation' ('The certificate can''t be enabled for ' + $um[0] + ' on ' + $Server.Name + ' while ' +
          'UMStartupMode is ' + $Server[$um[1]].UMStartupMode + '; set it to TLS or Dual with ' + $um[2] + '.') 'EnableCertificateUMStartupMode'
      }
      if ($x509.NotAfter -lt [DateTime]::Now) {
        Stop-Sim 'InvalidOperation' ('The certificate with thumbprint ' + $thumbprint + ' has expired and can''t be ' +
          'enabled for ' + $um[0] + '.') 'EnableCertificateExpired'
      }
    }
  }
  $popImapName = $null
  if ($Services -band ([AllowedServices]::IMAP -bor [AllowedServices]::POP)) {
    $domains = @(Get-SimCertificateDomains $x509)
    $fqdns = @($domains | Where-Object { $_.Contains('.') })
    if ($fqdns.Count -gt 0) {
      $popImapName = $fqdns[0]
    } elseif ($domains.Count -gt 0) {
      $popImapName = $domains[0]
    } else {
      Stop-Sim 'InvalidOperation' ('The certificate with thumbprint ' + $thumbprint + ' has no domain name for POP ' +
        'or IMAP.') 'EnableCertificateNoFqdn'
    }
    if ($popImapName.StartsWith('*')) {
      Stop-Sim 'InvalidOperation' ('A wildcard certificate can''t be enabled for POP or IMAP; set the name clients use ' +
        'with Set-PopSettings / Set-ImapSettings -X509CertificateName instead.') 'EnableCertificateWildcard'
    }
  }
  $action = 'Enable services ' + $Services + ' on ' + $Server.Name
  if ($NetworkServiceAllowed) {
    $action += ' and let NETWORK SERVICE read the private key'
  }
  if (-not $Cmdlet.ShouldProcess('certificate ' + $thumbprint, $action)) {
    return
  }
  $defaultSite = @($Server.WebSites | Where-Object { $_.Id -eq 1 }) | Select-Object -First 1
  if (($Services -band [AllowedServices]::IIS) -and -not $Force -and -not $DoNotRequireSsl -and
      $null -ne $defaultSite -and -not $defaultSite.RequireSsl) {
    if (-not $Cmdlet.ShouldContinue('Enable the "require SSL" setting on the Default Web Site of ' + $Server.Name +
        ' (IIS://' + $Server.Name + '/W3SVC/1/ROOT)?', 'Confirm')) {
      return
    }
  }
  $replaceDefault = $false
  if ($Services -band [AllowedServices]::SMTP) {
    $current = Get-SimInternalTransport $Server
    if ($current -ne $thumbprint) {
      if ($Force -or -not $current) {
        $replaceDefault = $true
      } else {
        $old = Find-SimEntry $Server $current
        $oldExpiry = if ($null -ne $old) { (Get-SimX509 $old).NotAfter } else { 'unknown' }
        $replaceDefault = $Cmdlet.ShouldContinue(("Overwrite the existing default SMTP certificate?`n`n" +
            "Current certificate: '" + $current + "' (expires " + $oldExpiry + ")`n" +
            "Replace it with certificate: '" + $thumbprint + "' (expires " + $x509.NotAfter + ")"), 'Confirm')
      }
    }
  }
  if ($Services -band [AllowedServices]::IIS) {
    if ($null -eq $defaultSite) {
      $defaultSite = [ordered]@{ Name = 'Default Web Site'; Id = 1; RequireSsl = $false; Bindings = @() }
      $Server.WebSites = @($Server.WebSites) + @($defaultSite)
    }
    $secure = @($defaultSite.Bindings | Where-Object { $_.protocol -eq 'https' })
    if ($secure.Count -eq 0) {
      $defaultSite.Bindings = @($defaultSite.Bindings) + @([ordered]@{
          protocol = 'https'; bindingInformation = ':443:'; certificateHash = ''; certificateStoreName = ''; sslFlags = 0 })
      $secure = @($defaultSite.Bindings | Where-Object { $_.protocol -eq 'https' })
    }
    foreach ($binding in $secure) {
      $binding.certificateHash = $thumbprint
      $binding.certificateStoreName = 'My'
    }
    if (-not $DoNotRequireSsl) {
      $defaultSite.RequireSsl = $true
    }
  }
  if ($Services -band [AllowedServices]::IMAP) {
    $Server.ImapSettings.X509CertificateName = $popImapName
  }
  if ($Services -band [AllowedServices]::POP) {
    $Server.PopSettings.X509CertificateName = $popImapName
  }
  if ($NetworkServiceAllowed -or ($Services -band ([AllowedServices]::SMTP -bor [AllowedServices]::IMAP -bor [AllowedServices]::POP))) {
    $Entry.NetworkServiceAllowed = $true
  }
  if ($replaceDefault) {
    $Server.InternalTransportCertificateThumbprint = $thumbprint
    if ($Server.Role -eq 'Edge') {
      $Cmdlet.WriteWarning('The internal transport certificate of this Edge Transport server changed. Re-create ' +
        'the Edge Subscription (New-EdgeSubscription) so EdgeSync keeps working.')
    }
  }
  if ($Services -band [AllowedServices]::UM) {
    $Server.UM.UMCertificateThumbprint = $thumbprint
  }
  if ($Services -band [AllowedServices]::UMCallRouter) {
    $Server.UMCallRouter.UMCertificateThumbprint = $thumbprint
  }
}

# Now, to the second (certificates keep no fractions of a second).
function Get-SimSecond {
  $utc = [DateTime]::UtcNow
  return [DateTimeOffset]::new($utc.Year, $utc.Month, $utc.Day, $utc.Hour, $utc.Minute, $utc.Second, [TimeSpan]::Zero)
}

function New-SimRsaCertificate([X500DistinguishedName]$Subject, [string[]]$Domains, [int]$KeySize, [DateTimeOffset]$NotBefore,
                               [DateTimeOffset]$NotAfter, [string]$SubjectKeyIdentifier) {
  $rsa = [RSA]::Create($KeySize)
  $request = [CertificateRequest]::new($Subject, $rsa, [HashAlgorithmName]::SHA256, [RSASignaturePadding]::Pkcs1)
  $request.CertificateExtensions.Add([X509BasicConstraintsExtension]::new($false, $false, 0, $true))
  $request.CertificateExtensions.Add([X509KeyUsageExtension]::new(
      [X509KeyUsageFlags]::DigitalSignature -bor [X509KeyUsageFlags]::KeyEncipherment, $true))
  $serverAuth = [OidCollection]::new()
  [void]$serverAuth.Add([Oid]::new('1.3.6.1.5.5.7.3.1'))
  $request.CertificateExtensions.Add([X509EnhancedKeyUsageExtension]::new($serverAuth, $false))
  if ($Domains.Count -gt 0) {
    $san = [SubjectAlternativeNameBuilder]::new()
    foreach ($domain in $Domains) {
      $san.AddDnsName($domain)
    }
    $request.CertificateExtensions.Add($san.Build())
  }
  if ($SubjectKeyIdentifier) {
    $request.CertificateExtensions.Add([X509SubjectKeyIdentifierExtension]::new($SubjectKeyIdentifier, $false))
  } else {
    $request.CertificateExtensions.Add([X509SubjectKeyIdentifierExtension]::new($request.PublicKey, $false))
  }
  $serial = [byte[]]::new(16)
  [RandomNumberGenerator]::Fill($serial)
  $serial[0] = $serial[0] -band 0x7F
  $generator = [X509SignatureGenerator]::CreateForRSA($rsa, [RSASignaturePadding]::Pkcs1)
  $certificate = $request.Create($Subject, $generator, $NotBefore, $NotAfter, $serial)
  return @{ Certificate = [RSACertificateExtensions]::CopyWithPrivateKey($certificate, $rsa); Request = $request; Key = $rsa }
}

function New-ExchangeCertificate {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/new-exchangecertificate
  # (-RequestFile exists only in Exchange 2013; the 2022 H1 CUs removed it.)
  [CmdletBinding(DefaultParameterSetName = 'Certificate', SupportsShouldProcess = $true)]
  param(
    [Parameter(ParameterSetName = 'Request')]
    [switch]$BinaryEncoded,
    [Parameter(ParameterSetName = 'Request')]
    [switch]$GenerateRequest,
    [Parameter(ParameterSetName = 'Certificate')]
    [AllowedServices]$Services,
    [string]$DomainController,
    [AllowEmptyCollection()]
    [string[]]$DomainName,
    [switch]$Force,
    [string]$FriendlyName,
    [switch]$IncludeAcceptedDomains,
    [switch]$IncludeAutoDiscover,
    [switch]$IncludeServerFQDN,
    [switch]$IncludeServerNetBIOSName,
    [Parameter(ValueFromPipeline = $true)]
    [X509Certificate2]$Instance,
    [int]$KeySize,
    [bool]$PrivateKeyExportable,
    [string]$Server,
    [string]$SubjectKeyIdentifier,
    [X500DistinguishedName]$SubjectName
  )
  process {
    Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
      Invoke-SimLocked {
        $org = Read-SimOrg
        $target = Resolve-SimServer $Server 'New-ExchangeCertificate'
        # Renewal: the piped certificate gives the defaults (docs Example 2).
        $renewed = $null
        if ($null -ne $Instance) {
          $renewed = Find-SimEntry $target $Instance.Thumbprint
        }
        $size = 2048
        $friendly = 'Microsoft Exchange'
        $names = [List[string]]::new()
        $explicit = $Bound.ContainsKey('DomainName') -or $IncludeAcceptedDomains -or $IncludeAutoDiscover -or
          $IncludeServerFQDN -or $IncludeServerNetBIOSName
        $subject = $SubjectName
        if ($null -ne $renewed) {
          $old = Get-SimX509 $renewed
          $size = Get-SimKeySize $old
          $friendly = [string]$renewed.FriendlyName
          if (-not $Bound.ContainsKey('SubjectName')) {
            $subject = $old.SubjectName
          }
          if (-not $Bound.ContainsKey('DomainName')) {
            foreach ($name in @(Get-SimCertificateDomains $old)) {
              $names.Add($name)
            }
            $explicit = $true
          }
        }
        if ($Bound.ContainsKey('KeySize')) {
          $size = $KeySize
        }
        if ($Bound.ContainsKey('FriendlyName')) {
          $friendly = $FriendlyName
        }
        foreach ($name in @($DomainName)) {
          if ($name) {
            $names.Add($name)
          }
        }
        if ($IncludeServerFQDN) {
          $names.Add($target.Fqdn)
        }
        if ($IncludeServerNetBIOSName) {
          $names.Add($target.Name)
        }
        foreach ($domain in @($org.AcceptedDomains)) {
          if ($IncludeAcceptedDomains) {
            $names.Add($domain)
          }
          if ($IncludeAutoDiscover) {
            $names.Add('autodiscover.' + $domain)
          }
        }
        if (-not $explicit) {
          $names.Add($target.Name)
          $names.Add($target.Fqdn)
        }
        foreach ($name in $names) {
          if (-not (Test-SimDnsName $name)) {
            Stop-Sim 'InvalidArgument' ("The domain name '" + $name + "' isn't valid: use letters, digits and hyphens, " +
              "or a wildcard such as *.contoso.com.") 'InvalidDomainName'
          }
        }
        if (@(1024, 2048, 4096) -notcontains $size) {
          Stop-Sim 'InvalidArgument' ('The key size ' + $size + ' isn''t valid; use 1024, 2048 or 4096.') 'InvalidKeySize'
        }
        if ($friendly.Length -ge 64) {
          Stop-Sim 'InvalidArgument' 'The friendly name must be shorter than 64 characters.' 'InvalidFriendlyName'
        }
        if ($null -eq $subject) {
          $first = @($names | Where-Object { $_.Length -lt 64 }) | Select-Object -First 1
          if (-not $first) {
            $first = $target.Name
          }
          $subject = [X500DistinguishedName]::new('CN=' + $first)
        }
        # The subject's CN is always among the SANs.
        $domains = [List[string]]::new()
        $seen = [HashSet[string]]::new([StringComparer]::OrdinalIgnoreCase)
        $cn = ([regex]::Match($subject.Name, '(?:^|,\s*)CN=([^,]+)', 'IgnoreCase')).Groups[1].Value.Trim()
        foreach ($name in @(@($cn) + @($names))) {
          if ((Test-SimDnsName $name) -and $seen.Add($name)) {
            $domains.Add($name)
          }
        }
        $now = Get-SimSecond
        $exportable = $Bound.ContainsKey('PrivateKeyExportable') -and $PrivateKeyExportable

        if ($GenerateRequest) {
          if (-not $PSCmdlet.ShouldProcess($target.Name, 'Create a certificate request for ' + $subject.Name)) {
            return
          }
          $made = New-SimRsaCertificate $subject $domains.ToArray() $size $now $now.AddMonths(12) $SubjectKeyIdentifier
          $csr = $made.Request.CreateSigningRequest()
          # Exchange keeps the key with a placeholder certificate in the REQUEST
          # store until the CA's answer arrives; its thumbprint is the request's.
          $entry = New-SimEntry $made.Certificate @{
            Store = 'Request'; Request = [Convert]::ToBase64String($csr); Exportable = $exportable; FriendlyName = $friendly }
          $target.Certificates = @($target.Certificates) + @($entry)
          Save-SimServer $target
          if ($BinaryEncoded) {
            [pscustomobject]@{ PSTypeName = 'Microsoft.Exchange.Data.BinaryFileDataObject'; FileData = $csr }
          } else {
            Get-SimRequestText $csr
          }
          return
        }

        $wanted = [AllowedServices]::SMTP
        if ($Bound.ContainsKey('Services')) {
          $wanted = $Services
        }
        if ($wanted -band [AllowedServices]::Federation) {
          # Accepted here (the federation certificate recipe) but not assigned:
          # federation trusts choose their certificates (reference §2.1).
          $wanted = $wanted -bxor [AllowedServices]::Federation
        }
        if (-not $PSCmdlet.ShouldProcess($target.Name, 'Create a self-signed certificate for ' + $subject.Name)) {
          return
        }
        # Asked before the certificate exists, so a refused prompt leaves nothing behind.
        $current = Get-SimInternalTransport $target
        $keepDefault = $false
        if (($wanted -band [AllowedServices]::SMTP) -and -not $Force -and $current) {
          if (-not $PSCmdlet.ShouldContinue(("Overwrite the existing default SMTP certificate?`n`nCurrent certificate: '" +
                $current + "'`nReplace it with the new certificate for " + $subject.Name + '?'), 'Confirm')) {
            # "No": SMTP may still read the key; the default certificate stays.
            $wanted = $wanted -bxor [AllowedServices]::SMTP
            $keepDefault = $true
          }
        }
        $made = New-SimRsaCertificate $subject $domains.ToArray() $size $now $now.AddMonths(60) $SubjectKeyIdentifier
        $entry = New-SimEntry $made.Certificate @{ Exportable = $exportable; FriendlyName = $friendly }
        $target.Certificates = @($target.Certificates) + @($entry)
        $entry = Find-SimEntry $target $made.Certificate.Thumbprint
        if ($wanted -ne [AllowedServices]::None -or $keepDefault) {
          Invoke-SimEnable $PSCmdlet $target $entry $wanted $true $false $keepDefault
        }
        Save-SimServer $target
        New-SimCertificateObject $entry $target $org
      }
    }
  }
}

function Get-SimPassword([securestring]$Password) {
  if ($null -eq $Password) {
    return ''
  }
  return [Net.NetworkCredential]::new('', $Password).Password
}

# The friendly name of the certificate bag in a PKCS#12 (Windows keeps it as
# the certificate's FriendlyName), or '' when there is none.
function Get-SimPfxFriendlyName([byte[]]$Data, [string]$Password) {
  try {
    $read = 0
    $info = [Pkcs.Pkcs12Info]::Decode([ReadOnlyMemory[byte]]::new($Data), [ref]$read, $false)
    foreach ($safe in $info.AuthenticatedSafe) {
      if ($safe.ConfidentialityMode -eq [Pkcs.Pkcs12ConfidentialityMode]::Password) {
        $safe.Decrypt($Password)
      }
      foreach ($bag in $safe.GetBags()) {
        if ($bag -isnot [Pkcs.Pkcs12CertBag]) {
          continue
        }
        foreach ($attribute in $bag.Attributes) {
          if ($attribute.Oid.Value -eq '1.2.840.113549.1.9.20') {
            $raw = $attribute.Values[0].RawData
            if ($raw[0] -eq 0x1E) {
              $offset = 2
              if ($raw[1] -band 0x80) {
                $offset = 2 + ($raw[1] -band 0x7F)
              }
              return [Text.Encoding]::BigEndianUnicode.GetString($raw, $offset, $raw.Length - $offset)
            }
          }
        }
      }
    }
  } catch {
    return ''
  }
  return ''
}

# Certificates without keys in FileData: DER, PEM or PKCS#7 (binary or PEM).
function Read-SimPublicCertificates([byte[]]$Data) {
  $collection = [X509Certificate2Collection]::new()
  $text = ''
  if ($Data.Length -gt 0 -and $Data[0] -lt 0x80) {
    $text = [Text.Encoding]::ASCII.GetString($Data)
  }
  if ($text.Contains('-----BEGIN CERTIFICATE-----')) {
    $collection.ImportFromPem($text)
  } elseif ($text.Contains('-----BEGIN PKCS7-----')) {
    $body = ($text -split '-----(BEGIN|END) PKCS7-----')[2]
    $collection.Import([Convert]::FromBase64String(($body -replace '\s', '')))
  } else {
    $type = [X509Certificate2]::GetCertContentType($Data)
    if ($type -eq [X509ContentType]::Cert) {
      [void]$collection.Add([X509CertificateLoader]::LoadCertificate($Data))
    } elseif ($type -eq [X509ContentType]::Pkcs7) {
      $collection.Import($Data)
    } else {
      return $null
    }
  }
  return , $collection
}

function Import-ExchangeCertificate {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/import-exchangecertificate
  # (-FileName exists only in Exchange 2013; the 2022 H1 CUs removed it.)
  [CmdletBinding(DefaultParameterSetName = 'FileData', SupportsShouldProcess = $true)]
  param(
    [Parameter(Mandatory = $true, ParameterSetName = 'FileData')]
    [byte[]]$FileData,
    [Parameter(Mandatory = $true, ParameterSetName = 'Instance', ValueFromPipeline = $true)]
    [string[]]$Instance,
    [string]$DomainController,
    [string]$FriendlyName,
    [securestring]$Password,
    [bool]$PrivateKeyExportable,
    [string]$Server
  )
  process {
    Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
      if ($PSCmdlet.ParameterSetName -eq 'Instance') {
        Stop-Sim 'InvalidArgument' 'The Instance parameter is deprecated and no longer used; pass the file''s bytes with -FileData.' 'InstanceDeprecated'
      }
      Invoke-SimLocked {
        $org = Read-SimOrg
        $target = Resolve-SimServer $Server 'Import-ExchangeCertificate'
        $public = Read-SimPublicCertificates $FileData
        $caCertificates = [List[X509Certificate2]]::new()
        $fields = @{}
        $chosen = $null
        $completes = $null
        if ($null -ne $public) {
          # A CA's answer: complete the pending request holding its key
          # (reference §2.2), trusting the chain only to the organisation's roots.
          foreach ($candidate in $public) {
            foreach ($entry in @($target.Certificates)) {
              if ($entry.Store -eq 'Request' -and $null -eq $completes) {
                $placeholder = Get-SimX509 $entry
                if ($placeholder.PublicKey.EncodedKeyValue.RawData.Length -gt 0 -and [Linq.Enumerable]::SequenceEqual(
                    [byte[]]$placeholder.PublicKey.EncodedKeyValue.RawData, [byte[]]$candidate.PublicKey.EncodedKeyValue.RawData)) {
                  $completes = $entry
                  $chosen = [RSACertificateExtensions]::CopyWithPrivateKey($candidate, [RSACertificateExtensions]::GetRSAPrivateKey($placeholder))
                }
              }
            }
          }
          foreach ($candidate in $public) {
            if ($null -eq $chosen -or $candidate.Thumbprint -ne $chosen.Thumbprint) {
              $caCertificates.Add($candidate)
            }
          }
          if ($null -eq $chosen) {
            # No request holds its key: Windows stores the certificate without
            # one, and Get-ExchangeCertificate does not list it (PrivateKeyMissing).
            $chosen = @($public | Where-Object {
                $usage = Get-SimKeyUsage $_
                $null -eq $usage -or -not ($usage -band [X509KeyUsageFlags]::KeyCertSign) }) | Select-Object -First 1
            if ($null -eq $chosen) {
              $chosen = $public[0]
            }
            $caCertificates.Remove($chosen) | Out-Null
          } else {
            $fields.Exportable = [bool]$completes.Exportable
            $fields.FriendlyName = [string]$completes.FriendlyName
            $trust = Get-SimChainFacts @{ Store = 'My'; InTrustedRoot = $false } $chosen @{ CaCertificates = @(
                @($target.CaCertificates) + @($caCertificates | ForEach-Object { [Convert]::ToBase64String($_.RawData) })) } $org
            if ($trust.Status -eq [CertificateStatus]::Untrusted -or $trust.Status -eq [CertificateStatus]::Invalid) {
              Stop-Sim 'SecurityError' ('Cannot import certificate. The root certification authority of ' + $chosen.Subject +
                ' isn''t trusted on ' + $target.Name + ' (ImportCertificateUntrustedRoot); install its root certificate ' +
                'in Trusted Root Certification Authorities first.') 'ImportCertificateUntrustedRoot'
            }
          }
        } else {
          $secret = Get-SimPassword $Password
          try {
            $all = [X509CertificateLoader]::LoadPkcs12Collection($FileData, $secret, [X509KeyStorageFlags]::Exportable)
          } catch [CryptographicException] {
            Stop-Sim 'InvalidData' ('Cannot import certificate: ' + $_.Exception.Message) 'ImportCertificateDataInvalid'
          }
          $keyed = @($all | Where-Object { $_.HasPrivateKey })
          $leaves = @($keyed | Where-Object {
              $usage = Get-SimKeyUsage $_
              $null -eq $usage -or -not ($usage -band [X509KeyUsageFlags]::KeyCertSign) })
          if ($leaves.Count -gt 0) {
            $chosen = $leaves[0]
          } elseif ($keyed.Count -gt 0) {
            $chosen = $keyed[0]
          } else {
            $chosen = $all[0]
          }
          foreach ($candidate in $all) {
            if ($candidate.Thumbprint -ne $chosen.Thumbprint) {
              $caCertificates.Add($candidate)
            }
          }
          $fields.Exportable = ($Bound.ContainsKey('PrivateKeyExportable') -and $PrivateKeyExportable)
          $fields.FriendlyName = Get-SimPfxFriendlyName $FileData $secret
        }
        if ($Bound.ContainsKey('FriendlyName')) {
          $fields.FriendlyName = $FriendlyName
        }
        $existing = Find-SimEntry $target $chosen.Thumbprint
        if ($null -ne $existing -and $existing.Store -ne 'Request') {
          Stop-Sim 'ResourceExists' ('Cannot import certificate. A certificate with the thumbprint ' + $chosen.Thumbprint +
            ' already exists.') 'ImportCertificateAlreadyExists'
        }
        if (-not $PSCmdlet.ShouldProcess($target.Name, 'Import certificate ' + $chosen.Thumbprint)) {
          return
        }
        $entry = New-SimEntry $chosen $fields
        $kept = @($target.Certificates | Where-Object { $null -eq $completes -or $_.Thumbprint -ne $completes.Thumbprint })
        $target.Certificates = @($kept) + @($entry)
        foreach ($ca in $caCertificates) {
          $der = [Convert]::ToBase64String($ca.RawData)
          if (@($target.CaCertificates) -notcontains $der) {
            $target.CaCertificates = @($target.CaCertificates) + @($der)
          }
        }
        Save-SimServer $target
        New-SimCertificateObject (Find-SimEntry $target $chosen.Thumbprint) $target $org
      }
    }
  }
}

function Enable-ExchangeCertificate {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/enable-exchangecertificate
  [CmdletBinding(DefaultParameterSetName = 'Thumbprint', SupportsShouldProcess = $true)]
  param(
    [Parameter(Mandatory = $true, ParameterSetName = 'Thumbprint', Position = 0, ValueFromPipelineByPropertyName = $true)]
    [string]$Thumbprint,
    [Parameter(ParameterSetName = 'Identity', Position = 0)]
    [string]$Identity,
    [Parameter(Mandatory = $true)]
    [AllowedServices]$Services,
    [switch]$DoNotRequireSsl,
    [string]$DomainController,
    [switch]$Force,
    [switch]$NetworkServiceAllowed,
    [Parameter(ParameterSetName = 'Thumbprint')]
    [string]$Server
  )
  process {
    Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
      Invoke-SimLocked {
        $found = Resolve-SimCertificate $Thumbprint $Identity $Server 'Enable-ExchangeCertificate'
        Invoke-SimEnable $PSCmdlet $found.Server $found.Entry $Services $Force.IsPresent $DoNotRequireSsl.IsPresent $NetworkServiceAllowed.IsPresent
        Save-SimServer $found.Server
      }
    }
  }
}

function Export-ExchangeCertificate {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/export-exchangecertificate
  # (-FileName exists only in Exchange 2013; the 2022 H1 CUs removed it.)
  [CmdletBinding(DefaultParameterSetName = 'Thumbprint', SupportsShouldProcess = $true)]
  param(
    [Parameter(Mandatory = $true, ParameterSetName = 'Thumbprint', Position = 0, ValueFromPipelineByPropertyName = $true)]
    [string]$Thumbprint,
    [Parameter(ParameterSetName = 'Identity', Position = 0)]
    [string]$Identity,
    [switch]$BinaryEncoded,
    [string]$DomainController,
    [securestring]$Password,
    [Parameter(ParameterSetName = 'Thumbprint')]
    [string]$Server
  )
  process {
    Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
      $found = Resolve-SimCertificate $Thumbprint $Identity $Server 'Export-ExchangeCertificate'
      $entry = $found.Entry
      if (-not $PSCmdlet.ShouldProcess($found.Server.Name, 'Export certificate ' + $entry.Thumbprint)) {
        return
      }
      if ($entry.Store -eq 'Request') {
        $csr = [Convert]::FromBase64String($entry.Request)
        if ($BinaryEncoded) {
          return [pscustomobject]@{ PSTypeName = 'Microsoft.Exchange.Data.BinaryFileDataObject'; FileData = $csr }
        }
        return (Get-SimRequestText $csr)
      }
      # Reference §2.4: a private key, a password and an exportable key.
      $x509 = Get-SimX509 $entry
      if (-not $x509.HasPrivateKey) {
        Stop-Sim 'InvalidOperation' ('The certificate with thumbprint ' + $entry.Thumbprint + " doesn't have a private key.") 'ExportCertificateNoPrivateKey'
      }
      $secret = Get-SimPassword $Password
      if (-not $secret) {
        Stop-Sim 'InvalidArgument' ('Exporting the certificate with thumbprint ' + $entry.Thumbprint + ' requires that a ' +
          'password be specified.') 'ExportCertificatePasswordRequired'
      }
      if (-not $entry.Exportable) {
        Stop-Sim 'InvalidOperation' ('The certificate with thumbprint ' + $entry.Thumbprint + ' has a private key that is ' +
          'not exportable.') 'ExportCertificateKeyNotExportable'
      }
      $pfx = $x509.Export([X509ContentType]::Pkcs12, $secret)
      if ($BinaryEncoded) {
        return [pscustomobject]@{ PSTypeName = 'Microsoft.Exchange.Data.BinaryFileDataObject'; FileData = $pfx }
      }
      return [Convert]::ToBase64String($pfx, [Base64FormattingOptions]::InsertLineBreaks)
    }
  }
}

function Remove-ExchangeCertificate {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/remove-exchangecertificate
  # Refuses what Exchange refuses (reference §2.5) and nothing more: bindings,
  # Receive connectors and the Auth certificate are not checked by Exchange, so
  # removing such a certificate succeeds and breaks the server as it would on
  # Exchange (Get-ExchangeSimProblem lists what broke).
  [CmdletBinding(DefaultParameterSetName = 'Thumbprint', SupportsShouldProcess = $true, ConfirmImpact = 'High')]
  param(
    [Parameter(Mandatory = $true, ParameterSetName = 'Thumbprint', Position = 0, ValueFromPipelineByPropertyName = $true)]
    [string]$Thumbprint,
    [Parameter(ParameterSetName = 'Identity', Position = 0)]
    [string]$Identity,
    [string]$DomainController,
    [Parameter(ParameterSetName = 'Thumbprint')]
    [string]$Server
  )
  process {
    Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
      Invoke-SimLocked {
        $org = Read-SimOrg
        $found = Resolve-SimCertificate $Thumbprint $Identity $Server 'Remove-ExchangeCertificate'
        $target = $found.Server
        $entry = $found.Entry
        $thumb = $entry.Thumbprint
        $roles = Get-SimRoles $target
        if ($entry.Store -ne 'Request') {
          if (($roles.HubTransport -or $roles.Edge) -and (Get-SimInternalTransport $target) -eq $thumb) {
            Stop-Sim 'InvalidOperation' ('The internal transport certificate cannot be removed because that would cause ' +
              'the Microsoft Exchange Transport service to stop. To replace the internal transport certificate, create a ' +
              'new certificate. The new certificate will automatically become the internal transport certificate. You ' +
              'can then remove the existing certificate.') 'RemoveCertificateInternalTransport'
          }
          foreach ($um in @(@('UM', 'Set-UMService'), @('UMCallRouter', 'Set-UMCallRouterSettings'))) {
            if ($roles.UnifiedMessaging -and $target[$um[0]].UMCertificateThumbprint -eq $thumb) {
              Stop-Sim 'InvalidOperation' ('The certificate with thumbprint ' + $thumb + ' is used by ' + $um[0] + ' and ' +
                'can''t be removed; use ' + $um[1] + ' to change the UMStartupMode to TCP first.') 'RemoveCertificateUM'
            }
          }
          if (@($org.FederationCertificateThumbprints) -contains $thumb) {
            Stop-Sim 'InvalidOperation' 'Active certificates in use by Federation cannot be removed.' 'RemoveCertificateFederation'
          }
          $x509 = Get-SimX509 $entry
          $tlsName = '<I>' + $x509.Issuer + '<S>' + $x509.Subject
          $tagged = @($org.SendConnectors | Where-Object { $_.TlsCertificateName -eq $tlsName } | ForEach-Object { $_.Name })
          if ($tagged.Count -gt 0) {
            Stop-Sim 'InvalidOperation' ('These certificates are tagged with following Send Connectors : ' + ($tagged -join ', ') +
              '. Removing and replacing certificates from Send Connector would break the mail flow. If you still want ' +
              'to proceed then replace or remove these certificates from Send Connector and then try this command.') 'RemoveCertificateSendConnector'
          }
        }
        if (-not $PSCmdlet.ShouldProcess($target.Name, 'Remove certificate ' + $thumb)) {
          return
        }
        $target.Certificates = @($target.Certificates | Where-Object { $_.Thumbprint -ne $thumb })
        Save-SimServer $target
      }
    }
  }
}

#endregion

#region configuration cmdlets

function ConvertTo-SimObject([string]$TypeName, $Table) {
  $copy = [ordered]@{}
  foreach ($key in $Table.Keys) {
    $copy[$key] = $Table[$key]
  }
  $object = [pscustomobject]$copy
  $object.PSObject.TypeNames.Insert(0, $TypeName)
  return $object
}

# Copies the bound parameters of a Set- cmdlet into a settings table, with
# MultiValuedProperty's @{Add=...; Remove=...} form.
function Set-SimProperties($Target, $Bound) {
  foreach ($name in @($Bound.Keys)) {
    if ($script:CommonParameterNames.Contains($name)) {
      continue
    }
    $value = $Bound[$name]
    if ($value -is [Collections.IDictionary] -and ($value.Contains('Add') -or $value.Contains('Remove'))) {
      $list = [List[string]]::new()
      foreach ($item in @($Target[$name])) {
        if ($null -ne $item) {
          $list.Add([string]$item)
        }
      }
      foreach ($item in @($value['Add'])) {
        if ($null -ne $item -and -not $list.Contains([string]$item)) {
          $list.Add([string]$item)
        }
      }
      foreach ($item in @($value['Remove'])) {
        [void]$list.Remove([string]$item)
      }
      $Target[$name] = $list.ToArray()
    } elseif ($value -is [switch]) {
      $Target[$name] = $value.IsPresent
    } elseif ($null -eq $value -or $value -is [bool] -or $value -is [int]) {
      $Target[$name] = $value
    } elseif ($value -is [array]) {
      $Target[$name] = @($value | ForEach-Object { [string]$_ })
    } else {
      $Target[$name] = [string]$value
    }
  }
}

function New-SimAuthConfigObject($Org) {
  $auth = $Org.AuthConfig
  $effective = $null
  $stored = $auth.NextCertificateEffectiveDate
  if ($stored -is [DateTime]) {
    # ConvertFrom-Json reads an ISO 8601 string as a DateTime already.
    $effective = $stored.ToLocalTime()
  } elseif ($stored) {
    $effective = [DateTime]::Parse($stored, [Globalization.CultureInfo]::InvariantCulture,
      [Globalization.DateTimeStyles]::RoundtripKind).ToLocalTime()
  }
  return (ConvertTo-SimObject 'Microsoft.Exchange.Data.Directory.SystemConfiguration.AuthConfig' ([ordered]@{
        CurrentCertificateThumbprint = [string]$auth.CurrentCertificateThumbprint
        PreviousCertificateThumbprint = [string]$auth.PreviousCertificateThumbprint
        NextCertificateThumbprint = [string]$auth.NextCertificateThumbprint
        NextCertificateEffectiveDate = $effective
        ServiceName = [string]$auth.ServiceName
        Realm = [string]$auth.Realm
        Name = 'Auth Configuration'
        Identity = 'Auth Configuration'
      }))
}

function Assert-SimNotEdge($Server, [string]$Cmdlet) {
  if ($Server.Role -eq 'Edge') {
    Stop-Sim 'NotInstalled' ($Cmdlet + ' isn''t available on the Edge Transport server ' + $Server.Name + '.') 'NotAvailableOnEdge'
  }
}

function Get-AuthConfig {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/get-authconfig
  [CmdletBinding()]
  param([string]$DomainController)
  Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
    $localName = Get-SimLocalName
    if ($localName) {
      $local = Find-SimServer $localName
      if ($null -ne $local) {
        Assert-SimNotEdge $local 'Get-AuthConfig'
        Assert-SimNoFault $local 'Get-AuthConfig'
      }
    }
    New-SimAuthConfigObject (Read-SimOrg)
  }
}

# The Auth certificate is the organisation's: the servicelet copies it to the
# other servers (reference §0.11), done here at once unless
# -SkipImmediateCertificateDeployment.
# The server whose certificate Set-AuthConfig names: -Server, the local
# server, or (in an organisation-wide test shell) the first that has it.
function Resolve-SimAuthSource([string]$Server, [string]$Thumbprint) {
  if ($Server -or (Get-SimLocalName)) {
    $source = Resolve-SimServer $Server 'Set-AuthConfig'
  } else {
    $source = @(Get-SimAllServers | Where-Object { $null -ne (Find-SimEntry $_ $Thumbprint) }) | Select-Object -First 1
  }
  if ($null -eq $source -or $null -eq (Find-SimEntry $source $Thumbprint)) {
    Stop-Sim 'ObjectNotFound' ('The certificate with thumbprint ' + $Thumbprint + ' was not found on the server.') 'CertificateNotFound'
  }
  return $source
}

function Copy-SimAuthCertificate($Source, [string]$Thumbprint) {
  $entry = Find-SimEntry $Source $Thumbprint
  foreach ($server in Get-SimAllServers) {
    if ($server.Role -eq 'Edge' -or $server.Name -eq $Source.Name -or $null -ne (Find-SimEntry $server $Thumbprint)) {
      continue
    }
    $copy = [ordered]@{}
    foreach ($key in $entry.Keys) {
      $copy[$key] = $entry[$key]
    }
    $server.Certificates = @($server.Certificates) + @($copy)
    Save-SimServer $server
  }
}

function Set-AuthConfig {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/set-authconfig
  [CmdletBinding(DefaultParameterSetName = 'AuthConfigSettings', SupportsShouldProcess = $true)]
  param(
    [Parameter(Mandatory = $true, ParameterSetName = 'CurrentCertificateParameter')]
    [string]$CertificateThumbprint,
    [Parameter(ParameterSetName = 'PublishAuthCertificateParameter')]
    [switch]$ClearPreviousCertificate,
    [Parameter(ParameterSetName = 'PublishAuthCertificateParameter')]
    [switch]$PublishCertificate,
    [Parameter(ParameterSetName = 'NewCertificateParameter')]
    [DateTime]$NewCertificateEffectiveDate,
    [Parameter(ParameterSetName = 'NewCertificateParameter')]
    [string]$NewCertificateThumbprint,
    [Parameter(ParameterSetName = 'CurrentCertificateParameter')]
    [Parameter(ParameterSetName = 'NewCertificateParameter')]
    [switch]$SkipImmediateCertificateDeployment,
    [Parameter(ParameterSetName = 'AuthConfigSettings')]
    [string]$Realm,
    [Parameter(ParameterSetName = 'AuthConfigSettings')]
    [string]$ServiceName,
    [string]$DomainController,
    [Parameter(ParameterSetName = 'CurrentCertificateParameter')]
    [Parameter(ParameterSetName = 'PublishAuthCertificateParameter')]
    [Parameter(ParameterSetName = 'NewCertificateParameter')]
    [switch]$Force,
    [Parameter(ParameterSetName = 'CurrentCertificateParameter')]
    [Parameter(ParameterSetName = 'NewCertificateParameter')]
    [string]$Server
  )
  Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
    Invoke-SimLocked {
      $org = Read-SimOrg
      $auth = $org.AuthConfig
      if (-not $PSCmdlet.ShouldProcess('Auth Configuration', 'Set-AuthConfig')) {
        return
      }
      switch ($PSCmdlet.ParameterSetName) {
        'CurrentCertificateParameter' {
          $thumb = ConvertTo-SimThumbprint $CertificateThumbprint
          $source = Resolve-SimAuthSource $Server $thumb
          $auth.PreviousCertificateThumbprint = [string]$auth.CurrentCertificateThumbprint
          $auth.CurrentCertificateThumbprint = $thumb
          if (-not $SkipImmediateCertificateDeployment) {
            Copy-SimAuthCertificate $source $thumb
          }
        }
        'NewCertificateParameter' {
          if ($Bound.ContainsKey('NewCertificateThumbprint')) {
            $thumb = ConvertTo-SimThumbprint $NewCertificateThumbprint
            $source = Resolve-SimAuthSource $Server $thumb
            $auth.NextCertificateThumbprint = $thumb
            if (-not $SkipImmediateCertificateDeployment) {
              Copy-SimAuthCertificate $source $thumb
            }
          }
          if ($Bound.ContainsKey('NewCertificateEffectiveDate')) {
            $auth.NextCertificateEffectiveDate = $NewCertificateEffectiveDate.ToUniversalTime().ToString('o')
          }
        }
        'PublishAuthCertificateParameter' {
          if ($PublishCertificate) {
            if (-not $auth.NextCertificateThumbprint) {
              Stop-Sim 'InvalidOperation' 'There is no next certificate to publish; set one with -NewCertificateThumbprint first.' 'NoNextCertificate'
            }
            $auth.PreviousCertificateThumbprint = [string]$auth.CurrentCertificateThumbprint
            $auth.CurrentCertificateThumbprint = [string]$auth.NextCertificateThumbprint
            $auth.NextCertificateThumbprint = ''
            $auth.NextCertificateEffectiveDate = $null
          }
          if ($ClearPreviousCertificate) {
            $auth.PreviousCertificateThumbprint = ''
          }
        }
        default {
          Set-SimProperties $auth $Bound
        }
      }
      Save-SimOrg $org
    }
  }
}

function New-SimServerObject($Server, $Org) {
  $roles = Get-SimRoles $Server
  $roleName = if ($roles.Edge) { 'Edge' } else { $script:ServerRoleNames[[string]$Server.Version] }
  return (ConvertTo-SimObject 'Microsoft.Exchange.Data.Directory.Management.ExchangeServer' ([ordered]@{
        Name = $Server.Name
        Fqdn = $Server.Fqdn
        Domain = $Server.Fqdn.Substring($Server.Fqdn.IndexOf('.') + 1)
        Edition = 'Standard'
        AdminDisplayVersion = $script:AdminDisplayVersions[[string]$Server.Version]
        ServerRole = $roleName
        Site = ($Org.Domain + '/Configuration/Sites/' + $Server.Site)
        IsClientAccessServer = $roles.ClientAccess
        IsEdgeServer = $roles.Edge
        IsExchange2007OrLater = $true
        IsE14OrLater = $true
        IsE15OrLater = $true
        IsFrontendTransportServer = $roles.ClientAccess
        IsHubTransportServer = $roles.HubTransport
        IsMailboxServer = $roles.Mailbox
        IsProvisionedServer = $false
        IsUnifiedMessagingServer = $roles.UnifiedMessaging
        Identity = $Server.Name
      }))
}

# Every server the local shell sees: the organisation's, or only itself on an Edge.
function Get-SimVisibleServers {
  $localName = Get-SimLocalName
  if ($localName) {
    $local = Find-SimServer $localName
    if ($null -ne $local -and $local.Role -eq 'Edge') {
      return @($local)
    }
  }
  return @(Get-SimAllServers | Where-Object { $_.Role -ne 'Edge' -or -not $localName })
}

function Get-ExchangeServer {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/get-exchangeserver
  [CmdletBinding(DefaultParameterSetName = 'Identity')]
  param(
    [Parameter(ParameterSetName = 'Identity', Position = 0, ValueFromPipeline = $true)]
    [string]$Identity,
    [Parameter(Mandatory = $true, ParameterSetName = 'Domain')]
    [string]$Domain,
    [string]$DomainController,
    [switch]$Status
  )
  process {
    Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
      $org = Read-SimOrg
      if ($Identity) {
        New-SimServerObject (Resolve-SimServer $Identity 'Get-ExchangeServer') $org
        return
      }
      foreach ($server in Get-SimVisibleServers) {
        $object = New-SimServerObject $server $org
        if (-not $Domain -or $object.Domain -ieq $Domain) {
          $object
        }
      }
    }
  }
}

function Get-TransportService {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/get-transportservice
  [CmdletBinding()]
  param(
    [Parameter(Position = 0, ValueFromPipeline = $true)]
    [string]$Identity,
    [string]$DomainController
  )
  process {
    Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
      $servers = if ($Identity) { @(Resolve-SimServer $Identity 'Get-TransportService') } else { Get-SimVisibleServers }
      foreach ($server in $servers) {
        ConvertTo-SimObject 'Microsoft.Exchange.Data.Directory.Management.TransportServer' ([ordered]@{
            Name = $server.Name
            Identity = $server.Name
            Fqdn = $server.Fqdn
            InternalTransportCertificateThumbprint = Get-SimInternalTransport $server
          })
      }
    }
  }
}

# Get-/Set-ImapSettings and Get-/Set-PopSettings: the same commands for two
# protocols, made from one definition. Their pages:
#   https://learn.microsoft.com/powershell/module/exchangepowershell/get-imapsettings
#   https://learn.microsoft.com/powershell/module/exchangepowershell/set-imapsettings
#   https://learn.microsoft.com/powershell/module/exchangepowershell/get-popsettings
#   https://learn.microsoft.com/powershell/module/exchangepowershell/set-popsettings
# The Set- cmdlets take every documented parameter (each protocol has one of
# its own) and store the values; X509CertificateName decides which
# certificate shows IMAP or POP.
$script:ProtocolSetParameters = @'
    [object]$AuthenticatedConnectionTimeout, [string]$Banner, [object]$CalendarItemRetrievalOption,
    [string]$DomainController, [bool]$EnableExactRFC822Size, [bool]$EnableGSSAPIAndNTLMAuth,
    [bool]$EnforceCertificateErrors, [object]$ExtendedProtectionPolicy, [object]$ExternalConnectionSettings,
    [object]$InternalConnectionSettings, [string]$LogFileLocation, [object]$LogFileRollOverSettings, [object]$LoginType,
    [object]$LogPerFileSizeQuota, [int]$MaxCommandSize, [int]$MaxConnectionFromSingleIP, [int]$MaxConnections,
    [int]$MaxConnectionsPerUser, [object]$MessageRetrievalMimeFormat, [object]$OwaServerUrl,
    [object]$PreAuthenticatedConnectionTimeout, [bool]$ProtocolLogEnabled, [int]$ProxyTargetPort, [string]$Server,
    [object]$SSLBindings, [bool]$SuppressReadReceipt, [object]$UnencryptedOrTLSBindings, [string]$X509CertificateName,
'@
foreach ($protocol in @(
    @{ Key = 'ImapSettings'; Type = 'Imap4AdConfiguration'; Own = '[bool]$ShowHiddenFoldersEnabled' },
    @{ Key = 'PopSettings'; Type = 'Pop3AdConfiguration'; Own = '[object]$MessageRetrievalSortOrder' })) {
  $get = @'
  [CmdletBinding()]
  param(
    [string]$DomainController,
    [Parameter(ValueFromPipeline = $true)]
    [string]$Server
  )
  process {
    Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
      $target = Resolve-SimServer $Server 'Get-KEY'
      Assert-SimNotEdge $target 'Get-KEY'
      $settings = $target['KEY']
      $table = [ordered]@{ Server = $target.Name; Identity = ($target.Name + '\' + $settings.Name) }
      foreach ($name in $settings.Keys) {
        $table[$name] = $settings[$name]
      }
      ConvertTo-SimObject 'Microsoft.Exchange.Data.Directory.SystemConfiguration.TYPE' $table
    }
  }
'@
  $set = @'
  [CmdletBinding(SupportsShouldProcess = $true)]
  param(
PARAMETERS    OWN
  )
  Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
    Invoke-SimLocked {
      $target = Resolve-SimServer $Server 'Set-KEY'
      Assert-SimNotEdge $target 'Set-KEY'
      if ($PSCmdlet.ShouldProcess($target.Name, 'Set-KEY')) {
        Set-SimProperties $target['KEY'] $Bound
        Save-SimServer $target
      }
    }
  }
'@
  $get = $get.Replace('KEY', $protocol.Key).Replace('TYPE', $protocol.Type)
  $set = $set.Replace('PARAMETERS', $script:ProtocolSetParameters).Replace('OWN', $protocol.Own).Replace('KEY', $protocol.Key)
  # Bound to this module, so the commands see its functions as the others do.
  $module = $ExecutionContext.SessionState.Module
  Set-Item -Path ('function:script:Get-' + $protocol.Key) -Value $module.NewBoundScriptBlock([scriptblock]::Create($get))
  Set-Item -Path ('function:script:Set-' + $protocol.Key) -Value $module.NewBoundScriptBlock([scriptblock]::Create($set))
}

function New-SimReceiveConnectorObject($Server, $Connector) {
  $table = [ordered]@{ Identity = ($Server.Name + '\' + $Connector.Name); Server = $Server.Name }
  foreach ($name in $Connector.Keys) {
    $table[$name] = $Connector[$name]
  }
  return (ConvertTo-SimObject 'Microsoft.Exchange.Data.Directory.SystemConfiguration.ReceiveConnector' $table)
}

# A ReceiveConnectorIdParameter: "Server\Name", or a name unique among the
# servers the shell sees.
function Resolve-SimReceiveConnector([string]$Identity, [string]$Cmdlet) {
  $parts = $Identity.Split('\')
  $servers = if ($parts.Count -eq 2) { @(Resolve-SimServer $parts[0] $Cmdlet) } else { Get-SimVisibleServers }
  $name = $parts[$parts.Count - 1]
  $found = foreach ($server in $servers) {
    foreach ($connector in @($server.ReceiveConnectors)) {
      if ($connector.Name -ieq $name) {
        @{ Server = $server; Connector = $connector }
      }
    }
  }
  $found = @($found)
  if ($found.Count -eq 0) {
    Stop-Sim 'ObjectNotFound' ("The operation couldn't be performed because object '" + $Identity + "' couldn't be found " +
      "on '" + (Get-SimDomainController) + "'.") 'ManagementObjectNotFound'
  }
  if ($found.Count -gt 1) {
    Stop-Sim 'InvalidArgument' ("The operation couldn't be performed because '" + $Identity + "' matches multiple " +
      'entries.') 'ManagementObjectAmbiguous'
  }
  Assert-SimNoFault $found[0].Server $Cmdlet
  return $found[0]
}

function Get-ReceiveConnector {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/get-receiveconnector
  [CmdletBinding(DefaultParameterSetName = 'Identity')]
  param(
    [Parameter(ParameterSetName = 'Identity', Position = 0, ValueFromPipeline = $true)]
    [string]$Identity,
    [Parameter(ParameterSetName = 'Server', ValueFromPipeline = $true)]
    [string]$Server,
    [string]$DomainController
  )
  process {
    Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
      if ($Identity) {
        $found = Resolve-SimReceiveConnector $Identity 'Get-ReceiveConnector'
        New-SimReceiveConnectorObject $found.Server $found.Connector
        return
      }
      $servers = if ($Server) { @(Resolve-SimServer $Server 'Get-ReceiveConnector') } else { Get-SimVisibleServers }
      foreach ($target in $servers) {
        foreach ($connector in @($target.ReceiveConnectors)) {
          New-SimReceiveConnectorObject $target $connector
        }
      }
    }
  }
}

function Set-ReceiveConnector {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/set-receiveconnector
  [CmdletBinding(SupportsShouldProcess = $true)]
  param(
    [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
    [string]$Identity,
    [bool]$AdvertiseClientSettings, [object]$AuthMechanism, [object]$AuthTarpitInterval, [string]$Banner,
    [bool]$BareLinefeedRejectionEnabled, [bool]$BinaryMimeEnabled, [object]$Bindings, [bool]$ChunkingEnabled,
    [string]$Comment, [object]$ConnectionInactivityTimeout, [object]$ConnectionTimeout, [object]$DefaultDomain,
    [bool]$DeliveryStatusNotificationEnabled, [string]$DomainController, [bool]$DomainSecureEnabled,
    [bool]$EightBitMimeEnabled, [bool]$EnableAuthGSSAPI, [bool]$Enabled, [bool]$EnhancedStatusCodesEnabled,
    [object]$ExtendedProtectionPolicy, [string]$Fqdn, [bool]$LongAddressesEnabled, [object]$MaxAcknowledgementDelay,
    [object]$MaxHeaderSize, [int]$MaxHopCount, [object]$MaxInboundConnection, [object]$MaxInboundConnectionPerSource,
    [int]$MaxInboundConnectionPercentagePerSource, [int]$MaxLocalHopCount, [int]$MaxLogonFailures, [object]$MaxMessageSize,
    [object]$MaxProtocolErrors, [int]$MaxRecipientsPerMessage, [object]$MessageRateLimit, [object]$MessageRateSource,
    [string]$Name, [bool]$OrarEnabled, [object]$PermissionGroups, [bool]$PipeliningEnabled, [object]$ProtocolLoggingLevel,
    [bool]$RejectReservedSecondLevelRecipientDomains, [bool]$RejectReservedTopLevelRecipientDomains,
    [bool]$RejectSingleLabelRecipientDomains, [object]$RemoteIPRanges, [bool]$RequireEHLODomain, [bool]$RequireTLS,
    [string]$ServiceDiscoveryFqdn, [object]$SizeEnabled, [bool]$SmtpUtf8Enabled, [bool]$SuppressXAnonymousTls,
    [object]$TarpitInterval,
    [ValidateScript({ $null -eq $_ -or [string]$_ -eq '' -or [string]$_ -match '^<I>.+<S>.+$' },
      ErrorMessage = 'Cannot convert value "{0}" to type "Microsoft.Exchange.Data.SmtpX509Identifier": use <I>issuer<S>subject, the X.500 names of the certificate.')]
    [object]$TlsCertificateName,
    [object]$TlsDomainCapabilities, [object]$TransportRole
  )
  process {
    Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
      Invoke-SimLocked {
        $found = Resolve-SimReceiveConnector $Identity 'Set-ReceiveConnector'
        if ($PSCmdlet.ShouldProcess($found.Server.Name + '\' + $found.Connector.Name, 'Set-ReceiveConnector')) {
          Set-SimProperties $found.Connector $Bound
          Save-SimServer $found.Server
        }
      }
    }
  }
}

function Find-SimSendConnector($Org, [string]$Identity) {
  $name = $Identity.Split('\')[-1]
  $found = @($Org.SendConnectors | Where-Object { $_.Name -ieq $name })
  if ($found.Count -eq 0) {
    Stop-Sim 'ObjectNotFound' ("The operation couldn't be performed because object '" + $Identity + "' couldn't be found " +
      "on '" + (Get-SimDomainController) + "'.") 'ManagementObjectNotFound'
  }
  return $found[0]
}

function Get-SendConnector {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/get-sendconnector
  [CmdletBinding()]
  param(
    [Parameter(Position = 0, ValueFromPipeline = $true)]
    [string]$Identity,
    [string]$DomainController
  )
  process {
    Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
      $org = Read-SimOrg
      $connectors = if ($Identity) { @(Find-SimSendConnector $org $Identity) } else { @($org.SendConnectors) }
      foreach ($connector in $connectors) {
        $table = [ordered]@{ Identity = $connector.Name }
        foreach ($name in $connector.Keys) {
          $table[$name] = $connector[$name]
        }
        ConvertTo-SimObject 'Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig' $table
      }
    }
  }
}

function Set-SendConnector {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/set-sendconnector
  [CmdletBinding(SupportsShouldProcess = $true)]
  param(
    [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
    [string]$Identity,
    [object]$AddressSpaces, [pscredential]$AuthenticationCredential, [bool]$CloudServicesMailEnabled, [string]$Comment,
    [object]$ConnectionInactivityTimeOut, [object]$ConnectorType, [bool]$DNSRoutingEnabled, [string]$DomainController,
    [bool]$DomainSecureEnabled, [bool]$Enabled, [object]$ErrorPolicies, [switch]$Force, [bool]$ForceHELO, [string]$Fqdn,
    [bool]$FrontendProxyEnabled, [bool]$IgnoreSTARTTLS, [bool]$IsCoexistenceConnector, [bool]$IsScopedConnector,
    [object]$LinkedReceiveConnector, [object]$MaxMessageSize, [string]$Name, [int]$Port, [object]$ProtocolLoggingLevel,
    [bool]$RequireOorg, [bool]$RequireTLS, [object]$SmartHostAuthMechanism, [object]$SmartHosts,
    [int]$SmtpMaxMessagesPerConnection, [object]$SourceIPAddress, [object]$SourceTransportServers, [object]$TlsAuthLevel,
    [ValidateScript({ $null -eq $_ -or [string]$_ -eq '' -or [string]$_ -match '^<I>.+<S>.+$' },
      ErrorMessage = 'Cannot convert value "{0}" to type "Microsoft.Exchange.Data.SmtpX509Identifier": use <I>issuer<S>subject, the X.500 names of the certificate.')]
    [object]$TlsCertificateName,
    [object]$TlsDomain, [bool]$UseExternalDNSServersEnabled
  )
  process {
    Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
      Invoke-SimLocked {
        $org = Read-SimOrg
        $connector = Find-SimSendConnector $org $Identity
        if ($PSCmdlet.ShouldProcess($connector.Name, 'Set-SendConnector')) {
          $values = @{}
          foreach ($key in $Bound.Keys) {
            if ($key -ne 'AuthenticationCredential') {
              $values[$key] = $Bound[$key]
            }
          }
          Set-SimProperties $connector $values
          Save-SimOrg $org
        }
      }
    }
  }
}

function Get-HybridConfiguration {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/get-hybridconfiguration
  [CmdletBinding()]
  param([string]$DomainController)
  Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
    $org = Read-SimOrg
    if ($null -ne $org.HybridConfiguration) {
      ConvertTo-SimObject 'Microsoft.Exchange.Data.Directory.SystemConfiguration.HybridConfiguration' $org.HybridConfiguration
    }
  }
}

function Set-HybridConfiguration {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/set-hybridconfiguration
  [CmdletBinding(SupportsShouldProcess = $true)]
  param(
    [object]$ClientAccessServers, [string]$DomainController, [object]$Domains, [object]$EdgeTransportServers,
    [object]$ExternalIPAddresses, [object]$Features, [string]$Name, [string]$OnPremisesSmartHost,
    [object]$ReceivingTransportServers, [string]$SecureMailCertificateThumbprint, [object]$SendingTransportServers,
    [int]$ServiceInstance,
    [ValidateScript({ $null -eq $_ -or [string]$_ -eq '' -or [string]$_ -match '^<I>.+<S>.+$' },
      ErrorMessage = 'Cannot convert value "{0}" to type "Microsoft.Exchange.Data.SmtpX509Identifier": use <I>issuer<S>subject, the X.500 names of the certificate.')]
    [object]$TlsCertificateName,
    [object]$TransportServers
  )
  Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
    Invoke-SimLocked {
      $org = Read-SimOrg
      if ($null -eq $org.HybridConfiguration) {
        Stop-Sim 'ObjectNotFound' 'There is no hybrid configuration in this organization; the Hybrid Configuration Wizard creates it.' 'NoHybridConfiguration'
      }
      if ($PSCmdlet.ShouldProcess('Hybrid Configuration', 'Set-HybridConfiguration')) {
        Set-SimProperties $org.HybridConfiguration $Bound
        Save-SimOrg $org
      }
    }
  }
}

function New-EdgeSubscription {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/new-edgesubscription
  # On the Edge: writes the subscription file (the Edge's internal transport
  # certificate in it). On a Mailbox server: imports it for a site and makes
  # the EdgeSync Send connectors.
  [CmdletBinding(SupportsShouldProcess = $true)]
  param(
    [TimeSpan]$AccountExpiryDuration = [TimeSpan]::FromHours(24),
    [bool]$CreateInboundSendConnector = $true,
    [bool]$CreateInternetSendConnector = $true,
    [string]$DomainController,
    [byte[]]$FileData,
    [string]$FileName,
    [switch]$Force,
    [string]$Site
  )
  Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
    Invoke-SimLocked {
      $org = Read-SimOrg
      $local = Resolve-SimServer '' 'New-EdgeSubscription'
      if ($local.Role -eq 'Edge') {
        if (-not $FileName -or $null -ne $FileData) {
          Stop-Sim 'InvalidArgument' 'On an Edge Transport server, give -FileName (the subscription file to write), not -FileData.' 'EdgeSubscriptionFileName'
        }
        if ($AccountExpiryDuration -lt [TimeSpan]::FromMinutes(2)) {
          Stop-Sim 'InvalidArgument' 'AccountExpiryDuration must be at least 00:02:00.' 'EdgeSubscriptionExpiry'
        }
        if (-not $PSCmdlet.ShouldProcess($local.Name, 'Create the Edge Subscription file ' + $FileName)) {
          return
        }
        if (-not $Force -and -not $PSCmdlet.ShouldContinue(('If you create an Edge Subscription, this Edge Transport ' +
              'server will be managed via EdgeSync replication; accepted domains, message classifications, remote ' +
              'domains and Send connectors created by hand here will be deleted. Continue?'), 'Confirm')) {
          return
        }
        $entry = Find-SimEntry $local (Get-SimInternalTransport $local)
        $blob = if ($null -ne $entry) { $entry.Der } else { '' }
        $xml = [Text.StringBuilder]::new()
        [void]$xml.Append('<?xml version="1.0" encoding="utf-8"?><EdgeSubscriptionData>')
        foreach ($pair in @(@('EdgeServerName', $local.Name), @('EdgeServerFQDN', $local.Fqdn), @('EdgeCertificateBlob', $blob),
            @('EffectiveDate', [DateTime]::UtcNow.ToString('o')), @('Duration', $AccountExpiryDuration.ToString()),
            @('AdamSslPort', '50636'), @('ServerType', 'Edge'), @('VersionNumber', $script:AdminDisplayVersions[[string]$local.Version]))) {
          [void]$xml.Append('<' + $pair[0] + '>' + [Security.SecurityElement]::Escape([string]$pair[1]) + '</' + $pair[0] + '>')
        }
        [void]$xml.Append('</EdgeSubscriptionData>')
        $path = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($FileName)
        [IO.File]::WriteAllText($path, $xml.ToString())
        return
      }
      if ($null -eq $FileData -or -not $Site) {
        Stop-Sim 'InvalidArgument' 'On a Mailbox server, give -FileData (the subscription file from the Edge) and -Site.' 'EdgeSubscriptionFileData'
      }
      try {
        $document = [xml][Text.Encoding]::UTF8.GetString($FileData)
        $data = $document.EdgeSubscriptionData
        $effective = [DateTime]::Parse($data.EffectiveDate, [Globalization.CultureInfo]::InvariantCulture,
          [Globalization.DateTimeStyles]::RoundtripKind)
        $duration = [TimeSpan]::Parse($data.Duration, [Globalization.CultureInfo]::InvariantCulture)
      } catch {
        Stop-Sim 'InvalidData' ('The Edge Subscription file isn''t valid: ' + $_.Exception.Message) 'EdgeSubscriptionInvalid'
      }
      if ($effective.Add($duration) -lt [DateTime]::UtcNow) {
        Stop-Sim 'InvalidOperation' ('The Edge Subscription file of ' + $data.EdgeServerName + ' has expired; create a new ' +
          'one on the Edge Transport server.') 'EdgeSubscriptionExpired'
      }
      $existing = @($org.EdgeSubscriptions | Where-Object { $_.Name -ieq $data.EdgeServerName })
      if ($existing.Count -gt 0 -and -not $Force) {
        Stop-Sim 'ResourceExists' ('An Edge Subscription for ' + $data.EdgeServerName + ' already exists; use -Force to ' +
          're-create it.') 'EdgeSubscriptionExists'
      }
      if (-not $PSCmdlet.ShouldProcess($data.EdgeServerName, 'Subscribe the Edge Transport server to site ' + $Site)) {
        return
      }
      $thumbprint = ''
      if ($data.EdgeCertificateBlob) {
        $thumbprint = [X509CertificateLoader]::LoadCertificate([Convert]::FromBase64String($data.EdgeCertificateBlob)).Thumbprint
      }
      $org.EdgeSubscriptions = @(@($org.EdgeSubscriptions | Where-Object { $_.Name -ine $data.EdgeServerName }) + @([ordered]@{
            Name = [string]$data.EdgeServerName; Fqdn = [string]$data.EdgeServerFQDN; Site = $Site
            EdgeCertificateThumbprint = $thumbprint; Created = [DateTime]::UtcNow.ToString('o') }))
      $connectors = @()
      if ($CreateInternetSendConnector) {
        $connectors += [ordered]@{ Name = ('EdgeSync - ' + $Site + ' to Internet'); AddressSpaces = @('SMTP:*;100')
          SourceTransportServers = @([string]$data.EdgeServerName); DNSRoutingEnabled = $true; SmartHosts = @()
          Fqdn = $null; TlsCertificateName = $null; Enabled = $true }
      }
      if ($CreateInboundSendConnector) {
        $connectors += [ordered]@{ Name = ('EdgeSync - Inbound to ' + $Site); AddressSpaces = @('SMTP:--;100')
          SourceTransportServers = @([string]$data.EdgeServerName); DNSRoutingEnabled = $false; SmartHosts = @('--')
          Fqdn = $null; TlsCertificateName = $null; Enabled = $true }
      }
      foreach ($connector in $connectors) {
        $org.SendConnectors = @(@($org.SendConnectors | Where-Object { $_.Name -ine $connector.Name }) + @($connector))
      }
      Save-SimOrg $org
    }
  }
}

function Get-EdgeSubscription {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/get-edgesubscription
  [CmdletBinding()]
  param(
    [Parameter(Position = 0, ValueFromPipeline = $true)]
    [string]$Identity,
    [string]$DomainController
  )
  process {
    Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
      $org = Read-SimOrg
      $found = @($org.EdgeSubscriptions | Where-Object { -not $Identity -or $_.Name -ieq $Identity -or $_.Fqdn -ieq $Identity })
      if ($Identity -and $found.Count -eq 0) {
        Stop-Sim 'ObjectNotFound' ("The operation couldn't be performed because object '" + $Identity + "' couldn't be " +
          "found on '" + (Get-SimDomainController) + "'.") 'ManagementObjectNotFound'
      }
      foreach ($subscription in $found) {
        ConvertTo-SimObject 'Microsoft.Exchange.Data.Directory.SystemConfiguration.EdgeSubscription' ([ordered]@{
            Name = $subscription.Name; Site = $subscription.Site; Domain = $org.Domain; Identity = $subscription.Name })
      }
    }
  }
}

function Resolve-SimUMServer([string]$Identity, [string]$Cmdlet) {
  $target = Resolve-SimServer $Identity $Cmdlet
  if (-not (Get-SimRoles $target).UnifiedMessaging) {
    Stop-Sim 'NotInstalled' ($Cmdlet + ': Unified Messaging exists only on Exchange 2013 and 2016 Mailbox servers, not on ' +
      $target.Name + '.') 'UMNotAvailable'
  }
  return $target
}

function Get-UMService {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/get-umservice
  [CmdletBinding()]
  param(
    [Parameter(Position = 0, ValueFromPipeline = $true)]
    [string]$Identity,
    [string]$DomainController
  )
  process {
    Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
      $target = Resolve-SimUMServer $Identity 'Get-UMService'
      ConvertTo-SimObject 'Microsoft.Exchange.Data.Directory.SystemConfiguration.UMServer' ([ordered]@{
          Name = $target.Name; Identity = $target.Name; UMStartupMode = $target.UM.UMStartupMode
          UMCertificateThumbprint = $target.UM.UMCertificateThumbprint })
    }
  }
}

function Set-UMService {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/set-umservice
  [CmdletBinding(SupportsShouldProcess = $true)]
  param(
    [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
    [string]$Identity,
    [object]$DialPlans, [string]$DomainController, [object]$GrammarGenerationSchedule, [object]$IPAddressFamily,
    [bool]$IPAddressFamilyConfigurable, [bool]$IrmLogEnabled, [object]$IrmLogMaxAge, [object]$IrmLogMaxDirectorySize,
    [object]$IrmLogMaxFileSize, [string]$IrmLogPath, [int]$MaxCallsAllowed, [object]$SIPAccessService, [object]$Status,
    [ValidateSet('TCP', 'TLS', 'Dual')]
    [string]$UMStartupMode
  )
  process {
    Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
      Invoke-SimLocked {
        $target = Resolve-SimUMServer $Identity 'Set-UMService'
        if ($PSCmdlet.ShouldProcess($target.Name, 'Set-UMService')) {
          Set-SimProperties $target.UM $Bound
          Save-SimServer $target
        }
      }
    }
  }
}

function Get-UMCallRouterSettings {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/get-umcallroutersettings
  [CmdletBinding()]
  param(
    [string]$DomainController,
    [string]$Server
  )
  Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
    $target = Resolve-SimUMServer $Server 'Get-UMCallRouterSettings'
    ConvertTo-SimObject 'Microsoft.Exchange.Data.Directory.SystemConfiguration.SIPFEServerConfiguration' ([ordered]@{
        Name = $target.Name; Identity = $target.Name; UMStartupMode = $target.UMCallRouter.UMStartupMode
        UMCertificateThumbprint = $target.UMCallRouter.UMCertificateThumbprint })
  }
}

function Set-UMCallRouterSettings {
  # https://learn.microsoft.com/powershell/module/exchangepowershell/set-umcallroutersettings
  [CmdletBinding(SupportsShouldProcess = $true)]
  param(
    [string]$Server, [object]$DialPlans, [string]$DomainController, [object]$IPAddressFamily,
    [bool]$IPAddressFamilyConfigurable, [int]$MaxCallsAllowed, [int]$SipTcpListeningPort, [int]$SipTlsListeningPort,
    [ValidateSet('TCP', 'TLS', 'Dual')]
    [string]$UMStartupMode
  )
  Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
    Invoke-SimLocked {
      $target = Resolve-SimUMServer $Server 'Set-UMCallRouterSettings'
      if ($PSCmdlet.ShouldProcess($target.Name, 'Set-UMCallRouterSettings')) {
        Set-SimProperties $target.UMCallRouter $Bound
        Save-SimServer $target
      }
    }
  }
}

#endregion

#region Windows: services, IIS reset, web bindings (what Exchange administrators use around the cmdlets)

function Resolve-SimMachine([string]$ComputerName, [string]$Cmdlet) {
  if (-not $ComputerName -or $ComputerName -eq '.' -or $ComputerName -ieq 'localhost') {
    $ComputerName = Get-SimLocalName
  }
  $server = Find-SimServer $ComputerName
  if ($null -eq $server) {
    Stop-Sim 'OpenError' ('Cannot open Service Control Manager on computer ''' + $ComputerName + '''. This operation might ' +
      'require other privileges.') 'CouldNotOpenServiceControlManager'
  }
  Assert-SimNoFault $server $Cmdlet
  return $server
}

function New-SimServiceObject($Server, [string]$Name, $Service) {
  return (ConvertTo-SimObject 'System.ServiceProcess.ServiceController' ([ordered]@{
        Name = $Name; ServiceName = $Name; DisplayName = $Service.DisplayName; Status = $Service.Status
        StartType = 'Automatic'; MachineName = $Server.Name; CanStop = $true }))
}

function Get-SimServiceMatches($Server, [string[]]$Name, [string[]]$DisplayName, [string[]]$Include, [string[]]$Exclude) {
  $found = foreach ($serviceName in @($Server.Services.Keys | Sort-Object)) {
    $service = $Server.Services[$serviceName]
    $candidates = if ($DisplayName) { $DisplayName } elseif ($Name) { $Name } else { @('*') }
    $value = if ($DisplayName) { $service.DisplayName } else { $serviceName }
    $hit = @($candidates | Where-Object { $value -like $_ }).Count -gt 0
    if ($hit -and $Include) {
      $hit = @($Include | Where-Object { $serviceName -like $_ }).Count -gt 0
    }
    if ($hit -and $Exclude) {
      $hit = @($Exclude | Where-Object { $serviceName -like $_ }).Count -eq 0
    }
    if ($hit) {
      $serviceName
    }
  }
  return @($found)
}

function Get-Service {
  # Windows PowerShell 5.1's Get-Service (it has -ComputerName; PowerShell 7 does not):
  # https://learn.microsoft.com/powershell/module/microsoft.powershell.management/get-service?view=powershell-5.1
  [CmdletBinding(DefaultParameterSetName = 'Default')]
  param(
    [Parameter(ParameterSetName = 'Default', Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
    [Alias('ServiceName')]
    [string[]]$Name,
    [Parameter(ValueFromPipelineByPropertyName = $true)]
    [Alias('Cn')]
    [string[]]$ComputerName,
    [Alias('DS')]
    [switch]$DependentServices,
    [Alias('SDO', 'ServicesDependedOn')]
    [switch]$RequiredServices,
    [Parameter(Mandatory = $true, ParameterSetName = 'DisplayName')]
    [string[]]$DisplayName,
    [string[]]$Include,
    [string[]]$Exclude,
    [Parameter(ParameterSetName = 'InputObject', ValueFromPipeline = $true)]
    [object[]]$InputObject
  )
  process {
    Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
      if ($PSCmdlet.ParameterSetName -eq 'InputObject') {
        $InputObject
        return
      }
      foreach ($computer in @(if ($ComputerName) { $ComputerName } else { '.' })) {
        $server = Resolve-SimMachine $computer 'Get-Service'
        $found = Get-SimServiceMatches $server $Name $DisplayName $Include $Exclude
        foreach ($wanted in @($Name) + @($DisplayName)) {
          if ($wanted -and -not [WildcardPattern]::ContainsWildcardCharacters($wanted) -and
              @($found | Where-Object { $_ -like $wanted -or $server.Services[$_].DisplayName -like $wanted }).Count -eq 0) {
            Stop-Sim 'ObjectNotFound' ("Cannot find any service with service name '" + $wanted + "'.") 'NoServiceFoundForGivenName'
          }
        }
        foreach ($serviceName in $found) {
          New-SimServiceObject $server $serviceName $server.Services[$serviceName]
        }
      }
    }
  }
}

function Restart-Service {
  # Windows PowerShell 5.1's Restart-Service (a service object from Get-Service
  # -ComputerName restarts that computer's service):
  # https://learn.microsoft.com/powershell/module/microsoft.powershell.management/restart-service?view=powershell-5.1
  [CmdletBinding(DefaultParameterSetName = 'Default', SupportsShouldProcess = $true)]
  param(
    [switch]$Force,
    [switch]$PassThru,
    [Parameter(Mandatory = $true, ParameterSetName = 'Default', Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
    [Alias('ServiceName')]
    [string[]]$Name,
    [Parameter(Mandatory = $true, ParameterSetName = 'DisplayName')]
    [string[]]$DisplayName,
    [string[]]$Include,
    [string[]]$Exclude,
    [Parameter(Mandatory = $true, ParameterSetName = 'InputObject', Position = 0, ValueFromPipeline = $true)]
    [psobject[]]$InputObject
  )
  process {
    Invoke-SimCmdlet $PSCmdlet $PSBoundParameters {
      $targets = @()
      if ($PSCmdlet.ParameterSetName -eq 'InputObject') {
        foreach ($object in $InputObject) {
          $targets += @{ Machine = [string]$object.MachineName; Name = [string]$object.Name }
        }
      } else {
        $server = Resolve-SimMachine '.' 'Restart-Service'
        $found = Get-SimServiceMatches $server $Name $DisplayName $Include $Exclude
        foreach ($wanted in @($Name) + @($DisplayName)) {
          if ($wanted -and -not [WildcardPattern]::ContainsWildcardCharacters($wanted) -and
              @($found | Where-Object { $_ -like $wanted -or $server.Services[$_].DisplayName -like $wanted }).Count -eq 0) {
            Stop-Sim 'ObjectNotFound' ("Cannot find any service with service name '" + $wanted + "'.") 'NoServiceFoundForGivenName'
          }
        }
        foreach ($serviceName in $found) {
          $targets += @{ Machine = $server.Name; Name = $serviceName }
        }
      }
      foreach ($target in $targets) {
        Invoke-SimLocked {
          $server = Resolve-SimMachine $target.Machine 'Restart-Service'
          $service = $server.Services[$target.Name]
          if ($null -eq $service) {
            Stop-Sim 'ObjectNotFound' ("Cannot find any service with service name '" + $target.Name + "'.") 'NoServiceFoundForGivenName'
          }
          if ($PSCmdlet.ShouldProcess($service.DisplayName + ' (' + $target.Name + ')', 'Restart-Service')) {
            $service.Restarts = [int]$service.Restarts + 1
            $service.Status = 'Running'
            Save-SimServer $server
            if ($PassThru) {
              New-SimServiceObject $server $target.Name $service
            }
          }
        }
      }
    }
  }
}

# iisreset.exe as administrators run it ("iisreset", "iisreset /noforce",
# "iisreset SERVER /noforce"): prints what iisreset prints and sets
# $LASTEXITCODE like a native program.
# https://learn.microsoft.com/iis/manage/managing-your-configuration-settings
function iisreset {
  $computer = ''
  $action = 'restart'
  foreach ($argument in $args) {
    $text = [string]$argument
    if ($text.StartsWith('/') -or $text.StartsWith('-')) {
      $switch = $text.Substring(1).ToLowerInvariant()
      if (@('restart', 'start', 'stop', 'status') -contains $switch) {
        $action = $switch
      } elseif ($switch -ne 'noforce' -and $switch -notmatch '^timeout:\d+$') {
        'IISRESET.EXE (c) Microsoft Corp. 1998-2005'
        ''
        'Usage:'
        'iisreset [computername] [/RESTART | /START | /STOP | /STATUS] [/TIMEOUT:val] [/NOFORCE]'
        $global:LASTEXITCODE = 1
        return
      }
    } else {
      $computer = $text
    }
  }
  Wait-SimCost 'XCERT_SIM_CALL_COST'
  Write-SimLog ('call iisreset ' + $computer)
  $server = $null
  try {
    $server = Find-SimServer $(if ($computer) { $computer } else { Get-SimLocalName })
  } catch [SimError] {
    $server = $null
  }
  if ($null -eq $server -or $server.Role -eq 'Edge') {
    'Restart attempt failed.'
    'The RPC server is unavailable. (2147944122, 800706ba)'
    $global:LASTEXITCODE = 1
    return
  }
  if ($server.Faults.ContainsKey('iisreset')) {
    'Restart attempt failed.'
    [string]$server.Faults['iisreset'].Message
    $global:LASTEXITCODE = [int]$server.Faults['iisreset'].ExitCode
    return
  }
  if ($action -eq 'status') {
    'Status for World Wide Web Publishing Service ( W3SVC ) : Running'
    $global:LASTEXITCODE = 0
    return
  }
  Invoke-SimLocked {
    $fresh = Find-SimServer $server.Name
    $fresh.IisResets = @($fresh.IisResets) + @([ordered]@{ Time = [DateTime]::UtcNow.ToString('o'); Action = $action; Arguments = @($args | ForEach-Object { [string]$_ }) })
    Save-SimServer $fresh
  }
  if ($action -ne 'start') {
    'Attempting stop...'
    'Internet services successfully stopped'
  }
  if ($action -ne 'stop') {
    'Attempting start...'
    if ($action -eq 'restart') {
      'Internet services successfully restarted'
    } else {
      'Internet services successfully started'
    }
  }
  $global:LASTEXITCODE = 0
}

# Get-WebBinding and Restart-WebAppPool of the WebAdministration module
# (tests/exchange-sim/iis/WebAdministration calls these in this module's
# scope): the local server's IIS.
function Invoke-SimGetWebBinding([PSCmdlet]$Cmdlet, $Bound) {
  Invoke-SimCmdlet $Cmdlet $Bound {
    $server = Resolve-SimMachine '.' 'Get-WebBinding'
    foreach ($site in @($server.WebSites)) {
      if ($Bound['Name'] -and $site.Name -ine $Bound['Name']) {
        continue
      }
      foreach ($binding in @($site.Bindings)) {
        $parts = ([string]$binding.bindingInformation).Split(':')
        if (($Bound['Protocol'] -and $binding.protocol -ine $Bound['Protocol']) -or
            ($Bound['Port'] -and $parts[1] -ne $Bound['Port']) -or
            ($Bound['IPAddress'] -and $parts[0] -ne $Bound['IPAddress']) -or
            ($Bound['HostHeader'] -and $parts[2] -ine $Bound['HostHeader'])) {
          continue
        }
        ConvertTo-SimObject 'Microsoft.IIs.PowerShell.Framework.ConfigurationElement#bindings#binding' ([ordered]@{
            protocol = $binding.protocol
            bindingInformation = $binding.bindingInformation
            sslFlags = [int]$binding.sslFlags
            isDsMapperEnabled = $false
            certificateHash = [string]$binding.certificateHash
            certificateStoreName = [string]$binding.certificateStoreName
            ItemXPath = ("/system.applicationHost/sites/site[@name='" + $site.Name + "' and @id='" + $site.Id + "']")
          })
      }
    }
  }
}

function Invoke-SimRestartWebAppPool([PSCmdlet]$Cmdlet, $Bound) {
  Invoke-SimCmdlet $Cmdlet $Bound {
    $name = [string]$Bound['Name']
    Invoke-SimLocked {
      $server = Resolve-SimMachine '.' 'Restart-WebAppPool'
      if (-not $server.AppPools.Contains($name)) {
        Stop-Sim 'ObjectNotFound' ("Cannot find an application pool named '" + $name + "'.") 'AppPoolNotFound'
      }
      $server.AppPools[$name].Restarts = [int]$server.AppPools[$name].Restarts + 1
      Save-SimServer $server
    }
  }
}

#endregion

#region simulator API: organisations and servers like Exchange setup makes them, faults, state, problems

function New-SimSettings([string]$Protocol, [string]$Fqdn, [int]$Ssl, [int]$Plain) {
  return [ordered]@{
    Name = '1'
    ProtocolName = $Protocol
    X509CertificateName = $Fqdn
    InternalConnectionSettings = @(('{0}:{1}:SSL' -f $Fqdn, $Ssl), ('{0}:{1}:TLS' -f $Fqdn, $Plain))
    ExternalConnectionSettings = @()
    SSLBindings = @(('[::]:{0}' -f $Ssl), ('0.0.0.0:{0}' -f $Ssl))
    UnencryptedOrTLSBindings = @(('[::]:{0}' -f $Plain), ('0.0.0.0:{0}' -f $Plain))
    LoginType = 'SecureLogin'
    Banner = ('The Microsoft Exchange {0} service is ready.' -f $Protocol)
  }
}

function New-SimReceiveConnector([string]$Name, [string]$Fqdn, [string]$Role, [int]$Port, [string]$Permissions) {
  return [ordered]@{
    Name = $Name
    Fqdn = $Fqdn
    TransportRole = $Role
    Bindings = @(('[::]:{0}' -f $Port), ('0.0.0.0:{0}' -f $Port))
    RemoteIPRanges = @('::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '0.0.0.0-255.255.255.255')
    AuthMechanism = 'Tls, Integrated, BasicAuth, BasicAuthRequireTLS, ExchangeServer'
    PermissionGroups = $Permissions
    TlsCertificateName = $null
    RequireTLS = $false
    Enabled = $true
  }
}

function New-ExchangeSimOrganization {
  <#
  .SYNOPSIS
    Makes an empty simulated organisation in $env:XCERT_SIM_STATE (or -StateFolder, which
    also sets the variable): the organisation's AuthConfig with its Auth certificate, as the
    first Exchange setup makes it. Add servers with Add-ExchangeSimServer.
  #>
  [CmdletBinding()]
  param(
    [Parameter(Mandatory = $true)] [string]$Name,
    [Parameter(Mandatory = $true)] [string]$Domain,
    [string[]]$AcceptedDomain,
    [string]$StateFolder,
    [switch]$Hybrid
  )
  if ($StateFolder) {
    $env:XCERT_SIM_STATE = $StateFolder
  }
  $folder = Get-SimStateFolder
  [void][IO.Directory]::CreateDirectory($folder)
  if ([IO.File]::Exists((Get-SimOrgPath))) {
    throw ('a simulated organisation already exists in ' + $folder + '; use an empty folder')
  }
  $start = (Get-SimSecond).AddMinutes(-5)
  # Install-AuthCertificate: exportable, no SAN, 1800 days (reference §3.1).
  $auth = New-SimRsaCertificate ([X500DistinguishedName]::new('CN=Microsoft Exchange Server Auth Certificate')) @() 2048 `
    $start $start.AddDays(1800) ''
  $accepted = @($Domain)
  foreach ($extra in @($AcceptedDomain)) {
    if ($extra -and $accepted -notcontains $extra) {
      $accepted += $extra
    }
  }
  $hybridConfiguration = $null
  if ($Hybrid) {
    $hybridConfiguration = [ordered]@{
      Name = 'Hybrid Configuration'; Domains = @($accepted); Features = @('FreeBusy', 'MoveMailbox', 'Mailtips', 'MessageTracking', 'OwaRedirection', 'OnlineArchive', 'SecureMail', 'Photos')
      OnPremisesSmartHost = ('mail.' + $Domain); ReceivingTransportServers = @(); SendingTransportServers = @()
      EdgeTransportServers = @(); ClientAccessServers = @(); ExternalIPAddresses = @(); ServiceInstance = 0
      TlsCertificateName = $null
    }
  }
  $org = [ordered]@{
    Name = $Name
    Domain = $Domain
    AcceptedDomains = $accepted
    AuthCertificate = (New-SimEntry $auth.Certificate @{
        Exportable = $true; FriendlyName = 'Microsoft Exchange Server Auth Certificate'; NetworkServiceAllowed = $true })
    AuthConfig = [ordered]@{
      CurrentCertificateThumbprint = $auth.Certificate.Thumbprint
      PreviousCertificateThumbprint = ''
      NextCertificateThumbprint = ''
      NextCertificateEffectiveDate = $null
      ServiceName = '00000002-0000-0ff1-ce00-000000000000'
      Realm = ''
    }
    TrustedRoots = @()
    FederationCertificateThumbprints = @()
    SendConnectors = @()
    EdgeSubscriptions = @()
    HybridConfiguration = $hybridConfiguration
  }
  Save-SimOrg $org
  Write-SimLog 'organization'
  return [pscustomobject]@{ Name = $Name; Domain = $Domain; StateFolder = $folder; AuthCertificateThumbprint = $auth.Certificate.Thumbprint }
}

function Add-ExchangeSimServer {
  <#
  .SYNOPSIS
    Adds a server as Exchange setup leaves it. Mailbox: the self-signed "Microsoft Exchange"
    certificate (CN=<name>, DNS names name and FQDN, non-exportable, in Trusted Root) bound to
    the Default Web Site (:443, 127.0.0.1:443) and the Exchange Back End (:444), the internal
    transport certificate, POP/IMAP named by the FQDN; the organisation's Auth certificate; the
    WMSvc-SHA2 certificate; the default Receive connectors. Edge: its self-signed certificate
    as internal transport certificate, no IIS, POP or IMAP.
  #>
  [CmdletBinding()]
  param(
    [Parameter(Mandatory = $true)] [string]$Name,
    [string]$Fqdn,
    [ValidateSet('2013', '2016', '2019', 'SE')] [string]$Version = '2019',
    [ValidateSet('Mailbox', 'Edge')] [string]$Role = 'Mailbox',
    [string]$Site = 'Default-First-Site-Name',
    [ValidateSet('TCP', 'TLS', 'Dual')] [string]$UMStartupMode = 'TCP'
  )
  Invoke-SimLocked {
    $org = Read-SimOrg
    if ($null -ne (Find-SimServer $Name)) {
      throw ('the simulated organisation already has a server ' + $Name)
    }
    if (-not $Fqdn) {
      $Fqdn = ($Name + '.' + $org.Domain).ToLowerInvariant()
    }
    $start = (Get-SimSecond).AddMinutes(-5)
    $default = New-SimRsaCertificate ([X500DistinguishedName]::new('CN=' + $Name)) @($Name, $Fqdn) 2048 $start $start.AddMonths(60) ''
    $defaultEntry = New-SimEntry $default.Certificate @{
      FriendlyName = 'Microsoft Exchange'; NetworkServiceAllowed = $true; InTrustedRoot = $true }
    $server = [ordered]@{
      Name = $Name
      Fqdn = $Fqdn
      Version = $Version
      Role = $Role
      Site = $Site
      Certificates = @($defaultEntry)
      CaCertificates = @()
      InternalTransportCertificateThumbprint = $default.Certificate.Thumbprint
      WebSites = @()
      AppPools = [ordered]@{}
      IisResets = @()
      Services = [ordered]@{}
      ImapSettings = $null
      PopSettings = $null
      ReceiveConnectors = @()
      UM = $null
      UMCallRouter = $null
      Faults = [ordered]@{}
    }
    $services = [ordered]@{
      MSExchangeTransport = 'Microsoft Exchange Transport'; MSExchangeServiceHost = 'Microsoft Exchange Service Host'
    }
    if ($Role -eq 'Edge') {
      $services['ADAM_MSExchange'] = 'Microsoft Exchange ADAM'
      $services['MSExchangeEdgeCredential'] = 'Microsoft Exchange Credential Service'
      $server.ReceiveConnectors = @(New-SimReceiveConnector ('Default internal receive connector ' + $Name) $Fqdn 'HubTransport' 25 'AnonymousUsers, ExchangeServers, Partners')
    } else {
      $authEntry = [ordered]@{}
      foreach ($key in $org.AuthCertificate.Keys) {
        $authEntry[$key] = $org.AuthCertificate[$key]
      }
      $current = $org.AuthConfig.CurrentCertificateThumbprint
      foreach ($other in Get-SimAllServers) {
        $replica = Find-SimEntry $other $current
        if ($null -ne $replica) {
          $authEntry = $replica
          break
        }
      }
      $wmsvc = New-SimRsaCertificate ([X500DistinguishedName]::new('CN=WMSvc-SHA2-' + $Name)) @() 2048 $start $start.AddYears(10) ''
      $server.Certificates = @($defaultEntry, $authEntry, (New-SimEntry $wmsvc.Certificate @{
            Exportable = $true; FriendlyName = 'WMSVC-SHA2'; InTrustedRoot = $true }))
      $thumbprint = $default.Certificate.Thumbprint
      $server.WebSites = @(
        [ordered]@{ Name = 'Default Web Site'; Id = 1; RequireSsl = $false; Bindings = @(
            [ordered]@{ protocol = 'http'; bindingInformation = '*:80:'; certificateHash = ''; certificateStoreName = ''; sslFlags = 0 },
            [ordered]@{ protocol = 'https'; bindingInformation = ':443:'; certificateHash = $thumbprint; certificateStoreName = 'MY'; sslFlags = 0 },
            [ordered]@{ protocol = 'http'; bindingInformation = '127.0.0.1:80:'; certificateHash = ''; certificateStoreName = ''; sslFlags = 0 },
            [ordered]@{ protocol = 'https'; bindingInformation = '127.0.0.1:443:'; certificateHash = $thumbprint; certificateStoreName = 'MY'; sslFlags = 0 }) },
        [ordered]@{ Name = 'Exchange Back End'; Id = 2; RequireSsl = $false; Bindings = @(
            [ordered]@{ protocol = 'http'; bindingInformation = '*:81:'; certificateHash = ''; certificateStoreName = ''; sslFlags = 0 },
            [ordered]@{ protocol = 'https'; bindingInformation = '*:444:'; certificateHash = $thumbprint; certificateStoreName = 'MY'; sslFlags = 0 }) })
      foreach ($pool in @('DefaultAppPool', 'MSExchangeOWAAppPool', 'MSExchangeECPAppPool', 'MSExchangeServicesAppPool',
          'MSExchangeAutodiscoverAppPool', 'MSExchangeSyncAppPool', 'MSExchangeRpcProxyAppPool', 'MSExchangeMapiFrontEndAppPool',
          'MSExchangePowerShellFrontEndAppPool')) {
        $server.AppPools[$pool] = [ordered]@{ Restarts = 0 }
      }
      $services['MSExchangeFrontEndTransport'] = 'Microsoft Exchange Frontend Transport'
      $services['MSExchangeIMAP4'] = 'Microsoft Exchange IMAP4'
      $services['MSExchangeIMAP4BE'] = 'Microsoft Exchange IMAP4 Backend'
      $services['MSExchangePOP3'] = 'Microsoft Exchange POP3'
      $services['MSExchangePOP3BE'] = 'Microsoft Exchange POP3 Backend'
      $services['MSExchangeIS'] = 'Microsoft Exchange Information Store'
      $services['MSExchangeEdgeSync'] = 'Microsoft Exchange EdgeSync'
      $services['W3SVC'] = 'World Wide Web Publishing Service'
      $services['WAS'] = 'Windows Process Activation Service'
      $server.ImapSettings = New-SimSettings 'IMAP4' $Fqdn 993 143
      $server.PopSettings = New-SimSettings 'POP3' $Fqdn 995 110
      $server.ReceiveConnectors = @(
        (New-SimReceiveConnector ('Default ' + $Name) $Fqdn 'HubTransport' 2525 'ExchangeUsers, ExchangeServers, ExchangeLegacyServers'),
        (New-SimReceiveConnector ('Client Proxy ' + $Name) $Fqdn 'HubTransport' 465 'ExchangeUsers, ExchangeServers'),
        (New-SimReceiveConnector ('Default Frontend ' + $Name) $Fqdn 'FrontendTransport' 25 'AnonymousUsers, ExchangeServers, ExchangeLegacyServers'),
        (New-SimReceiveConnector ('Outbound Proxy Frontend ' + $Name) $Fqdn 'FrontendTransport' 717 'ExchangeServers'),
        (New-SimReceiveConnector ('Client Frontend ' + $Name) $Fqdn 'FrontendTransport' 587 'ExchangeUsers'))
      if (@('2013', '2016') -contains $Version) {
        $services['MSExchangeUM'] = 'Microsoft Exchange Unified Messaging'
        $services['MSExchangeUMCR'] = 'Microsoft Exchange Unified Messaging Call Router'
        $server.UM = [ordered]@{ UMStartupMode = $UMStartupMode; UMCertificateThumbprint = '' }
        $server.UMCallRouter = [ordered]@{ UMStartupMode = $UMStartupMode; UMCertificateThumbprint = '' }
      }
    }
    foreach ($serviceName in $services.Keys) {
      $server.Services[$serviceName] = [ordered]@{ DisplayName = $services[$serviceName]; Status = 'Running'; Restarts = 0 }
    }
    Save-SimServer $server
    [pscustomobject]@{ Name = $Name; Fqdn = $Fqdn; Version = $Version; Role = $Role; DefaultCertificateThumbprint = $default.Certificate.Thumbprint }
  }
}

function Add-ExchangeSimTrustedRoot {
  <#
  .SYNOPSIS
    Trusts a CA on every server of the organisation (as an enterprise or GPO-deployed root
    would be): certificates that chain to it show Status Valid and this RootCAType.
  #>
  [CmdletBinding()]
  param(
    [Parameter(Mandatory = $true)] [X509Certificate2]$Certificate,
    [ValidateSet('ThirdParty', 'Enterprise', 'GroupPolicy', 'Registry')] [string]$Store = 'ThirdParty'
  )
  Invoke-SimLocked {
    $org = Read-SimOrg
    $org.TrustedRoots = @($org.TrustedRoots) + @([ordered]@{ Der = [Convert]::ToBase64String($Certificate.RawData); Store = $Store })
    Save-SimOrg $org
  }
}

function Add-ExchangeSimSendConnector {
  <#
  .SYNOPSIS
    Adds a Send connector to the organisation (New-SendConnector is not simulated).
  #>
  [CmdletBinding()]
  param(
    [Parameter(Mandatory = $true)] [string]$Name,
    [string[]]$AddressSpaces = @('SMTP:*;1'),
    [string[]]$SourceTransportServers = @(),
    [string]$Fqdn,
    [string]$TlsCertificateName
  )
  Invoke-SimLocked {
    $org = Read-SimOrg
    $org.SendConnectors = @($org.SendConnectors) + @([ordered]@{
        Name = $Name; AddressSpaces = $AddressSpaces; SourceTransportServers = $SourceTransportServers
        Fqdn = $(if ($Fqdn) { $Fqdn } else { $null }); TlsCertificateName = $(if ($TlsCertificateName) { $TlsCertificateName } else { $null })
        DNSRoutingEnabled = $true; SmartHosts = @(); RequireTLS = $false; Enabled = $true })
    Save-SimOrg $org
  }
}

function Set-ExchangeSimFault {
  <#
  .SYNOPSIS
    Makes one command fail on one server (e.g. Get-TransportService with "Access is denied."),
    or iisreset exit with a code; -Clear removes the fault.
  #>
  [CmdletBinding()]
  param(
    [Parameter(Mandatory = $true)] [string]$Server,
    [Parameter(Mandatory = $true)] [string]$Command,
    [string]$Message = 'Access is denied.',
    [string]$Category = 'PermissionDenied',
    [int]$ExitCode = 1,
    [switch]$Clear
  )
  Invoke-SimLocked {
    $target = Find-SimServer $Server
    if ($null -eq $target) {
      throw ('no simulated server ' + $Server)
    }
    if ($Clear) {
      $target.Faults.Remove($Command)
    } else {
      $target.Faults[$Command] = [ordered]@{ Message = $Message; Category = $Category; ExitCode = $ExitCode }
    }
    Save-SimServer $target
  }
}

function Set-ExchangeSimCertificates {
  <#
  .SYNOPSIS
    Replaces a server's certificates and what uses them, for tests that start from a store they
    made themselves (the C++ Store contract suite over the simulator): each certificate from a
    PKCS#12 with its key (Pfx, Password) or from its DER; SMTP by the key's NETWORK SERVICE
    permission (Smtp); by thumbprint, the Default Web Site's https bindings (-Iis), the Exchange
    Back End's (-IisBackEnd), the internal transport certificate and the organisation's current
    Auth certificate; POP and IMAP by X509CertificateName, as Exchange names them. -TrustedRoots
    (DER, base64) are trusted on every server, as an enterprise root would be.
  #>
  [CmdletBinding()]
  param(
    [Parameter(Mandatory = $true)] [string]$Server,
    [Parameter(Mandatory = $true)] [AllowEmptyCollection()] [object[]]$Certificates,
    [string]$Iis = '',
    [string]$IisBackEnd = '',
    [string]$InternalTransport = '',
    [string]$ImapName = '',
    [string]$PopName = '',
    [string]$AuthCertificate = '',
    [string[]]$TrustedRoots = @()
  )
  Invoke-SimLocked {
    foreach ($root in $TrustedRoots) {
      Add-ExchangeSimTrustedRoot -Certificate ([X509CertificateLoader]::LoadCertificate([Convert]::FromBase64String($root))) -Store 'Enterprise'
    }
    $target = Find-SimServer $Server
    if ($null -eq $target) {
      throw ('no simulated server ' + $Server)
    }
    $entries = foreach ($certificate in $Certificates) {
      $x509 = if ($certificate.Pfx) {
        [X509CertificateLoader]::LoadPkcs12([Convert]::FromBase64String($certificate.Pfx), [string]$certificate.Password,
          [X509KeyStorageFlags]::Exportable)
      } else {
        [X509CertificateLoader]::LoadCertificate([Convert]::FromBase64String($certificate.Der))
      }
      New-SimEntry $x509 @{ FriendlyName = [string]$certificate.FriendlyName; Exportable = [bool]$certificate.Exportable
        NetworkServiceAllowed = [bool]$certificate.Smtp }
    }
    $target.Certificates = @($entries)
    $target.InternalTransportCertificateThumbprint = (ConvertTo-SimThumbprint $InternalTransport)
    foreach ($site in @($target.WebSites)) {
      foreach ($binding in @($site.Bindings | Where-Object { $_.protocol -eq 'https' })) {
        $binding.certificateHash = ConvertTo-SimThumbprint $(if ($site.Id -eq 2) { $IisBackEnd } else { $Iis })
      }
    }
    if ($null -ne $target.ImapSettings) {
      $target.ImapSettings.X509CertificateName = $ImapName
    }
    if ($null -ne $target.PopSettings) {
      $target.PopSettings.X509CertificateName = $PopName
    }
    Save-SimServer $target
    if ($AuthCertificate) {
      $org = Read-SimOrg
      $auth = Find-SimEntry $target $AuthCertificate
      if ($null -eq $auth) {
        throw ('the Auth certificate ' + $AuthCertificate + ' is not among the certificates given')
      }
      $org.AuthCertificate = $auth
      $org.AuthConfig.CurrentCertificateThumbprint = $auth.Thumbprint
      Save-SimOrg $org
    }
  }
}

function Get-ExchangeSimState {
  <#
  .SYNOPSIS
    The raw state of a server (or, with -Organization, of the organisation) for assertions:
    what a check on a real server would read (bindings, services restarted, iisreset runs...).
  #>
  [CmdletBinding(DefaultParameterSetName = 'Server')]
  param(
    [Parameter(Mandatory = $true, ParameterSetName = 'Server', Position = 0)] [string]$Server,
    [Parameter(Mandatory = $true, ParameterSetName = 'Organization')] [switch]$Organization
  )
  if ($Organization) {
    return (Read-SimOrg)
  }
  $found = Find-SimServer $Server
  if ($null -eq $found) {
    throw ('no simulated server ' + $Server)
  }
  return $found
}

function Get-ExchangeSimProblem {
  <#
  .SYNOPSIS
    What is broken in the simulated organisation, one line each: references to certificates
    that are gone or expired (IIS bindings, internal transport, Auth, POP/IMAP names, UM,
    connectors) and Edge Subscriptions made with another certificate. Empty when healthy.
  #>
  [CmdletBinding()]
  param()
  $org = Read-SimOrg
  $servers = Get-SimAllServers
  $now = [DateTime]::Now
  $problems = [List[string]]::new()
  foreach ($server in $servers) {
    $usable = @{}
    foreach ($entry in @($server.Certificates)) {
      if ($entry.Store -eq 'My' -and $entry.Pfx) {
        $usable[$entry.Thumbprint] = Get-SimX509 $entry
      }
    }
    $check = {
      param([string]$What, [string]$Thumbprint)
      if (-not $Thumbprint) {
        return
      }
      if (-not $usable.ContainsKey($Thumbprint)) {
        $problems.Add(('{0}: {1} names {2}, which is not in the certificate store' -f $server.Name, $What, $Thumbprint))
      } elseif ($usable[$Thumbprint].NotAfter -lt $now) {
        $problems.Add(('{0}: {1} names {2}, which expired on {3:yyyy-MM-dd}' -f $server.Name, $What, $Thumbprint, $usable[$Thumbprint].NotAfter))
      }
    }
    foreach ($site in @($server.WebSites)) {
      foreach ($binding in @($site.Bindings)) {
        if ($binding.protocol -eq 'https') {
          & $check ('the ' + $site.Name + ' binding ' + $binding.bindingInformation) $binding.certificateHash
        }
      }
    }
    & $check 'the internal transport certificate' (Get-SimInternalTransport $server)
    if ($server.Role -ne 'Edge') {
      & $check 'the current Auth certificate' $org.AuthConfig.CurrentCertificateThumbprint
      & $check 'the next Auth certificate' $org.AuthConfig.NextCertificateThumbprint
      foreach ($pair in @(@('IMAP', $server.ImapSettings), @('POP', $server.PopSettings))) {
        $name = $pair[1].X509CertificateName
        if ($name) {
          $covered = @($usable.Values | Where-Object { @(Get-SimCertificateDomains $_) -contains $name })
          if ($covered.Count -eq 0) {
            $problems.Add(('{0}: no certificate carries the {1} name {2} (X509CertificateName)' -f $server.Name, $pair[0], $name))
          }
        }
      }
    }
    if ($null -ne $server.UM) {
      & $check 'the UM certificate' $server.UM.UMCertificateThumbprint
      & $check 'the UM call router certificate' $server.UMCallRouter.UMCertificateThumbprint
    }
    foreach ($connector in @($server.ReceiveConnectors)) {
      if ($connector.TlsCertificateName) {
        $matching = @($usable.Values | Where-Object { ('<I>' + $_.Issuer + '<S>' + $_.Subject) -eq $connector.TlsCertificateName })
        if ($matching.Count -eq 0) {
          $problems.Add(('{0}: Receive connector {1} names {2}, which no certificate in the store matches' -f
              $server.Name, $connector.Name, $connector.TlsCertificateName))
        }
      }
    }
  }
  foreach ($connector in @($org.SendConnectors)) {
    if (-not $connector.TlsCertificateName) {
      continue
    }
    foreach ($sourceName in @($connector.SourceTransportServers)) {
      $source = @($servers | Where-Object { $_.Name -ieq $sourceName }) | Select-Object -First 1
      if ($null -eq $source) {
        continue
      }
      $matching = @($source.Certificates | Where-Object { $_.Store -eq 'My' -and $_.Pfx } | ForEach-Object { Get-SimX509 $_ } |
          Where-Object { ('<I>' + $_.Issuer + '<S>' + $_.Subject) -eq $connector.TlsCertificateName })
      if ($matching.Count -eq 0) {
        $problems.Add(('{0}: Send connector {1} names {2}, which no certificate in the store matches' -f
            $source.Name, $connector.Name, $connector.TlsCertificateName))
      }
    }
  }
  foreach ($subscription in @($org.EdgeSubscriptions)) {
    $edge = @($servers | Where-Object { $_.Name -ieq $subscription.Name }) | Select-Object -First 1
    if ($null -ne $edge -and $subscription.EdgeCertificateThumbprint -and
        (Get-SimInternalTransport $edge) -ne $subscription.EdgeCertificateThumbprint) {
      $problems.Add(('{0}: its internal transport certificate changed after it subscribed; re-create the Edge Subscription' -f $edge.Name))
    }
  }
  return $problems.ToArray()
}

#endregion

# Exchange Management Shell takes seconds to start; tests that measure sessions
# give the simulator that cost (XCERT_SIM_START_COST, seconds) and a cost per
# cmdlet call (XCERT_SIM_CALL_COST). Every start is logged in sim.log.
Wait-SimCost 'XCERT_SIM_START_COST'
Write-SimLog 'start'

# The commands of the shell: all of them for tests that call the simulator
# directly; in the shell of one server ($env:COMPUTERNAME, set by ems.ps1)
# only those that server's Exchange Management Shell has: no Unified
# Messaging cmdlets after Exchange 2016, and on an Edge Transport server none
# of AuthConfig, POP/IMAP, hybrid or UM.
$exports = [List[string]]::new([string[]]@(
    'Get-ExchangeCertificate', 'New-ExchangeCertificate', 'Import-ExchangeCertificate', 'Enable-ExchangeCertificate',
    'Export-ExchangeCertificate', 'Remove-ExchangeCertificate', 'Get-AuthConfig', 'Set-AuthConfig', 'Get-ExchangeServer',
    'Get-TransportService', 'Get-ImapSettings', 'Set-ImapSettings', 'Get-PopSettings', 'Set-PopSettings',
    'Get-ReceiveConnector', 'Set-ReceiveConnector', 'Get-SendConnector', 'Set-SendConnector', 'Get-HybridConfiguration',
    'Set-HybridConfiguration', 'New-EdgeSubscription', 'Get-EdgeSubscription', 'Get-UMService', 'Set-UMService',
    'Get-UMCallRouterSettings', 'Set-UMCallRouterSettings', 'Get-Service', 'Restart-Service', 'iisreset',
    'New-ExchangeSimOrganization', 'Add-ExchangeSimServer', 'Add-ExchangeSimTrustedRoot', 'Add-ExchangeSimSendConnector',
    'Set-ExchangeSimFault', 'Set-ExchangeSimCertificates', 'Get-ExchangeSimState', 'Get-ExchangeSimProblem'))
$shellServer = $null
if ((Get-SimLocalName) -and $env:XCERT_SIM_STATE) {
  $shellServer = Find-SimServer (Get-SimLocalName)
}
if ($null -ne $shellServer) {
  $absent = @('Get-UMService', 'Set-UMService', 'Get-UMCallRouterSettings', 'Set-UMCallRouterSettings')
  if ($shellServer.Role -eq 'Edge') {
    $absent += @('Get-AuthConfig', 'Set-AuthConfig', 'Get-ImapSettings', 'Set-ImapSettings', 'Get-PopSettings',
      'Set-PopSettings', 'Get-HybridConfiguration', 'Set-HybridConfiguration')
  } elseif (@('2013', '2016') -contains $shellServer.Version) {
    $absent = @()
  }
  foreach ($name in $absent) {
    [void]$exports.Remove($name)
  }
}
Set-Alias -Name 'iisreset.exe' -Value 'iisreset'
Export-ModuleMember -Alias 'iisreset.exe' -Function $exports.ToArray()
