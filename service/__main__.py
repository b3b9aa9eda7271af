"""The ``plansearch`` command (also ``python -m service``).

A thin entry in front of ``service.cli``, for one reason: bm25s imports numba whenever it is
installed (the eval extra brings it, through ranx), although the service scores BM25 with numpy
alone. numba and llvmlite map about 56 MB into a process that never calls them, so a serving
process is started without them: a ``None`` in ``sys.modules`` makes ``import numba`` fail, and
bm25s falls back to its numpy code, the code it already runs. Only ``serve`` does this; the
other commands and the evaluation (whose ranx needs numba) import as usual.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run the plansearch command line (``service.cli``)."""
    if sys.argv[1:2] == ["serve"] and not {"bm25s", "numba"} & set(sys.modules):
        sys.modules["numba"] = None  # type: ignore[assignment]  # the import then fails
    from service.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
