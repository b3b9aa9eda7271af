"""Parser tests on the real corpus files.

This directory is a package so that its ``conftest.py`` is imported as
``parsing.conftest``: as a plain ``conftest`` it would replace tests/conftest.py in
``sys.modules``, and the test modules collected after it import from that one.
"""
