# Deliberately wrong answers for exercises/04_sgd_and_schedules.ipynb, keyed by the nbgrader
# grade_id of the answer cell they replace; "<grade_id>#2", "<grade_id>#3", ... are further
# wrong answers to the same cell. Each should lose some of that question's points but not
# all of the exercise's: the tests in test_grading.py check both.

# The right scheduler, for the wrong answers that change one thing in it.
_SCHEDULER = '''
class WarmupCosine(torch.optim.lr_scheduler.LRScheduler):
    def __init__(self, optimizer, warmup_steps, total_steps, start_factor=0.1, eta_min=0.0):
        if warmup_steps < 0:
            raise ValueError(f"Invalid warmup_steps: {warmup_steps}")
        if total_steps <= warmup_steps:
            raise ValueError(f"Invalid total_steps: {total_steps}")
        if not 0 < start_factor <= 1:
            raise ValueError(f"Invalid start_factor: {start_factor}")
        if eta_min < 0:
            raise ValueError(f"Invalid eta_min: {eta_min}")
        self.W, self.T, self.s, self.m = warmup_steps, total_steps, start_factor, eta_min
        super().__init__(optimizer)

    def get_lr(self):
        t, W, T, s, m = self.last_epoch, self.W, self.T, self.s, self.m
        if t < W:
            return [lr0 * (s + (1 - s) * t / W) for lr0 in self.base_lrs]
        if t > T:
            return [m for lr0 in self.base_lrs]
        c = (1 + math.cos(math.pi * (t - W) / (T - W))) / 2
        return [m + (lr0 - m) * c for lr0 in self.base_lrs]
'''


def _replace(old: str, new: str) -> str:
    assert old in _SCHEDULER, old
    return _SCHEDULER.replace(old, new)


WRONG = {
    # Linear decay: right at both ends (and, by symmetry, halfway), wrong everywhere else.
    "cosine_lr": '''
def cosine_lr(t, T, lr_max, lr_min=0.0):
    return float(lr_max - (lr_max - lr_min) * t / T)
''',
    # The floor left out: decays from lr_max to 0 whatever lr_min is.
    "cosine_lr#2": '''
def cosine_lr(t, T, lr_max, lr_min=0.0):
    return lr_max * (1 + math.cos(math.pi * t / T)) / 2
''',
    # A quarter period instead of half a period: ends halfway between lr_max and lr_min.
    "cosine_lr#3": '''
def cosine_lr(t, T, lr_max, lr_min=0.0):
    return lr_min + (lr_max - lr_min) * math.cos(math.pi * t / (2 * T))
''',
    # 1/L, the usual safe choice, is half the threshold: it converges, but it is not the
    # largest rate.
    "lr_max": '''
A = torch.tensor([[5.0, 2.0], [2.0, 2.0]])
lr_max = 1 / torch.linalg.eigvalsh(A).max().item()
''',
    # The largest diagonal entry taken for the largest curvature: 2/5, which diverges.
    "lr_max#2": '''
A = torch.tensor([[5.0, 2.0], [2.0, 2.0]])
lr_max = 2 / A.diagonal().max().item()
''',
    # The smallest eigenvalue decides, "the slow direction": 2, far too large.
    "lr_max#3": '''
A = torch.tensor([[5.0, 2.0], [2.0, 2.0]])
lr_max = 2 / torch.linalg.eigvalsh(A).min().item()
''',
    # 2 / trace(A): safe (the trace bounds lambda_max from above) but not the threshold.
    "lr_max#4": '''
A = torch.tensor([[5.0, 2.0], [2.0, 2.0]])
lr_max = 2 / torch.trace(A).item()
''',
    # The cosine stretched over the whole run, (t - W) / T: it never reaches eta_min.
    "warmup_cosine": _replace("(t - W) / (T - W)", "(t - W) / T"),
    # Warm-up from 0 instead of from start_factor * lr_0.
    "warmup_cosine#2": _replace("lr0 * (s + (1 - s) * t / W)", "lr0 * t / W"),
    # The first group's rate used for every group.
    "warmup_cosine#3": _replace(
        "return [m + (lr0 - m) * c for lr0 in self.base_lrs]",
        "return [m + (self.base_lrs[0] - m) * c for lr0 in self.base_lrs]").replace(
        "return [lr0 * (s + (1 - s) * t / W) for lr0 in self.base_lrs]",
        "return [self.base_lrs[0] * (s + (1 - s) * t / W) for lr0 in self.base_lrs]"),
    # "t <= W" for the warm-up: the same rate at t = W, but 0 / 0 when there is no warm-up.
    "warmup_cosine#4": _replace("if t < W:", "if t <= W:"),
    # No case for t > T: the cosine climbs back up after total_steps, as PyTorch's does.
    "warmup_cosine#5": _replace(
        "        if t > T:\n            return [m for lr0 in self.base_lrs]\n", ""),
    # Chainable by mistake: multiplies the current rate by the formula's factor at every step,
    # so the factors compound.
    "warmup_cosine#6": _replace(
        "            return [lr0 * (s + (1 - s) * t / W) for lr0 in self.base_lrs]",
        "            return [g['lr'] * (s + (1 - s) * t / W)"
        " for g in self.optimizer.param_groups]"),
    # No validation: total_steps = warmup_steps and a zero start_factor go through.
    "warmup_cosine#7": _SCHEDULER.replace(
        "        if total_steps <= warmup_steps:\n"
        "            raise ValueError(f\"Invalid total_steps: {total_steps}\")\n", "").replace(
        "        if not 0 < start_factor <= 1:\n"
        "            raise ValueError(f\"Invalid start_factor: {start_factor}\")\n", ""),
    # "Every decay beats a constant rate", predicted and not measured.
    "schedule_experiment": '''
highest = "constant"
below_floor = {"exponential", "inverse-time", "cosine"}
exponential_reach = 0.5 / (1 - 0.9)
''',
    # The mean rate over the run instead of the sum; the ranking measured right.
    "schedule_experiment#2": '''
mean_excess = {name: sum(run(name, seed)[0] for seed in (0, 1, 2)) / 3 for name in schedules}
highest = max(mean_excess, key=mean_excess.get)
below_floor = {name for name, e in mean_excess.items() if e < mean_excess["constant"] / 10}
rates = run("exponential", 0)[1]
exponential_reach = sum(rates) / len(rates)
''',
    # The sum started after the first step, so eta_0 is left out: 4.5 instead of 5.
    "schedule_experiment#3": '''
highest = "exponential"
below_floor = {"inverse-time", "cosine"}
exponential_reach = sum(0.5 * 0.9**t for t in range(1, 400))
''',
    # The final learning rates compared instead of the final costs ("the smaller the last
    # step, the lower the loss"): the constant rate ranked highest, every decay below it.
    "schedule_experiment#4": '''
last_rate = {name: run(name, 0)[1][-1] for name in schedules}
highest = max(last_rate, key=last_rate.get)
below_floor = {name for name, r in last_rate.items() if r < last_rate["constant"] / 10}
exponential_reach = sum(run("exponential", 0)[1])
''',
}
