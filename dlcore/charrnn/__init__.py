"""Char-RNN: an LSTM that writes Shakespeare one character at a time.

Karpathy, "The Unreasonable Effectiveness of Recurrent Neural Networks" (2015) and
karpathy/char-rnn. :mod:`.corpus` reads and splits the works, :mod:`.model` is the
network, :mod:`.train` trains it, :mod:`.sample` writes with it (a hand-written LSTM cell,
ten times faster than stepping ``nn.LSTM``) and :mod:`.neurons` finds hidden units worth
looking at. The command line is ``python -m dlcore.charrnn train|evaluate|neurons|sample``.
"""
