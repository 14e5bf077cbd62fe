# Deliberately wrong answers for exercises/08_random_matrices.ipynb, one per answer cell
# (keyed by its nbgrader grade_id). Each should lose some of that question's points but
# not all of the exercise's: the tests in test_grading.py check both.
WRONG = {
    # The ratio upside down (n / p instead of p / n): right only for a square matrix.
    "mp_edges": '''
def mp_edges(n, p, variance=1.0):
    ratio = n / p
    return variance * (1 - math.sqrt(ratio)) ** 2, variance * (1 + math.sqrt(ratio)) ** 2
''',
    # Measures only the real part of each eigenvalue: right for a symmetric (here
    # diagonal) matrix, whose eigenvalues are real, wrong for complex ones.
    "fraction_inside": '''
def fraction_inside(A, variance):
    radius = math.sqrt(A.shape[0] * variance)
    return (torch.linalg.eigvals(A).real.abs() <= radius).double().mean().item()
''',
}
