# Deliberately wrong answers for exercises/02_learning_vs_optimization.ipynb, one per answer
# cell (keyed by its nbgrader grade_id). Each should lose some of that question's points but
# not all of the exercise's: the tests in test_grading.py check both.
WRONG = {
    # The spread measured around zero instead of around the full gradient: the mean squared
    # length of the rows. Right only when the full gradient is zero, as in the visible test.
    "minibatch_noise": '''
def minibatch_noise(G, batch_size):
    return float(G.pow(2).sum(dim=1).mean() / batch_size)
''',
    # The standard error taken to fall like 1/|B| instead of 1/sqrt(|B|): far too small a
    # batch whenever sigma > tol; the visible tests only have sigma <= tol.
    "batch_size_for": '''
import math

def batch_size_for(sigma, tol):
    return max(1, math.ceil(sigma / tol))
''',
}
