"""Schemathesis against a live `labshare serve` on each backend: every operation of the
OpenAPI document, the default checks, a bounded number of examples each → no failures.

Derandomized (a fixed seed per operation, no example database), so the same commit always gives
the same result; `scripts/fuzz-api` keeps looking with every check and random seeds for minutes.
The allowances (422 where a rule cannot be said in JSON Schema) are in `schemathesis.toml`
beside this file, shared with that script.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.factories import make_company, make_resource, make_school, make_site, make_user
from tests.http.conftest import bearer

pytestmark = pytest.mark.slow
MAX_EXAMPLES = int(os.environ.get("LABSHARE_SCHEMATHESIS_EXAMPLES", "15"))
CONFIG = Path(__file__).with_name("schemathesis.toml")


def _run(url: str, headers: dict[str, str]) -> list[str]:
    """Failures per operation, as text (empty: all checks passed)."""
    config = schemathesis.config.SchemathesisConfig.from_path(str(CONFIG))
    schema = schemathesis.openapi.from_url(f"{url}/schema/openapi.json", config=config)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, timeout=20)

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # one report per operation
            failures.append(f"{operation.label}: {exc}")
            if len(failures) >= 8:
                break
    return failures


async def test_schemathesis(server: str) -> None:
    school = await make_school()
    site = await make_site(school_id=school)
    for i in range(3):
        await make_resource(site_id=site, name=f"Machine {i}", tags=["cnc"])
    company = await make_company()
    headers = await bearer(await make_user(memberships=[(company, "booker")]))
    failures = await asyncio.to_thread(_run, server, headers)
    assert not failures, "\n\n".join(failures)

