"""Sending notification emails. Without SMTP settings nothing is sent: callers print
what would have been sent instead (useful for a first deployment and for cron logs).
Notifications never carry the content of anyone's input."""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


def smtp_configured(config: dict[str, Any]) -> bool:
    return bool(config.get("SMTP_HOST"))


def send(config: dict[str, Any], messages: Iterable[Message]) -> int:
    """Send over one SMTP connection; returns how many were sent."""
    sent = 0
    with smtplib.SMTP(
        config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=15
    ) as smtp:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("SMTP_USERNAME"):
            smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
        for message in messages:
            email = EmailMessage()
            email["From"] = config["MAIL_FROM"]
            email["To"] = message.to
            email["Subject"] = message.subject
            email.set_content(message.body)
            smtp.send_message(email)
            sent += 1
    return sent
