"""How much of a resume's wording each candidate posting shares: TF-IDF cosine over the candidates.

For a resume r and the N postings d compared with it (the candidates the vector search found):

    words      lower-case runs of [a-z0-9#+] ("c#" and "c++" stay words), stop words dropped
    idf(t)     ln(1 + (N - n(t) + 0.5) / (n(t) + 0.5)),  n(t) = candidates containing word t
    w(t, d)    ln(1 + tf(t, d)) * idf(t)       a posting's words, by how often it uses them
    w(t, r)    idf(t)                          a resume's words, each once
    lexical(d) = sum_t w(t, r) w(t, d) / (|w(., r)| |w(., d)|),   0 to 1

The IDF comes from the candidates themselves: a word they all use ("python" when all are Python
jobs) barely counts, and the words that tell them apart decide. A resume word no candidate uses
has the highest IDF, so it lowers every candidate's score alike. The IDF is positive however
common a word is, so it needs no floor (one from 0.1 to ln 2 changed nothing on RJDB).

A resume's words count once so that repeating keywords does not raise its score. The cosine is
not rescaled by the best candidate's: the stronger of two resumes keeps its higher score on
the same posting (rescaling made both 1 and cost 6 points of pairwise accuracy on RJDB).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from itertools import chain

import numpy as np

# What is not a word character becomes a space; `str.translate` and `split` find the same
# words as the regular expression [a-z0-9#+]+ in about half the time.
_WORD_BYTES = b"abcdefghijklmnopqrstuvwxyz0123456789#+"
_SPACES = bytes(c if c in _WORD_BYTES else 32 for c in range(256))
# Words too common in any English text to say anything about a job.
_STOP = """
a about above after again against all am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it
its itself just me more most my myself no nor not now of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours yourself
yourselves"""
STOP_WORDS = frozenset(_STOP.split())


def words(text: str) -> Counter[str]:
    """A text's words (lower-case runs of a-z, 0-9, # and +, stop words dropped), counted."""
    counts = _all_words(text)
    for word in STOP_WORDS.intersection(counts):
        del counts[word]
    return counts


def _all_words(text: str) -> Counter[str]:
    # Non-ASCII characters become "?", so they separate words as in [a-z0-9#+]+.
    spaced = text.lower().encode("ascii", "replace").translate(_SPACES).decode("ascii")
    return Counter(spaced.split())


def lexical_scores(resume: str, postings: Sequence[str]) -> list[float]:
    """Each posting's TF-IDF cosine with the resume, the IDF taken over `postings`; 0 to 1."""
    query = words(resume)
    # Stop words stay in the postings' counts and get no weight: cheaper than deleting them.
    documents = [_all_words(posting) for posting in postings]
    n = len(documents)
    if not query or n == 0:
        return [0.0] * n
    found = Counter(chain.from_iterable(documents))  # postings containing each word
    index = dict(zip(found, range(len(found)), strict=True))
    containing = np.fromiter(found.values(), dtype=np.float64, count=len(found))
    idf = np.log1p((n - containing + 0.5) / (containing + 0.5))
    stop = [index[word] for word in STOP_WORDS.intersection(index)]
    idf[np.array(stop, dtype=np.intp)] = 0.0
    # One entry per (posting, distinct word), postings in order: numpy then sums per posting.
    entries = sum(len(document) for document in documents)
    ids = np.fromiter(
        map(index.__getitem__, chain.from_iterable(documents)), dtype=np.intp, count=entries
    )
    counts = np.fromiter(
        chain.from_iterable(document.values() for document in documents),
        dtype=np.float64,
        count=entries,
    )
    owner = np.repeat(np.arange(n), [len(document) for document in documents])
    weights = np.log1p(counts) * idf[ids]
    norms = np.sqrt(np.bincount(owner, weights=weights * weights, minlength=n))
    shared = np.array([index[word] for word in query if word in index], dtype=np.intp)
    unseen = len(query) - len(shared)
    query_weights = np.zeros(len(index))
    query_weights[shared] = idf[shared]
    query_norm = math.sqrt(
        float(np.sum(idf[shared] ** 2)) + unseen * math.log1p((n + 0.5) / 0.5) ** 2
    )
    dots = np.bincount(owner, weights=weights * query_weights[ids], minlength=n)
    scores = np.divide(dots, norms * query_norm, out=np.zeros(n), where=norms > 0)
    return [float(score) for score in np.clip(scores, 0.0, 1.0)]
