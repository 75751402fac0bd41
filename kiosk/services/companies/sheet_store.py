"""An uploaded company list waiting for its import to be confirmed: kept as the rows it held
(not the file) in a folder of the server's own, under a random token the staff member's signed
session carries, for EXPIRES seconds. Confirming needs no second upload, and the rows are judged
again against the list as it is then."""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from kiosk.services.companies.sheets import Sheet, SheetRow

EXPIRES = 30 * 60  # seconds an upload waits for its confirmation
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


@dataclass(frozen=True)
class Pending:
    """An upload waiting: its rows, the file's name and who uploaded it."""

    sheet: Sheet
    filename: str
    staff_id: int


def _path(folder: Path, token: str) -> Path | None:
    if not _TOKEN.match(token):
        return None
    # The file is named by the token's hash: the name on disk does not open the upload.
    return folder / (hashlib.sha256(token.encode()).hexdigest() + ".json")


def keep(folder: Path, sheet: Sheet, *, filename: str, staff_id: int, now: float) -> str:
    """Keep the rows of an upload; the token to find them again (once expired uploads of
    anyone are swept away)."""
    folder.mkdir(parents=True, exist_ok=True)
    sweep(folder, now)
    token = secrets.token_urlsafe(32)
    path = _path(folder, token)
    assert path is not None
    document = {
        "staff": staff_id,
        "file": filename[:200],
        "at": now,
        "columns": list(sheet.columns),
        "ignored": list(sheet.ignored),
        "encoding": sheet.encoding,
        "rows": [[row.line, row.cells] for row in sheet.rows],
    }
    partial = path.with_suffix(".part")
    with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        json.dump(document, out, ensure_ascii=False, separators=(",", ":"))
    os.replace(partial, path)
    return token


def fetch(folder: Path, token: str, *, staff_id: int, now: float) -> Pending | None:
    """The upload under `token` if it is this staff member's and has not expired."""
    path = _path(folder, token)
    if path is None or not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if document.get("staff") != staff_id or now - float(document.get("at", 0)) > EXPIRES:
        return None
    rows = [SheetRow(int(line), dict(cells)) for line, cells in document["rows"]]
    sheet = Sheet(
        rows, tuple(document["columns"]), tuple(document["ignored"]), str(document["encoding"])
    )
    return Pending(sheet, str(document["file"]), staff_id)


def drop(folder: Path, token: str) -> None:
    """Forget an upload (imported, or replaced by another)."""
    path = _path(folder, token)
    if path is not None:
        path.unlink(missing_ok=True)


def sweep(folder: Path, now: float) -> None:
    """Remove uploads that have expired."""
    for path in folder.glob("*.json"):
        try:
            if now - path.stat().st_mtime > EXPIRES:
                path.unlink(missing_ok=True)
        except OSError:
            continue
