# Deliberately wrong answers for exercises/19_autoencoder_regularization.ipynb, keyed by the
# nbgrader grade_id of the answer cell they replace; "<grade_id>#2", ... are further wrong
# answers to the same cell. Each should lose some of that question's points but not all of
# the exercise's: the tests in test_grading.py check both.

_TIED = '''
def tied_backward(W, b, c, X, lam=0.0, activation="sigmoid"):
    if activation not in ("sigmoid", "tanh"):
        raise ValueError(f"Invalid activation: {activation!r}")
    Z = X @ W.T + b
    H = torch.sigmoid(Z) if activation == "sigmoid" else torch.tanh(Z)
    s_prime = H * (1 - H) if activation == "sigmoid" else 1 - H**2
    G = 2 * (H @ W + c - X) / len(X)
    dc = G.sum(dim=0)
    dZ = (G @ W.T) * s_prime
    db = dZ.sum(dim=0)
    dW = H.T @ G + dZ.T @ X + lam * W
    return dW, db, dc
'''

_EXPERIMENT = '''
passed = {}
test_error = {}
least_noise = None
settings = {"under": (32, 0.0), "over": (100, 0.0), "over_l2": (100, 1e-2)}
signal = (X_test**2).sum(dim=1).mean()
noise_energy = (test_noise**2).sum(dim=1).mean()
for name, (hidden, weight_decay) in settings.items():
    model = autoencoders.Autoencoder(64, hidden, activation=nn.Identity, seed=0)
    model = train_autoencoder(model, X_train, epochs=100, weight_decay=weight_decay)
    with torch.no_grad():
        change = ((model(X_test + test_noise) - model(X_test)) ** 2).sum(dim=1).mean()
        passed[name] = (change / noise_energy).item()
        reconstruction = autoencoders.reconstruction_error(model(X_test), X_test)
        test_error[name] = (reconstruction / signal).item()
least_noise = min(passed, key=passed.get)
'''

WRONG = {
    # The penalty without its factor 1/2: lambda ||W||^2, whose gradient is 2 lambda W.
    # Right when lam = 0 (the visible test), twice too large otherwise.
    "penalized_loss": '''
def penalized_loss(X, X_hat, weights, lam):
    reconstruction = ((X_hat - X) ** 2).sum(dim=1).mean()
    return reconstruction + lam * sum((W**2).sum() for W in weights)
''',
    # The mean over every entry: divides by N n instead of N (MSELoss's default).
    "penalized_loss#2": '''
def penalized_loss(X, X_hat, weights, lam):
    reconstruction = ((X_hat - X) ** 2).mean()
    return reconstruction + lam / 2 * sum((W**2).sum() for W in weights)
''',
    # The Frobenius norm, not its square: right value at lam = 0, wrong penalty and gradient.
    "penalized_loss#3": '''
def penalized_loss(X, X_hat, weights, lam):
    reconstruction = ((X_hat - X) ** 2).sum(dim=1).mean()
    return reconstruction + lam / 2 * sum(torch.linalg.norm(W) for W in weights)
''',
    # Returns a Python float: the value is right but backward() is impossible.
    "penalized_loss#4": '''
def penalized_loss(X, X_hat, weights, lam):
    reconstruction = ((X_hat - X) ** 2).sum(dim=1).mean()
    total = reconstruction + lam / 2 * sum((W**2).sum() for W in weights)
    return torch.tensor(total.item())
''',
    # Only the decoder path: W in the decoder treated as a separate matrix.
    "tied_backward": _TIED.replace("H.T @ G + dZ.T @ X + lam * W", "H.T @ G + lam * W"),
    # The biases' gradients averaged over the rows instead of summed (the 1/N counted twice);
    # dW, the only gradient the visible test checks, is right.
    "tied_backward#2": _TIED.replace("dc = G.sum(dim=0)", "dc = G.mean(dim=0)")
                            .replace("db = dZ.sum(dim=0)", "db = dZ.mean(dim=0)"),
    # The penalty's gradient taken as 2 lambda W (from lambda ||W||^2, without the 1/2).
    "tied_backward#3": _TIED.replace("+ lam * W", "+ 2 * lam * W"),
    # The sigmoid's derivative for both activations.
    "tied_backward#4": _TIED.replace("if activation == \"sigmoid\" else 1 - H**2", ""),
    # Autograd instead of the chain rule: fails under torch.no_grad(), and flags the caller's W.
    "tied_backward#5": '''
def tied_backward(W, b, c, X, lam=0.0, activation="sigmoid"):
    act = torch.tanh if activation == "tanh" else torch.sigmoid
    for t in (W, b, c):
        t.requires_grad_(True)
    loss = ((act(X @ W.T + b) @ W + c - X) ** 2).sum(dim=1).mean() + lam / 2 * (W**2).sum()
    return torch.autograd.grad(loss, (W, b, c))
''',
    # No check of the activation's name: anything but "tanh" silently means the sigmoid.
    "tied_backward#6": _TIED.replace('''    if activation not in ("sigmoid", "tanh"):
        raise ValueError(f"Invalid activation: {activation!r}")
''', "").replace('if activation == "sigmoid" else', 'if activation != "tanh" else'),
    # The error against the clean input, ||f(x + n) - x||^2, instead of the change f(x + n) - f(x).
    "noise_experiment": _EXPERIMENT.replace("model(X_test + test_noise) - model(X_test)",
                                            "model(X_test + test_noise) - X_test"),
    # The penalty forgotten: "over_l2" trained like "over".
    "noise_experiment#2": _EXPERIMENT.replace(
        "train_autoencoder(model, X_train, epochs=100, weight_decay=weight_decay)",
        "train_autoencoder(model, X_train, epochs=100)"),
    # The prediction that a small code filters noise best, kept without looking at the numbers.
    "noise_experiment#3": _EXPERIMENT.replace("least_noise = min(passed, key=passed.get)",
                                              'least_noise = "under"'),
    # Divides by the images' squared norm instead of the noise's: a tiny fraction.
    "noise_experiment#4": _EXPERIMENT.replace("(change / noise_energy)", "(change / signal)"),
}
