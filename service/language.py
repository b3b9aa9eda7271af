"""The language a question is written in, detected offline.

lingua-language-detector ships its models inside the wheel, so nothing is downloaded. It is
asked to choose among the languages of the help desk's visitors only: a small set decides
better and faster than all 75. Kana settle Japanese at once. A short run of kanji alone
(保育園, 防災) is a Japanese word here far more often than Chinese, whatever lingua thinks.
"""

from __future__ import annotations

import re
from functools import cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

CODES = ("ja", "en", "pt", "vi", "zh", "tl", "es", "ko")
LANGUAGES = tuple(Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in CODES)
_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
_ONLY_KANJI = re.compile(r"^[\u4e00-\u9fff\s\d、。？！?!]{1,4}$")
_LETTERS = re.compile(r"[^\W\d_]")


@cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*LANGUAGES).with_low_accuracy_mode().build()


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language (``ja``, ``en``, ``pt`` …), None when unsure."""
    if _KANA.search(text) or _ONLY_KANJI.match(text.strip()):
        return "ja"
    if not _LETTERS.search(text):
        return None
    found = _detector().detect_language_of(text)
    return found.iso_code_639_1.name.lower() if found is not None else None
