"""The words of an appeal's description, for finding similar appeals.

jieba cuts the description into words (its search mode also gives the words inside a longer
one: 地铁站 → 地铁, 铁站, 地铁站), as the keyboard cuts the building's names; what says nothing
about the problem (希望, 我们, 一直 …) is left out. A route or a number keeps its word (5路,
w105). Each appeal's words are cut once and kept in `appeal_words` beside it: an appeal filed
by any way (the terminal, a phone, a visit, an edge terminal's hand-over) is cut the first time
similar appeals are looked for, never on the tenant's side, so the terminal does not load
jieba's dictionary to take an appeal. The words of the open ones are also indexed by word
(`appeal_word`), in the same transaction; a change of status keeps the index in step
(kiosk/models/appeal_word_hooks.py).
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import Connection, Select, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.keyboard.building import _jieba
from kiosk.models import Appeal, AppealStatus, AppealWord, AppealWords
from kiosk.models.common_problem import word_rows

MAX_WORDS = 40  # an appeal's words kept, first ones first
CATCH_UP = 2_000  # appeals cut at most per look-up (a backlog is finished by the next ones)
BACK = 1_000  # ids below the newest cut appeal looked at again (ids are not committed in order)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_NUMBERED = re.compile(r"([0-9a-z]+)\s*(路|号线|号|栋|楼|层)")
# Words any appeal may use; they say nothing about which problem it is.
_STOP_WORDS = (
    "希望 我们 我司 公司 企业 问题 请问 帮忙 帮助 没有 一直 需要 什么 怎么 如何 可以 能否 是否 "
    "目前 现在 已经 还是 这个 那个 非常 比较 情况 相关 进行 解决 反映 咨询 了解 谢谢 麻烦 "
    "一下 有关 关于 因为 所以 但是 而且 或者 以及 其他 以上 以下 不能 不是 没法 无法 "
    "please help issue problem company the and for with"
)
STOP = frozenset(_STOP_WORDS.split(" "))


def words(text: str) -> list[str]:
    """The description's words that can tell one problem from another, each once, in order."""
    folded = unicodedata.normalize("NFKC", text).lower()
    found: dict[str, None] = {}
    for number, unit in _NUMBERED.findall(folded):
        found[number + unit] = None
    for word in _tokenizer().cut_for_search(folded, HMM=False):
        word = word.strip()
        if word in STOP or not word:
            continue
        if (len(word) >= 2 and _HAN.search(word)) or (word.isascii() and word.isalnum()):
            found[word] = None
    return list(found)[:MAX_WORDS]


def _tokenizer() -> Any:
    """jieba's tokenizer (the keyboard's: one dictionary a process), cached in the instance
    folder when there is an app."""
    folder = current_app.instance_path if has_app_context() else tempfile.gettempdir()
    return _jieba(Path(folder))


def fill(connection: Connection | Session, rows: Iterable[tuple[int, str]]) -> int:
    """Cut and keep the words of these (appeal id, description) rows; how many were cut.

    The words only (migration 0024 cuts with this, before the index of open appeals' words
    exists); `cut` also indexes them."""
    return len(_keep(connection, rows))


def cut(connection: Connection | Session, rows: Iterable[tuple[int, str]]) -> int:
    """Cut and keep the words of these (appeal id, description) rows, and index those of the
    appeals that are open, in the same transaction; how many were cut."""
    batch = _keep(connection, rows)
    if not batch:
        return 0
    table = Appeal.__table__  # past the session's scope, as `_uncut` reads them
    open_ids = set(
        connection.scalars(
            select(table.c.id).where(
                table.c.id.in_([row["appeal_id"] for row in batch]),
                table.c.status.in_([s for s in AppealStatus if s.is_open]),
            )
        )
    )
    index = [
        entry
        for row in batch
        if row["appeal_id"] in open_ids
        for entry in word_rows(row["appeal_id"], row["words"])
    ]
    if index:
        connection.execute(insert(AppealWord), index)
    return len(batch)


def _keep(
    connection: Connection | Session, rows: Iterable[tuple[int, str]]
) -> list[dict[str, Any]]:
    batch = [{"appeal_id": key, "words": " ".join(words(text))} for key, text in rows]
    if batch:
        connection.execute(insert(AppealWords), batch)
    return batch


def _uncut(db: Session) -> Select[Any]:
    """The appeals filed since the newest cut one (and a little before it) with no words yet.

    Every appeal is cut, whoever looks: they are read from the table, past the session's scope,
    for their words only (a look-up in one building must not leave another's uncut)."""
    table = Appeal.__table__
    newest = db.scalar(select(func.max(AppealWords.appeal_id)))
    cut = select(AppealWords.appeal_id).where(AppealWords.appeal_id == table.c.id)
    query = select(table.c.id, table.c.description).where(~cut.exists())
    if newest is not None:
        query = query.where(table.c.id > newest - BACK)
    return query


def waiting(db: Session) -> bool:
    """Whether an appeal waits to be cut."""
    return db.execute(_uncut(db).limit(1)).first() is not None


def catch_up(db: Session, limit: int = CATCH_UP) -> int:
    """Cut the appeals filed since the last look-up (at most `limit`); how many were cut."""
    rows = db.execute(_uncut(db).order_by(Appeal.__table__.c.id).limit(limit)).all()
    if not rows:
        return 0
    try:
        with db.begin_nested():
            return cut(db, [(row.id, row.description) for row in rows])
    except IntegrityError:
        return 0  # another look-up cut them at the same moment


def of(db: Session, appeal: Appeal) -> list[str]:
    """The appeal's words, as kept (or cut now, when they are not yet)."""
    kept = db.scalar(select(AppealWords.words).where(AppealWords.appeal_id == appeal.id))
    return kept.split() if kept is not None else words(appeal.description)
