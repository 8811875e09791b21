"""Outputs a build no longer produces, moved into "<år>/Inaktuella/" with their .ics and PDF."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..fileio import make_folder
from .manifest import ManifestEntry, load_manifest, save_manifest
from .pdf import outdated_pdfs
from .writer import office_lock_files

log = logging.getLogger(__name__)

INACTIVE_FOLDER = "Inaktuella"
_MAX_NUMBER = 1000  # " (2)" … beside earlier copies; more means something else is wrong


@dataclass(frozen=True, slots=True)
class Retired:
    """What retire_obsolete did: files moved (from, to), and obsolete outputs left in place.

    An output is left when Word holds it open or the move is refused; it stays in the
    manifest, so a later build moves it.
    """

    moved: tuple[tuple[Path, Path], ...] = ()
    held: tuple[Path, ...] = ()


def retire_obsolete(outbox: Path, year: int, current: Sequence[str], pdf: bool) -> Retired:
    """Move the year's outputs that this build no longer produces into "<år>/Inaktuella/".

    An output is obsolete when the manifest says we wrote it under "<år>/" and the build's
    jobs (`current`, relative paths) no longer include it (a meeting deleted or moved to
    another date or type without an ID, a supplier renamed), nor the output a "(ny version)"
    stands beside. It keeps its path below the year: "2021/Kallelser/X.docx" goes to
    "2021/Inaktuella/Kallelser/X.docx", with the PDF beside it; a name already taken there
    gets " (2)", " (3)" … (the same number for a document and its companions). Nothing is
    deleted, and an edited output is moved like any other. A build without PDFs (`pdf`
    false) moves the PDF beside a current document too when it shows older content. Call it
    holding the outbox lock, only after a build without errors wrote its outputs.
    """
    root = Path(outbox)
    entries = load_manifest(root)
    wanted = {rel.casefold() for rel in current}
    obsolete = [rel for rel, entry in entries.items() if _is_obsolete(rel, entry, year, wanted)]
    retired = _retire_outputs(root, year, entries, obsolete) if obsolete else Retired()
    if pdf:
        return retired
    return Retired((*retired.moved, *_retire_outdated_pdfs(root, year, current)), retired.held)


def _retire_outputs(
    root: Path, year: int, entries: Mapping[str, ManifestEntry], obsolete: Sequence[str]
) -> Retired:
    kept = dict(entries)
    moved: list[tuple[Path, Path]] = []
    held: list[Path] = []
    for members in _groups(root, obsolete):
        for rel in members:
            if rel in kept and not os.path.lexists(root / rel):
                del kept[rel]  # gone already (someone removed it): nothing to move
        done, refused = _move_group(root, year, [m for m in members if os.path.lexists(root / m)])
        for rel, target in done:
            kept.pop(rel, None)
            moved.append((root / rel, target))
        held += [root / rel for rel in refused if rel in entries]
    if kept != entries:
        save_manifest(root, kept)
    return Retired(tuple(moved), tuple(held))


def _retire_outdated_pdfs(root: Path, year: int, current: Sequence[str]) -> list[tuple[Path, Path]]:
    """PDFs beside current documents that show an older version: with PDFs off, nothing would
    bring them up to date. One a reader holds open is tried again by a later build."""
    documents = [root / rel for rel in current if rel.lower().endswith(".docx")]
    moved: list[tuple[Path, Path]] = []
    for pdf in outdated_pdfs(root, documents):
        done, _ = _move_group(root, year, [pdf.relative_to(root).as_posix()])
        moved += [(root / rel, target) for rel, target in done]
    return moved


def _is_obsolete(rel: str, entry: ManifestEntry, year: int, wanted: set[str]) -> bool:
    parts = PurePosixPath(rel).parts
    if len(parts) < 2 or parts[0] != str(year) or parts[1].casefold() == INACTIVE_FOLDER.casefold():
        return False
    if rel.casefold() in wanted:
        return False
    return not (entry.intended and entry.intended.casefold() in wanted)


def _groups(root: Path, obsolete: Iterable[str]) -> list[list[str]]:
    """Obsolete outputs by folder and stem (a kallelse and its .ics), each with its PDF."""
    groups: dict[tuple[str, str], list[str]] = {}
    for rel in sorted(obsolete):
        path = PurePosixPath(rel)
        groups.setdefault((str(path.parent), path.stem), []).append(rel)
    for (folder, stem), members in groups.items():
        pdf = str(PurePosixPath(folder) / f"{stem}.pdf")
        docx = any(m.lower().endswith(".docx") for m in members)
        if docx and pdf not in members and (root / pdf).is_file():
            members.append(pdf)
    return list(groups.values())


def _move_group(
    root: Path, year: int, members: list[str]
) -> tuple[list[tuple[str, Path]], list[str]]:
    """Move the members that are free to go under one free number; returns (moved, left)."""
    free = [rel for rel in members if not _is_open(root / rel)]
    left = [rel for rel in members if rel not in free]
    if not free:
        return [], left
    targets = _free_targets(root, year, free)
    if targets is None:
        return [], members
    moved: list[tuple[str, Path]] = []
    for rel in free:
        target = targets[rel]
        try:
            make_folder(target.parent)  # never through a folder someone replaced by a link
            if os.path.lexists(target):
                raise FileExistsError(target)
            os.rename(root / rel, target)
        except OSError as exc:  # Windows refuses to move a file that is open; a planted link
            log.debug("Not moving %s now: %s", rel, exc)  # the build names it as left
            left.append(rel)
            continue
        moved.append((rel, target))
    return moved, left


def _free_targets(root: Path, year: int, members: list[str]) -> Mapping[str, Path] | None:
    """Each member's place under Inaktuella/, all with the first number free for every one."""
    for number in range(1, _MAX_NUMBER + 1):
        targets = {rel: _inactive_path(root, year, rel, number) for rel in members}
        if not any(os.path.lexists(target) for target in targets.values()):
            return targets
    return None


def _inactive_path(root: Path, year: int, rel: str, number: int) -> Path:
    below_year = PurePosixPath(rel).relative_to(str(year))
    name = below_year.name
    if number > 1:
        stem, dot, suffix = name.rpartition(".")
        name = f"{stem} ({number}).{suffix}" if dot and stem else f"{name} ({number})"
    return root / str(year) / INACTIVE_FOLDER / below_year.parent / name


def _is_open(path: Path) -> bool:
    return any(lock.exists() for lock in office_lock_files(path))
