# Deliberately wrong answers for exercises/17_ensembles_and_dropout.ipynb, one per answer
# cell (keyed by its nbgrader grade_id). Each should lose some of that question's points
# but not all of the exercise's: the tests in test_grading.py check both.
WRONG = {
    # Plain (not inverted) dropout: forgets the 1/(1 - p) rescaling, so the expected output
    # is (1 - p) x. Indistinguishable when p = 0 (the visible test).
    "inverted_dropout": '''
def inverted_dropout(x, mask, p):
    return mask * x
''',
    # Adds the covariance without the (k - 1)/k factor: right when c = 0 (the visible
    # test), too large otherwise.
    "ensemble_error": '''
def ensemble_error(v, c, k):
    return v / k + c
''',
}
