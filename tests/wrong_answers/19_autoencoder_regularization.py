# Deliberately wrong answers for exercises/19_autoencoder_regularization.ipynb, one per answer
# cell (keyed by its nbgrader grade_id). Each should lose some of that question's points but
# not all of the exercise's: the tests in test_grading.py check both.
WRONG = {
    # The penalty without its factor 1/2: lambda ||W||^2, whose gradient is 2 lambda W.
    # Right when lam = 0 (the visible test), twice too large otherwise.
    "penalized_loss": '''
def penalized_loss(X, X_hat, weights, lam):
    reconstruction = ((X_hat - X) ** 2).sum(dim=1).mean()
    return reconstruction + lam * sum((W**2).sum() for W in weights)
''',
    # Only the decoder path: treats W in the decoder as if it were a separate matrix and
    # forgets that W also reaches the loss through the code. Right when W = 0 (the encoder
    # path then vanishes, the visible test), wrong for any other W.
    "tied_gradient": '''
def tied_gradient(W, b, c, X):
    H = torch.sigmoid(X @ W.T + b)
    G = 2 * (H @ W + c - X) / len(X)
    return H.T @ G
''',
}
