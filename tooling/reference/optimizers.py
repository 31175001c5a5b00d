"""Optimizers in isolation: fixed parameters, a fixed sequence of gradients, one step per gradient.

Writes fixtures/optim/optimizers.json. Run: /usr/bin/python3 tooling/reference/optimizers.py
"""

import sys

sys.dont_write_bytecode = True

import torch  # noqa: E402

from common import f32, max_abs, setup, write_json  # noqa: E402

SEED = 42
# Gradient scale per step; at step 3 the gradient of p1 is all zeros.
SCALES = [1.0, 0.05, 3.0, 0.5, 10.0, 0.001, 1.0, 0.2]
ZERO_P1_STEP = 3
NAMES = ["p0", "p1"]

SGD, ADAM, ADAMW = torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW
RMSPROP, ADAGRAD, ADAMAX = torch.optim.RMSprop, torch.optim.Adagrad, torch.optim.Adamax

# (name, optimizer class, constructor options, param groups or None)
CASES = [
    ("sgd", SGD, {"lr": 0.1}, None),
    ("sgd_momentum", SGD, {"lr": 0.1, "momentum": 0.9}, None),
    ("sgd_momentum_dampening", SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}, None),
    ("sgd_nesterov", SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}, None),
    ("sgd_momentum_weight_decay", SGD, {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}, None),
    ("sgd_momentum_maximize", SGD, {"lr": 0.1, "momentum": 0.9, "maximize": True}, None),
    ("adam", ADAM, {"lr": 0.01}, None),
    ("adam_betas_eps", ADAM, {"lr": 0.01, "betas": (0.8, 0.95), "eps": 1e-6}, None),
    ("adam_weight_decay", ADAM, {"lr": 0.01, "weight_decay": 0.1}, None),
    ("adam_amsgrad", ADAM, {"lr": 0.01, "amsgrad": True}, None),
    ("adam_amsgrad_weight_decay", ADAM, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}, None),
    ("adam_maximize", ADAM, {"lr": 0.01, "maximize": True}, None),
    ("adamw", ADAMW, {"lr": 0.01}, None),
    ("adamw_weight_decay_amsgrad", ADAMW, {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}, None),
    ("rmsprop", RMSPROP, {"lr": 0.01}, None),
    ("rmsprop_alpha", RMSPROP, {"lr": 0.01, "alpha": 0.9}, None),
    ("rmsprop_centered", RMSPROP, {"lr": 0.01, "centered": True}, None),
    ("rmsprop_momentum", RMSPROP, {"lr": 0.01, "momentum": 0.9}, None),
    ("rmsprop_centered_momentum_weight_decay", RMSPROP,
     {"lr": 0.01, "centered": True, "momentum": 0.9, "weight_decay": 0.05}, None),
    ("adagrad", ADAGRAD, {"lr": 0.1}, None),
    ("adagrad_lr_decay", ADAGRAD, {"lr": 0.1, "lr_decay": 0.01}, None),
    ("adagrad_initial_accumulator", ADAGRAD, {"lr": 0.1, "initial_accumulator_value": 0.1}, None),
    ("adagrad_weight_decay", ADAGRAD, {"lr": 0.1, "weight_decay": 0.05}, None),
    ("adamax", ADAMAX, {"lr": 0.02}, None),
    ("adamax_weight_decay_betas", ADAMAX, {"lr": 0.02, "weight_decay": 0.1, "betas": (0.8, 0.99)}, None),
    ("sgd_param_groups", SGD, {"lr": 0.1},
     [{"params": ["p0"], "lr": 0.1, "momentum": 0.9}, {"params": ["p1"], "lr": 0.01, "momentum": 0}]),
    ("adam_param_groups", ADAM, {"lr": 0.01},
     [{"params": ["p0"], "lr": 0.01, "weight_decay": 0.0}, {"params": ["p1"], "lr": 0.05, "weight_decay": 0.1}]),
]

# Keys of the per-group options recorded in `resolved_param_groups` (implementation switches left out).
SKIP_GROUP_KEYS = {"params", "foreach", "differentiable", "capturable", "fused"}


def make_data():
    torch.manual_seed(SEED)
    init = {"p0": torch.randn(3, 4), "p1": torch.randn(4)}
    grads = []
    for k, scale in enumerate(SCALES):
        g = {"p0": torch.randn(3, 4) * scale, "p1": torch.randn(4) * scale}
        if k == ZERO_P1_STEP:
            g["p1"] = torch.zeros(4)
        grads.append(g)
    return init, grads


def jsonable(v):
    if isinstance(v, tuple):
        return list(v)
    return v


def run(cls, options, groups, init, grads, dtype):
    params = {n: init[n].to(dtype).clone().requires_grad_(True) for n in NAMES}
    if groups is None:
        spec = [params[n] for n in NAMES]
    else:
        spec = [{**g, "params": [params[n] for n in g["params"]]} for g in groups]
    opt = cls(spec, **options, foreach=False)
    trajectory = []
    for g in grads:
        for n in NAMES:
            params[n].grad = g[n].to(dtype).clone()
        opt.step()
        trajectory.append({n: params[n].detach().clone() for n in NAMES})
    sd = opt.state_dict()
    # state_dict numbers the parameters in group order: map the indices back to p0 / p1
    order = [n for g in (groups or [{"params": NAMES}]) for n in g["params"]]
    state = {order[i]: s for i, s in sd["state"].items()}
    resolved = [{k: jsonable(v) for k, v in g.items() if k not in SKIP_GROUP_KEYS} for g in sd["param_groups"]]
    for r, g in zip(resolved, groups or [{"params": NAMES}]):
        r["params"] = list(g["params"])
    return trajectory, state, resolved


def tolerance(pairs):
    """(max |a - b|, max over tensors of max |a - b| / max |b|) over (float32, float64) pairs."""
    if not pairs:
        return 0.0, 0.0
    abs_err = [max_abs(a, b) for a, b in pairs]
    rel_err = [e / max(b.abs().max().item(), 1e-30) for e, (_, b) in zip(abs_err, pairs)]
    return max(abs_err), max(rel_err)


def state_json(state):
    out = {}
    for n in NAMES:
        entry = {}
        for k, v in state.get(n, {}).items():
            if v is None:
                entry[k] = None
            elif k == "step":
                entry[k] = int(v.item()) if torch.is_tensor(v) else int(v)
            else:
                entry[k] = f32(v)
        out[n] = entry
    return out


def main():
    setup()
    init, grads = make_data()
    cases = []
    for name, cls, options, groups in CASES:
        traj32, state32, resolved = run(cls, options, groups, init, grads, torch.float32)
        traj64, state64, _ = run(cls, options, groups, init, grads, torch.float64)
        traj_pairs = [(a[n], b[n]) for a, b in zip(traj32, traj64) for n in NAMES]
        state_pairs = [(state32[n][k], state64[n][k]) for n in state32 for k in state32[n]
                       if torch.is_tensor(state32[n][k]) and k != "step"]
        tol_traj, rel_traj = tolerance(traj_pairs)
        tol_state, rel_state = tolerance(state_pairs)
        case = {
            "name": name,
            "optimizer": cls.__name__,
            "options": {k: jsonable(v) for k, v in options.items()},
            "param_groups": groups,
            "resolved_param_groups": resolved,
            "trajectory": [{n: f32(step[n]) for n in NAMES} for step in traj32],
            "state": state_json(state32),
            "tolerance": {
                "trajectory_float32_vs_float64_max_abs": tol_traj,
                "trajectory_float32_vs_float64_max_rel": rel_traj,
                "state_float32_vs_float64_max_abs": tol_state,
                "state_float32_vs_float64_max_rel": rel_state,
            },
        }
        cases.append(case)
        print(f"{name:40s} f32-f64 trajectory {tol_traj:.1e} ({rel_traj:.1e} rel), "
              f"state {tol_state:.1e} ({rel_state:.1e} rel)")

    doc = {
        "description": "optimizer.step() with p.grad set to fixed gradients; float32 PyTorch, foreach=False",
        "torch": torch.__version__,
        "seed": SEED,
        "gradient_scales": SCALES,
        "zero_gradient": {"step": ZERO_P1_STEP, "param": "p1"},
        "initial": {n: f32(init[n]) for n in NAMES},
        "grads": [{n: f32(g[n]) for n in NAMES} for g in grads],
        "cases": cases,
    }
    write_json("optim/optimizers.json", doc, expand_depth=4)


if __name__ == "__main__":
    main()
