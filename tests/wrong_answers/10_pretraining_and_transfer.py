# Deliberately wrong answers for exercises/10_pretraining_and_transfer.ipynb, keyed by the
# nbgrader grade_id of the answer cell they replace; "<grade_id>#2", "<grade_id>#3", ... are
# further wrong answers to the same cell. Each should lose some of that question's points
# but not all of the exercise's: the tests in test_grading.py check both.
_GREEDY = '''
def greedy_pretrain(X, sizes, *, steps, lr, generator):
    if len(sizes) < 2:
        raise ValueError(f"Invalid sizes: {sizes!r}")
    if X.dim() != 2 or X.shape[1] != sizes[0]:
        raise ValueError(f"Invalid X: expected {sizes[0]} columns, got shape {tuple(X.shape)}")
    encoders = []
    H = X
    for d_in, d_out in zip(sizes[:-1], sizes[1:]):
        encoder, decoder = nn.Linear(d_in, d_out), nn.Linear(d_out, d_in)
        with torch.no_grad():
            encoder.weight.copy_(torch.randn(d_out, d_in, generator=generator) / d_in**0.5)
            decoder.weight.copy_(torch.randn(d_in, d_out, generator=generator) / d_out**0.5)
            encoder.bias.zero_()
            decoder.bias.zero_()
        optimizer = torch.optim.SGD([*encoder.parameters(), *decoder.parameters()], lr=lr)
        for _step in range(steps):
            optimizer.zero_grad()
            H_hat = decoder(torch.tanh(encoder(H)))
            F.mse_loss(H_hat, H).backward()
            optimizer.step()
        with torch.no_grad():
            H = torch.tanh(encoder(H))
        encoders.append(encoder)
    return encoders
'''

_EXPERIMENT = '''
accuracies = {variant: [] for variant in VARIANTS}
trainable = {}
for seed in range(5):
    X_few, y_few = few_per_class(target_train, 5, seed)
    for variant in VARIANTS:
        model = models.mlp([32, 32], n_out=5, seed=seed)
        if variant != "from scratch":
            model = nn.Sequential(*copy.deepcopy(source_net[:4]), model[4])
        if variant == "freeze layer 1":
            pretraining.freeze(model[:2])
        elif variant == "freeze layers 1-2":
            pretraining.freeze(model[:4])
        params = [p for p in model.parameters() if p.requires_grad]
        trainable[variant] = sum(p.numel() for p in params)
        optimizer = torch.optim.Adam(params, lr=1e-2)
        for _step in range(60):
            optimizer.zero_grad()
            F.cross_entropy(model(X_few), y_few).backward()
            optimizer.step()
        accuracies[variant].append(train.accuracy(model, target_test))
mean_accuracy = {variant: sum(a) / len(a) for variant, a in accuracies.items()}
worst_variant = min(mean_accuracy, key=mean_accuracy.get)
far_below_scratch = {v for v in VARIANTS if mean_accuracy[v] < mean_accuracy["from scratch"] - 0.10}
'''


_VALIDATION = '''    if len(sizes) < 2:
        raise ValueError(f"Invalid sizes: {sizes!r}")
    if X.dim() != 2 or X.shape[1] != sizes[0]:
        raise ValueError(f"Invalid X: expected {sizes[0]} columns, got shape {tuple(X.shape)}")
'''
_ENCODER_DRAW = '''            encoder.weight.copy_(torch.randn(d_out, d_in, generator=generator) / d_in**0.5)
'''
_DECODER_DRAW = '''            decoder.weight.copy_(torch.randn(d_in, d_out, generator=generator) / d_out**0.5)
'''
_CODES = '''        with torch.no_grad():
            H = torch.tanh(encoder(H))
'''


def _replace(source: str, old: str, new: str) -> str:
    assert old in source, old
    return source.replace(old, new)


WRONG = {
    # Freezes the first k *modules* rather than the first k linear layers: the activations
    # count too, so k = 2 freezes only one linear layer. Right for k = 0 and k = 1.
    "freeze_first_linear": '''
def freeze_first_linear(model, k):
    for p in model[:k].parameters():
        p.requires_grad_(False)
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
''',
    # Counts parameter tensors (weights and biases), not the numbers in them.
    "freeze_first_linear#2": '''
def freeze_first_linear(model, k):
    linear_layers = [layer for layer in model if isinstance(layer, nn.Linear)]
    for layer in linear_layers[:k]:
        for p in layer.parameters():
            p.requires_grad_(False)
    return sum(1 for p in model.parameters() if p.requires_grad)
''',
    # Sets requires_grad of every layer, unfreezing the ones after the first k: right on a
    # fresh model, wrong when some layers were frozen before.
    "freeze_first_linear#3": '''
def freeze_first_linear(model, k):
    linear_layers = [layer for layer in model if isinstance(layer, nn.Linear)]
    for i, layer in enumerate(linear_layers):
        for p in layer.parameters():
            p.requires_grad_(i >= k)
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
''',
    # Freezes only the weights and leaves the biases trainable.
    "freeze_first_linear#4": '''
def freeze_first_linear(model, k):
    linear_layers = [layer for layer in model if isinstance(layer, nn.Linear)]
    for layer in linear_layers[:k]:
        layer.weight.requires_grad_(False)
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
''',
    # Forgets the encoder's nonlinearity: a linear autoencoder. The visible test has the
    # code 0 everywhere, where tanh(0) = 0 hides the difference.
    "reconstruction_loss": '''
def reconstruction_loss(encoder, decoder, X):
    return ((decoder(encoder(X)) - X) ** 2).mean()
''',
    # Sums the squared errors over the features and averages over the rows, as
    # regopt.autoencoders.reconstruction_error does: d times too large.
    "reconstruction_loss#2": '''
def reconstruction_loss(encoder, decoder, X):
    return ((decoder(torch.tanh(encoder(X))) - X) ** 2).sum(dim=1).mean()
''',
    # Detaches the codes: the value is right, but backward() no longer reaches the encoder.
    "reconstruction_loss#3": '''
def reconstruction_loss(encoder, decoder, X):
    codes = torch.tanh(encoder(X)).detach()
    return ((decoder(codes) - X) ** 2).mean()
''',
    # Returns a Python float: right value, but nothing to call backward() on.
    "reconstruction_loss#4": '''
def reconstruction_loss(encoder, decoder, X):
    return ((decoder(torch.tanh(encoder(X))) - X) ** 2).mean().item()
''',
    # Draws the decoder's weight before the encoder's: the generator's draws go to the
    # wrong matrices.
    "greedy_pretrain": _replace(_GREEDY, _ENCODER_DRAW + _DECODER_DRAW, _DECODER_DRAW + _ENCODER_DRAW),
    # Feeds the next autoencoder the pre-activations W h + b instead of the codes tanh(.).
    # The first layer is right.
    "greedy_pretrain#2": _replace(_GREEDY, "H = torch.tanh(encoder(H))", "H = encoder(H)"),
    # Hands the optimizer only the encoder: the decoder stays at its random start.
    "greedy_pretrain#3": _replace(_GREEDY, "[*encoder.parameters(), *decoder.parameters()]",
                                  "encoder.parameters()"),
    # Computes the codes for the next layer before training this one, with the random encoder.
    "greedy_pretrain#4": _replace(_replace(_GREEDY, _CODES, ""), "        encoders.append(encoder)\n",
                                  "        encoders.append(encoder)\n        H = H_next\n").replace(
        "        optimizer = torch.optim.SGD(",
        "        H_next = torch.tanh(encoder(H)).detach()\n        optimizer = torch.optim.SGD("),
    # The loss summed over the features (regopt's reconstruction_error): every step d_{l-1}
    # times too long.
    "greedy_pretrain#5": _replace(_GREEDY, "F.mse_loss(H_hat, H).backward()",
                                  "((H_hat - H) ** 2).sum(dim=1).mean().backward()"),
    # No validation of the arguments: a wrong X fails later with a shape error, or not at all.
    "greedy_pretrain#6": _replace(_GREEDY, _VALIDATION, ""),
    # Copies the source layers without deepcopy: fine-tuning all of them changes source_net,
    # and the frozen variants then start from layers already fitted to the 25 images.
    "transfer_experiment": _replace(_EXPERIMENT, "*copy.deepcopy(source_net[:4])",
                                    "*source_net[:4]"),
    # Counts all the parameters of the model, frozen or not.
    "transfer_experiment#2": _replace(_EXPERIMENT, "sum(p.numel() for p in params)",
                                      "sum(p.numel() for p in model.parameters())"),
    # Off by one module: "freeze layers 1-2" freezes model[:2], i.e. only the first layer.
    "transfer_experiment#3": _replace(_EXPERIMENT, "pretraining.freeze(model[:4])",
                                      "pretraining.freeze(model[:2])"),
    # Measures the accuracy on the 25 training images: every variant fits them.
    "transfer_experiment#4": _replace(_EXPERIMENT, "train.accuracy(model, target_test)",
                                      "train.accuracy(model, (X_few, y_few))"),
}
