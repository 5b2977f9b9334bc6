"""Word embeddings: GloVe and a word2vec trained here, as geometry you can explore.

The talk's slide "Word Embeddings (word2vec, GloVe etc.)": each word becomes a vector,
and meaning becomes direction and distance. ``vectors`` loads the models and answers
neighbours, analogies and similarity; ``projection`` draws a word set in 2-D or 3-D
(PCA, t-SNE, axes made of word pairs); ``word2vec`` trains the Shakespeare model;
``evaluation`` scores a model on gensim's analogy and word-similarity sets. The command
line is ``python -m dlcore.embeddings train|evaluate``.
"""

from dlcore.embeddings.vectors import TITLES, Analogy, Embeddings, WordError, clean, load

__all__ = ["TITLES", "Analogy", "Embeddings", "WordError", "clean", "load"]
