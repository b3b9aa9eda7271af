"""Serving memory stays bounded whatever the number of requests and threads.

Many threads asking distinct questions share one tagger (the dictionary is mapped once), the
analyzer's caches fill to their bounds and stop there, and those bounds hold little even for
questions at the length limit; the malloc arena cap of the server keeps a thread from getting
an arena of its own. What a server holds from its start is small too: the synonym tables are
flat arrays, langchain (for building an index only) is never imported, and the dictionary pages
that start-up tagging touched are released once the engine is warm. No timings: counts,
mappings and sizes.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from eval.gold import GOLD_DIR, load_gold
from indexer.analyze import get_analyzer
from service import file_pages
from service.answer.patterns import without_years
from service.filters import SearchFilters
from service.holder import (
    WARM_QUESTION,
    prepare,
    trim_dictionary,
    warm_answer_units,
)
from service.limits import MAX_QUERY_CHARS
from service.query import DEFAULT_SUDACHI_FILE, QueryAnalyzer, normalize
from service.search import SearchEngine
from service.synonyms import synonym_table, word_tokens

THREADS = 16
REQUESTS = 150  # distinct questions: more than the tokens cache holds, from every thread
MB = 1 << 20


def _dictionary_maps() -> int:
    """Mappings of MeCab's system dictionary in this process: one per loaded tagger."""
    return sum("sys.dic" in line for line in Path("/proc/self/maps").read_text().splitlines())


def _deep_size(obj: object) -> int:
    """Bytes of ``obj`` and of every object it reaches (shared ones counted once)."""
    seen: set[int] = set()
    size, todo = 0, [obj]
    while todo:
        o = todo.pop()
        if id(o) in seen or isinstance(o, type):
            continue
        seen.add(id(o))
        size += sys.getsizeof(o)
        todo.extend(gc.get_referents(o))
    return size


def _questions(n: int) -> list[str]:
    gold = [q.query for q in load_gold(GOLD_DIR / "dev.jsonl")]
    # The number leads: the question-vector cache keys a question by its first 64 model tokens,
    # and the words the everyday tables add go after the question's own.
    return [f"（その{i}）{gold[i % len(gold)]}" for i in range(n)]


def test_many_threads_share_one_tagger_and_fill_bounded_caches(hashing_engine):
    engine, analyzer = hashing_engine, get_analyzer()
    filters = engine.make_filters()
    routes = (
        lambda q: engine.search_full(q, 10, filters, "hybrid"),
        lambda q: engine.search_projects_full(q, 10, filters),
        lambda q: engine.answer(q, filters, 10),
    )
    questions = _questions(REQUESTS)
    maps, tokens_before, vectors_before = (
        _dictionary_maps(),
        analyzer.tokens.cache_info(),
        len(engine.questions),
    )
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(lambda i: routes[i % 3](questions[i]), range(REQUESTS)))
    tokens = analyzer.tokens.cache_info()
    # No thread loaded a tagger (and a dictionary) of its own.
    assert get_analyzer() is analyzer and _dictionary_maps() == maps
    # Filled to its bound and held there, yet large enough for a request's own repeats under
    # 16 threads: each question is tagged once and then found again within its request (the
    # parse reads its tokens once and hands them to every step; coverage and the answer's reading
    # of the question find them again); an answer's question that names a year once more,
    # without it (the answer's terms and the things it names are read with the years taken out).
    yearless = sum(
        normalize(without_years(q, " ")) != normalize(q)
        for i, q in enumerate(questions)
        if i % 3 == 2
    )
    assert 0 < yearless < REQUESTS // 3
    assert tokens.maxsize is not None and tokens.maxsize < REQUESTS
    assert tokens.currsize == tokens.maxsize
    assert tokens.misses - tokens_before.misses == REQUESTS + yearless
    assert tokens.hits - tokens_before.hits >= REQUESTS
    assert len(engine.questions) - vectors_before == REQUESTS < engine.questions.size
    units = engine.answerer.units
    assert 0 < len(units) <= units.maxsize
    # The synonym tables' tagging of the words a question reaches, bounded as well.
    words = word_tokens.cache_info()
    assert words.maxsize is not None and 0 < words.currsize <= words.maxsize


def test_the_analyzer_caches_hold_little_even_at_the_length_limit():
    # The costliest entries a request can leave: a question of MAX_QUERY_CHARS distinct words.
    analyzer = get_analyzer()
    text = ("子育て支援の拠点施設を整備する。" * 100)[:MAX_QUERY_CHARS]
    tokens, lemmas = analyzer.tokens.__wrapped__(text), analyzer.lemmas.__wrapped__(text)
    assert len(tokens) > 300
    tokens_kept, lemmas_kept = (
        analyzer.tokens.cache_info().maxsize,
        analyzer.lemmas.cache_info().maxsize,
    )
    assert tokens_kept is not None and lemmas_kept is not None  # bounded at all
    worst = tokens_kept * _deep_size(tokens) + lemmas_kept * _deep_size(lemmas)
    assert worst < 48 * MB  # 8,192 entries each (the old bounds) could hold 1.5 GB


ARENAS = """
    import ctypes, re, sys, tempfile, threading
    if sys.argv[1] == "capped":
        from service.api.main import bound_memory
        bound_memory()
    libc = ctypes.CDLL("libc.so.6")
    libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    libc.fopen.restype = ctypes.c_void_p
    libc.fclose.argtypes = [ctypes.c_void_p]
    start = threading.Barrier(8)
    done = threading.Barrier(9)

    def work():
        start.wait()  # all at once, as a burst of requests
        kept = [bytearray(4000) for _ in range(2000)]  # malloc, not Python's small-object pool
        done.wait()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    done.wait()
    with tempfile.NamedTemporaryFile(suffix=".xml") as f:
        fp = libc.fopen(f.name.encode(), b"w")
        libc.malloc_info(0, fp)
        libc.fclose(fp)
        print(len(re.findall('<heap nr=', open(f.name).read())))
"""


def test_the_server_caps_malloc_arenas_for_its_request_threads():
    def arenas(mode: str) -> int:
        code = textwrap.dedent(ARENAS)
        run = subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        return int(run.stdout)

    # Eight threads allocating at once: an arena each, unless the server's cap is applied.
    assert arenas("uncapped") > 4
    assert arenas("capped") <= 2


def test_the_sudachi_synonym_table_is_flat_arrays():
    table = synonym_table("sudachi", DEFAULT_SUDACHI_FILE)
    assert len(table) > 25_000  # groups, of ~69,000 words
    # As a tuple of word objects per group and a dict of spellings it was 18.7 MB (25 MB in
    # tracemalloc): an object per word and per spelling; as flat arrays 3.2 MB.
    assert _deep_size(table) < 6 * MB
    # Still one table: 子育て finds 育児 (both Sudachi and the curated list group them).
    key = tuple(get_analyzer().lemmas("子育て"))
    assert ("育児",) in table.lookup(["子育て"], key)


SERVING_IMPORTS = """
    import sys
    sys.modules["numba"] = None  # as service/__main__.py does for `plansearch serve`
    import service.cli, service.api.main, service.search
    print(sorted({m.split(".")[0] for m in sys.modules if m.startswith(("langchain", "requests"))}))
"""


def test_serving_does_not_import_langchain():
    # indexer.chunking (read by the answer scorer for field_role) imports it only to split.
    code = textwrap.dedent(SERVING_IMPORTS)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_warm_engines_release_the_dictionary_pages_start_up_touched(hashing_engine):
    dictionary = file_pages.dictionary_dir()
    assert dictionary is not None
    frequencies = hashing_engine.analyzer.frequencies

    def fresh() -> SearchEngine:  # a new analyzer builds its readings table on first use
        analyzer = QueryAnalyzer(frequencies, sudachi_file=DEFAULT_SUDACHI_FILE)
        return SearchEngine(
            hashing_engine.index, hashing_engine.embedder, hashing_engine.fusion, analyzer
        )

    # Cold: the first question in kana tags the index vocabulary, ~140 MB of the dictionary.
    cold = fresh()
    file_pages.release(dictionary)
    cold.analyzer.parse(WARM_QUESTION)
    cold_kb = file_pages.resident_kb(dictionary)
    assert cold_kb > 40 * 1024
    # Warm (as a server's holder does it): those pages are gone, and a question brings back
    # only its own (~9 MB: a read maps the 64 KB around it), not the readings table's.
    warm = fresh()
    prepare(warm)
    assert file_pages.resident_kb(dictionary) < 1024
    warm.analyzer.parse("じしんのときのひなんばしょ")
    assert file_pages.resident_kb(dictionary) < cold_kb / 4
    assert warm.analyzer.parse(WARM_QUESTION) == cold.analyzer.parse(WARM_QUESTION)


def test_only_shared_read_only_mappings_of_the_directory_are_released(tmp_path):
    inside = tmp_path / "dicdir"
    maps = "\n".join(
        [
            f"7f0000000000-7f0000100000 r--s 00000000 fe:00 1    {inside}/sys.dic",
            f"7f0000100000-7f0000200000 r--p 00000000 fe:00 2    {inside}/matrix.bin",
            f"7f0000200000-7f0000300000 rw-s 00000000 fe:00 3    {inside}/unk.dic",
            f"7f0000300000-7f0000400000 r--s 00000000 fe:00 4    {tmp_path}/model.bin",
            "7f0000400000-7f0000500000 rw-p 00000000 00:00 0",
        ]
    )
    assert file_pages.shared_read_only(maps, inside) == [(0x7F0000000000, 0x7F0000100000)]


def test_the_watcher_bounds_the_dictionary_pages_questions_touch(hashing_engine):
    # Questions keep touching new parts of the dictionary (each read maps the 64 KB around it);
    # the service's watcher releases them once they pass the bound, whatever the number of
    # questions, and the questions read alike afterwards.
    dictionary = file_pages.dictionary_dir()
    assert dictionary is not None
    analyzer = hashing_engine.analyzer
    prepare(hashing_engine)
    questions = [q.query for q in load_gold(GOLD_DIR / "dev.jsonl")][:60]
    before = [analyzer.parse(q + "（確認）") for q in questions]
    touched = file_pages.resident_kb(dictionary)
    assert touched > 4 * 1024  # the questions mapped megabytes of it back
    assert not trim_dictionary(bound_kb=touched + 1024)  # under the bound: left alone
    assert file_pages.resident_kb(dictionary) >= touched
    assert trim_dictionary(bound_kb=touched // 2)
    assert file_pages.resident_kb(dictionary) < 1024
    assert [analyzer.parse(q + "（確認）") for q in questions] == before


def test_resident_dictionary_pages_are_counted_from_the_pagemap_as_smaps_counts_them(
    hashing_engine, monkeypatch
):
    # The watcher's count reads only the dictionary's page entries; /proc/self/smaps (every
    # mapping of the process walked, 25-30 ms in a server) gives the same figure, touched or
    # released.
    dictionary = file_pages.dictionary_dir()
    assert dictionary is not None
    spans = file_pages.shared_read_only(Path("/proc/self/maps").read_text(), dictionary)
    assert spans  # MeCab maps sys.dic and matrix.bin
    prepare(hashing_engine)
    counts = []
    asked = ("じしんのときのひなんばしょ", "婚活セミナーは令和4年度に何回開催する予定ですか")
    for question in asked:
        hashing_engine.analyzer.parse(question + "（確認）")
        counts.append((file_pages.resident_kb(dictionary), file_pages.smaps_resident_kb(spans)))
    file_pages.release(dictionary)
    counts.append((file_pages.resident_kb(dictionary), file_pages.smaps_resident_kb(spans)))
    assert all(pagemap == smaps for pagemap, smaps in counts), counts
    assert counts[1][0] > 1024 > counts[2][0]  # tagging mapped pages back; release dropped them

    def walked(_: object) -> int:
        raise AssertionError("smaps read")

    monkeypatch.setattr(file_pages, "smaps_resident_kb", walked)
    hashing_engine.analyzer.parse("じしんのときのひなんばしょ（再確認）")
    assert file_pages.resident_kb(dictionary) > 0
    assert trim_dictionary(bound_kb=0)
    assert file_pages.resident_kb(dictionary) < 1024


def test_start_up_never_holds_the_pages_of_every_warming_step_at_once(hashing_engine, monkeypatch):
    # The server's peak memory (VmHWM) was its start-up: the vocabulary's readings and the
    # answer units of every chunk tagged before one release, ~160 MB of the dictionary mapped.
    dictionary = file_pages.dictionary_dir()
    assert dictionary is not None
    frequencies = hashing_engine.analyzer.frequencies
    engine = SearchEngine(
        hashing_engine.index,
        hashing_engine.embedder,
        hashing_engine.fusion,
        QueryAnalyzer(frequencies, sudachi_file=DEFAULT_SUDACHI_FILE),
    )
    released_at: list[int] = []
    release = file_pages.release

    def counted(inside: Path) -> int:
        released_at.append(file_pages.resident_kb(inside))
        return release(inside)

    monkeypatch.setattr(file_pages, "release", counted)
    release(dictionary)
    prepare(engine)
    assert len(engine.answerer.units) > 1000  # every step ran
    # Released before the readings table is built, before the units are made and after; the
    # units' tagging is released as it goes, so no release finds more resident than the
    # readings step alone maps. Compared with that step, not with a fixed size: the pages a
    # step leaves resident vary with the kernel's fault-around and what ran before in the
    # process (alone 60-87 MB a 64-chunk step against 146 MB of readings; after the whole
    # suite 102-128 MB against 176 MB).
    readings, *warming = released_at[1:]
    assert readings > 64 * 1024  # one step: the readings of the whole vocabulary
    assert len(warming) >= 3
    assert max(warming) < readings, released_at
    assert file_pages.resident_kb(dictionary) < 1024


def test_a_warm_engine_has_its_answer_units_made_before_the_first_question(hashing_engine):
    def fresh() -> SearchEngine:
        return SearchEngine(
            hashing_engine.index,
            hashing_engine.embedder,
            hashing_engine.fusion,
            hashing_engine.analyzer,
        )

    chunks = len(hashing_engine.index.chunks)
    capped = fresh()
    units = capped.answerer.units
    assert len(units) == 0
    # As many chunks as the answerer keeps, never more.
    assert warm_answer_units(capped) == len(units) == min(units.maxsize, chunks) > 1000
    # With room for every chunk, every chunk is made at load, and the answers that follow find
    # their units kept under the same key: none is made anew.
    roomy = fresh()
    roomy.answerer.units.maxsize = chunks + 100
    assert warm_answer_units(roomy) == chunks
    for question in ("ごみの分別の方法", "空き家対策の目標値は", "子育て支援の窓口はどこ"):
        found = roomy.answer(question, SearchFilters(), 5)
        assert found.projects
        assert len(roomy.answerer.units) == chunks
