<#
.SYNOPSIS
  Exchange Management Shell of one simulated server: the transport xcert's live
  store starts in the tests (tests/exchange-sim/README.md).

.DESCRIPTION
    transport: [pwsh, -NoProfile, -NonInteractive, -File, tests/exchange-sim/ems.ps1, -Server, "{server}"]

  Loads the simulator as Exchange Management Shell loads the Exchange snap-in
  (paying XCERT_SIM_START_COST), makes the shell run on -Server
  ($env:COMPUTERNAME, as on the server itself; IIS's WebAdministration module
  is found only on a server with IIS), then runs standard input as
  `powershell -Command -` does: each statement as soon as its lines have
  arrived, in one scope, so xcert's bootstrap line reads the requests that
  follow itself (resources/exchange/scripts/bootstrap.ps1), until stdin ends. With -Command, runs that
  text instead, e.g. -Command "& ./plan.ps1 -BackupPassword $pw".

  The exit code is what `powershell -Command` gives: the code of an `exit`
  statement, else 1 when the last statement failed, else 0.
#>
param(
  [string]$Server,
  [string]$StateFolder,
  [string]$Command
)

$__emsRoot = $PSScriptRoot
$__emsCommand = $Command
if ($StateFolder) {
  $env:XCERT_SIM_STATE = $StateFolder
}
if ($Server) {
  $env:COMPUTERNAME = $Server
}
# Imported by path (not found on PSModulePath), so a command this server's
# shell does not have is not found at all (ExchangeSim.psm1 chooses them).
$__emsSim = Import-Module -Name (Join-Path $__emsRoot 'modules' 'ExchangeSim' 'ExchangeSim.psd1') -PassThru -ErrorAction Stop
if ($Server) {
  $__emsServer = & $__emsSim { param($Name) Find-SimServer $Name } $Server
  if ($null -ne $__emsServer -and $__emsServer.Role -ne 'Edge') {
    $env:PSModulePath = (Join-Path $__emsRoot 'iis') + [System.IO.Path]::PathSeparator + $env:PSModulePath
  }
}
Remove-Variable -Name Server, StateFolder, Command, __emsServer, __emsSim, __emsRoot -ErrorAction SilentlyContinue

# Runs each top-level statement of $__emsBuffer in this scope and sets
# $__emsFailed as `powershell -Command` sets its exit status: from $? of the
# last statement. ($? after dot-sourcing a script block is true whatever its
# last command did, so each statement reads its own $? as it ends.)
$__emsRun = {
  $__emsErrors = $null
  $__emsTokens = $null
  $__emsAst = [System.Management.Automation.Language.Parser]::ParseInput($__emsBuffer, [ref]$__emsTokens, [ref]$__emsErrors)
  $__emsStatements = @($__emsAst.EndBlock.Statements | ForEach-Object { $_.Extent.Text })
  if ($__emsErrors.Count -gt 0) {
    $__emsStatements = @($__emsBuffer)
  }
  foreach ($__emsStatement in $__emsStatements) {
    $__emsOk = $false
    try {
      . ([scriptblock]::Create($__emsStatement + "`n" + '$__emsOk = $?'))
    } catch {
      [Console]::Error.WriteLine(($_ | Out-String).TrimEnd())
    }
    $__emsFailed = -not $__emsOk
  }
}

$__emsFailed = $false
if ($__emsCommand) {
  $__emsBuffer = $__emsCommand
  . $__emsRun
  exit $(if ($__emsFailed) { 1 } else { 0 })
}

$__emsBuffer = ''
while ($true) {
  $__emsLine = [Console]::In.ReadLine()
  if ($null -ne $__emsLine) {
    $__emsBuffer += $__emsLine + "`n"
    $__emsErrors = $null
    $__emsTokens = $null
    [void][System.Management.Automation.Language.Parser]::ParseInput($__emsBuffer, [ref]$__emsTokens, [ref]$__emsErrors)
    if (@($__emsErrors | Where-Object { $_.IncompleteInput }).Count -gt 0) {
      continue
    }
  }
  if ($__emsBuffer.Trim()) {
    . $__emsRun
  }
  $__emsBuffer = ''
  if ($null -eq $__emsLine) {
    break
  }
}
exit $(if ($__emsFailed) { 1 } else { 0 })
