"""Checks the schemathesis CLI adds to its own when tests/test_api_schemathesis.py runs it
(loaded through SCHEMATHESIS_HOOKS, in the CLI's process, not pytest's).

The texts that would show hidden content come from the test, which made that content, in the
environment variable MSINFO_HIDDEN_MARKERS (a JSON list)."""

import json
import os

import schemathesis

MARKERS: list[str] = json.loads(os.environ.get("MSINFO_HIDDEN_MARKERS", "[]"))


@schemathesis.check
def no_hidden_content(ctx, response, case) -> None:
    """No answer shows a draft, withdrawn or unpublished object, or text that only a draft holds."""
    shown = [marker for marker in MARKERS if marker in response.text]
    if shown:
        raise AssertionError("The answer shows content that is not live: " + ", ".join(shown))


@schemathesis.check
class EveryOperationAnswersWithData:
    """Every operation answered 200 at least once: the run reached real content, not only refusals."""

    def __init__(self) -> None:
        self.tested: set[str] = set()
        self.answered: set[str] = set()

    def after_response(self, ctx, response, case) -> None:
        self.tested.add(case.operation.label)
        if response.status_code == 200:
            self.answered.add(case.operation.label)

    def after_run(self, ctx) -> None:
        never = self.tested - self.answered
        if never:
            raise AssertionError("Never answered 200: " + ", ".join(sorted(never)))
