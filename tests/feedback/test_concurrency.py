"""8 writers x 50 submissions at once, through the real app and the real submit path
(its read-before-write duplicate check included): every one is stored, none is lost
to "database is locked", on SQLite (file, WAL) and on PostgreSQL."""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.feedback.forms import new_form_token
from portal.models import EngagementRound, Role, Submission
from tests.conftest import reload, sign_in_as
from tests.factories import make_user, release_held
from tests.feedback.conftest import answers, form_url

WRITERS = 8
EACH = 50


def test_concurrent_writers_lose_nothing(
    app: Flask, session: Session, open_round: EngagementRound
) -> None:
    users = [make_user(session, Role.CONTRIBUTOR) for _ in range(WRITERS)]
    url = form_url(open_round)
    failures: list[str] = []
    start = threading.Barrier(WRITERS)

    def writer(index: int) -> None:
        client = app.test_client()
        sign_in_as(client, users[index])
        start.wait()
        for n in range(EACH):
            mode = "anonymous" if n % 3 == 0 else "named"
            response = client.post(
                url,
                data=answers(
                    mode=mode,
                    obstacles=f"writer {index} item {n}",
                    form_token=new_form_token(),
                ),
            )
            if response.headers.get("Location") != "/feedback/thank-you":
                failures.append(f"{index}/{n}: {response.status_code}")

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    reload(session)
    release_held(session)
    stored = session.scalar(select(func.count()).select_from(Submission))
    assert stored == WRITERS * EACH
