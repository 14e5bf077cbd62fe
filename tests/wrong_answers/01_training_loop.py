# Deliberately wrong answers for exercises/01_training_loop.ipynb, keyed by the nbgrader
# grade_id of the answer cell they replace; "<grade_id>#2", "<grade_id>#3", ... are further
# wrong answers to the same cell. Each should lose some of that question's points but not
# all of the exercise's: the tests in test_grading.py check both.

_FORWARD_BACKWARD = '''
def forward_backward(params, X, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    m = X.shape[0]
    A1 = torch.tanh(X @ W1 + b1)
    S = A1 @ W2 + b2
    log_P = S - torch.logsumexp(S, dim=1, keepdim=True)
    rows = torch.arange(m)
    J = -log_P[rows, y].mean()
    d_S = log_P.exp()
    d_S[rows, y] -= 1.0
    d_S /= m
    d_A1 = d_S @ W2.T
    d_Z1 = d_A1 * (1 - A1**2)
    grads = {
        "W1": X.T @ d_Z1,
        "b1": d_Z1.sum(dim=0),
        "W2": A1.T @ d_S,
        "b2": d_S.sum(dim=0),
    }
    return J.item(), grads
'''

_LR_EXPERIMENT = '''
hessian = X_lsq.T @ X_lsq / len(X_lsq)
lr_limit = 2 / torch.linalg.eigvalsh(hessian).max().item()
diverging_lrs = set()
for lr in learning_rates:
    w = torch.zeros(X_lsq.shape[1])
    for _step in range(100):
        w = w - lr * X_lsq.T @ (X_lsq @ w - y_lsq) / len(X_lsq)
    if lsq_cost(w) > lsq_cost(torch.zeros(X_lsq.shape[1])):
        diverging_lrs.add(lr)
'''

WRONG = {
    # A forward difference: exact on the visible tests' linear and quadratic functions (the
    # quadratic's O(eps) error is below the tolerance), off by 3 x eps on a cubic.
    "central_difference": '''
def central_difference(f, x, eps=1e-5):
    point = x.detach().clone()
    flat = point.view(-1)
    grad = torch.zeros_like(flat)
    f0 = float(f(point))
    for i in range(flat.numel()):
        original = flat[i].item()
        flat[i] = original + eps
        grad[i] = (float(f(point)) - f0) / eps
        flat[i] = original
    return grad.view_as(point)
''',
    # The step hard-coded: the eps argument is ignored, so a check at another eps does not
    # do what it says (the central difference of x^3 at eps = 0.1 is 3 x^2 + 0.01).
    "central_difference#2": '''
def central_difference(f, x, eps=1e-5):
    point = x.detach().clone()
    flat = point.view(-1)
    grad = torch.zeros_like(flat)
    for i in range(flat.numel()):
        original = flat[i].item()
        flat[i] = original + 1e-5
        f_plus = float(f(point))
        flat[i] = original - 1e-5
        f_minus = float(f(point))
        flat[i] = original
        grad[i] = (f_plus - f_minus) / 2e-5
    return grad.view_as(point)
''',
    # Perturbs the caller's x in place (restoring each entry afterwards): the values come
    # back, but on a weight that requires gradients the in-place write raises.
    "central_difference#3": '''
def central_difference(f, x, eps=1e-5):
    flat = x.view(-1)
    grad = torch.zeros_like(flat)
    for i in range(flat.numel()):
        original = flat[i].item()
        flat[i] = original + eps
        f_plus = float(f(x))
        flat[i] = original - eps
        f_minus = float(f(x))
        flat[i] = original
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad.view_as(x)
''',
    # Written for vectors: x[i] of a matrix is a whole row, so every entry of a row is
    # nudged at once and the row's partial derivatives are summed.
    "central_difference#4": '''
def central_difference(f, x, eps=1e-5):
    point = x.detach().clone()
    grad = torch.zeros_like(point)
    for i in range(len(point)):
        original = point[i].clone()
        point[i] = original + eps
        f_plus = float(f(point))
        point[i] = original - eps
        f_minus = float(f(point))
        point[i] = original
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad
''',
    # Updates theta in place and hands it back: the caller's parameters move too.
    "gd_step": '''
def gd_step(theta, grad, lr):
    if lr <= 0:
        raise ValueError(f"Invalid learning rate: {lr}")
    theta.data -= lr * grad
    return theta
''',
    # The boundary missed: lr = 0 is accepted (a step that does nothing).
    "gd_step#2": '''
def gd_step(theta, grad, lr):
    if lr < 0:
        raise ValueError(f"Invalid learning rate: {lr}")
    return theta - lr * grad
''',
    # The absolute value of the rate "to be safe": a negative lr is silently made positive.
    "gd_step#3": '''
def gd_step(theta, grad, lr):
    if lr == 0:
        raise ValueError(f"Invalid learning rate: {lr}")
    return theta - abs(lr) * grad
''',
    # Forgets the derivative of tanh, (1 - A1^2): dJ/dW1 and dJ/db1 are wrong.
    "forward_backward": _FORWARD_BACKWARD.replace(
        "d_Z1 = d_A1 * (1 - A1**2)", "d_Z1 = d_A1"),
    # The bias gradient averaged over the rows instead of summed: the 1/m is already in d_S,
    # so this divides by m twice.
    "forward_backward#2": _FORWARD_BACKWARD.replace(
        '"b1": d_Z1.sum(dim=0)', '"b1": d_Z1.mean(dim=0)').replace(
        '"b2": d_S.sum(dim=0)', '"b2": d_S.mean(dim=0)'),
    # The softmax written naively, exp(S) / sum exp(S): right for small scores, nan once the
    # scores are in the hundreds.
    "forward_backward#3": _FORWARD_BACKWARD.replace(
        "log_P = S - torch.logsumexp(S, dim=1, keepdim=True)",
        "log_P = torch.log(S.exp() / S.exp().sum(dim=1, keepdim=True))"),
    # The gradient of the summed loss: the 1/m is left out of dJ/dS (the loss is the mean).
    "forward_backward#4": _FORWARD_BACKWARD.replace("    d_S /= m\n", ""),
    # The softmax normalised over the examples (dim=0) instead of over the classes.
    "forward_backward#5": _FORWARD_BACKWARD.replace(
        "log_P = S - torch.logsumexp(S, dim=1, keepdim=True)",
        "log_P = S - torch.logsumexp(S, dim=0, keepdim=True)"),
    # Transposes W1's gradient: right values only if d = h; the shapes differ otherwise.
    "forward_backward#6": _FORWARD_BACKWARD.replace('"W1": X.T @ d_Z1', '"W1": d_Z1.T @ X'),
    # Lets autograd do the backward pass: fails under torch.no_grad(), and would set .grad on
    # the caller's parameters.
    "forward_backward#7": '''
def forward_backward(params, X, y):
    names = ["W1", "b1", "W2", "b2"]
    scores = torch.tanh(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
    J = F.cross_entropy(scores, y)
    J.backward()
    return J.item(), {n: params[n].grad.clone() for n in names}
''',
    # 1 / lambda_max, the rate at which the steepest direction is reached in one step, taken
    # for the limit; the measured set is right.
    "lr_experiment": _LR_EXPERIMENT.replace("lr_limit = 2 /", "lr_limit = 1 /"),
    # The Hessian without the 1/m: X^T X is m = 200 times too large, so is lambda_max.
    "lr_experiment#2": _LR_EXPERIMENT.replace(
        "hessian = X_lsq.T @ X_lsq / len(X_lsq)", "hessian = X_lsq.T @ X_lsq"),
    # The smallest eigenvalue instead of the largest: "the flat direction limits the step";
    # the set is then read off the wrong prediction instead of being measured.
    "lr_experiment#3": '''
hessian = X_lsq.T @ X_lsq / len(X_lsq)
lr_limit = 2 / torch.linalg.eigvalsh(hessian).min().item()
diverging_lrs = {lr for lr in learning_rates if lr > lr_limit}
''',
    # "Diverges" read as "overshoots": the rates above 1 / lambda_max, where w jumps across
    # the valley at every step, counted as diverging although the cost still falls.
    "lr_experiment#4": _LR_EXPERIMENT.replace(
        "    if lsq_cost(w) > lsq_cost(torch.zeros(X_lsq.shape[1])):",
        "    if lr > lr_limit / 2:"),
}
