"""Shared test fixtures: the location of ../shared and a skip marker for when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PHARMAVERSE = SHARED / "data" / "pharmaversesdtm"
SEEDS = SHARED / "seeds"


@pytest.fixture(scope="session")
def pharmaverse_dir() -> Path:
    """Path to ../shared/data/pharmaversesdtm; skips the test when it is absent."""
    if not PHARMAVERSE.is_dir():
        pytest.skip(f"../shared/data/pharmaversesdtm not found at {PHARMAVERSE} (CI provides it)")
    return PHARMAVERSE


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """Path to ../shared/seeds; skips the test when it is absent."""
    if not SEEDS.is_dir():
        pytest.skip(f"../shared/seeds not found at {SEEDS} (CI provides it)")
    return SEEDS
