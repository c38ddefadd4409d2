"""Failure isolation refuses spec entries by exception type, not by message text."""

from __future__ import annotations

import pytest

from oncotrial._errors import OncotrialValueError, SpecEntryError, spec_error
from oncotrial.analysis._isolate import isolated


def _raise(exc: Exception):
    raise exc


def test_spec_entry_error_is_refused_whole() -> None:
    errs: dict[str, str] = {}
    with pytest.raises(SpecEntryError, match=r"`\[cox\]\.covariates\[0\]` of the study spec"):
        isolated(errs, "cox", _raise, spec_error("[cox].covariates[0]", "a subjects column", "AGEX",
                                                  "Name a column of subjects.csv."))
    assert errs == {}


def test_other_value_error_becomes_a_note_even_if_it_mentions_the_spec() -> None:
    errs: dict[str, str] = {}
    out = isolated(errs, "cox", _raise, OncotrialValueError("a column of the study spec data is odd"))
    assert out == {"error": errs["cox"]}
    assert "of the study spec data is odd" in errs["cox"]


def test_spec_error_message_and_types() -> None:
    exc = spec_error("[study].evaluator", "one of ['INV']", "BICR", "Use INV.")
    assert isinstance(exc, OncotrialValueError) and isinstance(exc, ValueError)
    assert str(exc) == "`[study].evaluator` of the study spec must be one of ['INV']; got 'BICR'. Use INV."
