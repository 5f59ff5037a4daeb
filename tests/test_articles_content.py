"""The shipped articles are written in the clinic's own words, not copied from the source material."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = sorted((ROOT / "content" / "articles").glob("*.md"))
SEEDS_DIR = ROOT.parent / "shared" / "seeds"
RUN_LENGTH = 10


def _load_check_overlap():
    spec = importlib.util.spec_from_file_location("check_overlap", ROOT / "content" / "check_overlap.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_overlap = _load_check_overlap()


def _seeds() -> list[Path]:
    if not SEEDS_DIR.is_dir():
        return []
    return sorted(p for p in SEEDS_DIR.iterdir() if p.is_file() and p.suffix in check_overlap.SEED_SUFFIXES)


@pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason=f"no source material to compare with: {SEEDS_DIR} is absent")
@pytest.mark.parametrize("article", ARTICLES, ids=[p.name for p in ARTICLES])
def test_no_run_of_ten_words_from_the_source_material_appears_in_an_article(article):
    seeds = _seeds()
    assert seeds, f"{SEEDS_DIR} holds no .txt or .md files"
    text = article.read_text(encoding="utf-8")

    copied = {
        seed.name: sorted(
            " ".join(run) for run in check_overlap.shared_runs(text, seed.read_text(encoding="utf-8"), RUN_LENGTH)
        )
        for seed in seeds
    }

    assert {name: runs for name, runs in copied.items() if runs} == {}


def test_the_overlap_check_finds_a_copied_run():
    """Guards the test above: a ten-word run shared by two texts is reported."""
    copied = "one two three four five six seven eight nine ten"

    assert check_overlap.shared_runs(f"Intro. {copied}!", f"{copied.upper()} and more", RUN_LENGTH)
    assert not check_overlap.shared_runs(copied, "one two three four five six seven eight nine", RUN_LENGTH)


def test_every_shipped_article_is_checked():
    assert len(ARTICLES) == 9
