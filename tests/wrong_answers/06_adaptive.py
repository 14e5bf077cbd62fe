# Deliberately wrong answers for exercises/06_adaptive.ipynb, one per answer cell
# (keyed by its nbgrader grade_id). Each should lose some of that question's points but
# not all of the exercise's: the tests in test_grading.py check both.
WRONG = {
    # eps under the square root, as in the lecture notes: the same step for large gradients,
    # a far smaller one for gradients near sqrt(eps) and below.
    "adam_step": '''
def adam_step(theta, g, s, r, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    s_new = beta1 * s + (1 - beta1) * g
    r_new = beta2 * r + (1 - beta2) * g * g
    s_hat = s_new / (1 - beta1**t)
    r_hat = r_new / (1 - beta2**t)
    return theta - lr * s_hat / (r_hat + eps).sqrt(), s_new, r_new
''',
    # Forgets the square root: the step 0.1 / t falls below 3e-3 after only 34 steps.
    "adagrad_steps": "adagrad_steps = 34\n",
}
