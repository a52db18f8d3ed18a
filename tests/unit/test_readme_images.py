"""The READMEs' pictures: every image they show is in the repository, every screenshot is shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
READMES = (ROOT / "README.md", ROOT / "web" / "README.md")
# Where `make screenshots` writes the pictures the browser tests take.
SCREENSHOTS = ROOT / "docs"
MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")
HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)", re.IGNORECASE)


def images_shown(readme: Path) -> set[Path]:
    """The local files the README shows as images (links to the web are not files here)."""
    text = readme.read_text(encoding="utf-8")
    sources = MARKDOWN_IMAGE.findall(text) + HTML_IMAGE.findall(text)
    return {
        (readme.parent / source.split("#", 1)[0]).resolve()
        for source in sources
        if not re.match(r"^[a-z][a-z0-9+.-]*:", source, re.IGNORECASE)
    }


def test_the_patterns_find_markdown_and_html_images_but_not_links(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        "![The shop](docs/shop.png) [a link](docs/notes.md)\n"
        '<img alt="The board" src="docs/board.png" width="600">\n'
        "![A badge](https://example.com/badge.svg)\n",
        encoding="utf-8",
    )
    here = tmp_path.resolve()
    assert images_shown(readme) == {here / "docs/shop.png", here / "docs/board.png"}


@pytest.mark.parametrize("readme", READMES, ids=lambda readme: str(readme.relative_to(ROOT)))
def test_every_image_a_readme_shows_is_in_the_repository(readme: Path) -> None:
    missing = sorted(
        str(image)
        for image in images_shown(readme)
        if not (image.is_relative_to(ROOT) and image.is_file())
    )
    assert not missing, f"{readme.relative_to(ROOT)} shows images that are not here: {missing}"


def test_the_readme_shows_every_screenshot_the_browser_tests_take() -> None:
    screenshots = set(SCREENSHOTS.glob("*.png"))
    assert screenshots, f"no screenshots in {SCREENSHOTS}: run `make screenshots`"
    # A screenshot renamed in the browser tests leaves its old file behind, shown by nobody.
    unshown = sorted(str(png.relative_to(ROOT)) for png in screenshots - images_shown(READMES[0]))
    assert not unshown, f"README.md does not show {unshown}: show them or delete them"
