# Deliberately wrong answers for exercises/11_generalization.ipynb, keyed by the nbgrader
# grade_id of the answer cell they replace; "<grade_id>#2", "<grade_id>#3", ... are further
# wrong answers to the same cell. Each should lose some of that question's points but not
# all of the exercise's: the tests in test_grading.py check both.
WRONG = {
    # The sample variance with 1/(R - 1) (torch's default): right when all fits agree, as in
    # the visible test, but then bias^2 + variance no longer equals the mean squared error.
    "bias_variance_terms": '''
def bias_variance_terms(predictions, f_true):
    average = predictions.mean(dim=0)
    return (average - f_true).pow(2).mean().item(), predictions.var(dim=0).mean().item()
''',
    # The square of the average bias instead of the average squared bias: right when the bias
    # is the same at every input (the visible tests), too small when it changes sign.
    "bias_variance_terms#2": '''
def bias_variance_terms(predictions, f_true):
    average = predictions.mean(dim=0)
    return ((average - f_true).mean() ** 2).item(), (predictions - average).pow(2).mean().item()
''',
    # Right values, but centres the caller's predictions in place.
    "bias_variance_terms#3": '''
def bias_variance_terms(predictions, f_true):
    average = predictions.mean(dim=0)
    bias2 = (average - f_true).pow(2).mean().item()
    predictions -= average
    return bias2, predictions.pow(2).mean().item()
''',
    # Fixed-size folds of n // k points: the last n mod k points are never held out, and the
    # error is averaged over the points that were.
    "kfold_mse": '''
def kfold_mse(fit_predict, X, y, k):
    n = len(X)
    if not 2 <= k <= n:
        raise ValueError(f"Invalid k: {k}")
    size, errors = n // k, []
    for i in range(k):
        held_out = np.arange(i * size, (i + 1) * size)
        train = np.setdiff1d(np.arange(n), held_out)
        errors.append((fit_predict(X[train], y[train], X[held_out]) - y[held_out]).pow(2))
    return torch.cat(errors).mean().item()
''',
    # The mean of the k per-fold errors instead of the pooled error: the same only when k
    # divides n.
    "kfold_mse#2": '''
def kfold_mse(fit_predict, X, y, k):
    n = len(X)
    if not 2 <= k <= n:
        raise ValueError(f"Invalid k: {k}")
    errors = []
    for held_out in np.array_split(np.arange(n), k):
        train = np.setdiff1d(np.arange(n), held_out)
        errors.append((fit_predict(X[train], y[train], X[held_out]) - y[held_out]).pow(2).mean().item())
    return float(np.mean(errors))
''',
    # Fits on all the points, the held-out fold included: a training error in disguise.
    "kfold_mse#3": '''
def kfold_mse(fit_predict, X, y, k):
    n = len(X)
    if not 2 <= k <= n:
        raise ValueError(f"Invalid k: {k}")
    squared_error = 0.0
    for held_out in np.array_split(np.arange(n), k):
        squared_error += (fit_predict(X, y, X[held_out]) - y[held_out]).pow(2).sum().item()
    return squared_error / n
''',
    # The bounds off by one: rejects leave-one-out (k = n), the equality case of k <= n.
    "kfold_mse#4": '''
def kfold_mse(fit_predict, X, y, k):
    n = len(X)
    if not 2 <= k < n:
        raise ValueError(f"Invalid k: {k}")
    squared_error = 0.0
    for held_out in np.array_split(np.arange(n), k):
        train = np.setdiff1d(np.arange(n), held_out)
        squared_error += (fit_predict(X[train], y[train], X[held_out]) - y[held_out]).pow(2).sum().item()
    return squared_error / n
''',
    # The prediction "with 100 points there is no overfitting left, so the most flexible
    # model wins", written down without running the experiment.
    "capacity_experiment": '''
best_degree_12 = 3
best_degree_100 = 7
culprit_12 = "variance"
''',
    # The best capacity taken to be a property of the function, not of the amount of data.
    "capacity_experiment#2": '''
best_degree_12 = 3
best_degree_100 = 3
culprit_12 = "variance"
''',
    # Reads the huge bias^2 of the degree-7 fit (thousands) and stops there, without
    # noticing that its variance is a hundred times larger.
    "capacity_experiment#3": '''
best_degree_12 = 3
best_degree_100 = 5
culprit_12 = "bias2"
''',
}
