"""The commands, one module per group of them; kpi/cli.py puts them on the kpi group."""
