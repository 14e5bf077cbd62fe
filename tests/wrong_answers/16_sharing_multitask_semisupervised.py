# Deliberately wrong answers for exercises/16_sharing_multitask_semisupervised.ipynb, keyed by
# the nbgrader grade_id of the answer cell they replace; "<grade_id>#2", "<grade_id>#3", ...
# are further wrong answers to the same cell. Each should lose some of that question's
# points but not all of the exercise's: the tests in test_grading.py check both.
_TIE = '''
def tying_penalty(params_a, params_b):
    if len(params_a) != len(params_b):
        raise ValueError(f"Cannot pair {len(params_a)} parameters of A with {len(params_b)} of B")
    total = torch.zeros(())
    for wa, wb in zip(params_a, params_b):
        if wa.shape != wb.shape:
            raise ValueError(f"Cannot pair shapes {tuple(wa.shape)} and {tuple(wb.shape)}")
        total = total + ((wa - wb) ** 2).sum()
    return total
'''

_SELF = '''
def self_train(fit_model, labelled, X_unlabelled, threshold, rounds):
    if not 0 <= threshold <= 1:
        raise ValueError(f"Invalid threshold: {threshold}")
    if not isinstance(rounds, int) or rounds < 0:
        raise ValueError(f"Invalid rounds: {rounds}")
    X_L, y_L = labelled
    model = fit_model(X_L, y_L)
    counts = []
    for _ in range(rounds):
        model.eval()
        with torch.no_grad():
            p = torch.softmax(model(X_unlabelled), dim=1)
        confidence, y_hat = p.max(dim=1)
        keep = confidence >= threshold
        counts.append(int(keep.sum()))
        X_next = torch.cat([X_L, X_unlabelled[keep]])
        y_next = torch.cat([y_L, y_hat[keep]])
        model = fit_model(X_next, y_next)
    return model, counts
'''

_EXPERIMENT = '''
silent_plain = 0.49
silent_sparse = 0.82
penalty_costs_accuracy = False
'''


def _change(source: str, old: str, new: str) -> str:
    """The solution with one piece changed (the change must apply)."""
    assert old in source, old
    return source.replace(old, new)


WRONG = {
    # The Euclidean distance instead of its square: the same when the models differ by
    # exactly 1 (the visible test), wrong for any other distance.
    "tying_penalty": _change(_TIE, "    return total", "    return total.sqrt()"),
    # Trusts zip: no check of the lengths or the shapes (zip stops at the shorter list, and
    # broadcasting pairs a (2, 3) with a (3,) without complaint).
    "tying_penalty#2": '''
def tying_penalty(params_a, params_b):
    return sum(((wa - wb) ** 2).sum() for wa, wb in zip(params_a, params_b))
''',
    # Detaches model B, as if it were the fixed reference: no gradient reaches B.
    "tying_penalty#3": _change(_TIE, "((wa - wb) ** 2)", "((wa - wb.detach()) ** 2)"),
    # The mean squared difference per entry instead of the sum.
    "tying_penalty#4": _change(_TIE, "((wa - wb) ** 2).sum()", "((wa - wb) ** 2).mean()"),
    # The mean over all entries instead of the mean over examples of each row's L1 norm:
    # divides by N * H instead of N, right only with one unit per example.
    "activation_l1": '''
def activation_l1(h, strength):
    return strength * h.abs().mean()
''',
    # Forgets the absolute value: negative activations lower the penalty.
    "activation_l1#2": '''
def activation_l1(h, strength):
    return strength * h.sum(dim=1).mean()
''',
    # Sums over the examples instead of averaging: grows with the batch size.
    "activation_l1#3": '''
def activation_l1(h, strength):
    return strength * h.abs().sum()
''',
    # The squared L2 norm of each row (weight decay on activations), not the L1 norm.
    "activation_l1#4": '''
def activation_l1(h, strength):
    return strength * (h ** 2).sum(dim=1).mean()
''',
    # A strict inequality: a confidence equal to the threshold is dropped.
    "self_train": _change(_SELF, "confidence >= threshold", "confidence > threshold"),
    # Thresholds the largest logit instead of the largest probability.
    "self_train#2": _change(_SELF, "p = torch.softmax(model(X_unlabelled), dim=1)",
                            "p = model(X_unlabelled)"),
    # Keeps the pseudo-labels of earlier rounds in the labelled set: they pile up.
    "self_train#3": _change(
        _SELF, "        model = fit_model(X_next, y_next)",
        "        X_L, y_L = X_next, y_next\n        model = fit_model(X_L, y_L)"),
    # Pseudo-labels every round with the first model (fitted on the labelled pairs only).
    "self_train#4": _change(
        _SELF, "    counts = []\n", "    counts = []\n    first = model\n").replace(
        "model(X_unlabelled)", "first(X_unlabelled)").replace("model.eval()", "first.eval()"),
    # Refits on the pseudo-labelled examples alone, forgetting the labelled ones.
    "self_train#5": _change(
        _SELF, "fit_model(X_next, y_next)", "fit_model(X_unlabelled[keep], y_hat[keep])"),
    # Predicts in training mode with gradients on (no eval(), no no_grad()).
    "self_train#6": _change(
        _SELF, "        model.eval()\n        with torch.no_grad():\n            p =",
                            "        if True:\n            p ="),
    # Off by one in the number of rounds, and no validation of the arguments.
    "self_train#7": _change(
        _SELF, "    for _ in range(rounds):", "    for _ in range(max(rounds, 1)):").replace(
        "    if not isinstance(rounds, int) or rounds < 0:\n        raise",
        "    if False:\n        raise"),
    # Swaps the two fractions: the penalized network's as the plain one's.
    "sparsity_experiment": _change(
        _EXPERIMENT, "0.49", "0.82").replace("= 0.82\npen", "= 0.49\npen"),
    # Believes that ReLU networks are dense without a penalty (fraction of active entries).
    "sparsity_experiment#2": _change(_EXPERIMENT, "0.49", "0.05"),
    # Reads the fraction of units silent on every validation digit (dead units): 0 for both.
    "sparsity_experiment#3": _change(_EXPERIMENT, "0.49", "0.0").replace("0.82", "0.0"),
    # Predicts that sparsity must cost accuracy.
    "sparsity_experiment#4": _change(_EXPERIMENT, "= False", "= True"),
}
