# Deliberately wrong answers for exercises/06_adaptive.ipynb, keyed by the nbgrader
# grade_id of the answer cell they replace; "<grade_id>#2", "<grade_id>#3", ... are further
# wrong answers to the same cell. Each should lose some of that question's points but not
# all of the exercise's: the tests in test_grading.py check both.
_ADAM_INIT = '''
class Adam(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        if lr < 0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for index, beta in enumerate(betas):
            if not 0 <= beta < 1:
                raise ValueError(f"Invalid beta parameter at index {index}: {beta}")
        if weight_decay < 0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))
'''

# step() up to the update of one parameter p with gradient g (weight decay folded in) and
# state dict `state`; each wrong answer below supplies the rest, or the whole step.
_LOOP = '''
    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                if group["weight_decay"] != 0:
                    g = g + group["weight_decay"] * p
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                state["step"] += 1
                t, s, r = state["step"], state["exp_avg"], state["exp_avg_sq"]
                s.mul_(beta1).add_(g, alpha=1 - beta1)
                r.mul_(beta2).addcmul_(g, g, value=1 - beta2)
'''


def _adam(update: str, init: str = _ADAM_INIT, loop: str = _LOOP) -> str:
    """An Adam class: ``init``, then ``loop``, then ``update`` (the last lines, indented by 16)."""
    return init + loop + update.lstrip("\n") + "        return loss\n"


_RIGHT_UPDATE = '''
                s_hat = s / (1 - beta1**t)
                r_hat = r / (1 - beta2**t)
                p.sub_(group["lr"] * s_hat / (r_hat.sqrt() + group["eps"]))
'''

WRONG = {
    # eps under the square root, as in the lecture notes: the same step for large gradients,
    # a far smaller one for gradients near sqrt(eps) and below.
    "adam_step": '''
def adam_step(theta, g, s, r, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    s_new = beta1 * s + (1 - beta1) * g
    r_new = beta2 * r + (1 - beta2) * g * g
    s_hat = s_new / (1 - beta1**t)
    r_hat = r_new / (1 - beta2**t)
    return theta - lr * s_hat / (r_hat + eps).sqrt(), s_new, r_new
''',
    # No bias correction: the first step is (1 - beta1) / sqrt(1 - beta2) times too long.
    "adam_step#2": '''
def adam_step(theta, g, s, r, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    s_new = beta1 * s + (1 - beta1) * g
    r_new = beta2 * r + (1 - beta2) * g * g
    return theta - lr * s_new / (r_new.sqrt() + eps), s_new, r_new
''',
    # The bias correction one step behind, beta^(t + 1) (as if t counted from 0): right only
    # in the limit of many steps.
    "adam_step#3": '''
def adam_step(theta, g, s, r, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    s_new = beta1 * s + (1 - beta1) * g
    r_new = beta2 * r + (1 - beta2) * g * g
    s_hat = s_new / (1 - beta1 ** (t + 1))
    r_hat = r_new / (1 - beta2 ** (t + 1))
    return theta - lr * s_hat / (r_hat.sqrt() + eps), s_new, r_new
''',
    # Right values, but updates the caller's moment estimates s and r in place.
    "adam_step#4": '''
def adam_step(theta, g, s, r, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    s.mul_(beta1).add_(g, alpha=1 - beta1)
    r.mul_(beta2).addcmul_(g, g, value=1 - beta2)
    s_hat = s / (1 - beta1**t)
    r_hat = r / (1 - beta2**t)
    return theta - lr * s_hat / (r_hat.sqrt() + eps), s.clone(), r.clone()
''',
    # Forgets the square root: the step 0.1 / t falls below 3e-3 after only 34 steps.
    "adagrad_steps": "adagrad_steps = 34\n",
    # Off by one at the boundary: at t = 1111 the step 0.1 / sqrt(1111) is still just above 3e-3.
    "adagrad_steps#2": "adagrad_steps = 1111\n",
    # Forgets the g in the numerator (step 0.1 / sqrt(t g^2) = 0.05 / sqrt(t)): t > 277.8.
    "adagrad_steps#3": "adagrad_steps = 278\n",
    # No bias correction: s and r start at zero, so the early steps are far off.
    "adam_optimizer": _adam('''
                p.sub_(group["lr"] * s / (r.sqrt() + group["eps"]))
'''),
    # eps under the square root: the same as torch only when r_hat >> eps.
    "adam_optimizer#2": _adam('''
                s_hat = s / (1 - beta1**t)
                r_hat = r / (1 - beta2**t)
                p.sub_(group["lr"] * s_hat / (r_hat + group["eps"]).sqrt())
'''),
    # Values right only at the defaults: lr, betas, eps and weight_decay read from
    # self.defaults, so a parameter group's own values are ignored (and a schedule's lr).
    "adam_optimizer#3": _adam(_RIGHT_UPDATE, loop='''
    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        group = self.defaults  # the bug: the groups' own hyperparameters are never read
        beta1, beta2 = group["betas"]
        for each in self.param_groups:
            for p in each["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                if group["weight_decay"] != 0:
                    g = g + group["weight_decay"] * p
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                state["step"] += 1
                t, s, r = state["step"], state["exp_avg"], state["exp_avg_sq"]
                s.mul_(beta1).add_(g, alpha=1 - beta1)
                r.mul_(beta2).addcmul_(g, g, value=1 - beta2)
'''),
    # One step count for the whole optimizer, incremented once per call of step(): right
    # while every parameter has a gradient at every step, wrong for a parameter whose first
    # gradient comes late (its bias correction must start at t = 1).
    "adam_optimizer#4": _adam(_RIGHT_UPDATE, loop='''
    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        self.t = getattr(self, "t", 0) + 1
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                if group["weight_decay"] != 0:
                    g = g + group["weight_decay"] * p
                state = self.state[p]
                if not state:
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                t, s, r = self.t, state["exp_avg"], state["exp_avg_sq"]
                s.mul_(beta1).add_(g, alpha=1 - beta1)
                r.mul_(beta2).addcmul_(g, g, value=1 - beta2)
'''),
    # Decoupled weight decay (AdamW) instead of torch.optim.Adam's L2 penalty folded into g.
    "adam_optimizer#5": _adam('''
                s_hat = s / (1 - beta1**t)
                r_hat = r / (1 - beta2**t)
                p.mul_(1 - group["lr"] * group["weight_decay"])
                p.sub_(group["lr"] * s_hat / (r_hat.sqrt() + group["eps"]))
''', loop=_LOOP.replace('''                if group["weight_decay"] != 0:
                    g = g + group["weight_decay"] * p
''', "")),
    # Side effect: adds the weight decay into the caller's p.grad in place. The iterates are
    # right, but p.grad is no longer the gradient of the loss after step().
    "adam_optimizer#6": _adam(_RIGHT_UPDATE, loop=_LOOP.replace(
        'g = g + group["weight_decay"] * p', 'g.add_(p, alpha=group["weight_decay"])')),
    # Not a drop-in for a training loop: assumes every parameter has a gradient (crashes on a
    # frozen one) and ignores the closure.
    "adam_optimizer#7": _ADAM_INIT + '''
    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                g = p.grad + group["weight_decay"] * p
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                state["step"] += 1
                t, s, r = state["step"], state["exp_avg"], state["exp_avg_sq"]
                s.mul_(beta1).add_(g, alpha=1 - beta1)
                r.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                s_hat = s / (1 - beta1**t)
                r_hat = r / (1 - beta2**t)
                p.sub_(group["lr"] * s_hat / (r_hat.sqrt() + group["eps"]))
''',
    # Validation off at the boundaries: 0 < beta instead of 0 <= beta rejects beta = 0 (which
    # torch allows), and beta = 1 gets through.
    "adam_optimizer#8": _adam(_RIGHT_UPDATE, init='''
class Adam(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        if lr < 0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for index, beta in enumerate(betas):
            if not 0 < beta <= 1:
                raise ValueError(f"Invalid beta parameter at index {index}: {beta}")
        if weight_decay < 0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))
'''),
    # "AdaGrad divides by a growing sum, not an average, so it is not scale-free" (it is:
    # sqrt(sum of (c g)^2) = c sqrt(sum of g^2)); the rotation part right.
    "units_and_axes": '''
scale_free = {"RMSProp", "Adam"}
rotation_free = {"SGD", "momentum"}
''',
    # The two invariances swapped: the adaptive methods taken to be the robust ones for both.
    "units_and_axes#2": '''
scale_free = {"AdaGrad", "RMSProp", "Adam"}
rotation_free = {"AdaGrad", "RMSProp", "Adam"}
''',
    # "A rotated bowl is the same bowl": every optimizer predicted rotation-free, unmeasured.
    "units_and_axes#3": '''
scale_free = {"AdaGrad", "RMSProp", "Adam"}
rotation_free = set(optimizers)
''',
    # Measured, but compares the rotated walk with the unrotated path (forgets to rotate the
    # reference back): no optimizer looks rotation-free.
    "units_and_axes#4": '''
scale_free, rotation_free = set(), set()
for name, make in optimizers.items():
    path = landscapes.trajectory(bowl, make, start, steps=100)
    gaps = [(landscapes.trajectory(scaled(bowl, c), make, start, steps=100) - path).abs().max() for c in (10.0, 0.1)]
    if max(gaps) < 1e-4:
        scale_free.add(name)
    path_turned = landscapes.trajectory(turned, make, rotate(start, phi), steps=100)
    if (path_turned - path).abs().max() < 1e-4:
        rotation_free.add(name)
''',
}
