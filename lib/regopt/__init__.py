"""regopt: the algorithms of *Optimization and Regularization for
Deep Learning*.

Each topic of the book is one small module; chapters import what they teach:

- ``regopt.data``: the 8x8 digits and synthetic data sets
- ``regopt.train``: the one training loop, ``fit``
- ``regopt.backprop``: backpropagation by hand for a two-layer network
  (chapter 1)
- ``regopt.gradcheck``: finite-difference gradient checking (chapter 1)
- ``regopt.minibatch``: the 0-1 loss, per-example and minibatch gradients,
  gradient noise vs batch size (chapter 2)
- ``regopt.models``: the small networks the chapters train (``mlp``)
- ``regopt.landscapes`` and ``regopt.plots``: 2-D landscapes, curves,
  trajectories
- ``regopt.optim``: SGD, momentum, AdaGrad, RMSProp, Adam, AdamW and
  learning-rate schedules (chapters 4 to 6), gradient clipping (chapter 3);
  each one with a ``torch.optim`` namesake is its twin
- ``regopt.diagnostics``: dead ReLU units and their revival, activation and
  gradient scales per layer, Hessian eigenvalues (chapter 3)
- ``regopt.init``: zeros, Xavier, Kaiming and orthogonal initialization
  (chapter 7)
- ``regopt.randmat``: the circular and Marchenko-Pastur laws, extreme
  singular values (chapter 8)
- ``regopt.normalization``: input standardization and batch normalization
  (chapter 9)
- ``regopt.pretraining``: greedy layer-wise pretraining and frozen layers
  (chapter 10)
- ``regopt.bias_variance``: the bias-variance decomposition measured by
  simulation (chapter 11)
- ``regopt.penalties`` and ``regopt.constraints``: L2, L1 and elastic-net
  penalties, the proximal step, norm-ball and max-norm constraints
  (chapters 12 and 13)
- ``regopt.augmentation`` and ``regopt.noise``: transformed digits, input
  and weight noise, label smoothing (chapter 14)
- ``regopt.early_stopping``: early stopping as a ``fit`` callback, its two
  meta-algorithms, and its equivalence to L2 on a quadratic (chapter 15)
- ``regopt.sharing`` and ``regopt.semisupervised``: parameter tying and
  sharing, multi-task networks, learning from unlabeled digits, sparse
  activations (chapter 16)
- ``regopt.ensembles`` and ``regopt.dropout``: bagging, the ensemble error,
  dropout and DropConnect (chapter 17)
- ``regopt.adversarial`` and ``regopt.tangent``: FGSM, adversarial training,
  tangent vectors, tangent distance, tangent propagation and the manifold
  tangent classifier (chapter 18)
- ``regopt.autoencoders``: under- and overcomplete autoencoders, tied
  weights (chapter 19)
- ``regopt.synthesis``: the variance of the learned function across seeds,
  and the rule that credits a change of recipe to optimization or
  regularization (chapter 20)

Submodules are imported on first use, so ``import regopt`` stays quick (an
autograded exercise that needs one function does not pay for matplotlib
and scikit-learn).
"""

from __future__ import annotations

import importlib
import pkgutil

from .reproducibility import default_device, device_of, seed_everything

__version__ = "0.1.0"

# Every public module in this folder, found rather than listed, so adding a
# chapter's module is adding its file.
_SUBMODULES = tuple(
    sorted(
        m.name
        for m in pkgutil.iter_modules(__path__)
        if not m.name.startswith("_") and m.name != "reproducibility"
    )
)

__all__ = [*_SUBMODULES, "default_device", "device_of", "seed_everything"]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'regopt' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
