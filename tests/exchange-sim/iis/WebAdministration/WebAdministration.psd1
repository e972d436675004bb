# IIS's WebAdministration module as the Exchange simulator models it
# (tests/exchange-sim/README.md): tests/exchange-sim/ems.ps1 puts this folder on
# PSModulePath only for a server with IIS, so Get-Module -ListAvailable finds
# it where a real server has it.
@{
  RootModule = 'WebAdministration.psm1'
  ModuleVersion = '1.0.0'
  GUID = '0b7e6f5a-3c1d-4e2f-8a9b-1c2d3e4f5a6b'
  Author = 'xcert'
  Description = 'Get-WebBinding and Restart-WebAppPool over the Exchange simulator''s state.'
  PowerShellVersion = '7.2'
  CompatiblePSEditions = @('Core')
  FunctionsToExport = @('Get-WebBinding', 'Restart-WebAppPool')
  CmdletsToExport = @()
  VariablesToExport = @()
  AliasesToExport = @()
}
