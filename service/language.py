"""The language a question is written in, detected offline.

lingua-language-detector ships its models inside the wheel, so nothing is downloaded. It is
asked to choose among the languages of the help desk's visitors only: a small set decides
better and faster than all 75. Kana settle Japanese at once. A short run of kanji alone
(保育園, 防災) is a Japanese word here far more often than Chinese, whatever lingua thinks; so
is a longer compound the Japanese character set holds (多文化共生, 男女共同参画, lingua's
「Chinese」): a Chinese question is a sentence, and written in simplified characters
(伊势崎, 垃圾) that Japanese text never uses.

lingua always names some language, and confidently: 「asdfghjkl」 is English at 0.96,
「qwerty uiop」 Tagalog at 0.90. Letters typed at random (``_gibberish``) are no language, so
their language is unknown (None) rather than a guess that would send them down a foreign path.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

CODES = ("ja", "en", "pt", "vi", "zh", "tl", "es", "ko")
LANGUAGES = tuple(Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in CODES)
_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
_ONLY_KANJI = re.compile(r"^[\u4e00-\u9fff\s\d、。？！?!]{1,4}$")
# A kanji compound as staff type it: kanji (and spaces between words), nothing else.
_KANJI_COMPOUND = re.compile(r"^[\u4e00-\u9fff々\s]{5,16}$")
_LETTERS = re.compile(r"[^\W\d_]")
_LATIN_WORD = re.compile(r"[a-z]+")
# Keyboard rows (QWERTY, the layout of every language asked here): a word that is a run of
# one of them is typed, not spelled (asdf, qwerty, uiop, zxcv).
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
# No word of en/pt/es/tl/vi has six consonants in a row (strengths has five) or one letter
# three times running.
_CONSONANT_RUN = re.compile(r"[^aeiouy]{6}")
_REPEATED = re.compile(r"(.)\1\1")
_VOWEL = re.compile(r"[aeiouy]")


@cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*LANGUAGES).with_low_accuracy_mode().build()


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language (``ja``, ``en``, ``pt`` …), None when unsure."""
    if _KANA.search(text) or _japanese_kanji(text):
        return "ja"
    if not _LETTERS.search(text) or _gibberish(text):
        return None
    found = _detector().detect_language_of(text)
    return found.iso_code_639_1.name.lower() if found is not None else None


def _unspellable(word: str) -> bool:
    """A Latin word no language here spells: a run of a keyboard row, no vowel, six consonants
    in a row, or a letter three times running. Words of three letters or fewer are left alone
    (PCR, NHK, zoo)."""
    if len(word) <= 3:
        return False
    return (
        any(word in row for row in _KEYBOARD_ROWS)
        or not _VOWEL.search(word)
        or bool(_CONSONANT_RUN.search(word) or _REPEATED.search(word))
    )


def _gibberish(text: str) -> bool:
    """Whether ``text`` is Latin letters typed at random: it has words of four letters or more
    (accents aside) and every one of them is unspellable; one real word saves the question."""
    bare = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    words = [w for w in _LATIN_WORD.findall(bare) if len(w) > 3]
    return bool(words) and all(_unspellable(w) for w in words)


def _japanese_kanji(text: str) -> bool:
    """Kanji alone — up to four (with digits and punctuation), or a compound of 5–16 — every one
    in the Japanese character set (cp932). Short ones too: 垃圾分类 (garbage sorting) is written
    with simplified characters cp932 lacks, and read as Japanese its words were ones the plans
    never print (no_match) while the glossary knows them."""
    stripped = text.strip()
    if not (_ONLY_KANJI.match(stripped) or _KANJI_COMPOUND.match(stripped)):
        return False
    try:
        text.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True
