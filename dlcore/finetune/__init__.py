"""Hot dog or not, and fine-tuning: a pretrained ImageNet network taught new classes.

``imagenet``: EfficientNet-lite0 offline, its preprocessing, top-5 and p(hot dog);
``demo``: pictures the project makes itself (a drawn hot dog, crops of bundled photos);
``train``: a new head on frozen features, the last block fine-tuned, a CNN from scratch.
"""
