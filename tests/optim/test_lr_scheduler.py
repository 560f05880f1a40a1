"""Learning-rate schedulers: each sequence against its documented formula, resuming, and validation."""

from __future__ import annotations

import math
import warnings
from bisect import bisect_right

import pytest

import vinsgrad
from vinsgrad import optim
from vinsgrad.optim import lr_scheduler

BASE_LRS = [0.1, 0.02]  # two groups, so every formula is checked per group


def make_optimizer(cls=optim.SGD, **kwargs):
    groups = [{"params": [vinsgrad.zeros(2).requires_grad_()], "lr": lr} for lr in BASE_LRS]
    return cls(groups, **kwargs)


def sequence(scheduler, steps):
    """The rates in force at epochs 0..steps, stepping the optimizer first as the documented loop does."""
    out = [scheduler.get_last_lr()]
    for _ in range(steps):
        scheduler.optimizer.step()
        scheduler.step()
        out.append(scheduler.get_last_lr())
    return out


def assert_sequence(got, formula):
    for epoch, lrs in enumerate(got):
        expected = [formula(base, epoch) for base in BASE_LRS]
        assert lrs == pytest.approx(expected, rel=1e-12, abs=1e-15), f"epoch {epoch}"


# **** each scheduler against its formula ****


def test_step_lr():
    s = lr_scheduler.StepLR(make_optimizer(), step_size=3, gamma=0.5)
    assert_sequence(sequence(s, 20), lambda base, t: base * 0.5 ** (t // 3))


def test_multistep_lr_counts_repeated_milestones():
    milestones = [2, 5, 5, 9]
    s = lr_scheduler.MultiStepLR(make_optimizer(), milestones=[9, 5, 2, 5], gamma=0.3)
    assert_sequence(sequence(s, 15), lambda base, t: base * 0.3 ** bisect_right(milestones, t))


def test_exponential_lr():
    s = lr_scheduler.ExponentialLR(make_optimizer(), gamma=0.9)
    assert_sequence(sequence(s, 15), lambda base, t: base * 0.9**t)


@pytest.mark.parametrize("eta_min", [0.0, 0.005])
def test_cosine_annealing_lr_follows_the_cosine_past_t_max(eta_min):
    t_max = 7
    s = lr_scheduler.CosineAnnealingLR(make_optimizer(), T_max=t_max, eta_min=eta_min)
    got = sequence(s, 4 * t_max)
    assert_sequence(got, lambda base, t: eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / t_max)) / 2)
    assert got[t_max] == pytest.approx([eta_min, eta_min], abs=1e-15)


def test_cosine_annealing_is_recursive_so_it_composes_with_outside_changes():
    opt = make_optimizer()
    s = lr_scheduler.CosineAnnealingLR(opt, T_max=10)
    sequence(s, 3)
    for group in opt.param_groups:
        group["lr"] *= 0.5  # e.g. another scheduler halves the rate
    sequence(s, 1)
    expected = [0.5 * base * (1 + math.cos(math.pi * 4 / 10)) / 2 for base in BASE_LRS]
    assert s.get_last_lr() == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("start, end, total", [(1 / 3, 1.0, 5), (0.2, 0.9, 6), (1.0, 0.1, 4)])
def test_linear_lr(start, end, total):
    s = lr_scheduler.LinearLR(make_optimizer(), start_factor=start, end_factor=end, total_iters=total)
    assert_sequence(sequence(s, 3 * total), lambda base, t: base * (start + (end - start) * min(t, total) / total))


def one_cycle_reference(base_max_lr, t, total, pct, div, final_div, three_phase, anneal, lo=0.85, hi=0.95):
    """(lr, momentum) at step t from the 1cycle description: phase ends at pct*total-1 (and 2*pct*total-2)."""
    initial, lowest = base_max_lr / div, base_max_lr / div / final_div
    if three_phase:
        ends = [pct * total - 1, 2 * pct * total - 2, total - 1]
        lr_points = [(initial, base_max_lr), (base_max_lr, initial), (initial, lowest)]
        mom_points = [(hi, lo), (lo, hi), (hi, hi)]
    else:
        ends = [pct * total - 1, total - 1]
        lr_points = [(initial, base_max_lr), (base_max_lr, lowest)]
        mom_points = [(hi, lo), (lo, hi)]
    phase = next((i for i, end in enumerate(ends) if t <= end), len(ends) - 1)
    start = 0.0 if phase == 0 else ends[phase - 1]
    frac = (t - start) / (ends[phase] - start)
    weight = (1 - math.cos(math.pi * frac)) / 2 if anneal == "cos" else frac  # 0 at the start, 1 at the end

    def interpolate(points):
        a, b = points[phase]
        return a + (b - a) * weight

    return interpolate(lr_points), interpolate(mom_points)


@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (optim.SGD, {"total_steps": 20}),
        (optim.SGD, {"epochs": 3, "steps_per_epoch": 5, "pct_start": 0.4, "anneal_strategy": "linear"}),
        (optim.Adam, {"total_steps": 23, "three_phase": True}),
        (optim.RMSprop, {"total_steps": 30, "div_factor": 10.0, "final_div_factor": 100.0, "three_phase": True}),
    ],
)
def test_one_cycle_lr_and_momentum(cls, kwargs):
    extra = {"momentum": 0.9} if cls is not optim.Adam else {}
    opt = make_optimizer(cls, **extra)
    max_lrs = [1.0, 0.5]
    s = lr_scheduler.OneCycleLR(opt, max_lr=max_lrs, **kwargs)
    total = kwargs.get("total_steps") or kwargs["epochs"] * kwargs["steps_per_epoch"]
    args = (
        kwargs.get("pct_start", 0.3),
        kwargs.get("div_factor", 25.0),
        kwargs.get("final_div_factor", 1e4),
        kwargs.get("three_phase", False),
        kwargs.get("anneal_strategy", "cos"),
    )
    for t in range(total):
        for group, max_lr in zip(opt.param_groups, max_lrs):
            lr, momentum = one_cycle_reference(max_lr, t, total, *args)
            assert group["lr"] == pytest.approx(lr, rel=1e-12), f"step {t}"
            got_momentum = group["betas"][0] if cls is optim.Adam else group["momentum"]
            assert got_momentum == pytest.approx(momentum, rel=1e-12), f"step {t}"
            if cls is optim.Adam:
                assert group["betas"][1] == 0.999
        opt.step()
        s.step()
    with pytest.raises(ValueError, match=f"Tried to step {total + 1} times. The specified number of total steps is"):
        s.step()


def test_one_cycle_without_momentum_cycling():
    opt = make_optimizer(optim.SGD)
    s = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10, cycle_momentum=False)
    sequence(s, 5)
    assert [g["momentum"] for g in opt.param_groups] == [0, 0]


def test_reduce_lr_on_plateau_min_mode_with_patience_and_cooldown():
    opt = make_optimizer()
    s = lr_scheduler.ReduceLROnPlateau(opt, patience=2, factor=0.5, cooldown=1, min_lr=0.02)
    # best 5 -> 4; then 3 bad epochs (> patience 2): halve; the cooldown epoch does not count, so 3 more bad
    # epochs halve again; 3 is a new best, and 3 bad epochs later the rate halves a third time (floored at min_lr).
    metrics = [5, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3]
    expected = [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.125, 0.125]
    got = []
    for m in metrics:
        opt.step()
        s.step(m)
        got.append(s.get_last_lr())
    for lrs, factor in zip(got, expected):
        assert lrs == pytest.approx([max(0.1 * factor, 0.02), 0.02])  # the second group is already at min_lr


def test_reduce_lr_on_plateau_threshold_modes():
    opt = make_optimizer()
    s = lr_scheduler.ReduceLROnPlateau(opt, mode="max", threshold=0.1, threshold_mode="abs", patience=0)
    s.step(1.0)  # best = 1.0
    s.step(1.05)  # not better by 0.1: reduce (patience 0)
    assert s.get_last_lr() == pytest.approx([0.01, 0.002])
    s.step(1.2)  # better
    assert s.best == 1.2 and s.get_last_lr() == pytest.approx([0.01, 0.002])
    rel = lr_scheduler.ReduceLROnPlateau(make_optimizer(), threshold=0.1, patience=0)
    rel.step(10.0)
    rel.step(9.5)  # needs < 9.0 to count as better
    assert rel.get_last_lr() == pytest.approx([0.01, 0.002]) and rel.best == 10.0


# **** protocol: initial_lr, last_epoch, warnings, state_dict ****


def test_initial_lr_recorded_and_resume_needs_it():
    opt = make_optimizer()
    s = lr_scheduler.StepLR(opt, step_size=2)
    assert [g["initial_lr"] for g in opt.param_groups] == BASE_LRS
    assert s.base_lrs == BASE_LRS and s.last_epoch == 0
    with pytest.raises(KeyError, match=r"param 'initial_lr' is not specified in param_groups\[0\]"):
        lr_scheduler.StepLR(make_optimizer(), step_size=2, last_epoch=4)


def test_warns_when_stepped_before_the_optimizer():
    s = lr_scheduler.ExponentialLR(make_optimizer(), gamma=0.9)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        s.step()
    s = lr_scheduler.ExponentialLR(make_optimizer(), gamma=0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sequence(s, 3)


SCHEDULERS = [
    (optim.SGD, lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5)),
    (optim.SGD, lambda o: lr_scheduler.MultiStepLR(o, milestones=[2, 4, 4], gamma=0.5)),
    (optim.SGD, lambda o: lr_scheduler.ExponentialLR(o, gamma=0.8)),
    (optim.SGD, lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=5, eta_min=0.001)),
    (optim.SGD, lambda o: lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=4)),
    (optim.Adam, lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=12, three_phase=True)),
    (optim.SGD, lambda o: lr_scheduler.LambdaLR(o, lambda t: 1 / (t + 1))),
    (optim.SGD, lambda o: lr_scheduler.MultiplicativeLR(o, lambda t: 0.8)),
    (optim.SGD, lambda o: lr_scheduler.ConstantLR(o, factor=0.5, total_iters=5)),
    (optim.SGD, lambda o: lr_scheduler.PolynomialLR(o, total_iters=8, power=2.0)),
    (optim.SGD, lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2, eta_min=0.001)),
    (optim.Adam, lambda o: lr_scheduler.CyclicLR(o, 0.01, 0.1, step_size_up=3, mode="triangular2")),
]


@pytest.mark.parametrize("cls, build", SCHEDULERS, ids=[f"scheduler{i}" for i in range(len(SCHEDULERS))])
def test_save_load_continue_equals_uninterrupted(cls, build):
    uninterrupted = sequence(build(make_optimizer(cls)), 10)

    opt = make_optimizer(cls)
    s = build(opt)
    first = sequence(s, 4)
    opt_state, sched_state = opt.state_dict(), s.state_dict()
    sequence(s, 2)  # the saved dicts are snapshots: later steps do not leak into them

    fresh_opt = make_optimizer(cls)
    fresh = build(fresh_opt)  # as in PyTorch: build the scheduler, then load both
    fresh_opt.load_state_dict(opt_state)
    fresh.load_state_dict(sched_state)
    resumed = first[:-1] + sequence(fresh, 6)
    assert [lr for lrs in resumed for lr in lrs] == pytest.approx(
        [lr for lrs in uninterrupted for lr in lrs], rel=1e-15
    )


def test_scheduler_state_dict_is_plain_and_leaves_out_the_optimizer():
    for _, build in SCHEDULERS:
        sd = build(make_optimizer(optim.Adam)).state_dict()
        assert "optimizer" not in sd and "last_epoch" in sd and "base_lrs" in sd
        stack = [sd]
        while stack:
            x = stack.pop()
            if isinstance(x, dict):
                stack.extend(x.values())
            elif isinstance(x, list | tuple):
                stack.extend(x)
            else:
                assert x is None or isinstance(x, bool | int | float | str), type(x)
    plateau = lr_scheduler.ReduceLROnPlateau(make_optimizer(), patience=0)
    plateau.step(1.0)
    plateau.step(2.0)
    restored = lr_scheduler.ReduceLROnPlateau(make_optimizer())
    restored.load_state_dict(plateau.state_dict())
    assert (restored.best, restored.patience, restored.last_epoch) == (1.0, 0, 2)


# **** validation ****


@pytest.mark.parametrize(
    "build, error, message",
    [
        (lambda o: lr_scheduler.StepLR(o, step_size=0), ValueError, "step_size must be a positive number"),
        (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=0), ValueError, "T_max must be a positive number"),
        (lambda o: lr_scheduler.LinearLR(o, start_factor=0), ValueError, "Starting multiplicative factor"),
        (lambda o: lr_scheduler.LinearLR(o, end_factor=1.5), ValueError, "Ending multiplicative factor"),
        (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0), ValueError, "either total_steps OR"),
        (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=0), ValueError, "positive integer total_steps"),
        (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, epochs=2, steps_per_epoch=-1), ValueError, "steps_per_epoch"),
        (lambda o: lr_scheduler.OneCycleLR(o, 1.0, 10, pct_start=1.5), ValueError, "between 0 and 1 pct_start"),
        (lambda o: lr_scheduler.OneCycleLR(o, 1.0, 10, anneal_strategy="exp"), ValueError, "'cos' or 'linear'"),
        (lambda o: lr_scheduler.OneCycleLR(o, [1.0], 10), ValueError, "max_lr has 1 values, param_groups has 2"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="avg"), ValueError, "mode avg is unknown"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, threshold_mode="x"), ValueError, "threshold mode x is unknown"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "expected 2 min_lrs, got 1"),
        (lambda o: lr_scheduler.StepLR("sgd", step_size=1), TypeError, "str is not an Optimizer"),
    ],
)
def test_invalid_arguments(build, error, message):
    with pytest.raises(error, match=message):
        build(make_optimizer())


def test_one_cycle_needs_momentum_to_cycle():
    class Plain(optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": 0.1})

    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        lr_scheduler.OneCycleLR(Plain([vinsgrad.zeros(1).requires_grad_()]), max_lr=1.0, total_steps=5)


# **** LambdaLR, MultiplicativeLR, ConstantLR, PolynomialLR ****


def test_lambda_lr_one_function_or_one_per_group():
    s = lr_scheduler.LambdaLR(make_optimizer(), lr_lambda=lambda t: 0.95**t)
    assert_sequence(sequence(s, 12), lambda base, t: base * 0.95**t)
    s = lr_scheduler.LambdaLR(make_optimizer(), lr_lambda=[lambda t: t // 3 + 1, lambda t: 0.5**t])
    got = sequence(s, 7)
    assert [lr for lrs in got[:5] for lr in lrs] == pytest.approx(
        [0.1, 0.02, 0.1, 0.01, 0.1, 0.005, 0.2, 0.0025, 0.2, 0.00125]
    )
    assert got[6] == pytest.approx([0.3, 0.02 / 64])


class Warmup:
    """A callable object: its attributes are scheduler state, unlike a lambda's closure."""

    def __init__(self, epochs):
        self.epochs = epochs

    def __call__(self, t):
        return min(1.0, (t + 1) / self.epochs)


def test_lambda_lr_state_dict_leaves_functions_out_and_keeps_callable_objects():
    s = lr_scheduler.LambdaLR(make_optimizer(), lr_lambda=[lambda t: 1.0, Warmup(4)])
    sequence(s, 2)
    sd = s.state_dict()
    assert sd["lr_lambdas"] == [None, {"epochs": 4}] and sd["last_epoch"] == 2 and "optimizer" not in sd
    other = lr_scheduler.LambdaLR(make_optimizer(), lr_lambda=[lambda t: 1.0, Warmup(10)])
    other.load_state_dict(sd)
    assert other.lr_lambdas[1].epochs == 4 and other.last_epoch == 2
    assert sd["lr_lambdas"] == [None, {"epochs": 4}]  # loading does not consume the dict
    sequence(other, 1)
    assert other.get_last_lr() == pytest.approx([0.1, 0.02])  # epoch 3: min(1, 4/4)


def test_multiplicative_lr():
    s = lr_scheduler.MultiplicativeLR(make_optimizer(), lr_lambda=lambda t: 0.9)
    assert_sequence(sequence(s, 10), lambda base, t: base * 0.9**t)
    s = lr_scheduler.MultiplicativeLR(make_optimizer(), lr_lambda=lambda t: 1 / (t + 1))
    assert_sequence(sequence(s, 6), lambda base, t: base / math.factorial(t + 1))  # base / (2 * 3 * ... * (t+1))
    with pytest.raises(TypeError, match="lr_lambda should be a function, but got float"):
        lr_scheduler.MultiplicativeLR(make_optimizer(), lr_lambda=0.9)


def test_constant_lr():
    s = lr_scheduler.ConstantLR(make_optimizer(), factor=0.5, total_iters=3)
    assert_sequence(sequence(s, 8), lambda base, t: base * (0.5 if t < 3 else 1.0))
    s = lr_scheduler.ConstantLR(make_optimizer())  # defaults: factor 1/3 for 5 epochs
    got = sequence(s, 6)
    assert got[4] == pytest.approx([0.1 / 3, 0.02 / 3]) and got[5] == pytest.approx(BASE_LRS)


@pytest.mark.parametrize("total, power", [(4, 2.0), (6, 0.5), (5, 1.0)])
def test_polynomial_lr(total, power):
    s = lr_scheduler.PolynomialLR(make_optimizer(), total_iters=total, power=power)
    assert_sequence(sequence(s, 2 * total), lambda base, t: base * (1 - min(t, total) / total) ** power)


def test_polynomial_lr_hand_values():
    s = lr_scheduler.PolynomialLR(make_optimizer(), total_iters=4, power=2.0)
    assert [lrs[0] for lrs in sequence(s, 5)] == pytest.approx([0.1, 0.05625, 0.025, 0.00625, 0.0, 0.0])


# **** CosineAnnealingWarmRestarts ****


def sgdr(base, t, periods, eta_min):
    """Walk the periods (lengths T_0, T_0*T_mult, ...) to find where epoch t falls."""
    start = 0
    for length in periods:
        if t < start + length:
            return eta_min + (base - eta_min) * (1 + math.cos(math.pi * (t - start) / length)) / 2
        start += length
    raise AssertionError("t beyond the listed periods")


@pytest.mark.parametrize("t_0, t_mult, eta_min", [(3, 2, 0.001), (4, 1, 0.0), (2, 3, 0.0)])
def test_cosine_annealing_warm_restarts(t_0, t_mult, eta_min):
    periods = [t_0 * t_mult**k for k in range(12)]
    s = lr_scheduler.CosineAnnealingWarmRestarts(make_optimizer(), T_0=t_0, T_mult=t_mult, eta_min=eta_min)
    assert_sequence(sequence(s, 30), lambda base, t: sgdr(base, t, periods, eta_min))


def test_cosine_annealing_warm_restarts_fractional_epochs():
    opt = make_optimizer()
    s = lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2)
    opt.step()
    s.step(4.5)  # the second period (epochs 3..9, length 6), 1.5 epochs in
    assert (s.T_cur, s.T_i, s.last_epoch) == (1.5, 6, 4)
    assert s.get_last_lr() == pytest.approx([base * (1 + math.cos(math.pi * 1.5 / 6)) / 2 for base in BASE_LRS])
    s.step(1.25)
    assert (s.T_cur, s.T_i) == (1.25, 3)
    opt = make_optimizer()
    s = lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=4)
    opt.step()
    s.step(10.0)  # T_mult 1: 10 % 4
    assert s.T_cur == 2 and s.get_last_lr() == pytest.approx([base / 2 for base in BASE_LRS])
    with pytest.raises(ValueError, match="Expected non-negative epoch, but got -1"):
        s.step(-1)


# **** CyclicLR ****


def cyclic_reference(t, base, top, up, down, mode="triangular", gamma=1.0):
    """The triangle wave: up from base to top in `up` steps, down in `down` steps, amplitude scaled by mode."""
    position = t % (up + down)
    height = position / up if position <= up else 1 - (position - up) / down
    cycle = t // (up + down) + 1
    scale = {"triangular": 1.0, "triangular2": 0.5 ** (cycle - 1), "exp_range": gamma**t}[mode]
    return base + (top - base) * height * scale


@pytest.mark.parametrize(
    "kwargs",
    [
        {"step_size_up": 4},
        {"step_size_up": 3, "step_size_down": 5, "mode": "triangular2"},
        {"step_size_up": 2, "step_size_down": 4, "mode": "exp_range", "gamma": 0.9},
    ],
)
def test_cyclic_lr_and_momentum(kwargs):
    opt = make_optimizer(optim.SGD, momentum=0.5)
    s = lr_scheduler.CyclicLR(opt, base_lr=[0.01, 0.002], max_lr=[0.1, 0.02], **kwargs)
    up = kwargs["step_size_up"]
    down = kwargs.get("step_size_down", up)
    args = (kwargs.get("mode", "triangular"), kwargs.get("gamma", 1.0))
    for t in range(3 * (up + down)):
        for group, base, top in zip(opt.param_groups, [0.01, 0.002], [0.1, 0.02]):
            assert group["lr"] == pytest.approx(cyclic_reference(t, base, top, up, down, *args), rel=1e-12), t
            # momentum runs the other way, from max_momentum 0.9 down toward base_momentum 0.8
            expected_momentum = 0.9 - (cyclic_reference(t, 0.0, 1.0, up, down, *args)) * 0.1
            assert group["momentum"] == pytest.approx(expected_momentum, rel=1e-12), t
        opt.step()
        s.step()


def test_cyclic_lr_hand_values_and_beta1():
    opt = make_optimizer(optim.Adam)
    s = lr_scheduler.CyclicLR(opt, base_lr=0.1, max_lr=0.5, step_size_up=2, base_momentum=0.85, max_momentum=0.95)
    got = []
    for _ in range(6):
        got += [s.get_last_lr()[0], opt.param_groups[0]["betas"][0]]
        opt.step()
        s.step()
    assert got == pytest.approx([0.1, 0.95, 0.3, 0.9, 0.5, 0.85, 0.3, 0.9, 0.1, 0.95, 0.3, 0.9])
    assert opt.param_groups[0]["betas"][1] == 0.999


def test_cyclic_lr_custom_scale_fn_and_its_state_dict():
    opt = make_optimizer()
    s = lr_scheduler.CyclicLR(
        opt, 0.0, 1.0, step_size_up=2, scale_fn=lambda x: 1 / (x + 1), scale_mode="iterations", cycle_momentum=False
    )
    got = [lrs[0] for lrs in sequence(s, 4)]
    assert got == pytest.approx([0.0, 0.5 / 2, 1.0 / 3, 0.5 / 4, 0.0])
    sd = s.state_dict()
    assert sd["_scale_fn_custom"] is None and "optimizer" not in sd
    with pytest.raises(ValueError, match="mode is invalid and scale_fn is None"):
        lr_scheduler.CyclicLR(make_optimizer(), 0.0, 1.0, mode="sine")
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        plain = optim.Adagrad([vinsgrad.zeros(1).requires_grad_()])
        lr_scheduler.CyclicLR(plain, 0.0, 1.0)


# **** SequentialLR and ChainedScheduler ****


def test_sequential_lr_constant_then_exponential():
    opt = make_optimizer()
    first = lr_scheduler.ConstantLR(opt, factor=0.1, total_iters=2)
    second = lr_scheduler.ExponentialLR(opt, gamma=0.9)
    s = lr_scheduler.SequentialLR(opt, schedulers=[first, second], milestones=[3])
    # ConstantLR gives 0.1x for epochs 0-1 and restores the rate at its epoch 2; ExponentialLR starts at epoch 3
    # from the base rate (its closed form at its own epoch 0).
    factors = [0.1, 0.1, 1.0, 1.0, 0.9, 0.81, 0.729]
    assert_sequence(sequence(s, 6), lambda base, t: base * factors[t])


def test_sequential_lr_linear_warmup_then_cosine():
    opt = make_optimizer()
    warmup = lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=4)
    cosine = lr_scheduler.CosineAnnealingLR(opt, T_max=6)
    s = lr_scheduler.SequentialLR(opt, schedulers=[warmup, cosine], milestones=[4])

    def expected(base, t):
        if t < 4:
            return base * (0.25 + 0.75 * t / 4)
        return base * (1 + math.cos(math.pi * (t - 4) / 6)) / 2

    assert_sequence(sequence(s, 10), expected)


def test_chained_scheduler_multiplies_the_effects():
    opt = make_optimizer()
    s = lr_scheduler.ChainedScheduler(
        [lr_scheduler.ConstantLR(opt, factor=0.1, total_iters=2), lr_scheduler.ExponentialLR(opt, gamma=0.9)],
        optimizer=opt,
    )
    assert_sequence(sequence(s, 8), lambda base, t: base * 0.9**t * (0.1 if t < 2 else 1.0))
    assert [lrs[0] for lrs in sequence(s, 0)] == pytest.approx([0.1 * 0.9**8])


@pytest.mark.parametrize("kind", ["sequential", "chained"])
def test_nested_schedulers_save_load_continue(kind):
    def build(opt):
        inner = [lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=3), lr_scheduler.StepLR(opt, 2, 0.5)]
        if kind == "sequential":
            return lr_scheduler.SequentialLR(opt, inner, milestones=[3])
        return lr_scheduler.ChainedScheduler(inner)

    uninterrupted = sequence(build(make_optimizer()), 9)
    opt = make_optimizer()
    s = build(opt)
    first = sequence(s, 4)
    opt_state, state = opt.state_dict(), s.state_dict()
    assert len(state["_schedulers"]) == 2 and "optimizer" not in state["_schedulers"][0]
    fresh_opt = make_optimizer()
    fresh = build(fresh_opt)
    fresh_opt.load_state_dict(opt_state)
    fresh.load_state_dict(state)
    resumed = first[:-1] + sequence(fresh, 5)
    assert resumed == [pytest.approx(lrs, rel=1e-15) for lrs in uninterrupted]


def test_nested_schedulers_validate_their_parts():
    opt, other = make_optimizer(), make_optimizer()
    a, b = lr_scheduler.StepLR(opt, 2), lr_scheduler.StepLR(other, 2)
    with pytest.raises(ValueError, match="expects number of schedulers provided to be one more"):
        lr_scheduler.SequentialLR(opt, [a], milestones=[2])
    with pytest.raises(ValueError, match="expects all schedulers to belong to the same optimizer"):
        lr_scheduler.SequentialLR(opt, [a, b], milestones=[2])
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        lr_scheduler.ChainedScheduler([a, lr_scheduler.ReduceLROnPlateau(opt)])
    with pytest.raises(TypeError, match=r"ChainedScheduler takes a list of schedulers first.*got SGD"):
        lr_scheduler.ChainedScheduler(opt)
    with pytest.raises(ValueError, match="at least one scheduler to be chained"):
        lr_scheduler.ChainedScheduler([])
    with pytest.raises(ValueError, match="expects at least one scheduler"):
        lr_scheduler.SequentialLR(opt, [], milestones=[])


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda o: lr_scheduler.LambdaLR(o, [lambda t: 1.0]), "Expected 2 lr_lambdas, but got 1"),
        (lambda o: lr_scheduler.ConstantLR(o, factor=1.5), "Constant multiplicative factor expected to be between"),
        (lambda o: lr_scheduler.PolynomialLR(o, total_iters=0), "total_iters must be a positive number"),
        (lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=0), "Expected positive integer T_0, but got 0"),
        (lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, 2, T_mult=1.5), "Expected integer T_mult >= 1"),
        (lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, 2, eta_min="0"), "Expected float or int eta_min"),
        (lambda o: lr_scheduler.CyclicLR(o, [0.1], 1.0), "base_lr has 1 values, param_groups has 2"),
    ],
)
def test_new_scheduler_arguments(build, message):
    with pytest.raises((ValueError, TypeError), match=message):
        build(make_optimizer())
