# Deliberately wrong answers for exercises/10_pretraining_and_transfer.ipynb, one per answer
# cell (keyed by its nbgrader grade_id). Each should lose some of that question's points but
# not all of the exercise's: the tests in test_grading.py check both.
WRONG = {
    # Freezes the first k *modules* rather than the first k linear layers: the activations
    # count too, so k = 2 freezes only one linear layer. Right for k = 0 and k = 1.
    "freeze_first_linear": '''
def freeze_first_linear(model, k):
    for p in model[:k].parameters():
        p.requires_grad_(False)
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
''',
    # Forgets the encoder's nonlinearity: a linear autoencoder. The visible test has the
    # code 0 everywhere, where tanh(0) = 0 hides the difference.
    "reconstruction_loss": '''
def reconstruction_loss(encoder, decoder, X):
    return ((decoder(encoder(X)) - X) ** 2).mean()
''',
}
