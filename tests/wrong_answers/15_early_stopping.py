# Deliberately wrong answers for exercises/15_early_stopping.ipynb, keyed by the nbgrader
# grade_id of the answer cell they replace; "<grade_id>#2", "<grade_id>#3", ... are further
# wrong answers to the same cell. Each should lose some of that question's points but not
# all of the exercise's: the tests in test_grading.py check both.
_LOOP = '''
def fit_with_early_stopping(model, train_epoch, validate, patience, max_epochs, min_delta=0.0):
    if not patience >= 1:
        raise ValueError(f"Invalid patience: {patience}")
    if not max_epochs >= 1:
        raise ValueError(f"Invalid max_epochs: {max_epochs}")
    best_value, best_epoch, wait = math.inf, 0, 0
    best_state = copy.deepcopy(model.state_dict())
    val_losses = []
    for epoch in range(1, max_epochs + 1):
        train_epoch(model)
        v = validate(model)
        val_losses.append(v)
        if v < best_value - min_delta:
            best_value, best_epoch, wait = v, epoch, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            wait += 1
            if wait >= patience:
                break
    model.load_state_dict(best_state)
    return best_epoch, val_losses
'''


def _loop(old: str, new: str) -> str:
    """The solution's loop with one line changed (the change must apply)."""
    assert old in _LOOP, old
    return _LOOP.replace(old, new)


WRONG = {
    # Forgets min_delta and treats an equal loss as an improvement (<= instead of <): the
    # visible tests have neither ties nor a min_delta, the hidden ones have both.
    "early_stop": '''
def early_stop(val_losses, patience, min_delta=0.0):
    best, best_epoch, wait = math.inf, 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss <= best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses)
''',
    # Off by one at the patience boundary: waits for patience + 1 epochs without improvement.
    "early_stop#2": '''
def early_stop(val_losses, patience, min_delta=0.0):
    best, best_epoch, wait = math.inf, 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait > patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses)
''',
    # Counts epochs from 0 (Python indices) instead of from 1.
    "early_stop#3": '''
def early_stop(val_losses, patience, min_delta=0.0):
    best, best_epoch, wait = math.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1
''',
    # Never resets the count after an improvement: counts all non-improving epochs.
    "early_stop#4": '''
def early_stop(val_losses, patience, min_delta=0.0):
    best, best_epoch, wait = math.inf, 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best - min_delta:
            best, best_epoch = loss, epoch
        else:
            wait += 1
            if wait >= patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses)
''',
    # The small-step linearization tau * lr * lambda: exact for one step, but it grows past 1
    # instead of saturating at w*.
    "gd_fraction": '''
def gd_fraction(eigenvalue, lr, steps):
    return steps * lr * eigenvalue
''',
    # The fraction still to go, (1 - lr lambda)^tau, instead of the fraction reached.
    "gd_fraction#2": '''
def gd_fraction(eigenvalue, lr, steps):
    return (1 - lr * eigenvalue) ** steps
''',
    # Gradient flow, 1 - exp(-lr lambda tau), instead of the discrete steps: close only when
    # lr * lambda is small.
    "gd_fraction#3": '''
def gd_fraction(eigenvalue, lr, steps):
    return 1 - math.exp(-lr * eigenvalue * steps)
''',
    # Off by one in the exponent: counts tau + 1 steps.
    "gd_fraction#4": '''
def gd_fraction(eigenvalue, lr, steps):
    return 1 - (1 - lr * eigenvalue) ** (steps + 1)
''',
    # The product instead of its inverse: right only when lr * steps = 1.
    "ridge_alpha": '''
def ridge_alpha(lr, steps):
    return lr * steps
''',
    # Forgets the learning rate: counts steps, not the distance lr * steps they cover.
    "ridge_alpha#2": '''
def ridge_alpha(lr, steps):
    return 1.0 / steps
''',
    # A factor 2 from the 1/2 in alpha/2 ||w||^2.
    "ridge_alpha#3": '''
def ridge_alpha(lr, steps):
    return 1.0 / (2 * lr * steps)
''',
    # Keeps model.state_dict() itself, not a copy: its tensors are the live parameters, so
    # "restoring" it loads the last epoch's weights.
    "fit_with_early_stopping": _loop(
        "            best_state = copy.deepcopy(model.state_dict())\n",
        "            best_state = model.state_dict()\n",
    ),
    # Copies only the parameters: the buffers (batch norm's running statistics) stay at the
    # last epoch.
    "fit_with_early_stopping#2": _loop(
        "            best_state = copy.deepcopy(model.state_dict())\n",
        "            best_state = {**model.state_dict(), **{k: p.detach().clone() for k, p in model.named_parameters()}}\n",
    ).replace(
        "    model.load_state_dict(best_state)\n",
        "    with torch.no_grad():\n"
        "        for k, p in model.named_parameters():\n"
        "            p.copy_(best_state[k])\n",
    ),
    # Restores the best state only when the patience runs out, not when max_epochs does.
    "fit_with_early_stopping#3": _loop(
        "            if wait >= patience:\n                break\n    model.load_state_dict(best_state)\n",
        "            if wait >= patience:\n                model.load_state_dict(best_state)\n                break\n",
    ),
    # An equal loss counts as an improvement (<=), and min_delta is ignored.
    "fit_with_early_stopping#4": _loop("        if v < best_value - min_delta:\n", "        if v <= best_value:\n"),
    # Off by one at the patience boundary: one epoch too many without improvement.
    "fit_with_early_stopping#5": _loop("            if wait >= patience:\n", "            if wait > patience:\n"),
    # Validates patience >= 0 instead of >= 1: patience = 0 is accepted.
    "fit_with_early_stopping#6": _loop("    if not patience >= 1:\n", "    if not patience >= 0:\n"),
    # The prediction "early stopping always helps", written down without running anything.
    "early_stopping_experiment": '''
helps_clean = True
helps_noisy = True
''',
    # Compares the two models on their (noisy) training labels instead of the test set: the
    # longer run has memorized more of them, so early stopping never seems to help.
    "early_stopping_experiment#2": '''
gain = {}
for noise in (0.0, 0.4):
    subtrain = corrupted_subtrain(noise)
    accuracy = {}
    for patience in (None, 10):
        model = models.mlp(128, seed=0)
        stopper = [] if patience is None else [early_stopping.EarlyStopping(patience=patience)]
        train.fit(model, subtrain, loss_fn=F.cross_entropy, optimizer=torch.optim.Adam(model.parameters(), lr=1e-3),
                  epochs=80, batch_size=32, val=digits.val, callbacks=stopper, progress=False)
        accuracy[patience] = train.evaluate(model, F.cross_entropy, subtrain)[1]
    gain[noise] = accuracy[10] - accuracy[None]
helps_clean = gain[0.0] > 0.03
helps_noisy = gain[0.4] > 0.03
''',
    # The prediction "with random labels the network cannot fit anything anyway, so when to
    # stop does not matter", written down without running anything.
    "early_stopping_experiment#3": '''
helps_clean = False
helps_noisy = False
''',
}
