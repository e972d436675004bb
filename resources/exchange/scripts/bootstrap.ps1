& ([scriptblock]::Create([Console]::In.ReadToEnd()))  # xcert: run the rest of stdin as one script block (docs/exchange.md)
