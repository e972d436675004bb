<#
.SYNOPSIS
  Runs the Exchange simulator's Pester suite (tests/exchange-sim/*.Tests.ps1);
  run-tests.sh pester calls it with the Pester module that scripts/setup installed.
#>
param(
  [Parameter(Mandatory = $true)]
  [string]$Pester
)
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
Import-Module -Name $Pester
$configuration = New-PesterConfiguration
$configuration.Run.Path = $PSScriptRoot
$configuration.Run.Exit = $true
$configuration.Output.Verbosity = 'Detailed'
Invoke-Pester -Configuration $configuration
