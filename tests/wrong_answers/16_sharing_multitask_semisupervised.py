# Deliberately wrong answers for exercises/16_sharing_multitask_semisupervised.ipynb, one per
# answer cell (keyed by its nbgrader grade_id). Each should lose some of that question's
# points but not all of the exercise's: the tests in test_grading.py check both.
WRONG = {
    # The Euclidean distance instead of its square: the same when the models differ by
    # exactly 1 (the visible test), wrong for any other distance.
    "tying_penalty": '''
def tying_penalty(params_a, params_b):
    return sum(((wa - wb) ** 2).sum() for wa, wb in zip(params_a, params_b)) ** 0.5
''',
    # The mean over all entries instead of the mean over examples of each row's L1 norm:
    # divides by N * H instead of N, right only with one unit per example.
    "activation_l1": '''
def activation_l1(h, strength):
    return strength * h.abs().mean()
''',
}
