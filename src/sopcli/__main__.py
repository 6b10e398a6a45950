"""Lets `python -m sopcli` behave exactly like the `sop` command."""

from sopcli.cli import main

main()
