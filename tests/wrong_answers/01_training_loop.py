# Deliberately wrong answers for exercises/01_training_loop.ipynb, one per answer cell
# (keyed by its nbgrader grade_id). Each should lose some of that question's points but
# not all of the exercise's: the tests in test_grading.py check both.
WRONG = {
    # A forward difference: exact on the visible test's linear function, off by O(eps) elsewhere.
    "central_difference": '''
def central_difference(f, x, eps=1e-5):
    x = x.detach().clone()
    flat = x.view(-1)
    grad = torch.zeros_like(flat)
    f0 = float(f(x))
    for i in range(flat.numel()):
        original = flat[i].item()
        flat[i] = original + eps
        grad[i] = (float(f(x)) - f0) / eps
        flat[i] = original
    return grad.view_as(x)
''',
    # Updates theta in place and never validates lr: right value, wrong contract.
    "gd_step": '''
def gd_step(theta, grad, lr):
    theta -= lr * grad
    return theta
''',
    # Off by one: the last step at which |w| is still above 1e-3.
    "steps_needed": "steps_needed = 30\n",
}
