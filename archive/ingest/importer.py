"""Import from paths: files, folders, zips, archive JSON and CSV; one report entry per piece.

`import_paths(paths, ...)` first lists the units of work (a file, an item of a JSON/CSV file, an
entry of a zip) so a progress bar knows the total, then imports each unit on its own: a bad unit
becomes a `failed` entry and the others go on.
"""

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from archive.articles.signals import bulk_writes
from archive.ingest.archive_json import FileFormatError, load_csv_items, load_json_items
from archive.ingest.draft import ExtractionError
from archive.ingest.extract import extract_file
from archive.ingest.files import EXTENSIONS, Limits, check_file, check_zip
from archive.ingest.services import FAILED, ImportResult, Original, import_draft, import_item


@dataclass
class Unit:
    source: str
    kind: str  # "item", "file", "error"
    item: object = None
    number: int = 0
    data: bytes = b""
    error: str = ""


def _read(path, limits):
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise ExtractionError(
            f"{path.name} is {size / 1048576:.1f} MB; the limit is {limits.max_file_bytes / 1048576:.1f} MB "
            "(ARCHIVE_INGEST_MAX_FILE_BYTES)."
        )
    return path.read_bytes()


def _units_of_bytes(data, source, limits):
    name = PurePosixPath(source.split("#")[0]).name
    try:
        fmt = check_file(data, name, limits)
    except ExtractionError as error:
        return [Unit(source, "error", error=str(error))]
    if fmt in {"json", "csv"}:
        try:
            items = (
                load_json_items(data, filename=name) if fmt == "json" else load_csv_items(data, filename=name)
            )
        except FileFormatError as error:
            return [Unit(source, "error", error=str(error))]
        if not items:
            return [Unit(source, "error", error=f"{name} holds no articles.")]
        return [Unit(f"{source}#{n}", "item", item=item, number=n) for n, item in enumerate(items, 1)]
    if fmt == "zip":
        return _units_of_zip(data, source, limits)
    return [Unit(source, "file", data=data)]


def _units_of_zip(data, source, limits):
    try:
        archive = check_zip(data, filename=PurePosixPath(source).name, limits=limits)
    except ExtractionError as error:
        return [Unit(source, "error", error=str(error))]
    units = []
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            member = PurePosixPath(info.filename)
            if info.is_dir() or any(part.startswith((".", "__MACOSX")) for part in member.parts):
                continue
            where = f"{source}/{info.filename}"
            if member.suffix.lower() == ".zip":
                units.append(Unit(where, "error", error=f"{member.name}: zips inside zips are not imported."))
                continue
            if EXTENSIONS.get(member.suffix.lower()) is None:
                units.append(
                    Unit(
                        where,
                        "error",
                        error=f"{member.name}: files of type “{member.suffix}” are not imported.",
                    )
                )
                continue
            if info.file_size > limits.max_file_bytes:
                units.append(Unit(where, "error", error=f"{member.name} is larger than the file limit."))
                continue
            try:
                with archive.open(info) as handle:
                    content = handle.read(limits.max_file_bytes + 1)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:
                units.append(
                    Unit(where, "error", error=f"{member.name} cannot be read from the zip ({error}).")
                )
                continue
            units.extend(_units_of_bytes(content, where, limits))
    return units


def collect_units(paths, limits):
    """The units of work under `paths`, in a stable order."""
    units = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    units.extend(_units_of_path(Path(root) / name, limits))
        elif path.is_file():
            units.extend(_units_of_path(path, limits))
        else:
            units.append(Unit(str(path), "error", error=f"{path} does not exist."))
    return units


def _units_of_path(path, limits):
    try:
        data = _read(path, limits)
    except (ExtractionError, OSError) as error:
        return [Unit(str(path), "error", error=str(error))]
    return _units_of_bytes(data, str(path), limits)


def import_unit(unit, *, defaults, dry_run, limits=None):
    if unit.kind == "error":
        return ImportResult(unit.source, FAILED, error=unit.error)
    if unit.kind == "item":
        return import_item(
            unit.item, source=unit.source, item=unit.number, default_status="published", dry_run=dry_run
        )
    name = PurePosixPath(unit.source).name
    try:
        draft = extract_file(unit.data, filename=name, limits=limits)
    except ExtractionError as error:
        return ImportResult(unit.source, FAILED, error=str(error))
    return import_draft(
        draft, source=unit.source, original=Original(unit.data, name), defaults=defaults, dry_run=dry_run
    )


def import_paths(paths, *, defaults=None, dry_run=False, progress=None):
    """Import everything under `paths`; returns the list of ImportResults (the report)."""
    limits = Limits.from_settings()
    units = collect_units(paths, limits)
    results = []
    # Each piece commits on its own; whatever follows saves (the search index) catches up once,
    # at the end, instead of beside every piece.
    with bulk_writes():
        for n, unit in enumerate(units, 1):
            results.append(import_unit(unit, defaults=defaults or {}, dry_run=dry_run, limits=limits))
            if progress:
                progress(n, len(units), results[-1])
    return results
