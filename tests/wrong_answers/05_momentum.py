# Deliberately wrong answers for exercises/05_momentum.ipynb, keyed by the nbgrader
# grade_id of the answer cell they replace; "<grade_id>#2", "<grade_id>#3", ... are further
# wrong answers to the same cell. Each should lose some of that question's points but not
# all of the exercise's: the tests in test_grading.py check both.
_MOMENTUM_SGD_INIT = '''
class MomentumSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0.0, weight_decay=0.0, nesterov=False):
        if lr < 0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and momentum == 0:
            raise ValueError("Invalid nesterov=True with momentum=0")
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=nesterov))
'''


def _momentum_sgd(step_body: str, init: str = _MOMENTUM_SGD_INIT) -> str:
    """A MomentumSGD whose step() runs ``step_body`` (indented by 8 spaces)."""
    return init + '''
    @torch.no_grad()
    def step(self, closure=None):
''' + step_body


# The right step, for the wrong answers that differ from it elsewhere (in __init__).
_RIGHT_STEP = '''
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                if group["weight_decay"] != 0:
                    g = g + group["weight_decay"] * p
                if group["momentum"] != 0:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        v = state["momentum_buffer"] = g.clone()
                    else:
                        v = state["momentum_buffer"]
                        v.mul_(group["momentum"]).add_(g)
                    g = g + group["momentum"] * v if group["nesterov"] else v
                p.add_(g, alpha=-group["lr"])
        return loss
'''

WRONG = {
    # Heavy-ball momentum: the gradient at theta instead of at the look-ahead point. With a
    # zero velocity the two coincide, so only the hidden test can tell them apart.
    "nesterov_step": '''
def nesterov_step(theta, v, grad_fn, lr, beta):
    v_new = beta * v + lr * grad_fn(theta)
    return theta - v_new, v_new
''',
    # A sign error in the predictor: looks ahead to theta + beta v, behind the ball. Again
    # right when v = 0 (the visible test).
    "nesterov_step#2": '''
def nesterov_step(theta, v, grad_fn, lr, beta):
    v_new = beta * v + lr * grad_fn(theta + beta * v)
    return theta - v_new, v_new
''',
    # Mixes the two conventions: lr inside the velocity and again on the step, so every step
    # is lr times too short.
    "nesterov_step#3": '''
def nesterov_step(theta, v, grad_fn, lr, beta):
    v_new = beta * v + lr * grad_fn(theta - beta * v)
    return theta - lr * v_new, v_new
''',
    # Right values, but moves the caller's theta in place and hands it back.
    "nesterov_step#4": '''
def nesterov_step(theta, v, grad_fn, lr, beta):
    v_new = beta * v + lr * grad_fn(theta - beta * v)
    theta -= v_new
    return theta, v_new
''',
    # The factor applied the wrong way round: right only when beta = 0.
    "ema_lr": '''
def ema_lr(lr, beta):
    return lr * (1 - beta)
''',
    # The factor 1 / (1 + beta) by which momentum shortens an alternating step, not the
    # 1 / (1 - beta) by which the averaged velocity is shorter: right only when beta = 0.
    "ema_lr#2": '''
def ema_lr(lr, beta):
    return lr / (1 + beta)
''',
    # "Both are momentum with the same beta": no conversion at all, right only when beta = 0.
    "ema_lr#3": '''
def ema_lr(lr, beta):
    return lr
''',
    # The other convention: the velocity as an exponential average, v = beta v + (1 - beta) g,
    # from v = 0. Every step is (1 - beta) times too short, the first one included.
    "momentum_sgd": _momentum_sgd('''
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad + group["weight_decay"] * p
                beta = group["momentum"]
                if beta != 0:
                    v = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p))
                    v.mul_(beta).add_(g, alpha=1 - beta)
                    g = g + beta * v if group["nesterov"] else v
                p.add_(g, alpha=-group["lr"])
        return loss
'''),
    # Values right only at the defaults: the hyperparameters are read from self.defaults,
    # so a parameter group's own lr, momentum, weight_decay or nesterov is ignored. The
    # visible test has one group, which uses the defaults.
    "momentum_sgd#2": _momentum_sgd('''
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        lr, beta, weight_decay = self.defaults["lr"], self.defaults["momentum"], self.defaults["weight_decay"]
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad + weight_decay * p
                if beta != 0:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        v = state["momentum_buffer"] = g.clone()
                    else:
                        v = state["momentum_buffer"]
                        v.mul_(beta).add_(g)
                    g = g + beta * v if self.defaults["nesterov"] else v
                p.add_(g, alpha=-lr)
        return loss
'''),
    # The equations in the wrong order: Nesterov's step g + beta v uses the velocity of the
    # previous step, before it is updated.
    "momentum_sgd#3": _momentum_sgd('''
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta = group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad + group["weight_decay"] * p
                if beta != 0:
                    state = self.state[p]
                    old = state.get("momentum_buffer", torch.zeros_like(p))
                    d = g + beta * old if group["nesterov"] else beta * old + g
                    state["momentum_buffer"] = beta * old + g
                    g = d
                p.add_(g, alpha=-group["lr"])
        return loss
'''),
    # Decoupled weight decay: lambda theta is added to the step instead of the gradient, so
    # it never enters the velocity (AdamW's idea, not torch.optim.SGD's L2 penalty).
    "momentum_sgd#4": _momentum_sgd('''
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta = group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                if beta != 0:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        v = state["momentum_buffer"] = g.clone()
                    else:
                        v = state["momentum_buffer"]
                        v.mul_(beta).add_(g)
                    g = g + beta * v if group["nesterov"] else v
                p.add_(g + group["weight_decay"] * p, alpha=-group["lr"])
        return loss
'''),
    # Side effect: the weight decay is added into p.grad in place, and the first velocity is
    # p.grad itself, not a copy. Right iterates while zero_grad() sets the gradients to None
    # (the default); wrong, and the caller's gradients changed, with zero_grad(set_to_none=False).
    "momentum_sgd#5": _momentum_sgd('''
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta = group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                if group["weight_decay"] != 0:
                    g.add_(p, alpha=group["weight_decay"])
                if beta != 0:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        v = state["momentum_buffer"] = g
                    else:
                        v = state["momentum_buffer"]
                        v.mul_(beta).add_(g)
                    g = g + beta * v if group["nesterov"] else v
                p.add_(g, alpha=-group["lr"])
        return loss
'''),
    # Not a drop-in for a training loop: assumes every parameter has a gradient (crashes on a
    # frozen one) and ignores the closure.
    "momentum_sgd#6": _momentum_sgd('''
        for group in self.param_groups:
            beta = group["momentum"]
            for p in group["params"]:
                g = p.grad + group["weight_decay"] * p
                if beta != 0:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        v = state["momentum_buffer"] = g.clone()
                    else:
                        v = state["momentum_buffer"]
                        v.mul_(beta).add_(g)
                    g = g + beta * v if group["nesterov"] else v
                p.add_(g, alpha=-group["lr"])
'''),
    # Validation off at the boundaries: rejects lr = 0 (allowed, lr >= 0), and lets
    # nesterov=True through without momentum.
    "momentum_sgd#7": _momentum_sgd(_RIGHT_STEP, init='''
class MomentumSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0.0, weight_decay=0.0, nesterov=False):
        if lr <= 0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=nesterov))
'''),
    # "The default beta = 0.9 is the best value", written down without measuring it; (b) right.
    "momentum_experiment": '''
fastest_beta = 0.9
diverging_betas = {0.0, 0.3}
''',
    # "Momentum lengthens the steps, so more of it diverges sooner": the opposite of (b).
    "momentum_experiment#2": '''
fastest_beta = 0.8
diverging_betas = {0.8, 0.9, 0.95}
''',
    # Gradient descent's limit eta < 2/L applied to every beta: "0.03 > 0.02, so all diverge".
    "momentum_experiment#3": '''
fastest_beta = 0.8
diverging_betas = set(betas)
''',
    # Measured, but "diverges" read as "has not arrived within tol after 100 steps": the slow
    # walks (beta = 0.6, 0.9, 0.95), which converge, are counted with the diverging ones.
    "momentum_experiment#4": '''
arrival = {}
for beta in betas:
    path = landscapes.trajectory(ravine, lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=beta), start, steps=300)
    arrival[beta] = steps_to_reach(path)
arrived = {beta: n for beta, n in arrival.items() if n is not None}
fastest_beta = min(arrived, key=arrived.get)
diverging_betas = set()
for beta in betas:
    path = landscapes.trajectory(ravine, lambda ps: torch.optim.SGD(ps, lr=0.03, momentum=beta), start, steps=100)
    if steps_to_reach(path) is None:
        diverging_betas.add(beta)
''',
}
