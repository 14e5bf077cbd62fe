# Deliberately wrong answers for exercises/03_challenges.ipynb, one per answer cell (keyed
# by its nbgrader grade_id). Each should lose some of that question's points but not all of
# the exercise's: the tests in test_grading.py check both.
WRONG = {
    # Clipping by value instead of by norm: each entry is cut to [-c, c] separately. It agrees
    # with clipping by norm when only one entry is nonzero, as in the visible test, but changes
    # the direction of any other gradient.
    "clip_by_norm": '''
def clip_by_norm(g, max_norm):
    return g.clamp(-max_norm, max_norm)
''',
    # The ratio of the largest to the smallest diagonal entry: right for a diagonal Hessian
    # (curvature aligned with the axes), wrong as soon as the eigenvectors are rotated.
    "condition_number": '''
def condition_number(H):
    d = torch.diagonal(H)
    return (d.max() / d.min()).item()
''',
}
