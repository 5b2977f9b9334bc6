"""The training lab: split the data, watch a network overfit, make the classic mistakes on purpose.

The talk's "Split your data" and "Overfitting" slides, live: a small fully connected network
learns a seeded subset of MNIST split three ways. The training set fits the weights, the
validation set picks the epoch and the settings (early stopping), the test set is looked at
once, at the end, to report how well the chosen model does on digits nobody tuned for.
References: Goodfellow, Bengio and Courville, *Deep Learning* (2016), section 5.3 (validation
sets), 7.8 (early stopping), 7.12 (dropout, after Srivastava et al. 2014) and 7.1 (weight
decay as an L2 penalty); TensorFlow Playground's train and test loss.

Two mistakes can be made on request, so that a room can see what they do:

* ``leak_pct`` plants copies of training digits in the test set (duplicates that slipped
  through a split): a network that memorised its training set scores them right, and the
  test score rises above the score on the clean test set.
* ``tune_on_test`` picks the epoch by the test score instead of the validation loss: the
  best of many looks at the same few hundred digits is luck as much as skill, and it rises
  above the score on "the world": digits set aside that were never looked at.

Data: ``assets/mnist_lab.npz``, 3,500 digits drawn (seed 0) from MNIST's training set by
``python -m dlcore.lab sample --data-dir DIR`` (580 kB): a pool of 3,000 that the lab splits,
and 500 set aside as "the world", the digits a model meets after its test. (MNIST's own test
set would not do: its digits are easier, and every model scores higher there.)
Runs are bounded (:data:`LIMITS`) so that one visitor cannot hold a shared server's CPU.
"""

from dlcore.lab.config import LIMITS, LabConfig
from dlcore.lab.data import (
    POOL_PATH,
    POOL_SIZE,
    WORLD_SIZE,
    Splits,
    load_pool,
    load_world,
    split,
    split_sizes,
    write_pool,
)
from dlcore.lab.presets import PRESETS, Preset, preset
from dlcore.lab.run import Epoch, Outcome, Run, SeededDropout, build_model, evaluate, train

__all__ = ["LIMITS", "LabConfig", "POOL_PATH", "POOL_SIZE", "WORLD_SIZE", "Splits", "load_pool",
           "load_world", "split", "split_sizes", "write_pool", "PRESETS", "Preset", "preset",
           "Epoch", "Outcome", "Run", "SeededDropout", "build_model", "evaluate", "train"]
