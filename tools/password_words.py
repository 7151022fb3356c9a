#!/usr/bin/env python3
"""password_words.py — the word list of leadimport's password dictionary.

Reads word lists (one word a line, UTF-8; lines starting with # ignored) and
writes one word a line, lower-cased, accents removed ("général" ->
"general"), to the output file. cracklib keeps only a-z and 0-9 of each
word: without this step the French words of wfrench would lose their
accented letters ("gnral") and never match a password. The build gives the
result to create-cracklib-dict (CMakeLists.txt); passwords are checked
both as typed and with the same folding (src/users/password.c).

Usage: password_words.py OUT LIST...   (a LIST that does not exist is skipped)
"""
import os
import sys
import unicodedata


def fold(word):
    decomposed = unicodedata.normalize("NFKD", word.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    out, lists = argv[1], argv[2:]
    words = set()
    for path in lists:
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                w = fold(line)
                if w:
                    words.add(w)
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for w in sorted(words):
            f.write(w + "\n")
    os.replace(tmp, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
