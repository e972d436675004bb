# The Exchange simulator of xcert's tests (tests/exchange-sim/README.md). The
# function list lets PowerShell load the module on the first use of one of its
# commands, as the Exchange snap-in's commands are there in a real shell.
@{
  RootModule = 'ExchangeSim.psm1'
  ModuleVersion = '1.0.0'
  GUID = '4d1c0f0e-2b6a-4a53-9d4e-7c2f1e6a9b30'
  Author = 'xcert'
  Description = 'Exchange Server certificate cmdlets simulated over JSON state, for xcert''s tests.'
  PowerShellVersion = '7.2'
  CompatiblePSEditions = @('Core')
  FunctionsToExport = @(
    'Get-ExchangeCertificate', 'New-ExchangeCertificate', 'Import-ExchangeCertificate', 'Enable-ExchangeCertificate',
    'Export-ExchangeCertificate', 'Remove-ExchangeCertificate', 'Get-AuthConfig', 'Set-AuthConfig', 'Get-ExchangeServer',
    'Get-TransportService', 'Get-ImapSettings', 'Set-ImapSettings', 'Get-PopSettings', 'Set-PopSettings',
    'Get-ReceiveConnector', 'Set-ReceiveConnector', 'Get-SendConnector', 'Set-SendConnector', 'Get-HybridConfiguration',
    'Set-HybridConfiguration', 'New-EdgeSubscription', 'Get-EdgeSubscription', 'Get-UMService', 'Set-UMService',
    'Get-UMCallRouterSettings', 'Set-UMCallRouterSettings', 'Get-Service', 'Restart-Service', 'iisreset',
    'New-ExchangeSimOrganization', 'Add-ExchangeSimServer', 'Add-ExchangeSimTrustedRoot', 'Add-ExchangeSimSendConnector',
    'Set-ExchangeSimFault', 'Set-ExchangeSimCertificates', 'Get-ExchangeSimState', 'Get-ExchangeSimProblem')
  AliasesToExport = @('iisreset.exe')
  CmdletsToExport = @()
  VariablesToExport = @()
}
