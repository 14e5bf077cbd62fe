# Deliberately wrong answers for exercises/15_early_stopping.ipynb, one per answer cell
# (keyed by its nbgrader grade_id). Each should lose some of that question's points but
# not all of the exercise's: the tests in test_grading.py check both.
WRONG = {
    # Forgets min_delta and treats an equal loss as an improvement (<= instead of <): the
    # visible tests have neither ties nor a min_delta, the hidden ones have both.
    "early_stop": '''
def early_stop(val_losses, patience, min_delta=0.0):
    best, best_epoch, wait = math.inf, 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss <= best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses)
''',
    # The small-step linearization tau * lr * lambda: exact for one step, but it grows past 1
    # instead of saturating at w*.
    "gd_fraction": '''
def gd_fraction(eigenvalue, lr, steps):
    return steps * lr * eigenvalue
''',
    # The product instead of its inverse: right only when lr * steps = 1.
    "ridge_alpha": '''
def ridge_alpha(lr, steps):
    return lr * steps
''',
}
