"""Autograd end to end: a small MLP regression trained with full-batch SGD.

Writes fixtures/autograd/mlp_sgd.json. Run: /usr/bin/python3 tooling/reference/mlp_sgd.py
"""

import sys

sys.dont_write_bytecode = True

import copy  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402

from common import f32, f64, max_abs, setup, write_json  # noqa: E402

N, IN, HID, OUT = 64, 3, 16, 1
LR = 0.1
STEPS = 300
DATA_SEED = 0
INIT_SEED = 1


def make_data():
    torch.manual_seed(DATA_SEED)
    x = torch.rand(N, IN) * 2 - 1  # uniform(-1, 1), float32
    noise = torch.randn(N, 1)
    y = torch.sin(2 * x[:, 0:1]) + x[:, 1:2] * x[:, 2:3] + 0.1 * noise
    return x, y


def make_model():
    torch.manual_seed(INIT_SEED)
    return nn.Sequential(nn.Linear(IN, HID), nn.Tanh(), nn.Linear(HID, HID), nn.Tanh(), nn.Linear(HID, OUT))


def train(model, x, y, steps):
    """Full-batch SGD; returns the loss before each update and the gradients of the first step."""
    opt = torch.optim.SGD(model.parameters(), lr=LR, foreach=False)
    losses, first_grad = [], None
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        loss = torch.mean((model(x) - y) ** 2)
        loss.backward()
        if first_grad is None:
            first_grad = {n: p.grad.detach().clone() for n, p in model.named_parameters()}
        losses.append(loss.item())
        opt.step()
    return losses, first_grad


def main():
    setup()
    x, y = make_data()
    model32 = make_model()
    model64 = copy.deepcopy(model32).double()
    init = {n: p.detach().clone() for n, p in model32.named_parameters()}

    loss32, grad32 = train(model32, x, y, STEPS)
    with torch.no_grad():
        loss_final32 = torch.mean((model32(x) - y) ** 2).item()

    # the same run in float64, from the same float32 data and initial values
    x64, y64 = x.double(), y.double()
    loss64, grad64 = train(model64, x64, y64, STEPS)
    with torch.no_grad():
        loss_final64 = torch.mean((model64(x64) - y64) ** 2).item()

    # one step only, float32, for a tight first check
    model1 = make_model()
    train(model1, x, y, 1)

    final32 = {n: p.detach() for n, p in model32.named_parameters()}
    final64 = {n: p.detach() for n, p in model64.named_parameters()}
    drift = {
        "loss_max_abs": max(abs(a - b) for a, b in zip(loss32, loss64)),
        "loss_max_rel": max(abs(a - b) / abs(b) for a, b in zip(loss32, loss64)),
        "final_loss_abs": abs(loss_final32 - loss_final64),
        "final_params_max_abs": max(max_abs(final32[n], final64[n]) for n in final32),
        "grad_step0_max_abs": max(max_abs(grad32[n], grad64[n]) for n in grad32),
    }

    doc = {
        "description": "MLP regression, full-batch SGD, float32 (PyTorch)",
        "torch": torch.__version__,
        "config": {
            "n": N,
            "layers": ["Linear(3,16)", "Tanh", "Linear(16,16)", "Tanh", "Linear(16,1)"],
            "model": "y_pred = tanh(tanh(X @ W0.T + b0) @ W1.T + b1) @ W2.T + b2 with W0='0.weight', "
                     "b0='0.bias', W1='2.weight', b1='2.bias', W2='4.weight', b2='4.bias'",
            "loss": "mean((y_pred - y)^2) over all 64 elements",
            "optimizer": "SGD",
            "lr": LR,
            "steps": STEPS,
            "data": f"torch.manual_seed({DATA_SEED}); X = rand(64,3)*2-1; noise = randn(64,1); "
                    "y = sin(2*X[:,0]) + X[:,1]*X[:,2] + 0.1*noise (float32)",
            "init": f"torch.manual_seed({INIT_SEED}); nn.Sequential default init",
        },
        "X": f32(x),
        "y": f32(y),
        "params": {n: f32(p) for n, p in init.items()},
        "grad_step0": {n: f64(g) for n, g in grad64.items()},
        "params_after_step1": {n: f32(p) for n, p in model1.named_parameters()},
        "loss": loss32,
        "final_loss": loss_final32,
        "final_params": {n: f32(p) for n, p in final32.items()},
        "loss_float64": loss64,
        "final_loss_float64": loss_final64,
        "final_params_float64": {n: f64(p) for n, p in final64.items()},
        "drift_float32_vs_float64": drift,
    }
    write_json("autograd/mlp_sgd.json", doc, expand_depth=2)


if __name__ == "__main__":
    main()
