# Deliberately wrong answers for exercises/09_normalization.ipynb, keyed by the nbgrader
# grade_id of the answer cell they replace; "<grade_id>#2", "<grade_id>#3", ... are further
# wrong answers to the same cell. Each should lose some of that question's points but not
# all of the exercise's: the tests in test_grading.py check both.
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
    # The unbiased standard deviation (torch's default, divide by N - 1) instead of the
    # biased one the question asks for.
    "standardize_test#2": '''
def standardize_test(X_train, X_test):
    mu = X_train.mean(dim=0)
    sigma = X_train.std(dim=0)
    sigma = torch.where(sigma > 0, sigma, torch.ones_like(sigma))
    return (X_test - mu) / sigma
''',
    # Forgets the constant column (the boundary sigma = 0): divides by zero there.
    "standardize_test#3": '''
def standardize_test(X_train, X_test):
    return (X_test - X_train.mean(dim=0)) / X_train.std(dim=0, unbiased=False)
''',
    # Right values, but standardizes the caller's X_test in place and returns it.
    "standardize_test#4": '''
def standardize_test(X_train, X_test):
    mu = X_train.mean(dim=0)
    sigma = X_train.std(dim=0, unbiased=False)
    sigma = torch.where(sigma > 0, sigma, torch.ones_like(sigma))
    X_test -= mu
    X_test /= sigma
    return X_test
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
    # Reads momentum as an optimizer's momentum: weighs the old running value by rho and
    # the new batch statistic by 1 - rho.
    "batch_norm#2": '''
def batch_norm(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    if training:
        m = x.shape[0]
        mu = x.mean(dim=0)
        var = ((x - mu) ** 2).mean(dim=0)
        new_mean = momentum * running_mean + (1 - momentum) * mu
        new_var = momentum * running_var + (1 - momentum) * var * m / (m - 1)
    else:
        mu, var = running_mean, running_var
        new_mean, new_var = running_mean.clone(), running_var.clone()
    y = gamma * (x - mu) / torch.sqrt(var + eps) + beta
    return y, new_mean, new_var
''',
    # Evaluation mode still normalizes with the batch statistics (the forgotten
    # model.eval()): outputs depend on the batch, and a batch of one breaks.
    "batch_norm#3": '''
def batch_norm(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    m = x.shape[0]
    mu = x.mean(dim=0)
    var = ((x - mu) ** 2).mean(dim=0)
    if training:
        new_mean = (1 - momentum) * running_mean + momentum * mu
        new_var = (1 - momentum) * running_var + momentum * var * m / (m - 1)
    else:
        new_mean, new_var = running_mean.clone(), running_var.clone()
    y = gamma * (x - mu) / torch.sqrt(var + eps) + beta
    return y, new_mean, new_var
''',
    # Right values, but updates the caller's running statistics in place (as the buffers
    # of an nn.Module are updated) instead of returning new tensors.
    "batch_norm#4": '''
def batch_norm(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    if training:
        m = x.shape[0]
        mu = x.mean(dim=0)
        var = ((x - mu) ** 2).mean(dim=0)
        running_mean.mul_(1 - momentum).add_(momentum * mu)
        running_var.mul_(1 - momentum).add_(momentum * var * m / (m - 1))
    else:
        mu, var = running_mean, running_var
    y = gamma * (x - mu) / torch.sqrt(var + eps) + beta
    return y, running_mean, running_var
''',
    # Normalizes with the unbiased batch variance (x.var() by default divides by m - 1):
    # the output's variance is (m-1)/m instead of 1.
    "batch_norm#5": '''
def batch_norm(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    if training:
        mu, var = x.mean(dim=0), x.var(dim=0)
        new_mean = (1 - momentum) * running_mean + momentum * mu
        new_var = (1 - momentum) * running_var + momentum * var
    else:
        mu, var = running_mean, running_var
        new_mean, new_var = running_mean.clone(), running_var.clone()
    y = gamma * (x - mu) / torch.sqrt(var + eps) + beta
    return y, new_mean, new_var
''',
    # Treats mu_B and sigma_B^2 as constants: only the direct path through x_hat, so the
    # gradient keeps its mean and its component along x_hat.
    "bn_backward": '''
def batch_norm_backward(dy, x, gamma, eps=1e-5):
    mu, var = x.mean(dim=0), x.var(dim=0, unbiased=False)
    x_hat = (x - mu) / torch.sqrt(var + eps)
    return gamma * dy / torch.sqrt(var + eps), (dy * x_hat).sum(dim=0), dy.sum(dim=0)
''',
    # Keeps the path through the mean but forgets the one through the variance.
    "bn_backward#2": '''
def batch_norm_backward(dy, x, gamma, eps=1e-5):
    mu, var = x.mean(dim=0), x.var(dim=0, unbiased=False)
    x_hat = (x - mu) / torch.sqrt(var + eps)
    g = gamma * dy
    return (g - g.mean(dim=0)) / torch.sqrt(var + eps), (dy * x_hat).sum(dim=0), dy.sum(dim=0)
''',
    # Forgets the factor gamma in dL/dx_hat = gamma dL/dy: right only when gamma = 1.
    "bn_backward#3": '''
def batch_norm_backward(dy, x, gamma, eps=1e-5):
    mu, var = x.mean(dim=0), x.var(dim=0, unbiased=False)
    x_hat = (x - mu) / torch.sqrt(var + eps)
    g = dy
    dx = (g - g.mean(dim=0) - x_hat * (g * x_hat).mean(dim=0)) / torch.sqrt(var + eps)
    return dx, (dy * x_hat).sum(dim=0), dy.sum(dim=0)
''',
    # dgamma summed without x_hat (as if y = gamma + beta); dx and dbeta are right.
    "bn_backward#4": '''
def batch_norm_backward(dy, x, gamma, eps=1e-5):
    mu, var = x.mean(dim=0), x.var(dim=0, unbiased=False)
    x_hat = (x - mu) / torch.sqrt(var + eps)
    g = gamma * dy
    dx = (g - g.mean(dim=0) - x_hat * (g * x_hat).mean(dim=0)) / torch.sqrt(var + eps)
    return dx, dy.sum(dim=0), dy.sum(dim=0)
''',
    # Recomputes x_hat with the unbiased variance (divide by m - 1), not the one the
    # forward pass used.
    "bn_backward#5": '''
def batch_norm_backward(dy, x, gamma, eps=1e-5):
    mu, var = x.mean(dim=0), x.var(dim=0)
    x_hat = (x - mu) / torch.sqrt(var + eps)
    g = gamma * dy
    dx = (g - g.mean(dim=0) - x_hat * (g * x_hat).mean(dim=0)) / torch.sqrt(var + eps)
    return dx, (dy * x_hat).sum(dim=0), dy.sum(dim=0)
''',
    # Ignores the eps argument and always uses the default 1e-5: right only at the default.
    "bn_backward#6": '''
def batch_norm_backward(dy, x, gamma, eps=1e-5):
    mu, var = x.mean(dim=0), x.var(dim=0, unbiased=False)
    x_hat = (x - mu) / torch.sqrt(var + 1e-5)
    g = gamma * dy
    dx = (g - g.mean(dim=0) - x_hat * (g * x_hat).mean(dim=0)) / torch.sqrt(var + 1e-5)
    return dx, (dy * x_hat).sum(dim=0), dy.sum(dim=0)
''',
    # Right values, but scales the caller's dy by gamma in place.
    "bn_backward#7": '''
def batch_norm_backward(dy, x, gamma, eps=1e-5):
    mu, var = x.mean(dim=0), x.var(dim=0, unbiased=False)
    x_hat = (x - mu) / torch.sqrt(var + eps)
    dbeta, dgamma = dy.sum(dim=0), (dy * x_hat).sum(dim=0)
    g = dy.mul_(gamma)
    dx = (g - g.mean(dim=0) - x_hat * (g * x_hat).mean(dim=0)) / torch.sqrt(var + eps)
    return dx, dgamma, dbeta
''',
    # The prediction "scale does not matter, gradient descent adapts", written down without
    # running anything.
    "input_scale_experiment": '''
trains_plain = set(scales)
trains_bn = set(scales)
''',
    # Trains on the unscaled X_train every time (forgets s * X_train): every run trains.
    "input_scale_experiment#2": '''
final_loss = {}
for batch_norm in (False, True):
    for s in scales:
        model = models.mlp([32], activation=nn.ReLU, batch_norm=batch_norm, seed=0)
        history = train.fit(model, (X_train, y_train), loss_fn=F.cross_entropy,
                            optimizer=optim.SGD(model.parameters(), lr=0.1), epochs=5, batch_size=64, progress=False)
        final_loss[batch_norm, s] = history.train_loss[-1]
trains_plain = {s for s in scales if final_loss[False, s] < 1}
trains_bn = {s for s in scales if final_loss[True, s] < 1}
''',
    # Counts every run that did not raise DivergenceError as trained: the stalled run at
    # s = 0.1 and the exploded (but finite, in float64) run at s = 100 count as trained.
    "input_scale_experiment#3": '''
trains_plain, trains_bn = set(), set()
for batch_norm, trains in ((False, trains_plain), (True, trains_bn)):
    for s in scales:
        model = models.mlp([32], activation=nn.ReLU, batch_norm=batch_norm, seed=0)
        try:
            train.fit(model, (s * X_train, y_train), loss_fn=F.cross_entropy,
                      optimizer=optim.SGD(model.parameters(), lr=0.1), epochs=5, batch_size=64, progress=False)
            trains.add(s)
        except train.DivergenceError:
            pass
''',
    # The prediction "batch normalization prevents divergence at large scales but cannot
    # make tiny inputs useful", with the plain network measured correctly.
    "input_scale_experiment#4": '''
trains_plain = {1.0, 10.0}
trains_bn = {1.0, 10.0, 100.0}
''',
}
