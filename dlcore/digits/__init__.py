"""The digit readers of the talk's MNIST slides, as a package.

* :mod:`~dlcore.digits.model`: the CNN and the MLP, loading, prediction, feature maps;
* :mod:`~dlcore.digits.preprocess`: a drawing or photo -> the 28x28 digit, as MNIST was made;
* :mod:`~dlcore.digits.augment`: distortions for training and for the page's sliders;
* :mod:`~dlcore.digits.predict`: the page's pipeline: perturb a digit, ask both networks;
* :mod:`~dlcore.digits.train`: training and evaluation on the shared core
  :mod:`dlcore.training`; the command line is ``python -m dlcore.digits train|evaluate``.
"""
