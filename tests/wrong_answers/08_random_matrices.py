# Deliberately wrong answers for exercises/08_random_matrices.ipynb, keyed by the nbgrader
# grade_id of the answer cell they replace; "<grade_id>#2", "<grade_id>#3", ... are further
# wrong answers to the same cell. Each should lose some of that question's points but not
# all of the exercise's: the tests in test_grading.py check both.
_MP_EDGES = '''
def mp_edges(n, p, variance=1.0):
    if not 0 < p <= n:
        raise ValueError(f"Invalid shape: n={n}, p={p}")
    q = p / n
    return variance * (1 - math.sqrt(q)) ** 2, variance * (1 + math.sqrt(q)) ** 2
'''

_FRACTION = '''
def fraction_inside(A, variance):
    N = A.shape[0]
    radius = math.sqrt(N * variance)
    eigenvalues = torch.linalg.eigvals(A)
    return (eigenvalues.abs() <= radius).double().mean().item()
'''

_POWER = '''
def power_iteration(A, steps, generator=None):
    v = torch.randn(A.shape[1], generator=generator, dtype=A.dtype)
    v = v / v.norm()
    for _k in range(steps):
        w = A.T @ (A @ v)
        v = w / w.norm()
    return (A @ v).norm().item(), v
'''

_EXPERIMENT = '''
growth = {}
spread = None
for sigma in SIGMAS:
    x, P = X0, torch.eye(WIDTH)
    for _l in range(DEPTH):
        W = sigma / math.sqrt(WIDTH) * torch.randn(WIDTH, WIDTH, generator=generator)
        x = W @ x
        P = W @ P
    growth[sigma] = math.exp(x.norm(dim=0).log().mean().item() / DEPTH)
    if sigma == 1.0:
        s = torch.linalg.svdvals(P)
        spread = math.log(s[0].item() / s.median().item()) / DEPTH
'''


def _swap(source: str, old: str, new: str) -> str:
    assert old in source, old
    return source.replace(old, new)


WRONG = {
    # The ratio upside down (n / p instead of p / n): right only for a square matrix, and
    # then the check p <= n is wrong too.
    "mp_edges": _swap(_MP_EDGES, "q = p / n", "q = n / p").replace("0 < p <= n", "0 < n <= p"),
    # sigma instead of sigma^2 in front: the variance argument taken as a standard deviation
    # squared once more (right for variance 1 only).
    "mp_edges#2": _MP_EDGES.replace("variance * (1", "variance**2 * (1"),
    # The edges of the singular values of X / sqrt(n) (square roots) instead of the
    # eigenvalues of X^T X / n.
    "mp_edges#3": _MP_EDGES.replace("variance * (1", "math.sqrt(variance) * (1")
    .replace(") ** 2", ")"),
    # No validation: a wide matrix gets edges from a formula that does not hold there.
    "mp_edges#4": _swap(_MP_EDGES, '''    if not 0 < p <= n:
        raise ValueError(f"Invalid shape: n={n}, p={p}")
''', ""),
    # Only the real part of each eigenvalue: right for a symmetric (here diagonal) matrix,
    # whose eigenvalues are real, wrong for complex ones.
    "fraction_inside": _swap(_FRACTION, "eigenvalues.abs()", "eigenvalues.real.abs()"),
    # A strict inequality: an eigenvalue on the circle counted as outside.
    "fraction_inside#2": _swap(_FRACTION, "<= radius", "< radius"),
    # The symmetric eigensolver on a matrix that is not symmetric: it reads one triangle only.
    "fraction_inside#3": _swap(_FRACTION, "torch.linalg.eigvals(A)", "torch.linalg.eigvalsh(A)"),
    # The radius N sigma^2 instead of its square root (equal when N sigma^2 = 1).
    "fraction_inside#4": _swap(_FRACTION, "math.sqrt(N * variance)", "N * variance"),
    # Power iteration on A itself (the eigenvalue version): fails on rectangular matrices
    # and finds an eigenvalue, not a singular value, on a non-normal square one.
    "power_iteration": _swap(_POWER, "w = A.T @ (A @ v)", "w = A @ v"),
    # Normalizes only at the end: the iterates overflow for a matrix of large norm.
    "power_iteration#2": _swap(_POWER, '''        w = A.T @ (A @ v)
        v = w / w.norm()
''', '''        v = A.T @ (A @ v)
    v = v / v.norm()
'''),
    # Returns the Rayleigh quotient of A^T A, the eigenvalue s1^2, not s1.
    "power_iteration#3": _swap(_POWER, "(A @ v).norm().item(), v",
                               "(A @ v).norm().item() ** 2, v"),
    # Starts from a uniform draw in [0, 1) (torch.rand): a valid start, but not the
    # prescribed one, so the iterates differ from the reference after few steps.
    "power_iteration#4": _swap(_POWER, "torch.randn(A.shape[1]", "torch.rand(A.shape[1]"),
    # Returns s1 as a tensor and v unnormalized at steps = 0 (forgets the first division).
    "power_iteration#5": _swap(_POWER, "    v = v / v.norm()\n", "").replace(
        "return (A @ v).norm().item(), v", "return (A @ v).norm(), v"),
    # The plain ratio of the norms after 40 layers instead of the gain per layer.
    "product_experiment": _swap(_EXPERIMENT, "mean().item() / DEPTH)", "mean().item())"),
    # Weights with standard deviation sigma instead of sigma / sqrt(N): gains near 8.
    "product_experiment#2": _swap(_EXPERIMENT, "sigma / math.sqrt(WIDTH) *", "sigma *"),
    # The spread up to the smallest singular value instead of the median one.
    "product_experiment#3": _swap(_EXPERIMENT, "s.median().item()", "s[-1].item()"),
    # Base-10 logarithm for the spread.
    "product_experiment#4": _swap(_EXPERIMENT, "spread = math.log(", "spread = math.log10("),
}
