# Deliberately wrong answers for exercises/07_initialization.ipynb, one per answer cell
# (keyed by its nbgrader grade_id). Each should lose some of that question's points but
# not all of the exercise's: the tests in test_grading.py check both.
WRONG = {
    # Scales by the fan-out instead of the fan-in (the backward-pass version of the
    # formula, not the one asked for). For a square matrix the two agree, so only the
    # hidden test on rectangular matrices sees the difference.
    "kaiming_normal": '''
def kaiming_normal(fan_out, fan_in, generator=None):
    std = (2.0 / fan_out) ** 0.5
    return std * torch.randn(fan_out, fan_in, generator=generator)
''',
    # QR without the sign fix: Q is orthogonal, so the visible test passes, but LAPACK's
    # sign convention makes Q[0, 0] never positive, so Q is not uniformly distributed.
    "random_orthogonal": '''
def random_orthogonal(n, generator=None):
    Q, R = torch.linalg.qr(torch.randn(n, n, generator=generator))
    return Q
''',
}
