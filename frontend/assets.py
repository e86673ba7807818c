"""Build step for the portal's static assets: `python -m frontend.assets`.

Copies the built Det Fælles Designsystem files (npm package dkfds, borger.dk theme) from
frontend/node_modules into frontend/static/dkfds, with a right-to-left copy of its CSS made by rtlcss
(npm) for Arabic and Urdu pages; the fonts for the Arabic script (npm @fontsource/ibm-plex-sans-arabic,
@fontsource/noto-nastaliq-urdu) into frontend/static/fonts; GraphiQL's and React's browser builds
(npm graphiql, react, react-dom) into frontend/static/graphiql. `make setup` runs it; the server only
checks that the files are there (`check`), so starting or importing the app writes nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DKFDS_DIST = HERE / "node_modules" / "dkfds" / "dist"
STATIC = HERE / "static"
DKFDS_STATIC = STATIC / "dkfds"
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
# GraphiQL at /graphql (schema/graphiql.html), served from here rather than a CDN.
_NODE = HERE / "node_modules"
GRAPHIQL_FILES = (
    _NODE / "react" / "umd" / "react.production.min.js",
    _NODE / "react-dom" / "umd" / "react-dom.production.min.js",
    _NODE / "graphiql" / "graphiql.min.js",
    _NODE / "graphiql" / "graphiql.min.css",
)
GRAPHIQL_STATIC = STATIC / "graphiql"
DKFDS_CSS = "dkfds-borgerdk.min.css"
# The design system mirrored for right-to-left pages: made by rtlcss at build time, never edited by hand.
DKFDS_RTL_CSS = "dkfds-borgerdk.rtl.min.css"
RTLCSS = _NODE / "rtlcss" / "bin" / "rtlcss.js"
# Faces for the Arabic script, served from our own static files (no CDN): (npm package, CSS files to
# take). Only the Arabic subset: Latin text falls back to the design system's IBM Plex Sans.
FONT_PACKAGES = {
    "ibm-plex-sans-arabic": ("arabic-400.css", "arabic-500.css", "arabic-600.css", "arabic-700.css"),
    "noto-nastaliq-urdu": ("arabic-400.css", "arabic-600.css", "arabic-700.css"),
}
FONTS_STATIC = STATIC / "fonts"


def _publish(target: Path, marker: str, fill, *, force: bool) -> None:
    """Fill a fresh directory beside `target` and rename it into place, so server processes starting
    at the same time never see (or serve) a half-copied directory."""
    if (target / marker).exists() and not force:
        return
    STATIC.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=STATIC))
    try:
        fill(building)
        if target.exists():
            old = target.with_name(f".{target.name}-old-{os.getpid()}")
            target.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        building.rename(target)
    except OSError:
        if not (target / marker).exists():  # another process may have won the race; only its absence is an error
            raise
    finally:
        shutil.rmtree(building, ignore_errors=True)


def copy_dkfds(*, force: bool = False) -> bool:
    """Copy css, fonts (woff/woff2 only) and images; False when the npm package is not installed."""
    if not DKFDS_DIST.exists():
        return False

    def fill(building: Path) -> None:
        shutil.copytree(DKFDS_DIST / "css", building / "css")
        make_rtl(building / "css" / DKFDS_CSS, building / "css" / DKFDS_RTL_CSS)
        shutil.copytree(DKFDS_DIST / "img", building / "img")
        shutil.copytree(DKFDS_DIST / "js", building / "js")
        shutil.copytree(
            DKFDS_DIST / "fonts",
            building / "fonts",
            ignore=lambda _dir, names: [n for n in names if n in ("eot", "ttf", "otf", "split")],
        )

    _publish(DKFDS_STATIC, f"css/{DKFDS_RTL_CSS}", fill, force=force)
    return True


def make_rtl(source: Path, target: Path) -> None:
    """Mirror a stylesheet for right-to-left pages with rtlcss (left/right, margins, paddings, floats,
    background positions, transforms)."""
    node = shutil.which("node")
    if node is None or not RTLCSS.exists():
        raise OSError("rtlcss needs node and `npm install` in frontend/")
    subprocess.run([node, str(RTLCSS), "--silent", str(source), str(target)], check=True, timeout=120)


def copy_fonts(*, force: bool = False) -> bool:
    """Copy the Arabic-script faces (woff2 and woff) and write fonts/fonts.css, one stylesheet with
    their @font-face rules; False when the npm packages are not installed."""
    packages = {name: _NODE / "@fontsource" / name for name in FONT_PACKAGES}
    if not all(path.exists() for path in packages.values()):
        return False

    def fill(building: Path) -> None:
        rules = ["/* Made by frontend/assets.py from the @fontsource packages; do not edit. */"]
        for name, css_files in FONT_PACKAGES.items():
            (building / name).mkdir()
            for css_file in css_files:
                css = (packages[name] / css_file).read_text()
                rules.append(css.replace("url(./files/", f"url({name}/"))
                weight = css_file.removeprefix("arabic-").removesuffix(".css")
                for font in (packages[name] / "files").glob(f"*-arabic-{weight}-normal.woff*"):
                    shutil.copy2(font, building / name / font.name)
        (building / "fonts.css").write_text("\n".join(rules) + "\n")

    _publish(FONTS_STATIC, "fonts.css", fill, force=force)
    return True


def copy_graphiql(*, force: bool = False) -> bool:
    """Copy GraphiQL and React's browser builds for /graphql; False when the npm packages are not installed."""
    if not all(source.exists() for source in GRAPHIQL_FILES):
        return False

    def fill(building: Path) -> None:
        for source in GRAPHIQL_FILES:
            shutil.copy2(source, building / source.name)

    _publish(GRAPHIQL_STATIC, "graphiql.min.js", fill, force=force)
    return True


def build(*, force: bool = False) -> None:
    if not copy_dkfds(force=force):
        print("frontend: dkfds is not installed; run `npm install` in frontend/", file=sys.stderr)
    if not copy_fonts(force=force):
        print("frontend: the @fontsource fonts are not installed; run `npm install` in frontend/", file=sys.stderr)
    if not copy_graphiql(force=force):
        print("frontend: graphiql/react are not installed; run `npm install` in frontend/", file=sys.stderr)


# What the pages and GraphiQL load from /static; `build` puts them there.
BUILT = (
    DKFDS_STATIC / "css" / DKFDS_CSS,
    DKFDS_STATIC / "css" / DKFDS_RTL_CSS,
    FONTS_STATIC / "fonts.css",
    GRAPHIQL_STATIC / "graphiql.min.js",
)


class AssetsMissing(RuntimeError):
    pass


def check() -> None:
    """Refuse to serve a portal without its design system, fonts or GraphiQL, naming the step that is missing."""
    missing = [str(path.relative_to(HERE.parent)) for path in BUILT if not path.exists()]
    if missing:
        raise AssetsMissing(
            f"{', '.join(missing)} missing: run `python -m frontend.assets` (after `npm ci` in frontend/)"
        )


if __name__ == "__main__":
    build(force="--force" in sys.argv)
