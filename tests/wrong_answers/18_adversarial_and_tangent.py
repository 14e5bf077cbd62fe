# Deliberately wrong answers for exercises/18_adversarial_and_tangent.ipynb, one per answer
# cell (keyed by its nbgrader grade_id). Each should lose some of that question's points but
# not all of the exercise's: the tests in test_grading.py check both.
WRONG = {
    # A step along the normalized gradient (an L2 attack) instead of its sign: it also
    # raises the loss, but the pixels move by different amounts, not all by eps.
    "fgsm_perturbation": '''
def fgsm_perturbation(model, x, y, eps):
    x_var = x.detach().clone().requires_grad_(True)
    loss = F.cross_entropy(model(x_var), y)
    (g,) = torch.autograd.grad(loss, x_var)
    return (x_var + eps * g / g.norm()).detach()
''',
    # torch.roll wraps the image around instead of bringing in background: right whenever
    # the first and last columns are empty, as in the visible test, wrong otherwise.
    "shift_tangent": '''
def shift_tangent(images):
    grid = images.reshape(-1, 8, 8)
    v = (torch.roll(grid, 1, dims=2) - torch.roll(grid, -1, dims=2)) / 2
    return v.reshape(-1, 64)
''',
    # Adds the tangents up before squaring: ||W (v_1 + ... + v_k)||^2 has cross terms, so it
    # is right for a single tangent only.
    "linear_tangent_prop": '''
def linear_tangent_prop(W, tangents):
    return ((W @ tangents.sum(dim=0)) ** 2).sum()
''',
}
