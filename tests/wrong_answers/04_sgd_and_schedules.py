# Deliberately wrong answers for exercises/04_sgd_and_schedules.ipynb, one per answer cell
# (keyed by its nbgrader grade_id). Each should lose some of that question's points but
# not all of the exercise's: the tests in test_grading.py check both.
WRONG = {
    # Linear decay: right at both ends (and, by symmetry, halfway), wrong everywhere else.
    "cosine_lr": '''
def cosine_lr(t, T, lr_max, lr_min=0.0):
    return float(lr_max - (lr_max - lr_min) * t / T)
''',
    # 1/L, the usual safe choice, is half the threshold: it converges, but it is not the largest rate.
    "lr_max": '''
A = torch.tensor([[5.0, 2.0], [2.0, 2.0]])
lr_max = 1 / torch.linalg.eigvalsh(A).max().item()
''',
}
