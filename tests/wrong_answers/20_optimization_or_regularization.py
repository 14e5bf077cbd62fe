# Deliberately wrong answers for exercises/20_optimization_or_regularization.ipynb, keyed by
# the nbgrader grade_id of the answer cell they replace; "<grade_id>#2", ... are further
# wrong answers to the same cell. Each should lose some of that question's points but not
# all of the exercise's: the tests in test_grading.py check both.

_MAIN_EFFECT = '''
def main_effect(recipe, reference, factor=1.25):
    if not factor >= 1:
        raise ValueError(f"Invalid factor: {factor}")
    (train, val), (train_ref, val_ref) = recipe, reference
    if train <= train_ref / factor:
        return "optimization"
    if val - train <= (val_ref - train_ref) / factor:
        return "regularization"
    return "neither"
'''

_VARIANCE = '''
def prediction_variance(probabilities):
    if probabilities.dim() != 3:
        raise ValueError("Invalid probabilities: expected shape (S, N, K)")
    if probabilities.shape[0] < 2:
        raise ValueError("Invalid probabilities: at least 2 seeds")
    return probabilities.var(dim=0).sum(dim=1).mean().item()
'''

_STUDY = '''
def seed_study(make_model, train_set, val_set, seeds, *, epochs, batch_size, lr, momentum=0.0):
    seeds = list(seeds)
    if len(seeds) < 2 or len(set(seeds)) != len(seeds):
        raise ValueError(f"Invalid seeds: {seeds}")
    X, y = train_set
    X_val, y_val = val_set
    train_losses, val_losses, probabilities = [], [], []
    for s in seeds:
        model = make_model(s)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
        generator = torch.Generator().manual_seed(s)
        for _epoch in range(epochs):
            model.train()
            order = torch.randperm(len(X), generator=generator)
            for start in range(0, len(X), batch_size):
                batch = order[start:start + batch_size]
                loss = F.cross_entropy(model(X[batch]), y[batch])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        model.eval()
        with torch.no_grad():
            train_losses.append(F.cross_entropy(model(X), y).item())
            scores = model(X_val)
            val_losses.append(F.cross_entropy(scores, y_val).item())
            probabilities.append(torch.softmax(scores, dim=1))
    train_loss, val_loss = torch.tensor(train_losses), torch.tensor(val_losses)
    variance = torch.stack(probabilities).var(dim=0).sum(dim=1).mean().item()
    return {"train_loss": train_loss, "val_loss": val_loss, "gap": val_loss - train_loss,
            "variance": variance}
'''

_EXPERIMENT = '''
mean_losses = {}
variance = {}
effects = None
l2_lowers_test_loss = None
recipes = {"base": (0.0, 0.0), "momentum": (0.9, 0.0), "l2": (0.9, 0.05)}
for name, (beta, weight_decay) in recipes.items():
    runs = [run(seed, beta, weight_decay) for seed in SEEDS]
    mean_losses[name] = (sum(r[0] for r in runs) / len(runs), sum(r[1] for r in runs) / len(runs))
    variance[name] = synthesis.prediction_variance(torch.stack([r[2] for r in runs]))
effects = {"momentum": synthesis.main_effect(mean_losses["momentum"], mean_losses["base"]),
           "l2": synthesis.main_effect(mean_losses["l2"], mean_losses["momentum"])}
l2_lowers_test_loss = mean_losses["l2"][1] < mean_losses["momentum"][1]
'''

WRONG = {
    # The two checks in the wrong order: a recipe that improves both the fit and the gap is
    # credited to regularization. The visible cases improve only one of them, so they pass.
    "main_effect": _MAIN_EFFECT.replace('''    if train <= train_ref / factor:
        return "optimization"
    if val - train <= (val_ref - train_ref) / factor:
        return "regularization"''', '''    if val - train <= (val_ref - train_ref) / factor:
        return "regularization"
    if train <= train_ref / factor:
        return "optimization"'''),
    # Strict inequalities: an improvement by exactly the factor does not count.
    "main_effect#2": _MAIN_EFFECT.replace("train <= train_ref", "train < train_ref")
                                 .replace("train <= (val_ref", "train < (val_ref"),
    # The gap as a ratio, validation over training loss, instead of a difference.
    "main_effect#3": _MAIN_EFFECT.replace("val - train <= (val_ref - train_ref) / factor",
                                          "val / train <= (val_ref / train_ref) / factor"),
    # No validation of the factor.
    "main_effect#4": _MAIN_EFFECT.replace('''    if not factor >= 1:
        raise ValueError(f"Invalid factor: {factor}")
''', ""),
    # Averages over the classes instead of summing them: K times too small, but still zero
    # for identical seeds and still larger when the seeds disagree more.
    "prediction_variance": _VARIANCE.replace(".var(dim=0).sum(dim=1).mean()", ".var(dim=0).mean()"),
    # The biased variance (divisor S), as NumPy's default.
    "prediction_variance#2": _VARIANCE.replace(".var(dim=0)", ".var(dim=0, unbiased=False)"),
    # The standard deviation instead of the variance.
    "prediction_variance#3": _VARIANCE.replace(".var(dim=0)", ".std(dim=0)"),
    # No check of the number of seeds: one seed gives NaN (and a warning) instead of an error.
    "prediction_variance#4": _VARIANCE.replace('''    if probabilities.shape[0] < 2:
        raise ValueError("Invalid probabilities: at least 2 seeds")
''', ""),
    # The final losses measured in training mode: wrong with batch norm.
    "seed_study": _STUDY.replace("        model.eval()\n", ""),
    # The minibatch order from torch's global generator, reseeded with s.
    "seed_study#2": _STUDY.replace("order = torch.randperm(len(X), generator=generator)",
                                   "order = torch.randperm(len(X))")
                          .replace("generator = torch.Generator().manual_seed(s)",
                                   "torch.manual_seed(s)"),
    # One generator for all seeds, seeded with the first: only the first seed is right.
    "seed_study#3": _STUDY.replace("        generator = torch.Generator().manual_seed(s)\n", "")
                          .replace("    for s in seeds:\n",
                                   "    generator = torch.Generator().manual_seed(seeds[0])\n"
                                   "    for s in seeds:\n"),
    # The last, shorter minibatch dropped.
    "seed_study#4": _STUDY.replace("range(0, len(X), batch_size)",
                                   "range(0, len(X) - batch_size + 1, batch_size)"),
    # The final training loss as the mean of the last epoch's minibatch losses.
    "seed_study#5": _STUDY.replace("            for start in range(0, len(X), batch_size):\n",
                                   "            running = []\n"
                                   "            for start in range(0, len(X), batch_size):\n")
                          .replace("                optimizer.step()\n",
                                   "                optimizer.step()\n"
                                   "                running.append(loss.item())\n")
                          .replace("train_losses.append(F.cross_entropy(model(X), y).item())",
                                   "train_losses.append(sum(running) / len(running))"),
    # The biased variance across seeds.
    "seed_study#6": _STUDY.replace("stack(probabilities).var(dim=0)",
                                   "stack(probabilities).var(dim=0, unbiased=False)"),
    # No check of the seeds: a repeated seed is trained twice.
    "seed_study#7": _STUDY.replace('''    if len(seeds) < 2 or len(set(seeds)) != len(seeds):
        raise ValueError(f"Invalid seeds: {seeds}")
''', ""),
    # Both changes compared with the base recipe: the penalty then looks like optimization.
    "recipes_experiment": _EXPERIMENT.replace(
        'main_effect(mean_losses["l2"], mean_losses["momentum"])',
        'main_effect(mean_losses["l2"], mean_losses["base"])'),
    # The arguments of main_effect swapped: the reference first.
    "recipes_experiment#2": _EXPERIMENT.replace(
        'synthesis.main_effect(mean_losses["momentum"], mean_losses["base"])',
        'synthesis.main_effect(mean_losses["base"], mean_losses["momentum"])').replace(
        'synthesis.main_effect(mean_losses["l2"], mean_losses["momentum"])',
        'synthesis.main_effect(mean_losses["momentum"], mean_losses["l2"])'),
    # "Regularization, so it generalizes better": the test loss never looked at.
    "recipes_experiment#3": _EXPERIMENT.replace(
        'l2_lowers_test_loss = mean_losses["l2"][1] < mean_losses["momentum"][1]',
        'l2_lowers_test_loss = effects["l2"] == "regularization"'),
    # The penalty's strength misread as 5e-3: too weak to regularize by the rule's factor.
    "recipes_experiment#4": _EXPERIMENT.replace('"l2": (0.9, 0.05)', '"l2": (0.9, 0.005)'),
}
