"""Data readers: MNIST's IDX files (:mod:`dlcore.data.mnist`) and uploaded pictures
(:mod:`dlcore.data.images`). Where the files live is :mod:`dlcore.paths`."""
