"""The command line: a thin layer over the library, and the console text it prints."""

from .main import main

__all__ = ["main"]
