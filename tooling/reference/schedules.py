"""Learning-rate schedules: the lr of each param group after each scheduler.step().

Writes fixtures/optim/schedules.json. Run: /usr/bin/python3 tooling/reference/schedules.py
"""

import sys

sys.dont_write_bytecode = True

import warnings  # noqa: E402

import torch  # noqa: E402
from torch.optim import lr_scheduler as S  # noqa: E402

from common import setup, write_json  # noqa: E402

EPOCHS = 40
BASE_LRS = [0.1, 0.05]

# Metrics fed to ReduceLROnPlateau, one per epoch. They include improvements smaller than the
# threshold (1e-4), bad epochs during cooldown, and enough plateaus to reach min_lr.
PLATEAU_METRICS = {
    "min": [1.0, 0.9, 0.8, 0.8, 0.81, 0.79995, 0.7, 0.75, 0.72, 0.71, 0.69, 0.69, 0.68995, 0.7,
            0.6, 0.6, 0.6, 0.6, 0.59999, 0.61, 0.62, 0.5, 0.55, 0.55, 0.55, 0.4, 0.45, 0.45, 0.45,
            0.45, 0.39999, 0.41, 0.41, 0.41, 0.3, 0.35, 0.35, 0.35, 0.35, 0.35],
    "max": [0.5, 0.6, 0.65, 0.65005, 0.64, 0.6502, 0.6502, 0.66, 0.6599, 0.66005, 0.65, 0.7, 0.7,
            0.70009, 0.69, 0.75, 0.74, 0.7501, 0.76, 0.75, 0.75, 0.75, 0.75, 0.75, 0.76, 0.76005, 0.8,
            0.85, 0.85, 0.85, 0.85, 0.85, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.95],
}


def make_optimizer(momentum=0.0):
    params = [torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)]
    return torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, BASE_LRS)],
                           lr=BASE_LRS[0], momentum=momentum, foreach=False)


def group_lrs(opt):
    return [float(g["lr"]) for g in opt.param_groups]


def run_epochs(opt, sched, record_momentum=False, closed_form=False):
    """lr after construction and after each of EPOCHS optimizer.step(); scheduler.step() pairs."""
    lr = [list(sched.get_last_lr())]
    momentum = [[g["momentum"] for g in opt.param_groups]]
    closed = [sched._get_closed_form_lr()] if closed_form else None
    for _ in range(EPOCHS):
        opt.step()  # no gradients: changes nothing, keeps PyTorch's call-order check quiet
        sched.step()
        lr.append(list(sched.get_last_lr()))
        momentum.append([g["momentum"] for g in opt.param_groups])
        if closed_form:
            closed.append(sched._get_closed_form_lr())
        # get_last_lr() is what the scheduler wrote into the optimizer
        assert lr[-1] == group_lrs(opt), (lr[-1], group_lrs(opt))
    out = {"lr": lr}
    if record_momentum:
        out["momentum"] = momentum
    if closed_form:
        out["closed_form_lr"] = closed
    return out


def simple_case(name, cls, options, closed_form=True):
    opt = make_optimizer()
    sched = cls(opt, **options)
    return {"name": name, "scheduler": cls.__name__, "options": options,
            **run_epochs(opt, sched, closed_form=closed_form)}


def one_cycle_case(name, options):
    opt = make_optimizer(momentum=0.9)
    sched = S.OneCycleLR(opt, **options)
    return {"name": name, "scheduler": "OneCycleLR", "options": options, "optimizer_momentum": 0.9,
            **run_epochs(opt, sched, record_momentum=True)}


def plateau_case(name, mode, threshold_mode):
    options = {"mode": mode, "factor": 0.5, "patience": 2, "threshold": 1e-4,
               "threshold_mode": threshold_mode, "cooldown": 1, "min_lr": 0.01, "eps": 1e-8}
    opt = make_optimizer()
    sched = S.ReduceLROnPlateau(opt, **options)
    metrics = PLATEAU_METRICS[mode]
    lr, best, bad, cooldown = [group_lrs(opt)], [], [], []
    for m in metrics:
        opt.step()
        sched.step(m)
        lr.append(group_lrs(opt))
        best.append(sched.best)
        bad.append(sched.num_bad_epochs)
        cooldown.append(sched.cooldown_counter)
    return {"name": name, "scheduler": "ReduceLROnPlateau", "options": options, "metrics": metrics,
            "lr": lr, "best": best, "num_bad_epochs": bad, "cooldown_counter": cooldown}


def sequential_case():
    opt = make_optimizer()
    first = S.LinearLR(opt, start_factor=0.1, total_iters=5)
    second = S.CosineAnnealingLR(opt, T_max=20)
    sched = S.SequentialLR(opt, schedulers=[first, second], milestones=[5])
    options = {"schedulers": [{"scheduler": "LinearLR", "options": {"start_factor": 0.1, "total_iters": 5}},
                              {"scheduler": "CosineAnnealingLR", "options": {"T_max": 20}}],
               "milestones": [5]}
    return {"name": "sequential_linear_cosine", "scheduler": "SequentialLR", "options": options,
            **run_epochs(opt, sched)}


def main():
    setup()
    warnings.simplefilter("ignore")  # SequentialLR calls step(0) internally (epoch deprecation warning)
    cases = [
        simple_case("step", S.StepLR, {"step_size": 7, "gamma": 0.5}),
        simple_case("multistep", S.MultiStepLR, {"milestones": [5, 12, 30], "gamma": 0.3}),
        simple_case("exponential", S.ExponentialLR, {"gamma": 0.9}),
        simple_case("cosine", S.CosineAnnealingLR, {"T_max": 15, "eta_min": 0.001}),
        simple_case("linear", S.LinearLR, {"start_factor": 0.2, "end_factor": 1.0, "total_iters": 10}),
        one_cycle_case("one_cycle_cos", {"max_lr": [1.0, 0.5], "total_steps": 40, "anneal_strategy": "cos",
                                         "cycle_momentum": True, "base_momentum": 0.85, "max_momentum": 0.95}),
        one_cycle_case("one_cycle_linear", {"max_lr": [1.0, 0.5], "total_steps": 40,
                                            "anneal_strategy": "linear", "cycle_momentum": True,
                                            "base_momentum": 0.85, "max_momentum": 0.95}),
        one_cycle_case("one_cycle_three_phase", {"max_lr": [1.0, 0.5], "total_steps": 40,
                                                 "anneal_strategy": "cos", "three_phase": True,
                                                 "cycle_momentum": True, "base_momentum": 0.85,
                                                 "max_momentum": 0.95}),
        plateau_case("plateau_min_rel", "min", "rel"),
        plateau_case("plateau_max_abs", "max", "abs"),
        sequential_case(),
    ]
    doc = {
        "description": "lr per param group: lr[0] after construction, lr[k] after the k-th scheduler.step()",
        "torch": torch.__version__,
        "optimizer": {"type": "SGD", "param_group_lrs": BASE_LRS},
        "epochs": EPOCHS,
        "cases": cases,
    }
    write_json("optim/schedules.json", doc, expand_depth=3)


if __name__ == "__main__":
    main()
