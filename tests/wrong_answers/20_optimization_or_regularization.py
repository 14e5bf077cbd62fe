# Deliberately wrong answers for exercises/20_optimization_or_regularization.ipynb, one per
# answer cell (keyed by its nbgrader grade_id). Each should lose some of that question's
# points but not all of the exercise's: the tests in test_grading.py check both.
WRONG = {
    # The two checks in the wrong order: a recipe that improves both the fit and the gap is
    # credited to regularization. The visible cases improve only one of them, so they pass.
    "main_effect": '''
def main_effect(recipe, reference, factor=1.25):
    (train, val), (train_ref, val_ref) = recipe, reference
    if val - train <= (val_ref - train_ref) / factor:
        return "regularization"
    if train <= train_ref / factor:
        return "optimization"
    return "neither"
''',
    # Averages over the classes instead of summing them: K times too small, but still zero
    # for identical seeds and still larger when the seeds disagree more.
    "prediction_variance": '''
def prediction_variance(probabilities):
    return probabilities.var(dim=0).mean().item()
''',
}
