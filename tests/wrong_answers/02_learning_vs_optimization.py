# Deliberately wrong answers for exercises/02_learning_vs_optimization.ipynb, keyed by the
# nbgrader grade_id of the answer cell they replace; "<grade_id>#2", "<grade_id>#3", ... are
# further wrong answers to the same cell. Each should lose some of that question's points
# but not all of the exercise's: the tests in test_grading.py check both.

_SGD_EPOCHS = '''
def sgd_epochs(model, loss_fn, optimizer, X, y, *, batch_size, epochs, generator):
    for name, value in (("batch_size", batch_size), ("epochs", epochs)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"Invalid {name}: {value!r} (expected a positive integer)")
    m = len(X)
    step_losses = []
    for _epoch in range(epochs):
        order = torch.randperm(m, generator=generator)
        for start in range(0, m, batch_size):
            batch = order[start : start + batch_size]
            loss = loss_fn(model(X[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step_losses.append(loss.item())
    return step_losses
'''

_NOISE_EXPERIMENT = '''
rms_errors = []
for size in batch_sizes:
    squared = [(G_lsq[torch.randperm(len(G_lsq), generator=noise_generator)[:size]].mean(dim=0)
                - g_lsq).pow(2).sum() for _draw in range(200)]
    rms_errors.append(torch.stack(squared).mean().sqrt())
log_b = torch.log(torch.tensor(batch_sizes, dtype=torch.float64))
log_e = torch.log(torch.stack(rms_errors))
noise_exponent = (((log_b - log_b.mean()) * (log_e - log_e.mean())).sum()
                  / (log_b - log_b.mean()).pow(2).sum()).item()
growth = 10 ** (-1 / noise_exponent)
factor_for_tenth = min(factors, key=lambda f: abs(math.log(f / growth)))
'''

WRONG = {
    # The spread measured around zero instead of around the full gradient: the mean squared
    # length of the rows. Right only when the full gradient is zero, as in the visible test.
    "minibatch_noise": '''
def minibatch_noise(G, batch_size):
    return float(G.pow(2).sum(dim=1).mean() / batch_size)
''',
    # The package's default: draws without replacement, with the finite-population factor
    # (m - |B|) / (m - 1), and refuses |B| > m.
    "minibatch_noise#2": '''
from regopt.minibatch import gradient_noise

def minibatch_noise(G, batch_size):
    return gradient_noise(G, batch_size)
''',
    # The unbiased variance, 1 / (m - 1), of each coordinate, summed: the sample variance
    # of the statistics course, not the spread of this finite set of m examples.
    "minibatch_noise#3": '''
def minibatch_noise(G, batch_size):
    return float(G.var(dim=0).sum() / batch_size)
''',
    # The standard error, sqrt(sigma^2 / |B|), instead of its square.
    "minibatch_noise#4": '''
def minibatch_noise(G, batch_size):
    g = G.mean(dim=0)
    return float(((G - g).pow(2).sum(dim=1).mean() / batch_size).sqrt())
''',
    # The standard error taken to fall like 1/|B| instead of 1/sqrt(|B|): far too small a
    # batch whenever sigma > tol.
    "batch_size_for": '''
def batch_size_for(sigma, tol):
    return max(1, math.ceil(sigma / tol))
''',
    # Rounded down instead of up: a batch slightly too small whenever (sigma/tol)^2 is not
    # an integer.
    "batch_size_for#2": '''
def batch_size_for(sigma, tol):
    return max(1, int((sigma / tol) ** 2))
''',
    # The plain ceiling, without guarding against round-off: one too many at the equality
    # case when (sigma / tol)^2 computes as 49.000000000000014.
    "batch_size_for#3": '''
def batch_size_for(sigma, tol):
    return max(1, math.ceil((sigma / tol) ** 2))
''',
    # "Strictly smaller than tol": one too many whenever (sigma / tol)^2 is an integer.
    "batch_size_for#4": '''
def batch_size_for(sigma, tol):
    return max(1, math.floor((sigma / tol) ** 2) + 1)
''',
    # Shuffles with the global random generator, not the one passed in: a different order
    # from fit's, and a run that cannot be repeated from its generator.
    "sgd_epochs": _SGD_EPOCHS.replace(
        "torch.randperm(m, generator=generator)", "torch.randperm(m)"),
    # Drops the last, smaller minibatch: the m mod |B| examples left over are never seen in
    # that epoch, and batch_size > m takes no step at all.
    "sgd_epochs#2": _SGD_EPOCHS.replace(
        "for start in range(0, m, batch_size):",
        "for start in range(0, m - batch_size + 1, batch_size):"),
    # Shuffles once, before the first epoch, and reuses that order in every epoch.
    "sgd_epochs#3": _SGD_EPOCHS.replace(
        "    for _epoch in range(epochs):\n"
        "        order = torch.randperm(m, generator=generator)\n",
        "    order = torch.randperm(m, generator=generator)\n    for _epoch in range(epochs):\n",
    ),
    # Forgets zero_grad(): the gradients of all earlier steps add up in p.grad.
    "sgd_epochs#4": _SGD_EPOCHS.replace("            optimizer.zero_grad()\n", ""),
    # Minibatches drawn with replacement (torch.randint): some examples are seen twice in an
    # epoch and others not at all.
    "sgd_epochs#5": _SGD_EPOCHS.replace(
        "order = torch.randperm(m, generator=generator)",
        "order = torch.randint(0, m, (m,), generator=generator)"),
    # Shuffles the caller's data in place (so that the batches are consecutive slices) and
    # validates nothing; the steps are right, but X and y come back permuted.
    "sgd_epochs#6": '''
def sgd_epochs(model, loss_fn, optimizer, X, y, *, batch_size, epochs, generator):
    step_losses = []
    for _epoch in range(epochs):
        order = torch.randperm(len(X), generator=generator)
        X[:], y[:] = X[order].clone(), y[order].clone()
        for start in range(0, len(X), batch_size):
            loss = loss_fn(model(X[start : start + batch_size]), y[start : start + batch_size])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step_losses.append(loss.item())
    return step_losses
''',
    # The slope of the mean squared error, not of its root: about -1 instead of -1/2, and a
    # factor of 10 "for ten times less noise".
    "noise_experiment": _NOISE_EXPERIMENT.replace(
        "rms_errors.append(torch.stack(squared).mean().sqrt())",
        "rms_errors.append(torch.stack(squared).mean())"),
    # Forgets to subtract the full gradient: the length of g_B itself, which tends to ||g||
    # (not 0) for large batches, so the fitted slope is far too shallow.
    "noise_experiment#2": _NOISE_EXPERIMENT.replace(
        "                - g_lsq).pow(2).sum() for _draw in range(200)]",
        "                - 0).pow(2).sum() for _draw in range(200)]"),
    # The slope measured right, but the factor read off as "the error falls like |B|^slope,
    # so ten times |B| gives 10^slope": the noise and the batch swapped.
    "noise_experiment#3": _NOISE_EXPERIMENT.replace(
        "growth = 10 ** (-1 / noise_exponent)", "growth = 10 ** (-noise_exponent)"),
    # Two logarithms of different bases: log10 of the error against the natural log of |B|.
    "noise_experiment#4": _NOISE_EXPERIMENT.replace(
        "log_e = torch.log(torch.stack(rms_errors))",
        "log_e = torch.log10(torch.stack(rms_errors))"),
}
