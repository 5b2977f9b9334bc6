"""Hot dog or not, and fine-tuning: a pretrained ImageNet network taught new classes.

``imagenet``: EfficientNet-lite0 offline, its preprocessing, top-5 and p(hot dog);
``demo``: pictures the project makes itself (drawn hot dogs and plates, crops of bundled
photos, scikit-image's faces and non-faces); ``train``: a new head on frozen features, the
last block fine-tuned, a CNN from scratch; ``hotdog``: the examples that teach the hot dog
(or, biased, the tablecloth); ``compare``: fine-tuned against from scratch on held-out
pictures, as the pictures per class grow.
"""
