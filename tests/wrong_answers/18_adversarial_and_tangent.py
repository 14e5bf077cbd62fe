# Deliberately wrong answers for exercises/18_adversarial_and_tangent.ipynb, keyed by the
# nbgrader grade_id of the answer cell they replace; "<grade_id>#2", "<grade_id>#3", ... are
# further wrong answers to the same cell. Each should lose some of that question's points but
# not all of the exercise's: the tests in test_grading.py check both.
_FGSM = '''
def fgsm_perturbation(model, x, y, eps):
    x_var = x.detach().clone().requires_grad_(True)
    loss = F.cross_entropy(model(x_var), y)
    (g,) = torch.autograd.grad(loss, x_var)
    return (x_var + eps * g.sign()).detach()
'''

_PGD = '''
def pgd_attack(model, x, y, eps, alpha, steps, lo=0.0, hi=1.0):
    if not eps >= 0:
        raise ValueError(f"Invalid eps: {eps}")
    if not alpha > 0:
        raise ValueError(f"Invalid alpha: {alpha}")
    if not steps >= 1:
        raise ValueError(f"Invalid steps: {steps}")
    x = x.detach()
    x_t = x.clone()
    for _ in range(steps):
        x_t.requires_grad_(True)
        loss = F.cross_entropy(model(x_t), y)
        (g,) = torch.autograd.grad(loss, x_t)
        with torch.no_grad():
            x_t = x_t + alpha * g.sign()
            x_t = torch.clamp(x_t, x - eps, x + eps)
            x_t = torch.clamp(x_t, lo, hi)
    return x_t.detach()
'''

_SHIFT = '''
def shift_tangent(images):
    grid = images.reshape(-1, 8, 8)
    padded = F.pad(grid, (1, 1))
    v = (padded[:, :, :-2] - padded[:, :, 2:]) / 2
    return v.reshape(-1, 64)
'''

_EXPERIMENT = '''
eps = 0.05
X_fgsm = adversarial.fgsm(net, X_test, y_test, eps=eps).clamp(0.0, 1.0)
acc_fgsm = train.accuracy(net, (X_fgsm, y_test))
X_t = X_test.clone()
for _ in range(10):
    X_t = adversarial.fgsm(net, X_t, y_test, eps=eps / 4)
    X_t = torch.clamp(X_t, X_test - eps, X_test + eps).clamp(0.0, 1.0)
acc_pgd = train.accuracy(net, (X_t, y_test))
acc_noise = train.accuracy(net, ((X_test + eps * signs).clamp(0.0, 1.0), y_test))
'''


def _replace(source: str, old: str, new: str) -> str:
    """``source`` with one piece changed (the change must apply)."""
    assert old in source, old
    return source.replace(old, new)


WRONG = {
    # A step along the normalized gradient (an L2 attack) instead of its sign: it also
    # raises the loss, but the pixels move by different amounts, not all by eps.
    "fgsm_perturbation": _replace(_FGSM, "eps * g.sign()", "eps * g / g.norm()"),
    # Switches on requires_grad of the caller's tensor instead of a copy's: the values are
    # right, but the caller's x now requires gradients (the side-effect test).
    "fgsm_perturbation#2": _replace(
        _FGSM, "x_var = x.detach().clone().requires_grad_(True)", "x_var = x.requires_grad_(True)"),
    # loss.backward() instead of torch.autograd.grad: the values are right, but it also
    # fills the model's parameter gradients (and the input's .grad).
    "fgsm_perturbation#3": _replace(
        _FGSM, "(g,) = torch.autograd.grad(loss, x_var)", "loss.backward()\n    g = x_var.grad"),
    # Projects onto the box around the current iterate instead of the original x: every
    # step is allowed eps more, so after several steps the attack leaves the box.
    "pgd_attack": _replace(_PGD, "torch.clamp(x_t, x - eps, x + eps)",
                           "torch.clamp(x_t, x_t - eps, x_t + eps)"),
    # Forgets the clamp to the pixel range: the visible test on [0, 1] images catches it.
    "pgd_attack#2": _replace(_PGD, "            x_t = torch.clamp(x_t, lo, hi)\n", ""),
    # Steps along the raw gradient instead of its sign: a different (L2-flavoured) attack,
    # much weaker in the L-infinity box; the visible test with one step catches it too.
    "pgd_attack#3": _replace(_PGD, "alpha * g.sign()", "alpha * g"),
    # Calls loss.backward(), which accumulates gradients into the model's parameters.
    "pgd_attack#4": _replace(_PGD, "(g,) = torch.autograd.grad(loss, x_t)",
                             "loss.backward()\n        g = x_t.grad"),
    # torch.roll wraps the image around instead of bringing in background: right whenever
    # the first and last columns are empty, as in the visible test, wrong otherwise.
    "shift_tangent": '''
def shift_tangent(images):
    grid = images.reshape(-1, 8, 8)
    v = (torch.roll(grid, 1, dims=2) - torch.roll(grid, -1, dims=2)) / 2
    return v.reshape(-1, 64)
''',
    # The derivative of the image along its columns, +dx/dc, instead of the tangent of a
    # shift to the right, -dx/dc: the sign is flipped.
    "shift_tangent#2": _replace(_SHIFT, "(padded[:, :, :-2] - padded[:, :, 2:]) / 2",
                                "(padded[:, :, 2:] - padded[:, :, :-2]) / 2"),
    # Pads the rows instead of the columns: the tangent of a vertical shift.
    "shift_tangent#3": '''
def shift_tangent(images):
    grid = images.reshape(-1, 8, 8)
    padded = F.pad(grid, (0, 0, 1, 1))
    v = (padded[:, :-2, :] - padded[:, 2:, :]) / 2
    return v.reshape(-1, 64)
''',
    # Adds the tangents up before squaring: ||W (v_1 + ... + v_k)||^2 has cross terms, so it
    # is right for a single tangent only.
    "linear_tangent_prop": '''
def linear_tangent_prop(W, tangents):
    return ((W @ tangents.sum(dim=0)) ** 2).sum()
''',
    # Multiplies by W on the wrong side (W^T v instead of W v).
    "linear_tangent_prop#2": '''
def linear_tangent_prop(W, tangents):
    return ((tangents @ W) ** 2).sum()
''',
    # Sums the norms instead of the squared norms.
    "linear_tangent_prop#3": '''
def linear_tangent_prop(W, tangents):
    return (tangents @ W.T).norm(dim=1).sum()
''',
    # The multi-step attack without the projection onto the box around X_test: ten steps of
    # eps / 4 move pixels by up to 2.5 eps, so it looks far stronger than FGSM.
    "attack_experiment": _replace(
        _EXPERIMENT, "torch.clamp(X_t, X_test - eps, X_test + eps).clamp(0.0, 1.0)",
        "X_t.clamp(0.0, 1.0)"),
    # FGSM without the clamp to [0, 1]: it also darkens the background below 0, which the
    # network has never seen, and looks stronger than the (clamped) multi-step attack.
    "attack_experiment#2": _replace(
        _EXPERIMENT, "adversarial.fgsm(net, X_test, y_test, eps=eps).clamp(0.0, 1.0)",
        "adversarial.fgsm(net, X_test, y_test, eps=eps)"),
    # The multi-step attack without the clamp to the pixel range.
    "attack_experiment#3": _replace(
        _EXPERIMENT, "torch.clamp(X_t, X_test - eps, X_test + eps).clamp(0.0, 1.0)",
        "torch.clamp(X_t, X_test - eps, X_test + eps)"),
}
