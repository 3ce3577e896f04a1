"""Writes the page-type evaluation set: pages/<style>/<name>.html and labels.yaml.

    .venv/bin/python -m tests.eval.pagetypes.generate

The pages are committed; run this only to rebuild them after editing a style. The styles
of HOLDOUT were written after the classifier's rules were frozen, round by round (see
README.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tests.eval.pagetypes._base import Style
from tests.eval.pagetypes._styles_dev import Blogger, Ghost, Spip, WordPressYoast
from tests.eval.pagetypes._styles_dev2 import DrupalNews, Hugo, JoomlaMairie
from tests.eval.pagetypes._styles_holdout import (
    NationalNews,
    Newsletter,
    OverBlog,
    PartySite,
    WordPressAstra,
)
from tests.eval.pagetypes._styles_holdout2 import AssociationBuilder, Canalblog, Jekyll, Typo3Town
from tests.eval.pagetypes._styles_holdout3 import (
    HostedBuilderBlog,
    ParticipationPlatform,
    RegionalDaily,
)

HERE = Path(__file__).resolve().parent
DEV: list[type[Style]] = [WordPressYoast, Ghost, Blogger, Spip, DrupalNews, JoomlaMairie, Hugo]
# Hold-out rounds, in the order they were written: round 1 after the rules were frozen,
# round 2 after they were changed on round 1's mistakes, round 3 after round 2's.
HOLDOUT: dict[str, list[type[Style]]] = {
    "round 1": [WordPressAstra, OverBlog, Newsletter, NationalNews, PartySite],
    "round 2": [Canalblog, AssociationBuilder, Jekyll, Typo3Town],
    "round 3": [RegionalDaily, ParticipationPlatform, HostedBuilderBlog],
}


def main() -> None:
    pages_dir = HERE / "pages"
    shutil.rmtree(pages_dir, ignore_errors=True)
    labels = []
    for style_class in DEV + [style for styles in HOLDOUT.values() for style in styles]:
        style = style_class()
        (pages_dir / style.name).mkdir(parents=True)
        for page in style.standard():
            path = pages_dir / style.name / f"{page.name}.html"
            path.write_text(page.html, encoding="utf-8")
            labels.append(
                {
                    "file": f"pages/{style.name}/{page.name}.html",
                    "style": style.name,
                    "url": page.url,
                    "is_document": page.is_document,
                    "note": page.note,
                }
            )
    manifest = {
        "holdout": {
            round_name: [style_class().name for style_class in styles]
            for round_name, styles in HOLDOUT.items()
        },
        "pages": labels,
    }
    header = (
        "# Labels of the page-type evaluation set, written by generate.py (see README.md).\n"
        "# is_document: what a veille volunteer wants stored; listings, home pages, 'about',\n"
        "# contact and legal pages are crawled through, not kept.\n"
    )
    (HERE / "labels.yaml").write_text(
        header + yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False, width=100),
        encoding="utf-8",
    )
    print(f"{len(labels)} pages written")


if __name__ == "__main__":
    main()
