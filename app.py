"""Bildungslandkarte: the Streamlit entry point.

Run with ``streamlit run app.py``. This file only sets up the page, the language and
region switches, the navigation, a global error boundary and the attribution footer;
the pages live in ``views/``.
"""

from __future__ import annotations

import importlib
import logging
import threading

import streamlit as st

from geo.errors import BildungslandkarteError
from views.common import (
    keep_controls,
    lang,
    region_cache,
    region_name,
    region_slug,
    region_slugs,
    tr,
    warm_ahead,
)
from views.i18n import LANGS

log = logging.getLogger("bildungslandkarte.app")

# No page icons: Streamlit turns a Material icon into a favicon fetched from
# fonts.gstatic.com, and the app must not contact any other host.
PAGES: tuple[tuple[str, str, str], ...] = (
    # (file, title key, url path)
    ("views/pages/start.py", "page.start", "start"),
    ("views/pages/find.py", "page.find", "angebote"),
    ("views/pages/coverage.py", "page.coverage", "versorgung"),
    ("views/pages/planning.py", "page.planning", "planung"),
    ("views/pages/advice.py", "page.advice", "beratung"),
    ("views/pages/data.py", "page.data", "daten"),
)


PAGE_STATE_PREFIXES = ("find_", "cov_", "adv_", "data_", "plan_")


def _sidebar() -> None:
    current = lang()
    # a radio, not a segmented control: clicking the chosen option must not unselect it
    choice = st.sidebar.radio(
        tr("app.language"),
        options=list(LANGS),
        index=LANGS.index(current),
        format_func=lambda code: tr(f"lang.{code}"),
        horizontal=True,
        key="lang_switch",
    )
    if choice in LANGS and choice != current:
        st.session_state["lang"] = choice
        st.query_params["lang"] = choice
        st.rerun()
    slugs = region_slugs()
    slug = region_slug()
    picked = st.sidebar.selectbox(
        tr("app.region"),
        slugs,
        index=slugs.index(slug),
        format_func=region_name,
        key="region_switch",
    )
    if picked != slug:
        # a start point, plan or pick of the old region means nothing in the new one
        for key in [k for k in st.session_state if str(k).startswith(PAGE_STATE_PREFIXES)]:
            del st.session_state[key]
        st.query_params.clear()
        st.query_params.update({"region": picked, "lang": current})
        st.session_state["region"] = picked
        st.rerun()


def _footer() -> None:
    lines = [tr("app.attribution")]
    region = region_cache().loaded(region_slug())
    if region is not None:
        for src in region.info.get("sources", []):
            get = src.get if isinstance(src, dict) else lambda k, s=src: getattr(s, k, "")
            lines.append(
                tr(
                    "app.source_line",
                    title=get("title"),
                    date=get("date"),
                    attribution=get("attribution"),
                )
            )
    st.divider()
    st.caption("  \n".join(lines))


#: Modules with a slow first import (mapclassify alone takes seconds), loaded in the
#: background at start so that the first visit of a page does not wait for them.
WARM_IMPORTS: tuple[str, ...] = (
    "layers.choropleth",
    "layers.cells",
    "layers.offers",
    "layers.isochrones",
    "layers.whatif",
    "layers.handout",
    "geo.access",
    "openpyxl",
)


def _import_all(names: tuple[str, ...]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # a missing module is reported where a page needs it
            log.debug("warm import of %s failed", name, exc_info=True)


@st.cache_resource(show_spinner=False)
def _warm_imports() -> threading.Thread:
    """Start the background imports once per server process."""
    thread = threading.Thread(
        target=_import_all, args=(WARM_IMPORTS,), name="blk-warm-imports", daemon=True
    )
    thread.start()
    return thread


def main() -> None:
    st.set_page_config(page_title="Bildungslandkarte", layout="wide")
    _warm_imports()
    try:
        _sidebar()
        pages = [
            st.Page(path, title=tr(title), url_path=url, default=(i == 0))
            for i, (path, title, url) in enumerate(PAGES)
        ]
        page = st.navigation(pages)
        keep_controls(page.url_path)
        page.run()
        warm_ahead()
    except BildungslandkarteError as exc:
        from views.common import show_error

        show_error(exc)
    except Exception:
        # The boundary: log the traceback, never show it.
        log.exception("unhandled error in the app")
        st.error(tr("app.error"))
    _footer()


main()
