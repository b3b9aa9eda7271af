"""The CI rule of tests/conftest.py: under CI=true a skipped test fails instead.

Each case runs a small inner pytest session (pytester) whose conftest loads the hooks of the
suite's own tests/conftest.py, once with CI=true and once without CI.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

SUITE_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"

# The inner session gets exactly the suite's hooks (loaded from its file under another module
# name, so it never collides with the outer session's ``conftest`` module).
INNER_CONFTEST = f"""
import importlib.util

_spec = importlib.util.spec_from_file_location("suite_conftest_under_test", {str(SUITE_CONFTEST)!r})
_suite = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_suite)
pytest_runtest_makereport = _suite.pytest_runtest_makereport
pytest_make_collect_report = _suite.pytest_make_collect_report
"""

MISSING = "plansearch_no_such_module_for_the_ci_test"


@pytest.fixture()
def inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.delenv("CI", raising=False)
    pytester.makeconftest(INNER_CONFTEST)
    return pytester


def _run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: bool, args: tuple[str, ...] = ()
):
    if ci:
        monkeypatch.setenv("CI", "true")
    else:
        monkeypatch.delenv("CI", raising=False)
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", "-rA", *args)


def test_importorskip_of_a_missing_module_fails_in_ci_and_skips_elsewhere(inner, monkeypatch):
    inner.makepyfile(
        test_optional=f"""
        import pytest

        def test_needs_an_optional_package():
            pytest.importorskip("{MISSING}")
        """
    )
    in_ci = _run(inner, monkeypatch, ci=True)
    in_ci.assert_outcomes(failed=1)
    in_ci.stdout.fnmatch_lines([f"*skipped in CI (CI=true)*{MISSING}*"])
    assert in_ci.ret == pytest.ExitCode.TESTS_FAILED

    local = _run(inner, monkeypatch, ci=False)
    local.assert_outcomes(skipped=1)
    assert local.ret == pytest.ExitCode.OK


def test_module_level_importorskip_fails_collection_in_ci(inner, monkeypatch):
    inner.makepyfile(
        test_module_skip=f"""
        import pytest

        pytest.importorskip("{MISSING}")

        def test_never_collected_without_it():
            pass
        """
    )
    in_ci = _run(inner, monkeypatch, ci=True)
    in_ci.assert_outcomes(errors=1)
    in_ci.stdout.fnmatch_lines([f"*skipped in CI (CI=true)*{MISSING}*"])
    assert in_ci.ret != pytest.ExitCode.OK

    local = _run(inner, monkeypatch, ci=False)
    local.assert_outcomes(skipped=1)


def test_skip_markers_and_fixture_skips_fail_in_ci(inner, monkeypatch):
    # The shapes a missing browser takes: a skipif marker, and a skip from a fixture.
    inner.makepyfile(
        test_browser="""
        import pytest

        @pytest.mark.skipif(True, reason="/usr/bin/chromium is missing")
        def test_marked():
            pass

        @pytest.fixture()
        def browser():
            pytest.skip("the playwright package is missing")

        def test_with_fixture(browser):
            pass
        """
    )
    in_ci = _run(inner, monkeypatch, ci=True)
    in_ci.assert_outcomes(errors=2)  # both skip in setup, so both fail there
    in_ci.stdout.fnmatch_lines(
        ["*skipped in CI*chromium is missing*", "*skipped in CI*playwright package is missing*"]
    )

    local = _run(inner, monkeypatch, ci=False)
    local.assert_outcomes(skipped=2)


def test_ci_keeps_xfail_and_deselection(inner, monkeypatch):
    inner.makeini(
        """
        [pytest]
        markers =
            slow: deselected here with -m
        """
    )
    inner.makepyfile(
        test_kept="""
        import pytest

        @pytest.mark.xfail(strict=True, reason="a known bug")
        def test_known_bug():
            assert False

        @pytest.mark.slow
        def test_deselected():
            pytest.skip("would fail in CI if it ran")

        def test_plain():
            pass
        """
    )
    in_ci = _run(inner, monkeypatch, ci=True, args=("-m", "not slow"))
    in_ci.assert_outcomes(passed=1, xfailed=1, deselected=1)
    assert in_ci.ret == pytest.ExitCode.OK


def test_only_ci_true_turns_skips_into_failures(inner, monkeypatch):
    inner.makepyfile(
        test_optional=f"""
        import pytest

        def test_needs_an_optional_package():
            pytest.importorskip("{MISSING}")
        """
    )
    monkeypatch.setenv("CI", "false")
    result = inner.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(skipped=1)
