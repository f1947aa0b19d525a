"""Fixtures for single sign-on: the test provider, and a portal that trusts it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.sso.provider import CLIENT_ID, CLIENT_SECRET, TENANT, Provider, running

STAFF = "11111111-aaaa-4bbb-8ccc-000000000001"
MODERATORS = "11111111-aaaa-4bbb-8ccc-000000000002"
PLANNERS = "11111111-aaaa-4bbb-8ccc-000000000003"
NORTH_TEAM = "11111111-aaaa-4bbb-8ccc-000000000004"
UNMAPPED = "11111111-aaaa-4bbb-8ccc-000000000099"
BREAK_GLASS = "break.glass@council.example"


def sso_settings(provider: Provider, **overrides: object) -> dict[str, object]:
    return {
        "SSO_ISSUER": provider.issuer,
        "SSO_TENANT_ID": TENANT,
        "SSO_CLIENT_ID": CLIENT_ID,
        "SSO_CLIENT_SECRET": CLIENT_SECRET,
        "SSO_GROUP_ROLES": {
            STAFF: "contributor",
            MODERATORS: ["moderator", "contributor"],
            PLANNERS: "planner",
        },
        "SSO_GROUP_TEAMS": {NORTH_TEAM: "Assessment North"},
        "SSO_BREAK_GLASS_ACCOUNTS": [BREAK_GLASS],
        "SSO_MAX_AGE": 3600,
        **overrides,
    }


@pytest.fixture
def provider() -> Iterator[Provider]:
    with running() as running_provider:
        yield running_provider


@pytest.fixture
def sso_app(make_app: Callable[..., Flask], provider: Provider, app: Flask) -> Flask:
    return make_app(**sso_settings(provider))


@pytest.fixture
def sso_client(sso_app: Flask) -> FlaskClient:
    return sso_app.test_client()


def through_provider(client: FlaskClient, start: TestResponse) -> TestResponse:
    """Follow the portal's redirect to the provider, and the provider's back."""
    assert start.status_code == 302, start.get_data(as_text=True)[:500]
    answer = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def sso_sign_in(
    client: FlaskClient,
    provider: Provider,
    login: str,
    data: dict[str, str] | None = None,
    next_path: str | None = None,
) -> TestResponse:
    provider.sign_in_next(login)
    url = "/sign-in/sso" + (f"?next={next_path}" if next_path else "")
    return through_provider(client, client.post(url, data=data or {}))
