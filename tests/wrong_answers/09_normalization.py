# Deliberately wrong answers for exercises/09_normalization.ipynb, one per answer cell
# (keyed by its nbgrader grade_id). Each should lose some of that question's points but
# not all of the exercise's: the tests in test_grading.py check both.
WRONG = {
    # Standardizes the test data with its own statistics: a leak from the test set. The
    # visible test standardizes the training data itself, where the two agree.
    "standardize_test": '''
def standardize_test(X_train, X_test):
    mu = X_test.mean(dim=0)
    sigma = X_test.std(dim=0, unbiased=False)
    sigma = torch.where(sigma > 0, sigma, torch.ones_like(sigma))
    return (X_test - mu) / sigma
''',
    # Averages the biased batch variance into the running variance (PyTorch and the chapter
    # use the unbiased one, m/(m-1) sigma_B^2). The output and the running mean are right.
    "batch_norm": '''
def batch_norm(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    if training:
        mu = x.mean(dim=0)
        var = ((x - mu) ** 2).mean(dim=0)
        new_mean = (1 - momentum) * running_mean + momentum * mu
        new_var = (1 - momentum) * running_var + momentum * var
    else:
        mu, var = running_mean, running_var
        new_mean, new_var = running_mean.clone(), running_var.clone()
    y = gamma * (x - mu) / torch.sqrt(var + eps) + beta
    return y, new_mean, new_var
''',
}
