# Deliberately wrong answers for exercises/03_challenges.ipynb, keyed by the nbgrader
# grade_id of the answer cell they replace; "<grade_id>#2", "<grade_id>#3", ... are further
# wrong answers to the same cell. Each should lose some of that question's points but not
# all of the exercise's: the tests in test_grading.py check both.

# The right clip_grad_norm_, for the wrong answers that change one thing in it.
_CLIP = '''
def clip_grad_norm_(parameters, max_norm, norm_type=2.0):
    if max_norm < 0:
        raise ValueError(f"Invalid max_norm: {max_norm}")
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    norms = torch.stack([torch.linalg.vector_norm(g, norm_type) for g in grads])
    total = torch.linalg.vector_norm(norms, norm_type)
    if total > max_norm:
        for g in grads:
            g.mul_(max_norm / total)
    return total
'''

# The right power iteration, for the wrong answers that change one thing in it.
_POWER = '''
def top_eigenvalue(loss_fn, theta, steps=100, generator=None):
    point = theta.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(loss_fn(point), point, create_graph=True)
    v = torch.randn(point.shape[0], generator=generator, dtype=point.dtype)
    v = v / v.norm()
    lam = None
    for _k in range(steps):
        (u,) = torch.autograd.grad(g @ v, point, retain_graph=True)
        lam = (v @ u).item()
        v = u / u.norm()
    return lam
'''


def _power(old: str, new: str) -> str:
    assert old in _POWER, old
    return _POWER.replace(old, new)


WRONG = {
    # Clipping by value instead of by norm: each entry is cut to [-c, c] separately, which
    # changes the direction of the gradient.
    "clip_by_norm": '''
def clip_by_norm(g, max_norm):
    return g.clamp(-max_norm, max_norm)
''',
    # Always rescales to length max_norm: a short gradient is lengthened.
    "clip_by_norm#2": '''
def clip_by_norm(g, max_norm):
    return g * (max_norm / g.norm())
''',
    # Right values, but scales the caller's g in place and hands it back.
    "clip_by_norm#3": '''
def clip_by_norm(g, max_norm):
    n = g.norm().item()
    if n > max_norm:
        g.mul_(max_norm / n)
    return g.clone()
''',
    # The factor min(1, c / ||g||) in Python floats: divides by zero on a zero gradient.
    "clip_by_norm#4": '''
def clip_by_norm(g, max_norm):
    return g * min(1.0, max_norm / g.norm().item())
''',
    # PyTorch's guard copied: c / (||g|| + 1e-6) shrinks a gradient of norm exactly c.
    "clip_by_norm#5": '''
def clip_by_norm(g, max_norm):
    return g * torch.clamp(max_norm / (g.norm() + 1e-6), max=1.0)
''',
    # The ratio of the largest to the smallest diagonal entry: right for a diagonal Hessian,
    # wrong as soon as the eigenvectors are rotated.
    "condition_number": '''
def condition_number(H):
    d = torch.diagonal(H)
    return (d.max() / d.min()).item()
''',
    # eigvalsh sorts in ascending order, read as descending: returns 1 / kappa.
    "condition_number#2": '''
def condition_number(H):
    eigenvalues = torch.linalg.eigvalsh(H)
    return (eigenvalues[0] / eigenvalues[-1]).item()
''',
    # The right value as a 0-dim tensor, not a Python float.
    "condition_number#3": '''
def condition_number(H):
    eigenvalues = torch.linalg.eigvalsh(H)
    return eigenvalues[-1] / eigenvalues[0]
''',
    # Largest eigenvalue over the smallest entry of H: right for a diagonal H only.
    "condition_number#4": '''
def condition_number(H):
    return (torch.linalg.eigvalsh(H)[-1] / H.diagonal().min()).item()
''',
    # Each parameter clipped on its own norm: the direction across parameters changes.
    "clip_grad_norm": _CLIP.replace(
        "    total = torch.linalg.vector_norm(norms, norm_type)\n    if total > max_norm:\n"
        "        for g in grads:\n            g.mul_(max_norm / total)\n    return total",
        "    for g, n in zip(grads, norms):\n        if n > max_norm:\n"
        "            g.mul_(max_norm / n)\n    return torch.linalg.vector_norm(norms, norm_type)"),
    # Runs through the parameters twice: with a generator such as model.parameters() the
    # second pass is empty, so nothing is clipped (right with a list, as in the visible test).
    "clip_grad_norm#2": '''
def clip_grad_norm_(parameters, max_norm, norm_type=2.0):
    if max_norm < 0:
        raise ValueError(f"Invalid max_norm: {max_norm}")
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    norms = [torch.linalg.vector_norm(p.grad, norm_type) for p in parameters if p.grad is not None]
    if not norms:
        return torch.tensor(0.0)
    total = torch.linalg.vector_norm(torch.stack(norms), norm_type)
    if total > max_norm:
        for p in parameters:
            if p.grad is not None:
                p.grad.mul_(max_norm / total)
    return total
''',
    # norm_type ignored: always the Euclidean norm (right at the default).
    "clip_grad_norm#3": _CLIP.replace(
        "torch.linalg.vector_norm(g, norm_type)", "g.norm()").replace(
        "torch.linalg.vector_norm(norms, norm_type)", "norms.norm()"),
    # Returns the norm after clipping.
    "clip_grad_norm#4": _CLIP.replace(
        "            g.mul_(max_norm / total)\n    return total",
        "            g.mul_(max_norm / total)\n        total = torch.linalg.vector_norm(\n"
        "            torch.stack([torch.linalg.vector_norm(g, norm_type) for g in grads]),\n"
        "            norm_type)\n"
        "    return total"),
    # PyTorch's guard copied: max_norm / (total + 1e-6), clamped at 1, shrinks a gradient of
    # norm exactly max_norm (and everything else agrees with torch).
    "clip_grad_norm#5": _CLIP.replace(
        "    if total > max_norm:\n        for g in grads:\n            g.mul_(max_norm / total)",
        "    scale = torch.clamp(max_norm / (total + 1e-6), max=1.0)\n"
        "    for g in grads:\n        g.mul_(scale)"),
    # Not in place: each p.grad is replaced by a new tensor.
    "clip_grad_norm#6": '''
def clip_grad_norm_(parameters, max_norm, norm_type=2.0):
    if max_norm < 0:
        raise ValueError(f"Invalid max_norm: {max_norm}")
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    params = [p for p in parameters if p.grad is not None]
    if not params:
        return torch.tensor(0.0)
    norms = torch.stack([torch.linalg.vector_norm(p.grad, norm_type) for p in params])
    total = torch.linalg.vector_norm(norms, norm_type)
    if total > max_norm:
        for p in params:
            p.grad = p.grad * (max_norm / total)
    return total
''',
    # Assumes every parameter has a gradient, and min(1, c / ||g||) in floats (zero gradient:
    # ZeroDivisionError); no validation of max_norm.
    "clip_grad_norm#7": '''
def clip_grad_norm_(parameters, max_norm, norm_type=2.0):
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters]
    total = torch.linalg.vector_norm(
        torch.stack([torch.linalg.vector_norm(g, norm_type) for g in grads]), norm_type)
    scale = min(1.0, max_norm / total.item())
    for g in grads:
        g.mul_(scale)
    return total
''',
    # ||H v|| instead of the Rayleigh quotient: the magnitude without its sign (wrong at a
    # saddle), and not v^T H v after one step.
    "top_eigenvalue": _power("lam = (v @ u).item()", "lam = u.norm().item()"),
    # Starts from the gradient instead of the prescribed random draw: the generator is unused,
    # and at a point where the gradient is zero the iteration divides 0 by 0.
    "top_eigenvalue#2": _power(
        "v = torch.randn(point.shape[0], generator=generator, dtype=point.dtype)",
        "v = g.detach().clone()"),
    # No normalization inside the loop, only of the start: v^T H v grows like lambda^k.
    "top_eigenvalue#3": _power("        v = u / u.norm()\n", "        v = u\n"),
    # Side effect: the gradient made with backward() on the caller's theta, which also sets
    # theta.grad (and fails for a theta that does not require grad).
    "top_eigenvalue#4": '''
def top_eigenvalue(loss_fn, theta, steps=100, generator=None):
    theta.requires_grad_(True)
    loss = loss_fn(theta)
    loss.backward(create_graph=True)
    g = theta.grad
    v = torch.randn(theta.shape[0], generator=generator, dtype=theta.dtype)
    v = v / v.norm()
    lam = None
    for _k in range(steps):
        (u,) = torch.autograd.grad(g @ v, theta, retain_graph=True)
        lam = (v @ u).item()
        v = u / u.norm()
    return lam
''',
    # The estimate read after the update of v (one more half step): v^T H v for the new v,
    # which is right in the limit but not the prescribed estimate at steps = 1 or 2.
    "top_eigenvalue#5": _power(
        "        lam = (v @ u).item()\n        v = u / u.norm()\n",
        "        v = u / u.norm()\n"
        "        lam = (v @ torch.autograd.grad(g @ v, point, retain_graph=True)[0]).item()\n"),
    # "Clipping always helps, the more the safer": every finite threshold, measured nowhere.
    "cliff_experiment": '''
arrived = {0.1, 1.0, 10.0, 100.0, 1000.0}
lr_limit = 2 / (20 * w_star**19) ** 2
''',
    # "Arrived" read as "did not diverge": the walks stuck on the flat region (1000) or still
    # on the cliff face (0.1) are counted.
    "cliff_experiment#2": '''
arrived = set()
for c in thresholds:
    path = clipped_walk(c)
    if torch.isfinite(path).all():
        arrived.add(c)
lr_limit = 2 / (20 * w_star**19) ** 2
''',
    # 1 / lambda, the usual safe choice, instead of the stability limit 2 / lambda; the set
    # is right.
    "cliff_experiment#3": '''
arrived = {1.0, 10.0, 100.0}
lr_limit = 1 / (20 * w_star**19) ** 2
''',
    # The curvature taken at the start w0 = 1.2 instead of at the bottom w*.
    "cliff_experiment#4": '''
arrived = {1.0, 10.0, 100.0}
from regopt.diagnostics import hessian_eigenvalues

lr_limit = 2 / hessian_eigenvalues(cliff, torch.tensor([1.2]))[-1].item()
''',
}
