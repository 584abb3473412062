"""A novel-sized book for the size and reading-system tests: about 105,000 words in 12 chapters of
prose and dialogue, generated the same every time by a word chain (order 2) over the two pamphlets'
own prose, so that its words, their frequencies and its typography (curly quotes, dashes, accents,
italics) are a real book's and its text compresses as a real book's does."""

from __future__ import annotations

import random
import re
from pathlib import Path

from tests.conftest import MANUSCRIPT, write_book

WORDS = 105_000
CHAPTERS = 12
# The pamphlets' markup left out: citations, editorial notes, note marks, speaker labels, headings, emphasis.
MARKUP = re.compile(r"\[@[^\]]*\]|\[[^\]]*– ed\.\]|\[\^\d+\]:?|\*\*[A-Z]+:\*\*|^#.*$|[\[\]{}*_]",
                    re.MULTILINE)
CONFIG = """\
    title: The Long Winter
    subtitle: A Novel
    author: [{name: A. Novelist, role: author}]
    language: en
    identifier: urn:uuid:6f1c2a9e-5b7d-4e3a-9c0f-2d8e4b6a1c35
    date: 2026-12-01
    rights: A test book; its text is generated.
    """


Chain = dict[tuple[str, str], list[str]]  # two words -> the words that follow them in the pamphlets


def _chain() -> Chain:
    words = []
    for chapter in sorted(MANUSCRIPT.glob("*/*.md")):
        text = MARKUP.sub(" ", chapter.read_text("utf-8"))
        words += [word for word in text.split() if not set(word) & set("<>\\@#&/")]  # links, escapes
    chain: Chain = {}
    for a, b, c in zip(words, words[1:], words[2:]):
        chain.setdefault((a, b), []).append(c)
    return chain


def _sentence(chain: Chain, starts: list[tuple[str, str]], rng: random.Random) -> str:
    """A sentence of 6 to 40 words: from a capitalised pair of words to a word ending one."""
    a, b = rng.choice(starts)
    sentence = [a, b]
    while len(sentence) < 40 and (len(sentence) < 6 or not sentence[-1].endswith((".", "?", "!"))):
        a, b = b, rng.choice(chain.get((a, b)) or [rng.choice(starts)[0]])
        sentence.append(b)
    text = " ".join(sentence).rstrip(",;:–")
    return text if text.endswith((".", "?", "!")) else text + "."


def _paragraph(chain: Chain, starts: list[tuple[str, str]], rng: random.Random) -> str:
    sentences = [_sentence(chain, starts, rng) for _ in range(rng.randint(2, 7))]
    if rng.random() < 0.3:  # dialogue
        speaker = rng.choice(["Anna", "Józef", "Marguerite", "Tomás", "the old man", "Élise"])
        spoken = sentences[0][:-1] + "," if sentences[0].endswith(".") else sentences[0]
        return f"“{spoken}” {speaker} said. " + " ".join(sentences[1:])
    words = sentences[-1].split()
    n = rng.randrange(1, len(words))
    if rng.random() < 0.2 and words[n].isalpha():  # a word stressed
        words[n] = f"*{words[n]}*"
    return " ".join(sentences[:-1] + [" ".join(words)])


def novel_chapters(words: int = WORDS, chapters: int = CHAPTERS) -> dict[str, str]:
    """Chapter file name -> Markdown: `chapters` chapters of about `words` words in all."""
    chain = _chain()
    starts = sorted(pair for pair in chain if pair[0][:1].isupper() and pair[0].isalpha())
    rng = random.Random(20)
    book = {}
    for n in range(1, chapters + 1):
        paragraphs, count = [], 0
        while count < words // chapters:
            paragraphs.append(_paragraph(chain, starts, rng))
            count += len(paragraphs[-1].split())
        book[f"chapter-{n:02d}.md"] = f"# Chapter {n}\n\n" + "\n\n".join(paragraphs) + "\n"
    return book


def write_novel(root: Path) -> Path:
    return write_book(root, novel_chapters(), CONFIG)
