# Deliberately wrong answers for exercises/07_initialization.ipynb, keyed by the nbgrader
# grade_id of the answer cell they replace; "<grade_id>#2", "<grade_id>#3", ... are further
# wrong answers to the same cell. Each should lose some of that question's points but not
# all of the exercise's: the tests in test_grading.py check both.
_XAVIER = '''
def xavier_uniform_(tensor, gain=1.0, generator=None):
    if tensor.dim() < 2:
        raise ValueError("xavier_uniform_ needs a tensor with 2 dimensions or more")
    receptive_field = tensor[0][0].numel()
    fan_in = tensor.shape[1] * receptive_field
    fan_out = tensor.shape[0] * receptive_field
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.uniform_(-bound, bound, generator=generator)
    return tensor
'''

_KAIMING = '''
def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    if tensor.dim() < 2:
        raise ValueError("kaiming_normal_ needs a tensor with 2 dimensions or more")
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Invalid mode: {mode!r}")
    gains = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3, "relu": math.sqrt(2.0),
             "leaky_relu": math.sqrt(2.0 / (1 + a**2))}
    if nonlinearity not in gains:
        raise ValueError(f"Invalid nonlinearity: {nonlinearity!r}")
    receptive_field = tensor[0][0].numel()
    fan = (tensor.shape[1] if mode == "fan_in" else tensor.shape[0]) * receptive_field
    std = gains[nonlinearity] / math.sqrt(fan)
    with torch.no_grad():
        tensor.normal_(0.0, std, generator=generator)
    return tensor
'''

_ORTHOGONAL = '''
def orthogonal_(tensor, gain=1.0, generator=None):
    if tensor.dim() < 2:
        raise ValueError("orthogonal_ needs a tensor with 2 dimensions or more")
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    G = tensor.new_empty((rows, cols)).normal_(0, 1, generator=generator)
    wide = rows < cols
    if wide:
        G = G.T
    Q, R = torch.linalg.qr(G)
    Q = Q * torch.sign(torch.diagonal(R))
    if wide:
        Q = Q.T
    with torch.no_grad():
        tensor.copy_(gain * Q.reshape(tensor.shape))
    return tensor
'''

_INIT_MODEL = '''
def init_model(model, init_fn, **kwargs):
    layer_types = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)
    for module in model.modules():
        if isinstance(module, layer_types):
            init_fn(module.weight, **kwargs)
            if module.bias is not None:
                with torch.no_grad():
                    module.bias.zero_()
    return model
'''

_EXPERIMENT = '''
relu_xavier_factor = None
keeps_scale = None


def preactivation_stds(f, scheme):
    h, stds = X, []
    for _l in range(DEPTH):
        W = SCHEMES[scheme](torch.empty(WIDTH, WIDTH), generator)
        a = h @ W.T
        stds.append(a.std().item())
        h = f(a)
    return stds


ratios = {}
for act, f in ACTIVATIONS.items():
    for scheme in SCHEMES:
        stds = preactivation_stds(f, scheme)
        ratios[act, scheme] = stds[-1] / stds[0]
relu_xavier_factor = ratios["relu", "xavier"] ** (1 / (DEPTH - 1))
keeps_scale = {act: {s for s in SCHEMES if 0.25 <= ratios[act, s] <= 4} for act in ACTIVATIONS}
'''


def _swap(source: str, old: str, new: str) -> str:
    assert old in source, old
    return source.replace(old, new)


WRONG = {
    # The bound of a uniform variable taken as the standard deviation: forgets that
    # U(-b, b) has variance b^2 / 3, so the weights are sqrt(3) times too small.
    "xavier_uniform": _swap(_XAVIER, "math.sqrt(6.0 / (fan_in", "math.sqrt(2.0 / (fan_in"),
    # Ignores the kernel: fans from the first two dimensions only. Right for matrices, wrong
    # for convolution weights (the hidden test on shapes).
    "xavier_uniform#2": _swap(_XAVIER, "tensor[0][0].numel()", "1"),
    # Fills the tensor outside torch.no_grad(): fine on a plain tensor, an error on a
    # parameter that requires gradients (the hidden in-place test).
    "xavier_uniform#3": _swap(_XAVIER, '''    with torch.no_grad():
        tensor.uniform_(''', '''    tensor.uniform_('''),
    # Returns a new tensor with the right draws instead of filling the one it is given.
    "xavier_uniform#4": _swap(_XAVIER, '''    with torch.no_grad():
        tensor.uniform_(-bound, bound, generator=generator)
    return tensor''', '''
    return torch.empty_like(tensor).uniform_(-bound, bound, generator=generator)'''),
    # The fans swapped (reading the weight as (in, out)): right only for square weights.
    "kaiming_normal": _swap(_KAIMING, 'tensor.shape[1] if mode == "fan_in" else tensor.shape[0]',
                            'tensor.shape[0] if mode == "fan_in" else tensor.shape[1]'),
    # Ignores mode: always the fan-in. The visible test uses the default mode.
    "kaiming_normal#2": _swap(_KAIMING, 'tensor.shape[1] if mode == "fan_in" else tensor.shape[0]',
                              'tensor.shape[1]'),
    # The ReLU gain for leaky_relu whatever the slope a: right only for a = 0.
    "kaiming_normal#3": _swap(_KAIMING, '"leaky_relu": math.sqrt(2.0 / (1 + a**2))',
                              '"leaky_relu": math.sqrt(2.0)'),
    # The variance used as the standard deviation.
    "kaiming_normal#4": _swap(_KAIMING, "std = gains[nonlinearity] / math.sqrt(fan)",
                              "std = gains[nonlinearity] ** 2 / fan"),
    # No validation of mode: any other string silently means fan_out.
    "kaiming_normal#5": _swap(_KAIMING, '''    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Invalid mode: {mode!r}")
''', ""),
    # An unknown nonlinearity falls back to gain 1 instead of raising.
    "kaiming_normal#6": _swap(_KAIMING, '''    if nonlinearity not in gains:
        raise ValueError(f"Invalid nonlinearity: {nonlinearity!r}")
''', "").replace("std = gains[nonlinearity]", "std = gains.get(nonlinearity, 1.0)"),
    # QR without the sign fix: orthogonal, but not Haar (and not torch's draws).
    "orthogonal": _swap(_ORTHOGONAL, "    Q = Q * torch.sign(torch.diagonal(R))\n", ""),
    # The sign fix applied to the rows of Q instead of its columns: still orthogonal, still
    # not uniform.
    "orthogonal#2": _swap(_ORTHOGONAL, "Q = Q * torch.sign(torch.diagonal(R))",
                          "Q = Q * torch.sign(torch.diagonal(R))[:, None]"),
    # Never transposes a wide matrix: the reduced QR of a wide G is square, and the
    # reshape to the wide shape fails.
    "orthogonal#3": _swap(_ORTHOGONAL, "wide = rows < cols", "wide = False"),
    # Forgets the gain.
    "orthogonal#4": _swap(_ORTHOGONAL, "tensor.copy_(gain * Q.reshape(tensor.shape))",
                          "tensor.copy_(Q.reshape(tensor.shape))"),
    # Copies outside torch.no_grad(): an error on a parameter.
    "orthogonal#5": _swap(_ORTHOGONAL, '''    with torch.no_grad():
        tensor.copy_(''', '''    tensor.copy_('''),
    # Loops over the direct children only: misses the layers of nested blocks.
    "init_model": _swap(_INIT_MODEL, "model.modules()", "model.children()"),
    # Every parameter with 2 dimensions or more is a weight, every other one a bias: also
    # redraws the embedding and zeroes the normalization layers' parameters.
    "init_model#2": '''
def init_model(model, init_fn, **kwargs):
    for p in model.parameters():
        if p.dim() >= 2:
            init_fn(p, **kwargs)
        else:
            with torch.no_grad():
                p.zero_()
    return model
''',
    # Only nn.Linear layers: the convolutions keep PyTorch's default initialization.
    "init_model#3": _swap(_INIT_MODEL, "(nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)",
                          "(nn.Linear,)"),
    # Zeroes the biases outside torch.no_grad(): an in-place error on a parameter.
    "init_model#4": _swap(_INIT_MODEL, '''                with torch.no_grad():
                    module.bias.zero_()''', '''                module.bias.zero_()'''),
    # Reports the whole 19-layer ratio instead of the factor per layer.
    "scale_experiment": _swap(_EXPERIMENT, '** (1 / (DEPTH - 1))', ''),
    # The factor of the tanh network instead of the ReLU one.
    "scale_experiment#2": _swap(_EXPERIMENT, 'ratios["relu", "xavier"] **',
                                'ratios["tanh", "xavier"] **'),
    # Reasoning instead of measuring: an orthogonal matrix keeps every length, so surely it
    # keeps the scale of both networks (it does not: the ReLU still halves the second moment).
    "scale_experiment#3": _EXPERIMENT + '''
keeps_scale = {"tanh": {"kaiming", "xavier_tanh_gain", "orthogonal"},
               "relu": {"kaiming", "orthogonal"}}
''',
    # The one-layer argument without the ReLU's half: Xavier keeps the scale, factor 1.
    "scale_experiment#4": _EXPERIMENT + '''
relu_xavier_factor = 1.0
''',
}
