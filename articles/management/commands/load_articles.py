"""`manage.py load_articles`: create or update the articles from their Markdown files."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from typing_extensions import override

from articles.services import articles_load_directory


class Command(BaseCommand):
    help = "Create or update articles from Markdown files with YAML front matter (matched by slug; safe to re-run)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--path",
            type=Path,
            default=None,
            help="directory holding the *.md files (default: content/articles in the project)",
        )

    @override
    def handle(self, *args, path: Path | None, **options) -> None:
        directory = path or Path(settings.BASE_DIR) / "content" / "articles"
        try:
            report = articles_load_directory(path=directory)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Articles from {directory}: {len(report.created)} created, "
                f"{len(report.updated)} updated, {len(report.unchanged)} unchanged."
            )
        )
        for label, slugs in (("created", report.created), ("updated", report.updated)):
            for slug in slugs:
                self.stdout.write(f"  {label}: {slug}", style_func=None)
