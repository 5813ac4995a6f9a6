"""Pure grouping steps: clustering vectors, key phrases by class-based TF-IDF, labels, matching."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

# Fewer contributions than this make one theme: too few to split meaningfully.
MIN_TO_SPLIT = 6
# On average at least this many contributions per theme, and never more than MAX_THEMES themes:
# a board reads a dozen or two themes, not a hundred.
MIN_PER_THEME = 4
MAX_THEMES = 24
# Choosing k fits k-means about twenty times and silhouette is quadratic in the number of
# points: above this many, k is chosen on a fixed random sample of this size.
SELECTION_SAMPLE = 2000
# Cosine similarity of a new group's centroid to a staff-edited theme (or a theme merged into
# it) at or above which the group joins that theme on a re-run.
MATCH_THRESHOLD = 0.8
KEY_PHRASES = 5
SEED = 0


def unit(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def _k_range(n: int) -> range:
    return range(2, max(2, min(MAX_THEMES, n // MIN_PER_THEME)) + 1)


def cluster(vectors: np.ndarray) -> np.ndarray:
    """A group number (0..k-1) per row of unit vectors.

    k-means on unit vectors (so Euclidean distance ranks like cosine), with k chosen by the
    best cosine silhouette over a sensible range; small sets make one group. Above
    SELECTION_SAMPLE rows, k is chosen on a random sample and the final fit uses every row.
    """
    n = len(vectors)
    if n < MIN_TO_SPLIT:
        return np.zeros(n, dtype=np.int64)
    rng = np.random.default_rng(SEED)
    sample = (
        np.sort(rng.choice(n, size=SELECTION_SAMPLE, replace=False))
        if n > SELECTION_SAMPLE
        else np.arange(n)
    )
    chosen = vectors[sample]
    # One thread: scikit-learn's OpenMP threads thrash on a busy two-core machine (measured
    # 12 times slower than one thread for these small fits).
    with threadpool_limits(limits=1):
        best_k, best_score = 1, -1.0
        for k in _k_range(len(chosen)):
            labels = KMeans(n_clusters=k, n_init=3, random_state=SEED).fit_predict(chosen)
            if len(set(labels.tolist())) < 2:
                continue
            score = float(silhouette_score(chosen, labels, metric="cosine"))
            if score > best_score:
                best_k, best_score = k, score
        if best_k == 1:
            return np.zeros(n, dtype=np.int64)
        labels = KMeans(n_clusters=best_k, n_init=3, random_state=SEED).fit_predict(vectors)
    return _renumber(labels)


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Group numbers by size, largest first, so the output is stable to read."""
    values, counts = np.unique(labels, return_counts=True)
    order = values[np.argsort(-counts, kind="stable")]
    mapping = {int(old): new for new, old in enumerate(order)}
    return np.array([mapping[int(label)] for label in labels], dtype=np.int64)


def centroid(vectors: np.ndarray) -> np.ndarray:
    """The unit-length mean direction of some unit vectors."""
    if len(vectors) == 0:
        return np.zeros(vectors.shape[-1] if vectors.ndim == 2 else 0, dtype=np.float32)
    return unit(vectors.mean(axis=0))


# Words residents use on every topic: they never set a theme apart.
_STOP_WORDS = sorted(
    ENGLISH_STOP_WORDS
    | {"people", "need", "needs", "make", "like", "want", "just", "really", "lot", "lots",
       "use", "used", "would", "could", "should", "don", "doesn", "isn", "stop", "help",
       "better", "new", "free", "local", "area", "place", "way", "time", "years", "day"}
)  # fmt: skip


def _same_root(a: str, b: str) -> bool:
    """Crude but enough for labels: "bus" and "buses", "light" and "lighting", "job" and
    "jobs" start alike (up to four letters) and say the same thing twice."""
    size = min(len(a), len(b), 4)
    return a[:size] == b[:size]


def key_phrases(groups: Sequence[Sequence[str]], *, top: int = KEY_PHRASES) -> list[list[str]]:
    """The words and two-word phrases that set each group apart (class-based TF-IDF).

    Each group's texts are one class: a term's frequency within the class, weighted by how
    rare it is across classes, log(1 + mean words per class / term's total frequency).
    A word that mostly occurs inside one two-word phrase is shown as that phrase ("mental
    health", not "mental"), and no word is shown twice (nor its plural or other forms).
    """
    if not groups:
        return []
    docs = [" ".join(texts) for texts in groups]
    vectorizer = CountVectorizer(
        ngram_range=(1, 2),
        stop_words=_STOP_WORDS,
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b",  # noqa: S106  (words, two letters or more)
        lowercase=True,
    )
    try:
        counts = vectorizer.fit_transform(docs).toarray().astype(np.float64)
    except ValueError:
        # Only stop words (or nothing) in every text: nothing to show.
        return [[] for _ in groups]
    terms = [str(term) for term in vectorizer.get_feature_names_out()]
    bigrams_of: dict[str, list[int]] = {}
    for index, term in enumerate(terms):
        if " " in term:
            for word in term.split():
                bigrams_of.setdefault(word, []).append(index)
    class_words = counts.sum(axis=1, keepdims=True)
    tf = counts / np.maximum(class_words, 1.0)
    mean_words = float(class_words.mean())
    idf = np.log(1.0 + mean_words / np.maximum(counts.sum(axis=0), 1.0))
    scores = tf * idf
    result: list[list[str]] = []
    for row, raw in zip(scores, counts, strict=True):
        # Terms seen at least twice in the group, unless the group is a text or two.
        least = 2 if raw.sum() > 12 else 1
        chosen: list[str] = []
        shown: set[str] = set()
        for index in np.argsort(-row, kind="stable"):
            if row[index] <= 0 or raw[index] < least:
                break
            term = terms[index]
            if " " not in term:
                pairs = [i for i in bigrams_of.get(term, []) if raw[i] >= 0.6 * raw[index]]
                if pairs:
                    term = terms[max(pairs, key=lambda i: raw[i])]
            words = term.split()
            if any(_same_root(word, other) for word in words for other in shown):
                continue
            chosen.append(term)
            shown.update(words)
            if len(chosen) == top:
                break
        result.append(chosen)
    return result


def label_from(phrases: Sequence[str]) -> str:
    """A default label: the top two key phrases, e.g. "Street lights, dark"."""
    if not phrases:
        return "Other contributions"
    text = ", ".join(phrases[:2])
    return text[:1].upper() + text[1:]


def match(
    group_centroids: np.ndarray,
    theme_centroids: Sequence[np.ndarray],
    theme_keys: Sequence[int],
    *,
    threshold: float = MATCH_THRESHOLD,
) -> dict[int, int]:
    """For each group, the key of the most similar theme centroid at or above the threshold.

    Several centroids may share a key (a theme and the themes merged into it), and several
    groups may join one theme; a group below the threshold for every theme is left out.
    """
    if len(theme_centroids) == 0 or len(group_centroids) == 0:
        return {}
    themes = np.vstack([np.asarray(c, dtype=np.float32) for c in theme_centroids])
    similarity = group_centroids @ themes.T
    matched: dict[int, int] = {}
    for group, row in enumerate(similarity):
        best = int(np.argmax(row))
        if row[best] >= threshold:
            matched[group] = theme_keys[best]
    return matched


def nearest(query: np.ndarray, vectors: np.ndarray, *, limit: int, floor: float) -> list[int]:
    """Row indexes of the vectors most similar to the query, best first, at least `floor`."""
    if len(vectors) == 0:
        return []
    similarity = vectors @ query
    order = np.argsort(-similarity, kind="stable")[:limit]
    return [int(i) for i in order if similarity[i] >= floor]
