#!/usr/bin/env python3
"""Check the clinic's articles for word runs copied from the source material.

Every article in ``content/articles/*.md`` (front matter included) is compared
with every file in the seeds directory. Both texts are normalised (lowercase,
apostrophes removed, every other non-alphanumeric character turned into a
space) and any run of N consecutive words that appears in both is reported.

Usage::

    python content/check_overlap.py                 # N=10, default seeds dir
    python content/check_overlap.py --n 7
    python content/check_overlap.py /path/to/seeds --n 8

Exit status is 1 when at least one shared run is found, 0 otherwise
(2 for usage errors such as a missing directory).

Standard library only; Python 3.11+.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent
REPO_ROOT = CONTENT_DIR.parent
DEFAULT_SEEDS_DIR = REPO_ROOT / ".." / "shared" / "seeds"
DEFAULT_ARTICLES_DIR = CONTENT_DIR / "articles"
SEED_SUFFIXES = {".txt", ".md"}

# Straight and typographic apostrophes / single quotes, removed outright so
# that straight and curly forms of "don't" both become "dont".
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u0060\u00b4]")
# Anything that is not a letter or digit (underscore counts as punctuation).
_NON_ALNUM = re.compile(r"[\W_]+")


def normalise_words(text: str) -> list[str]:
    """Lowercase, drop apostrophes, turn other non-alphanumerics into spaces, split."""
    text = _APOSTROPHES.sub("", text.lower())
    return _NON_ALNUM.sub(" ", text).split()


def _ngrams(words: list[str], n: int) -> set[tuple[str, ...]]:
    if n <= 0:
        raise ValueError("n must be a positive integer")
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def shared_runs(text_a: str, text_b: str, n: int) -> set[tuple[str, ...]]:
    """Return every run of ``n`` consecutive normalised words found in both texts."""
    return _ngrams(normalise_words(text_a), n) & _ngrams(normalise_words(text_b), n)


def merged_spans(text: str, runs: set[tuple[str, ...]], n: int) -> list[str]:
    """Join overlapping shared n-grams into maximal spans, in ``text`` order."""
    words = normalise_words(text)
    hits = [i for i in range(len(words) - n + 1) if tuple(words[i : i + n]) in runs]
    spans: list[str] = []
    start = end = None
    for i in hits:
        if start is not None and i <= end:  # overlaps or touches the current span
            end = i + n
            continue
        if start is not None:
            spans.append(" ".join(words[start:end]))
        start, end = i, i + n
    if start is not None:
        spans.append(" ".join(words[start:end]))
    return spans


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Report runs of N consecutive words shared by articles and seed texts."
    )
    parser.add_argument(
        "seeds",
        nargs="?",
        type=Path,
        default=None,
        help=f"seeds directory (default: {DEFAULT_SEEDS_DIR.resolve()})",
    )
    parser.add_argument(
        "--seeds", dest="seeds_opt", type=Path, default=None, help="seeds directory (same as the positional argument)"
    )
    parser.add_argument(
        "--articles",
        type=Path,
        default=DEFAULT_ARTICLES_DIR,
        help="directory holding the *.md articles (default: content/articles)",
    )
    parser.add_argument("--n", type=int, default=10, help="length of the word runs to look for (default: 10)")
    args = parser.parse_args(argv)

    if args.n < 1:
        parser.error("--n must be at least 1")
    seeds_dir = (args.seeds_opt or args.seeds or DEFAULT_SEEDS_DIR).resolve()
    articles_dir = args.articles.resolve()
    if not seeds_dir.is_dir():
        print(f"error: seeds directory not found: {seeds_dir}", file=sys.stderr)
        return 2
    if not articles_dir.is_dir():
        print(f"error: articles directory not found: {articles_dir}", file=sys.stderr)
        return 2

    seeds = sorted(p for p in seeds_dir.iterdir() if p.is_file() and p.suffix in SEED_SUFFIXES)
    articles = sorted(articles_dir.glob("*.md"))
    seed_grams = {p: _ngrams(normalise_words(_read(p)), args.n) for p in seeds}

    total = 0
    for article in articles:
        text = _read(article)
        grams = _ngrams(normalise_words(text), args.n)
        for seed in seeds:
            runs = grams & seed_grams[seed]
            if not runs:
                continue
            total += len(runs)
            for span in merged_spans(text, runs, args.n):
                print(f"{article.name}\t{seed.name}\t{span}")

    print(f"checked {len(articles)} article(s) against {len(seeds)} seed file(s) at n={args.n}: {total} shared run(s)")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
