# Deliberately wrong answers for exercises/17_ensembles_and_dropout.ipynb, keyed by the
# nbgrader grade_id of the answer cell they replace; "<grade_id>#2", "<grade_id>#3", ... are
# further wrong answers to the same cell. Each should lose some of that question's points but
# not all of the exercise's: the tests in test_grading.py check both.
_DROPOUT = '''
class DropoutFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, mask, p):
        ctx.save_for_backward(mask)
        ctx.p = p
        return mask * x / (1 - p)

    @staticmethod
    def backward(ctx, grad_h):
        (mask,) = ctx.saved_tensors
        return mask * grad_h / (1 - ctx.p), None, None


def dropout(x, p, training=True, generator=None):
    if not 0 <= p < 1:
        raise ValueError(f"Invalid dropout probability: {p}")
    if not training or p == 0:
        return x
    mask = torch.bernoulli(torch.full_like(x, 1 - p), generator=generator)
    return DropoutFunction.apply(x, mask, p)


class Dropout(nn.Module):
    def __init__(self, p=0.5, generator=None):
        super().__init__()
        if not 0 <= p < 1:
            raise ValueError(f"Invalid dropout probability: {p}")
        self.p = p
        self.generator = generator

    def forward(self, x):
        return dropout(x, self.p, self.training, self.generator)
'''

_EXPERIMENT = '''
masks = torch.tensor(list(itertools.product([0.0, 1.0], repeat=D)))
kept = masks.sum(dim=1)
prob_mask = (1 - p) ** kept * p ** (D - kept)
log_probs = F.log_softmax((masks * x) @ W.T + b, dim=1)
p_A = prob_mask @ log_probs.exp()
p_G = torch.softmax(prob_mask @ log_probs, dim=0)
p_W = torch.softmax((1 - p) * W @ x + b, dim=0)
geometric_gap = (p_G - p_W).abs().max().item()
arithmetic_gap = (p_A - p_W).abs().max().item()
sampled = torch.bernoulli(torch.full((4000, D), 1 - p), generator=torch.Generator().manual_seed(1))
p_mc = torch.softmax((sampled * x) @ W.T + b, dim=1).mean(dim=0)
closer = (p_mc - p_A).abs().max() < (p_mc - p_W).abs().max()
mc_matches = "arithmetic" if closer else "weight scaling"
'''


def _replace(source: str, old: str, new: str) -> str:
    """``source`` with one piece changed (the change must apply)."""
    assert old in source, old
    return source.replace(old, new)


WRONG = {
    # Adds the whole covariance, forgetting that only k(k - 1) of the k^2 terms are
    # cross terms: right when c = 0 (the visible test), too large otherwise.
    "ensemble_error": '''
def ensemble_error(v, c, k):
    return v / k + c
''',
    # Divides the sum of the cross terms by k instead of k^2.
    "ensemble_error#2": '''
def ensemble_error(v, c, k):
    return v / k + (k - 1) * c
''',
    # Counts the cross terms of one row of the covariance matrix only (k - 1 of them
    # instead of k (k - 1)) before dividing by k^2.
    "ensemble_error#3": '''
def ensemble_error(v, c, k):
    return v / k + (k - 1) * c / k ** 2
''',
    # Keeps each unit with probability p instead of 1 - p: the same mask when p = 1/2 (the
    # visible test), the wrong drop rate and the wrong draws otherwise.
    "dropout_layer": _replace(_DROPOUT, "torch.full_like(x, 1 - p)", "torch.full_like(x, p)"),
    # The backward pass forgets the 1/(1 - p) rescaling that the forward pass applies:
    # gradcheck catches it (and the visible gradient at p = 1/2).
    "dropout_layer#2": _replace(_DROPOUT, "mask * grad_h / (1 - ctx.p)", "mask * grad_h"),
    # Mixes up inverted dropout and the original weight-scaling rule: multiplies by the keep
    # probability at test time as well, so evaluation is no longer the identity.
    "dropout_layer#3": _replace(_DROPOUT, '''    if not training or p == 0:
        return x
''', '''    if p == 0:
        return x
    if not training:
        return (1 - p) * x
'''),
    # Accepts p = 1 (0 <= p <= 1): the layer then divides by zero instead of refusing.
    "dropout_layer#4": _replace(_DROPOUT, "if not 0 <= p < 1:", "if not 0 <= p <= 1:"),
    # The geometric mean without renormalizing: its entries sum to less than 1.
    "weight_scaling_experiment": _replace(
        _EXPERIMENT, "p_G = torch.softmax(prob_mask @ log_probs, dim=0)",
        "p_G = torch.exp(prob_mask @ log_probs)"),
    # Averages the 4096 sub-networks with equal weights, as if p were 1/2.
    "weight_scaling_experiment#2": _replace(
        _EXPERIMENT, "prob_mask = (1 - p) ** kept * p ** (D - kept)",
        "prob_mask = torch.full((len(masks),), 1 / len(masks))"),
    # Weight scaling without the keep probability (the inverted-dropout test network, but the
    # masks here are not rescaled): both gaps and the Monte-Carlo comparison change.
    "weight_scaling_experiment#3": _replace(
        _EXPERIMENT, "p_W = torch.softmax((1 - p) * W @ x + b, dim=0)",
        "p_W = torch.softmax(W @ x + b, dim=0)"),
}
