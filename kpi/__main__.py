"""`python -m kpi` runs the command line."""

from kpi.cli import main

main()
