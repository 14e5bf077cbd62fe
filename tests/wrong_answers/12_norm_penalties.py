# Deliberately wrong answers for exercises/12_norm_penalties.ipynb, one per answer cell
# (keyed by its nbgrader grade_id). Each should lose some of that question's points but
# not all of the exercise's: the tests in test_grading.py check both.
WRONG = {
    # Penalizes the bias too (alpha b added to its gradient). The visible test has b = 0,
    # where the two agree; the hidden test uses a non-zero bias.
    "penalized_gradients": '''
def penalized_gradients(W, b, grad_W, grad_b, alpha):
    return grad_W + alpha * W, grad_b + alpha * b
''',
    # Hard thresholding: zeroes the small entries but does not shrink the large ones, so it
    # is not the proximal operator of the L1 norm. Right whenever every |w_i| <= t.
    "soft_threshold": '''
def soft_threshold(w, t):
    return w * (w.abs() > t)
''',
}
