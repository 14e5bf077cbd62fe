# Deliberately wrong answers for exercises/13_constraints_and_underdetermined.ipynb, keyed by
# the nbgrader grade_id of the answer cell they replace; "<grade_id>#2", "<grade_id>#3", ...
# are further wrong answers to the same cell. Each should lose some of that question's
# points but not all of the exercise's: the tests in test_grading.py check both.
_L1 = '''
def project_l1_ball(v, radius):
    if not radius > 0:
        raise ValueError(f"Invalid radius: {radius}")
    if v.abs().sum() <= radius:
        return v.clone()
    u = torch.sort(v.abs(), descending=True).values
    s = torch.cumsum(u, dim=0)
    j = torch.arange(1, len(u) + 1, dtype=v.dtype)
    rho = int(torch.nonzero(u > (s - radius) / j).max()) + 1
    theta = (s[rho - 1] - radius) / rho
    return torch.sign(v) * torch.clamp(v.abs() - theta, min=0.0)
'''

_EXPERIMENT = '''
def gradient_descent(w0, steps=300, lr=0.2):
    w = w0.clone().requires_grad_()
    optimizer = torch.optim.SGD([w], lr=lr)
    for _step in range(steps):
        optimizer.zero_grad()
        (0.5 * ((X @ w - y) ** 2).mean()).backward()
        optimizer.step()
    return w.detach()


w_from_zero = gradient_descent(torch.zeros(p))
w_from_start = gradient_descent(w_start)
gap_from_zero = (w_from_zero - w_min_norm).norm().item()
gap_from_start = (w_from_start - w_min_norm).norm().item()
residual_from_start = (X @ w_from_start - y).norm().item()
row_space_part = torch.linalg.pinv(X) @ X @ w_start
candidates = {"A": 0.0, "B": w_start.norm().item(), "C": (w_start - row_space_part).norm().item(),
              "D": row_space_part.norm().item()}
gap_rule = min(candidates, key=lambda letter: abs(candidates[letter] - gap_from_start))
'''


def _replace(source: str, old: str, new: str) -> str:
    assert old in source, old
    return source.replace(old, new)


WRONG = {
    # Rescales every row to norm c, also the short ones: a normalization, not a projection.
    # Right when every row is longer than c, as in the visible test.
    "max_norm_renorm": '''
def max_norm_renorm(W, c):
    return c * W / W.norm(dim=1, keepdim=True)
''',
    # Caps the columns (the weights out of each input) instead of the rows.
    "max_norm_renorm#2": '''
def max_norm_renorm(W, c):
    return W * torch.clamp(c / W.norm(dim=0, keepdim=True), max=1.0)
''',
    # Right values, but scales the caller's W in place and returns it.
    "max_norm_renorm#3": '''
def max_norm_renorm(W, c):
    return W.mul_(torch.clamp(c / W.norm(dim=1, keepdim=True), max=1.0))
''',
    # Compares the squared norm with c: rows are cut to norm sqrt(c)... only right for c = 1.
    "max_norm_renorm#4": '''
def max_norm_renorm(W, c):
    return W * torch.clamp(c / (W**2).sum(dim=1, keepdim=True), max=1.0).sqrt()
''',
    # The minimum-norm solution, which ignores alpha: the limit alpha -> 0 of ridge, so it
    # passes the visible test (alpha = 1e-10) and fails for a real penalty.
    "ridge_underdetermined": '''
def ridge_underdetermined(X, y, alpha):
    return torch.linalg.pinv(X) @ y
''',
    # Adds alpha to every entry of X X^T (broadcasting) instead of to its diagonal.
    "ridge_underdetermined#2": '''
def ridge_underdetermined(X, y, alpha):
    return X.T @ torch.linalg.solve(X @ X.T + alpha, y)
''',
    # Returns the n dual coefficients (X X^T + alpha I)^{-1} y, forgetting X^T in front.
    "ridge_underdetermined#3": '''
def ridge_underdetermined(X, y, alpha):
    return torch.linalg.solve(X @ X.T + alpha * torch.eye(X.shape[0]), y)
''',
    # Halves the penalty (alpha/2 from the objective put into the normal equations).
    "ridge_underdetermined#4": '''
def ridge_underdetermined(X, y, alpha):
    return X.T @ torch.linalg.solve(X @ X.T + alpha / 2 * torch.eye(X.shape[0]), y)
''',
    # Rescales v onto the boundary, as for the L2 ball: in the ball, but not the nearest point.
    "project_l1_ball": _replace(_L1, '''    u = torch.sort''', '''    return v * radius / v.abs().sum()
    u = torch.sort'''),
    # Thresholds v itself, forgetting the signs: wrong for every negative entry.
    "project_l1_ball#2": _replace(_L1, "torch.sign(v) * torch.clamp(v.abs() - theta, min=0.0)",
                                  "torch.clamp(v - theta, min=0.0)"),
    # Uses all p coordinates (rho = p) instead of the largest qualifying j.
    "project_l1_ball#3": _replace(_L1, "rho = int(torch.nonzero(u > (s - radius) / j).max()) + 1",
                                  "rho = len(u)"),
    # Counts j from 0 in the threshold: theta = (s_rho - r) / (rho - 1).
    "project_l1_ball#4": _replace(_L1, "theta = (s[rho - 1] - radius) / rho",
                                  "theta = (s[rho - 1] - radius) / max(rho - 1, 1)"),
    # No early return: a point inside the ball gets a negative threshold and is pushed out
    # to the boundary.
    "project_l1_ball#5": _replace(_L1, '''    if v.abs().sum() <= radius:
        return v.clone()
''', ''),
    # Takes the absolute values in place: the right projection, but v loses its signs.
    "project_l1_ball#6": _replace(_L1, "return torch.sign(v) * torch.clamp(v.abs() - theta, min=0.0)",
                                  "sign = torch.sign(v)\n    return sign * torch.clamp(v.abs_() - theta, min=0.0)"),
    # Sorts in increasing order: the partial sums add the small magnitudes first.
    "project_l1_ball#7": _replace(_L1, "descending=True", "descending=False"),
    # No validation of the radius.
    "project_l1_ball#8": _replace(_L1, '''    if not radius > 0:
        raise ValueError(f"Invalid radius: {radius}")
''', ''),
    # Starts both runs from zero (the start is passed but never used).
    "gd_experiment": _replace(_EXPERIMENT, "w = w0.clone().requires_grad_()",
                              "w = torch.zeros_like(w0).requires_grad_()"),
    # The loss summed instead of averaged over the 20 examples: each step 20 times too long,
    # and gradient descent diverges.
    "gd_experiment#2": _replace(_EXPERIMENT, "(0.5 * ((X @ w - y) ** 2).mean()).backward()",
                                "(0.5 * ((X @ w - y) ** 2).sum()).backward()"),
    # Measures the gap from w_start instead of from X^+ y, and picks the row-space rule.
    "gd_experiment#3": _replace(_replace(_EXPERIMENT, "gap_from_start = (w_from_start - w_min_norm).norm().item()",
                                         "gap_from_start = (w_from_start - w_start).norm().item()"),
                                'gap_rule = min(', 'gap_rule = "D" or min('),
    # Too few steps (30): the slow directions have not converged.
    "gd_experiment#4": _replace(_EXPERIMENT, "steps=300", "steps=30"),
}
