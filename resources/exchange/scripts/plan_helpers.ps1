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
