# Helpers of the Exchange simulator's Pester tests (dot-sourced by *.Tests.ps1).
# The oracle is .NET itself: CAs, requests and PKCS#12 files made here with
# System.Security.Cryptography, never with the simulator's own helpers.
using namespace System.Security.Cryptography
using namespace System.Security.Cryptography.X509Certificates

$script:SimRoot = $PSScriptRoot
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).ProviderPath

function Import-SimModule {
  Import-Module (Join-Path $script:SimRoot 'modules' 'ExchangeSim' 'ExchangeSim.psd1') -Force
}

# A fresh organisation in its own folder with the given servers; the shell is
# org-wide (COMPUTERNAME unset) unless a test sets it.
function New-TestOrganization([string]$Folder, [object[]]$Servers = @(@{ Name = 'EX01' })) {
  Remove-Item Env:COMPUTERNAME -ErrorAction SilentlyContinue
  $null = New-ExchangeSimOrganization -Name 'Contoso' -Domain 'contoso.com' -StateFolder $Folder
  foreach ($server in $Servers) {
    $null = Add-ExchangeSimServer @server
  }
}

# The error record a simulated command writes, or $null when it writes none.
function Get-Failure([scriptblock]$Command) {
  $ErrorActionPreference = 'Stop'
  try {
    $null = & $Command
  } catch {
    return $_
  }
  return $null
}

function Get-Sha1Hex([byte[]]$Data) {
  return [Convert]::ToHexString([SHA1]::HashData($Data))
}

function New-TestCa([string]$Name = 'Contoso Test Root') {
  $key = [RSA]::Create(2048)
  $request = [CertificateRequest]::new('CN=' + $Name, $key, [HashAlgorithmName]::SHA256, [RSASignaturePadding]::Pkcs1)
  $request.CertificateExtensions.Add([X509BasicConstraintsExtension]::new($true, $false, 0, $true))
  $request.CertificateExtensions.Add([X509KeyUsageExtension]::new([X509KeyUsageFlags]::KeyCertSign -bor [X509KeyUsageFlags]::CrlSign, $true))
  $request.CertificateExtensions.Add([X509SubjectKeyIdentifierExtension]::new($request.PublicKey, $false))
  $now = [DateTimeOffset]::UtcNow
  return $request.CreateSelfSigned($now.AddDays(-1), $now.AddYears(10))
}

function New-TestSerial {
  $serial = [byte[]]::new(12)
  [RandomNumberGenerator]::Fill($serial)
  $serial[0] = $serial[0] -band 0x7F
  return , $serial
}

# The CA's answer to a PKCS#10 request (DER), keeping the request's extensions (its SANs).
function Invoke-TestCaSign([X509Certificate2]$Ca, [byte[]]$Csr, [int]$Days = 365) {
  $request = [CertificateRequest]::LoadSigningRequest($Csr, [HashAlgorithmName]::SHA256,
    [CertificateRequestLoadOptions]::UnsafeLoadCertificateExtensions, [RSASignaturePadding]::Pkcs1)
  $now = [DateTimeOffset]::UtcNow
  return $request.Create($Ca, $now.AddMinutes(-5), $now.AddDays($Days), (New-TestSerial))
}

# A PKCS#12 (with the CA certificate in it when -Ca is given) made by .NET.
function New-TestPfx([string]$Subject, [string[]]$DnsNames, [string]$Password, [X509Certificate2]$Ca) {
  $key = [RSA]::Create(2048)
  $request = [CertificateRequest]::new($Subject, $key, [HashAlgorithmName]::SHA256, [RSASignaturePadding]::Pkcs1)
  $request.CertificateExtensions.Add([X509KeyUsageExtension]::new(
      [X509KeyUsageFlags]::DigitalSignature -bor [X509KeyUsageFlags]::KeyEncipherment, $true))
  $eku = [OidCollection]::new()
  [void]$eku.Add([Oid]::new('1.3.6.1.5.5.7.3.1'))
  $request.CertificateExtensions.Add([X509EnhancedKeyUsageExtension]::new($eku, $false))
  $san = [SubjectAlternativeNameBuilder]::new()
  foreach ($name in $DnsNames) {
    $san.AddDnsName($name)
  }
  $request.CertificateExtensions.Add($san.Build())
  $now = [DateTimeOffset]::UtcNow
  $collection = [X509Certificate2Collection]::new()
  if ($null -ne $Ca) {
    $issued = $request.Create($Ca, $now.AddMinutes(-5), $now.AddDays(365), (New-TestSerial))
    $leaf = [RSACertificateExtensions]::CopyWithPrivateKey($issued, $key)
    [void]$collection.Add($leaf)
    [void]$collection.Add([X509CertificateLoader]::LoadCertificate($Ca.RawData))
  } else {
    $leaf = $request.CreateSelfSigned($now.AddMinutes(-5), $now.AddDays(365))
    [void]$collection.Add($leaf)
  }
  return @{ Data = $collection.Export([X509ContentType]::Pkcs12, $Password); Thumbprint = $leaf.Thumbprint; Certificate = $leaf }
}

function ConvertTo-TestSecret([string]$Text) {
  return (ConvertTo-SecureString -String $Text -AsPlainText -Force)
}

# The marker of the sessions the tests open (xcert makes a random one).
$script:SessionMarker = 'XCERT-END 0123456789abcdef0123456789abcdef'

# What xcert writes first to a shell it starts (resources/exchange/
# script_protocol.cc SessionOpening): the marker line and bootstrap.ps1.
function New-XcertSessionOpening {
  $bootstrap = [IO.File]::ReadAllText((Join-Path $script:RepoRoot 'resources' 'exchange' 'scripts' 'bootstrap.ps1'))
  return "`$XcertSessionEnd = '$script:SessionMarker'`n" + $bootstrap
}

# One request (as BuildPayload makes it, and the marker line after it):
# common.ps1, prelude.ps1, the arguments line, the operation's script.
function New-XcertRequest([string]$Operation, [hashtable]$Arguments) {
  $scripts = Join-Path $script:RepoRoot 'resources' 'exchange' 'scripts'
  $text = ''
  foreach ($file in @('common.ps1', 'prelude.ps1')) {
    $text += [IO.File]::ReadAllText((Join-Path $scripts $file))
  }
  $json = ConvertTo-Json -InputObject $Arguments -Depth 5 -Compress
  $text += "`$XcertArgsBase64 = '" + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($json)) + "'`n"
  $text += [IO.File]::ReadAllText((Join-Path $scripts ($Operation + '.ps1')))
  return $text + $script:SessionMarker + "`n"
}

# The bytes xcert writes to a shell it starts for one operation.
function New-XcertPayload([string]$Operation, [hashtable]$Arguments) {
  return (New-XcertSessionOpening) + (New-XcertRequest $Operation $Arguments)
}

# Runs tests/exchange-sim/ems.ps1 in a new pwsh as xcert's transport would,
# with $Payload on stdin (then closed); returns the exit code, the output,
# every parsed XCERT-RESULT answer (Answers), the last one (Answer, or
# $null), and how many answers the session loop ended with its marker.
function Invoke-Ems([string]$Server, [string]$Payload, [string[]]$Extra = @()) {
  # run-tests.sh names the pwsh it found (a .NET tool's process is dotnet itself).
  $pwsh = if ($env:XCERT_PWSH) { $env:XCERT_PWSH } else { (Get-Command -Name pwsh -CommandType Application).Source }
  $start = [Diagnostics.ProcessStartInfo]::new($pwsh)
  foreach ($argument in @('-NoProfile', '-NonInteractive', '-File', (Join-Path $script:SimRoot 'ems.ps1'), '-Server', $Server) + $Extra) {
    $start.ArgumentList.Add($argument)
  }
  $start.RedirectStandardInput = $true
  $start.RedirectStandardOutput = $true
  $start.RedirectStandardError = $true
  $start.UseShellExecute = $false
  $clock = [Diagnostics.Stopwatch]::StartNew()
  $process = [Diagnostics.Process]::Start($start)
  $errorTask = $process.StandardError.ReadToEndAsync()
  $outputTask = $process.StandardOutput.ReadToEndAsync()
  $process.StandardInput.Write($Payload)
  $process.StandardInput.Close()
  $process.WaitForExit()
  $output = $outputTask.Result
  $answers = @()
  $ended = 0
  foreach ($line in $output -split "`n") {
    if ($line.StartsWith('XCERT-RESULT: ')) {
      $answers += , (ConvertFrom-Json -InputObject $line.Substring(14) -AsHashtable)
    }
    if ($line.TrimEnd() -eq $script:SessionMarker) {
      $ended++
    }
  }
  $answer = if ($answers.Count -gt 0) { $answers[-1] } else { $null }
  return @{ ExitCode = $process.ExitCode; Output = $output; Error = $errorTask.Result; Answer = $answer; Answers = $answers
    Ended = $ended; Seconds = $clock.Elapsed.TotalSeconds }
}
