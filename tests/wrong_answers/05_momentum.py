# Deliberately wrong answers for exercises/05_momentum.ipynb, one per answer cell
# (keyed by its nbgrader grade_id). Each should lose some of that question's points but
# not all of the exercise's: the tests in test_grading.py check both.
WRONG = {
    # Heavy-ball momentum: the gradient at theta instead of at the look-ahead point. With a
    # zero velocity the two coincide, so only the hidden test can tell them apart.
    "nesterov_step": '''
def nesterov_step(theta, v, grad_fn, lr, beta):
    v_new = beta * v + lr * grad_fn(theta)
    return theta - v_new, v_new
''',
    # The factor applied the wrong way round: right only when beta = 0.
    "ema_lr": '''
def ema_lr(lr, beta):
    return lr * (1 - beta)
''',
}
