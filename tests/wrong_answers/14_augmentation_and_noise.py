# Deliberately wrong answers for exercises/14_augmentation_and_noise.ipynb, keyed by the nbgrader
# grade_id of the answer cell they replace; "<grade_id>#2", "<grade_id>#3", ... are further
# wrong answers to the same cell. Each should lose some of that question's points but not
# all of the exercise's: the tests in test_grading.py check both.
_CE = '''
def smoothed_cross_entropy(logits, y, eps, reduction="mean"):
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"Invalid reduction: {reduction!r}")
    n_classes = logits.shape[1]
    q = (1 - eps) * F.one_hot(y, n_classes).to(logits.dtype) + eps / n_classes
    losses = -(q * F.log_softmax(logits, dim=1)).sum(dim=1)
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses
'''

_SHIFT = '''
def random_shift(images, max_shift, generator):
    N, H, W = images.shape
    if not isinstance(max_shift, int) or not 0 <= max_shift < min(H, W):
        raise ValueError(f"Invalid max_shift: {max_shift}")
    dx = torch.randint(-max_shift, max_shift + 1, (N,), generator=generator)
    dy = torch.randint(-max_shift, max_shift + 1, (N,), generator=generator)
    moved = [augmentation.shift(images[n : n + 1], int(dx[n]), int(dy[n])) for n in range(N)]
    return torch.cat(moved)
'''

_EXPERIMENT = '''
noisy_alpha = 10.0
alpha_growth = 4
'''


def _change(source: str, old: str, new: str) -> str:
    """The solution with one piece changed (the change must apply)."""
    assert old in source, old
    return source.replace(old, new)


WRONG = {
    # Spreads eps over the K - 1 wrong classes only, a common variant that is not torch's
    # (torch and Szegedy et al. spread eps / K over all K classes): hidden values test.
    "smoothed_cross_entropy": _change(
        _CE, "+ eps / n_classes",
        "+ eps / (n_classes - 1) * (1 - F.one_hot(y, n_classes).to(logits.dtype))"),
    # Forgets to divide eps by K: the targets no longer sum to one.
    "smoothed_cross_entropy#2": _change(_CE, "+ eps / n_classes", "+ eps"),
    # Averages over all N * K entries instead of summing over the classes first.
    "smoothed_cross_entropy#3": _change(
        _CE, "(logits, dim=1)).sum(dim=1)", "(logits, dim=1)).mean(dim=1)"),
    # Ignores the reduction argument: always the mean (and so never raises either).
    "smoothed_cross_entropy#4": '''
def smoothed_cross_entropy(logits, y, eps, reduction="mean"):
    n_classes = logits.shape[1]
    q = (1 - eps) * F.one_hot(y, n_classes).to(logits.dtype) + eps / n_classes
    return -(q * F.log_softmax(logits, dim=1)).sum(dim=1).mean()
''',
    # Subtracts the row maximum in place "for stability": modifies the caller's logits (and
    # fails on logits that require grad).
    "smoothed_cross_entropy#5": _change(
        _CE, "    n_classes = logits.shape[1]\n",
        "    n_classes = logits.shape[1]\n    logits -= logits.max(dim=1, keepdim=True).values\n"),
    # log(softmax) computed on detached logits: right values, no gradient.
    "smoothed_cross_entropy#6": _change(
        _CE, "F.log_softmax(logits, dim=1)", "torch.log(F.softmax(logits.detach(), dim=1))"),
    # torch.roll wraps around: what leaves on one side re-enters on the other instead of the
    # background. Right for a pixel away from the edges (the visible test), wrong at the border.
    "shift_image": '''
def shift_image(image, dx, dy):
    return torch.roll(image, shifts=(dy, dx), dims=(0, 1))
''',
    # Reads new[i, j] = image[i + dy, j + dx]: moves the content left and up.
    "shift_image#2": '''
def shift_image(image, dx, dy):
    return shift_image_right(image, -dx, -dy)


def shift_image_right(image, dx, dy):
    H, W = image.shape
    out = torch.zeros_like(image)
    for i in range(H):
        for j in range(W):
            if 0 <= i - dy < H and 0 <= j - dx < W:
                out[i, j] = image[i - dy, j - dx]
    return out
''',
    # Swaps the axes: dx moves the rows (down) and dy the columns (right); right when
    # dx == dy, and for the 1-pixel-right visible test it moves the pixel down.
    "shift_image#3": '''
def shift_image(image, dx, dy):
    H, W = image.shape
    out = torch.zeros_like(image)
    for i in range(H):
        for j in range(W):
            if 0 <= i - dx < H and 0 <= j - dy < W:
                out[i, j] = image[i - dx, j - dy]
    return out
''',
    # Right pixels, but written back into the input image, which is returned.
    "shift_image#4": '''
def shift_image(image, dx, dy):
    H, W = image.shape
    out = torch.zeros_like(image)
    for i in range(H):
        for j in range(W):
            if 0 <= i - dy < H and 0 <= j - dx < W:
                out[i, j] = image[i - dy, j - dx]
    image.copy_(out)
    return image
''',
    # Forgets that randint's upper end is excluded: shifts from -m to m - 1 only.
    "random_shift": _change(_SHIFT, "max_shift + 1, (N,)", "max_shift, (N,)"),
    # Draws the vertical shifts first.
    "random_shift#2": _change(_SHIFT, "    dx = torch.randint", "    dy_ = torch.randint").replace(
        "    dy = torch.randint", "    dx = torch.randint").replace("dy_ =", "dy ="),
    # One shift for the whole batch instead of one per image.
    "random_shift#3": _change(_SHIFT, "(N,), generator", "(1,), generator").replace(
        "int(dx[n]), int(dy[n])", "int(dx[0]), int(dy[0])"),
    # Draws (dx, dy) image by image, interleaving the two draws.
    "random_shift#4": '''
def random_shift(images, max_shift, generator):
    N, H, W = images.shape
    if not isinstance(max_shift, int) or not 0 <= max_shift < min(H, W):
        raise ValueError(f"Invalid max_shift: {max_shift}")
    out = []
    for n in range(N):
        dx = int(torch.randint(-max_shift, max_shift + 1, (1,), generator=generator))
        dy = int(torch.randint(-max_shift, max_shift + 1, (1,), generator=generator))
        out.append(augmentation.shift(images[n : n + 1], dx, dy))
    return torch.cat(out)
''',
    # Ignores the generator: torch's global random numbers.
    "random_shift#5": _change(_SHIFT, "(N,), generator=generator", "(N,)"),
    # Off by one at the boundary of the check: max_shift = 7 on 8 x 8 images is refused;
    # and no check that max_shift is an integer.
    "random_shift#6": _change(
        _SHIFT, "not isinstance(max_shift, int) or not 0 <= max_shift < min(H, W)",
        "not 0 <= max_shift < min(H, W) - 1"),
    # Writes the shifted images back into the caller's tensor.
    "random_shift#7": _change(
        _SHIFT, "    return torch.cat(moved)",
        "    images.copy_(torch.cat(moved))\n    return images"),
    # Forgets the factor m: alpha = sigma^2, the strength per example (mean-loss convention).
    "noise_experiment": _change(_EXPERIMENT, "10.0", "0.25"),
    # The penalty of the 1/2-scaled loss: half the right alpha, and linear growth in sigma.
    "noise_experiment#2": _change(_EXPERIMENT, "10.0", "5.0").replace("= 4", "= 2"),
    # m sigma instead of m sigma^2: 20, and growth 2.
    "noise_experiment#3": _change(_EXPERIMENT, "10.0", "20.0").replace("= 4", "= 2"),
    # Right alpha, but guesses that alpha grows like sigma^3 (8) when sigma doubles.
    "noise_experiment#4": _change(_EXPERIMENT, "= 4", "= 8"),
}
