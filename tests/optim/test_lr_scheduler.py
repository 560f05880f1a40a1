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
