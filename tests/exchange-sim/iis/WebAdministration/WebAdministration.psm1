# Get-WebBinding and Restart-WebAppPool over the Exchange simulator's IIS state
# of the local server ($env:COMPUTERNAME); the work is done in the simulator
# module's scope (tests/exchange-sim/modules/ExchangeSim).
Set-StrictMode -Version Latest

$script:Sim = Import-Module -Name (Join-Path $PSScriptRoot '..' '..' 'modules' 'ExchangeSim' 'ExchangeSim.psd1') -PassThru

function Get-WebBinding {
  # https://learn.microsoft.com/powershell/module/webadministration/get-webbinding
  [CmdletBinding()]
  param(
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
    [string]$Name,
    [Parameter(ValueFromPipelineByPropertyName = $true)]
    [string]$Protocol,
    [Parameter(ValueFromPipelineByPropertyName = $true)]
    [string]$Port,
    [Parameter(ValueFromPipelineByPropertyName = $true)]
    [string]$IPAddress,
    [Parameter(ValueFromPipelineByPropertyName = $true)]
    [string]$HostHeader
  )
  process {
    & $script:Sim { param($Cmdlet, $Bound) Invoke-SimGetWebBinding $Cmdlet $Bound } $PSCmdlet $PSBoundParameters
  }
}

function Restart-WebAppPool {
  # https://learn.microsoft.com/powershell/module/webadministration/restart-webapppool
  [CmdletBinding()]
  param(
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
    [string]$Name
  )
  process {
    & $script:Sim { param($Cmdlet, $Bound) Invoke-SimRestartWebAppPool $Cmdlet $Bound } $PSCmdlet $PSBoundParameters
  }
}

Export-ModuleMember -Function 'Get-WebBinding', 'Restart-WebAppPool'
