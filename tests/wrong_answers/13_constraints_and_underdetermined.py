# Deliberately wrong answers for exercises/13_constraints_and_underdetermined.ipynb, one per
# answer cell (keyed by its nbgrader grade_id). Each should lose some of that question's
# points but not all of the exercise's: the tests in test_grading.py check both.
WRONG = {
    # Rescales every row to norm c, also the short ones: a normalization, not a projection.
    # Right when every row is longer than c, as in the visible test.
    "max_norm_renorm": '''
def max_norm_renorm(W, c):
    return c * W / W.norm(dim=1, keepdim=True)
''',
    # The minimum-norm solution, which ignores alpha: the limit alpha -> 0 of ridge, so it
    # passes the visible test (alpha = 1e-10) and fails for a real penalty.
    "ridge_underdetermined": '''
def ridge_underdetermined(X, y, alpha):
    return torch.linalg.pinv(X) @ y
''',
}
