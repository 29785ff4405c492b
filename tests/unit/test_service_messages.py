"""Every fixed sentence the services and the domain refuse with has a Dutch translation, so a
page that shows it (form errors, flash messages) never shows developer English."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from booking.domain.errors import RuleViolation
from booking.domain.passwords import check_new_password
from booking.domain.resources import Policy
from booking.i18n import translations
from booking.services.resource_admin import check_policy
from frontend.forms import FormErrors

ROOT = Path(__file__).resolve().parents[2] / "booking"
# The calls whose text can reach a form: validation refusals (NotFound/NotAllowed become the
# 404/403 pages, which have their own Dutch text).
REFUSALS = {"_invalid", "invalid", "Reason", "RuleViolation", "Conflict"}


def _refusal_texts() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name not in REFUSALS:
                continue
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                text = arg.value if isinstance(arg, ast.Constant) else None
                if isinstance(text, str) and " " in text:
                    found.append((path.relative_to(ROOT.parent).as_posix(), text))
    return sorted(set(found))


def test_the_services_have_refusal_texts() -> None:
    assert len(_refusal_texts()) > 30


@pytest.mark.parametrize(("where", "text"), _refusal_texts(), ids=lambda v: str(v)[:50])
def test_every_refusal_text_has_dutch(where: str, text: str) -> None:
    assert translations("nl").gettext(text) != text, f"{where}: no Dutch for {text!r}"


def _form_message(exc: RuleViolation) -> str:
    errors = FormErrors("nl")
    errors.add("field", exc.reasons[0].message)
    return errors["field"]


def test_a_manager_choosing_a_wrong_step_reads_dutch() -> None:
    with pytest.raises(RuleViolation) as caught:
        check_policy(Policy(slot_minutes=7))
    shown = _form_message(caught.value)
    assert shown.startswith("kies een stap van 5, 10")
    assert "must" not in shown


def test_a_too_short_password_reads_dutch() -> None:
    with pytest.raises(RuleViolation) as caught:
        check_new_password("kort")
    assert _form_message(caught.value) == "een wachtwoord heeft 8 tot 1024 tekens"
