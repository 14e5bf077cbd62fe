# Deliberately wrong answers for exercises/11_generalization.ipynb, one per answer cell
# (keyed by its nbgrader grade_id). Each should lose some of that question's points but
# not all of the exercise's: the tests in test_grading.py check both.
WRONG = {
    # The sample variance with 1/(R - 1) (torch's default): right when all fits agree, as in
    # the visible test, but then bias^2 + variance no longer equals the mean squared error.
    "bias_variance_terms": '''
def bias_variance_terms(predictions, f_true):
    average = predictions.mean(dim=0)
    return (average - f_true).pow(2).mean().item(), predictions.var(dim=0).mean().item()
''',
    # Model selection on the training error: it always prefers the most flexible model,
    # which happens to be right only when max_degree is already the right degree.
    "best_degree": '''
def best_degree(x_train, y_train, x_val, y_val, max_degree):
    errors = [np.mean((np.polyval(np.polyfit(x_train, y_train, d), x_train) - y_train) ** 2)
              for d in range(max_degree + 1)]
    return int(np.argmin(errors))
''',
}
