# Deliberately wrong answers for exercises/12_norm_penalties.ipynb, keyed by the nbgrader
# grade_id of the answer cell they replace; "<grade_id>#2", "<grade_id>#3", ... are further
# wrong answers to the same cell. Each should lose some of that question's points but not
# all of the exercise's: the tests in test_grading.py check both.
WRONG = {
    # Penalizes the bias too (alpha b added to its gradient). The visible test has b = 0,
    # where the two agree; the hidden test uses a non-zero bias.
    "penalized_gradients": '''
def penalized_gradients(W, b, grad_W, grad_b, alpha):
    return grad_W + alpha * W, grad_b + alpha * b
''',
    # Differentiates alpha/2 ||W||^2 to alpha/2 W: half the decay.
    "penalized_gradients#2": '''
def penalized_gradients(W, b, grad_W, grad_b, alpha):
    return grad_W + alpha / 2 * W, grad_b.clone()
''',
    # Right values, but adds the decay into the caller's grad_W in place.
    "penalized_gradients#3": '''
def penalized_gradients(W, b, grad_W, grad_b, alpha):
    grad_W += alpha * W
    return grad_W, grad_b.clone()
''',
    # Right values, but hands back the caller's bias gradient itself, not a new tensor: a
    # later in-place update of one changes the other.
    "penalized_gradients#4": '''
def penalized_gradients(W, b, grad_W, grad_b, alpha):
    return grad_W + alpha * W, grad_b
''',
    # Hard thresholding: zeroes the small entries but does not shrink the large ones, so it
    # is not the proximal operator of the L1 norm. Right whenever every |w_i| <= t.
    "soft_threshold": '''
def soft_threshold(w, t):
    return w * (w.abs() > t)
''',
    # Forgets the sign: shrinks w - t and clamps at zero, which kills every negative entry.
    "soft_threshold#2": '''
def soft_threshold(w, t):
    return torch.clamp(w - t, min=0.0)
''',
    # Right values, computed in place in the caller's tensor.
    "soft_threshold#3": '''
def soft_threshold(w, t):
    shrunk = torch.clamp(w.abs() - t, min=0.0)
    return w.sign_().mul_(shrunk)
''',
    # The threshold lr instead of lr * alpha: right only when alpha = 1.
    "ista": '''
def ista(X, y, alpha, lr, steps):
    if not lr > 0:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not alpha >= 0:
        raise ValueError(f"Invalid alpha: {alpha}")
    w = torch.zeros(X.shape[1])
    for _ in range(steps):
        w = penalties.soft_threshold(w - lr * 2 / len(X) * X.T @ (X @ w - y), lr)
    return w
''',
    # Subgradient descent on the L1 term instead of the proximal step: no exact zeros, and
    # from w = 0 (sign 0) the first step is a plain gradient step.
    "ista#2": '''
def ista(X, y, alpha, lr, steps):
    if not lr > 0:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not alpha >= 0:
        raise ValueError(f"Invalid alpha: {alpha}")
    w = torch.zeros(X.shape[1])
    for _ in range(steps):
        w = w - lr * (2 / len(X) * X.T @ (X @ w - y) + alpha * torch.sign(w))
    return w
''',
    # The gradient of (1/2n)||Xw - y||^2, not of the MSE: a different objective (and step).
    "ista#3": '''
def ista(X, y, alpha, lr, steps):
    if not lr > 0:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not alpha >= 0:
        raise ValueError(f"Invalid alpha: {alpha}")
    w = torch.zeros(X.shape[1])
    for _ in range(steps):
        w = penalties.soft_threshold(w - lr * X.T @ (X @ w - y) / len(X), lr * alpha)
    return w
''',
    # The two steps in the wrong order: threshold, then the gradient step, so the returned w
    # is never the output of a proximal step (no exact zeros).
    "ista#4": '''
def ista(X, y, alpha, lr, steps):
    if not lr > 0:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not alpha >= 0:
        raise ValueError(f"Invalid alpha: {alpha}")
    w = torch.zeros(X.shape[1])
    for _ in range(steps):
        w = penalties.soft_threshold(w, lr * alpha)
        w = w - lr * 2 / len(X) * X.T @ (X @ w - y)
    return w
''',
    # Validates with alpha > 0: rejects alpha = 0, the equality case of alpha >= 0.
    "ista#5": '''
def ista(X, y, alpha, lr, steps):
    if not lr > 0:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not alpha > 0:
        raise ValueError(f"Invalid alpha: {alpha}")
    w = torch.zeros(X.shape[1])
    for _ in range(steps):
        w = penalties.soft_threshold(w - lr * 2 / len(X) * X.T @ (X @ w - y), lr * alpha)
    return w
''',
    # Chooses the strength on the training error: the weakest penalty always wins.
    "lasso_experiment": '''
fits = {a: Lasso(alpha=a / 2, fit_intercept=False, max_iter=50_000, tol=1e-10).fit(X_train, y_train) for a in alphas}
train_mse = {a: np.mean((fit.predict(X_train) - y_train) ** 2) for a, fit in fits.items()}
best_alpha = min(train_mse, key=train_mse.get)
support = set(np.flatnonzero(fits[best_alpha].coef_))
keeps_all_true = {0, 1, 2, 3} <= support
exact_support = support == {0, 1, 2, 3}
''',
    # The prediction "the lasso finds the true features", written down without looking at
    # the support of the fit.
    "lasso_experiment#2": '''
best_alpha = 0.1
keeps_all_true = True
exact_support = True
''',
    # Picks the sparsest fit that still has a decent validation error (the largest alpha):
    # too strong, it drops a true feature.
    "lasso_experiment#3": '''
fits = {a: Lasso(alpha=a / 2, fit_intercept=False, max_iter=50_000, tol=1e-10).fit(X_train, y_train) for a in alphas}
best_alpha = max(alphas)
support = set(np.flatnonzero(fits[best_alpha].coef_))
keeps_all_true = {0, 1, 2, 3} <= support
exact_support = support == {0, 1, 2, 3}
''',
}
