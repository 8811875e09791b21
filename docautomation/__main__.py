"""`python -m docautomation` runs the command line."""

from .cli.main import main

main()
