"""The package's one exception tree; the CLI maps it to exit codes in one place.

DocAutomationError            any failure a user can act on (exit_code says which)
├── ConfigError               bad configuration, flag or usage                      → 2
├── TemplateError             a template is missing, malformed or uses unknown tags → 2
│   └── UnknownVariableError  a tag names a variable the documents do not have      → 2
├── UnreadableFileError       a register file is not a readable workbook            → 3
├── AlreadyRunningError       another watcher already serves this outbox            → 2
├── OutboxError               an output cannot be written safely                    → 1
│   └── OutboxBusyError       another build held the outbox too long                → 1
└── SyncError                 SharePoint sync failed (network, permission, path)    → 1
    └── AuthError             sign-in with msal failed                              → 2

FileHeldError (a PermissionError, never shown): another program holds a file open, so an
atomic replace stayed refused; callers write the new version beside it instead.
"""

from __future__ import annotations

from pathlib import Path

# What each exit code means, in the words the CLI's help, the watcher's log and `status` use.
EXIT_MEANINGS = {
    0: "klart",
    1: "registret har fel",
    2: "inställnings- eller mallfel",
    3: "filen går inte att läsa",
}


class DocAutomationError(Exception):
    """Base class: a problem the user can act on, reported as one line without a traceback."""

    exit_code = 1


class ConfigError(DocAutomationError):
    """Raised for a bad configuration file, environment variable, flag or argument."""

    exit_code = 2


class TemplateError(DocAutomationError):
    """Raised when a Word template cannot be loaded or rendered; names the template and the tag."""

    exit_code = 2


class UnknownVariableError(TemplateError):
    """Raised when a tag names a variable its documents do not have; `variable` names it."""

    def __init__(self, message: str, variable: str = "") -> None:
        super().__init__(message)
        self.variable = variable


class UnreadableFileError(DocAutomationError):
    """Raised when a register file is not a readable workbook (wrong format, corrupt, too large…)."""

    exit_code = 3

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")


class AlreadyRunningError(DocAutomationError):
    """Raised when a second watcher (or sync loop) is started for an outbox already served."""

    exit_code = 2


class OutboxError(DocAutomationError):
    """Raised when an output cannot be written safely (path outside the outbox, disk error)."""


class OutboxBusyError(OutboxError):
    """Raised when another build holds the outbox longer than the caller was willing to wait."""


class SyncError(DocAutomationError):
    """Raised when the SharePoint sync cannot complete (network, permission, path)."""

    exit_code = 1


class AuthError(SyncError):
    """Raised when msal cannot obtain a token (bad tenant, client, certificate or secret)."""

    exit_code = 2


class FileHeldError(PermissionError):
    """Raised when a file stays held open by another program (Word), so it cannot be replaced."""
