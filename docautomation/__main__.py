"""`python -m docautomation` runs the command line."""

from .cli import main

main()
