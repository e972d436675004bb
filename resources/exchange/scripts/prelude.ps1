# xcert prelude: the functions every operation script uses (docs/exchange.md).
#
# xcert writes to the shell's stdin: bootstrap.ps1 (one line that runs the rest
# of stdin as one script block), common.ps1, this prelude, one arguments line
#   $XcertArgsBase64 = '<base64 of a UTF-8 JSON object>'
# and one operation script (list, get, create, import, enable, export or
# remove). Values never appear in script text: operations read them from the
# decoded arguments, so no name or password can change what a script does.
# Every operation prints exactly one line "XCERT-RESULT: {json}" (ASCII only):
#   {"ok":true, ...}                                          on success
#   {"ok":false,"error":"...","category":"...","command":"..."}  on failure
# Nothing in this file changes the server.

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$ConfirmPreference = 'None'

# Throws an error record with a PowerShell error category, for the checks
# xcert's scripts make before calling a cmdlet.
function Stop-Xcert([string]$Category, [string]$Message) {
  $exception = New-Object System.InvalidOperationException $Message
  $errorCategory = [System.Management.Automation.ErrorCategory]$Category
  $record = New-Object System.Management.Automation.ErrorRecord $exception, 'xcert', $errorCategory, $null
  throw $record
}

# The arguments xcert sent, decoded from $XcertArgsBase64.
function Get-XcertArgs {
  $text = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($XcertArgsBase64))
  ConvertFrom-Json -InputObject $text
}

# Prints the result line. Non-ASCII characters are written as \uXXXX so the
# answer survives any console code page between the server and xcert.
function Write-XcertResult($Result) {
  $json = ConvertTo-Json -InputObject $Result -Depth 10 -Compress
  $escape = [System.Text.RegularExpressions.MatchEvaluator] {
    param($match)
    '\u{0:x4}' -f [int][char]$match.Value
  }
  $ascii = [System.Text.RegularExpressions.Regex]::Replace($json, '[^\x20-\x7e]', $escape)
  [Console]::Out.WriteLine('XCERT-RESULT: ' + $ascii)
  [Console]::Out.Flush()
}

# Loads the Exchange cmdlets when the transport started plain PowerShell. The
# snap-in gives live objects (no serialization, so every attribute is there)
# and needs no second network logon, which an ssh session cannot make.
function Initialize-XcertShell {
  if (Get-Command -Name Get-ExchangeCertificate -ErrorAction SilentlyContinue) {
    return
  }
  foreach ($snapIn in @('Microsoft.Exchange.Management.PowerShell.SnapIn',
                        'Microsoft.Exchange.Management.PowerShell.E2010')) {
    if (Get-PSSnapin -Registered -Name $snapIn -ErrorAction SilentlyContinue) {
      Add-PSSnapin -Name $snapIn
      return
    }
  }
  Stop-Xcert 'ResourceUnavailable' ('Exchange Management Shell is not available on ' + $env:COMPUTERNAME +
    ': no Exchange snap-in is registered. Point the transport at an Exchange server (docs/exchange.md).')
}

# Runs one operation: the body returns a hashtable, which is printed with
# ok=true; any error is printed with ok=false and its category.
function Invoke-XcertOperation([scriptblock]$Body) {
  try {
    Initialize-XcertShell
    $result = @(& $Body) | Where-Object { $_ -is [hashtable] } | Select-Object -Last 1
    if ($null -eq $result) {
      $result = @{}
    }
    $result['ok'] = $true
    Write-XcertResult $result
  } catch {
    $failure = @{
      ok = $false
      error = [string]$_.Exception.Message
      category = [string]$_.CategoryInfo.Category
      command = [string]$_.InvocationInfo.MyCommand
    }
    Write-XcertResult $failure
  }
}
