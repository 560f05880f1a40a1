"""L-BFGS, as ``torch.optim.LBFGS``: a quasi-Newton method that re-evaluates the loss through a closure."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from vinsgrad.autograd import grad_mode
from vinsgrad.autograd.backend import ndarray, xp
from vinsgrad.autograd.tensor import Tensor
from vinsgrad.optim.optimizer import Optimizer, ParamsT, check_common, check_hyperparameter

Closure = Callable[[], Any]


class LBFGS(Optimizer):
    """L-BFGS with PyTorch's algorithm: ``step(closure)`` runs up to ``max_iter`` iterations, each a step along the
    two-loop-recursion direction built from the last ``history_size`` curvature pairs.

    Without a line search the step length is ``lr`` (``min(1, 1 / sum|g|) * lr`` on the very first iteration);
    ``line_search_fn="strong_wolfe"`` picks it by a bracketing and cubic-interpolation search that meets the strong
    Wolfe conditions (``c1=1e-4``, ``c2=0.9``). All parameters are treated as one flat vector, so there is a single
    parameter group. The closure clears the gradients, computes the loss, calls ``backward()`` and returns the loss.

    Example::

        opt = optim.LBFGS(model.parameters(), lr=1, line_search_fn="strong_wolfe")
        def closure():
            opt.zero_grad(); loss = loss_fn(model(x), y); loss.backward(); return loss
        opt.step(closure)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params: list[Tensor] = self.param_groups[0]["params"]

    def _validate_group(self, group: dict[str, Any]) -> None:
        check_common(group, "lr")
        for name in ("max_iter", "max_eval", "history_size"):
            check_hyperparameter(f"Invalid {name} value", group[name], lambda v: v >= 1 and v == int(v), "an int >= 1")
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(f"only 'strong_wolfe' is supported as line_search_fn, got {group['line_search_fn']!r}")

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    def _load_state_value(self, p: Tensor, index: int, name: str, value: Any) -> Any:
        # The state is flat vectors and lists of them, not shaped like a parameter.
        if name in ("d", "prev_flat_grad"):
            return xp.array(value, dtype=p._data.dtype)
        if name in ("old_dirs", "old_stps"):
            return [xp.array(v, dtype=p._data.dtype) for v in value]
        if name in ("ro", "al"):
            return [None if v is None else float(v) for v in value]
        return int(value) if name in ("func_evals", "n_iter") else value

    # **** the parameters as one flat vector ****

    def _gather_flat_grad(self) -> ndarray:
        return xp.concatenate(
            [xp.zeros(p._data.size, p._data.dtype) if p.grad is None else p.grad._data.ravel() for p in self._params]
        )

    def _add_grad(self, step_size: float, update: ndarray) -> None:
        offset = 0
        for p in self._params:
            n = p._data.size
            p._data += step_size * update[offset : offset + n].reshape(p._data.shape)
            offset += n

    def _directional_evaluate(self, closure: Closure, t: float, d: ndarray) -> tuple[float, ndarray]:
        """Loss and flat gradient at ``params + t * d``; the parameters are restored afterwards."""
        saved = [p._data.copy() for p in self._params]
        self._add_grad(t, d)
        loss = float(_evaluate(closure))
        flat_grad = self._gather_flat_grad()
        for p, data in zip(self._params, saved):
            p._data[...] = data
        return loss, flat_grad

    # **** step ****

    def step(self, closure: Closure | None = None) -> Any:
        """Run up to ``max_iter`` L-BFGS iterations; returns the loss of the first closure evaluation.

        Args:
            closure: re-evaluates the model and returns the loss (required).
        """
        if closure is None:
            raise RuntimeError("LBFGS requires a closure: step(closure) with a function that returns the loss")
        self._opt_called = True
        group = self.param_groups[0]
        lr, max_iter, max_eval = float(group["lr"]), group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        history_size = group["history_size"]

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = _evaluate(closure)
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if float(xp.abs(flat_grad).max()) <= tolerance_grad:
            return orig_loss  # already at a stationary point

        # what the previous call left: direction, step, curvature pairs (y in old_dirs, s in old_stps), ...
        d: Any = state.get("d")
        t: Any = state.get("t")
        old_dirs: Any = state.get("old_dirs")
        old_stps: Any = state.get("old_stps")
        ro: Any = state.get("ro")
        H_diag: Any = state.get("H_diag")
        prev_flat_grad: Any = state.get("prev_flat_grad")
        prev_loss: Any = state.get("prev_loss")
        al: list[float | None] = state.get("al", [])

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro, H_diag = [], [], [], 1.0
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = float(y @ s)
                if ys > 1e-10:  # keep only pairs with positive curvature
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / float(y @ y)
                d, al = _two_loop(flat_grad, old_dirs, old_stps, ro, H_diag, history_size)
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            t = min(1.0, 1.0 / float(xp.abs(flat_grad).sum())) * lr if state["n_iter"] == 1 else lr
            gtd = float(flat_grad @ d)
            if gtd > -tolerance_change:  # not a descent direction
                break

            ls_func_evals = 0
            if group["line_search_fn"] == "strong_wolfe":
                along_d = functools.partial(self._directional_evaluate, closure, d=d)
                loss, flat_grad, t, ls_func_evals = _strong_wolfe(along_d, t, d, loss, flat_grad, gtd)
                self._add_grad(t, d)
                opt_cond = float(xp.abs(flat_grad).max()) <= tolerance_grad
            else:
                self._add_grad(t, d)
                opt_cond = False
                if n_iter != max_iter:  # re-evaluate, unless this was the last iteration
                    loss = float(_evaluate(closure))
                    flat_grad = self._gather_flat_grad()
                    opt_cond = float(xp.abs(flat_grad).max()) <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if float(xp.abs(d * t).max()) <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                break

        state.update(
            d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag, prev_flat_grad=prev_flat_grad,
            prev_loss=prev_loss, al=al,
        )  # fmt: skip
        return orig_loss


def _evaluate(closure: Closure) -> Any:
    with grad_mode.enable_grad():
        return closure()


def _two_loop(
    flat_grad: ndarray, old_dirs: list[ndarray], old_stps: list[ndarray], ro: list[float], H_diag: float, size: int
) -> tuple[ndarray, list[float | None]]:
    """The L-BFGS direction ``-H g`` by the two-loop recursion over the stored pairs (y in old_dirs, s in
    old_stps), with ``H_diag * I`` as the initial inverse Hessian. Also returns the first loop's coefficients."""
    al: list[float | None] = [None] * size
    q = -flat_grad
    for i in range(len(old_dirs) - 1, -1, -1):
        al[i] = a = float(old_stps[i] @ q) * ro[i]
        q -= a * old_dirs[i]
    r = q * H_diag
    for i in range(len(old_dirs)):
        be_i = float(old_dirs[i] @ r) * ro[i]
        r += (al[i] - be_i) * old_stps[i]  # type: ignore[operator]
    return r, al


# **** strong Wolfe line search ****


def _cubic_interpolate(
    x1: float, f1: float, g1: float, x2: float, f2: float, g2: float, bounds: tuple[float, float] | None = None
) -> float:
    """The minimiser of the cubic through (x1, f1, slope g1) and (x2, f2, slope g2), clipped to ``bounds`` (by
    default the interval between the points); the midpoint when the cubic has no minimum."""
    lo, hi = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 * d1 - g1 * g2
    if d2_square < 0:
        return (lo + hi) / 2.0
    d2 = d2_square**0.5
    if x1 <= x2:
        min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(min_pos, lo), hi)


def _strong_wolfe(
    obj_func: Callable[[float], tuple[float, ndarray]],
    t: float,
    d: ndarray,
    f: float,
    g: ndarray,
    gtd: float,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[float, ndarray, float, int]:
    """A step ``t`` along ``d`` meeting the strong Wolfe conditions, found by bracketing then zooming with cubic
    interpolation (Nocedal & Wright, algorithms 3.5 and 3.6). Returns (loss, flat grad, t, evaluations)."""
    d_norm = float(xp.abs(d).max())
    f_new, g_new = obj_func(t)
    evals = 1
    gtd_new = float(g_new @ d)
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done = False
    ls_iter = 0
    # bracketing: grow t until an interval is known to contain an acceptable step
    while ls_iter < max_ls:
        sufficient_decrease = not (f_new > f + c1 * t * gtd or (ls_iter > 1 and f_new >= f_prev))
        if sufficient_decrease and abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g, bracket_gtd = [t], [f_new], [g_new], [gtd_new]
            done = True
            break
        if not sufficient_decrease or gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        min_step, max_step = t + 0.01 * (t - t_prev), t * 10
        t_prev, t = t, _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step))
        f_prev, g_prev, gtd_prev = f_new, g_new, gtd_new
        f_new, g_new = obj_func(t)
        evals += 1
        gtd_new = float(g_new @ d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g, bracket_gtd = [0.0, t], [f, f_new], [g, g_new], [gtd, gtd_new]

    # zoom: shrink the bracket until a point meets both conditions
    insuf_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1])
        # NOTE: a point too close to an end makes little progress; move it inside by 10% of the bracket
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                t = max(bracket) - eps if abs(t - max(bracket)) < abs(t - min(bracket)) else min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(t)
        evals += 1
        gtd_new = float(g_new @ d)
        ls_iter += 1
        if f_new > f + c1 * t * gtd or f_new >= bracket_f[low]:
            bracket[high], bracket_f[high], bracket_g[high], bracket_gtd[high] = t, f_new, g_new, gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low], bracket_g[low], bracket_gtd[low] = t, f_new, g_new, gtd_new
    return bracket_f[low], bracket_g[low], bracket[low], evals
