# Deliberately wrong answers for exercises/14_augmentation_and_noise.ipynb, one per answer
# cell (keyed by its nbgrader grade_id). Each should lose some of that question's points but
# not all of the exercise's: the tests in test_grading.py check both.
WRONG = {
    # Spreads eps over the K - 1 wrong classes only, a common variant that is not torch's
    # (torch and Szegedy et al. spread eps / K over all K classes). Identical when eps = 0,
    # so only the hidden test, with eps > 0, tells them apart.
    "smoothed_cross_entropy": '''
def smoothed_cross_entropy(logits, y, eps):
    K = logits.shape[1]
    onehot = F.one_hot(y, K).to(logits.dtype)
    q = (1 - eps) * onehot + eps / (K - 1) * (1 - onehot)
    return -(q * F.log_softmax(logits, dim=1)).sum(dim=1).mean()
''',
    # torch.roll wraps around: what leaves on one side re-enters on the other instead of the
    # background. Right for a pixel away from the edges (the visible test), wrong at the border.
    "shift_image": '''
def shift_image(image, dx, dy):
    return torch.roll(image, shifts=(dy, dx), dims=(0, 1))
''',
}
