"""Outgoing mail for account messages, through a backend chosen by MAIL_BACKEND.

smtp: the server of MAIL_SERVER (production). log: written to the application log, so a developer
can follow a reset link without a mail server. memory: kept in a list for tests.
"""

import smtplib
from email.message import EmailMessage

from flask import current_app

OUTBOX_KEY = "pdplanner.outbox"


def _message(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def _log(message: EmailMessage) -> None:
    current_app.logger.warning("Mail (MAIL_BACKEND=log) to %s: %s\n%s",
                               message["To"], message["Subject"], message.get_content())


def _keep(message: EmailMessage) -> None:
    current_app.extensions.setdefault(OUTBOX_KEY, []).append(message)


BACKENDS = {"smtp": _send_smtp, "log": _log, "memory": _keep}


def send_mail(to: str, subject: str, body: str) -> None:
    BACKENDS[current_app.config["MAIL_BACKEND"]](_message(to, subject, body))
