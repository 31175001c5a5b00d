"""More recurrent cases in the golden LSTM format: projections, packed variable-length batches,
eval-mode dropout, GRU, LSTMCell / GRUCell and one realistic size.

Writes fixtures/lstm/<name>.json and fixtures/lstm/extra_index.json.
Run: /usr/bin/python3 tooling/reference/lstm_cases.py

Inputs and weights are float32; the expected values are computed in float64 from those exact
values; `tolerance` records how far PyTorch's own float32 computation is from them.
"""

import sys

sys.dont_write_bytecode = True

import copy  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence  # noqa: E402

from common import f32, f64, max_abs, setup, write_json  # noqa: E402

REFERENCE = "float64 computed from float32 inputs"
GATES = {"lstm": "i,f,g,o", "gru": "r,z,n", "rnn": "h", "lstm_cell": "i,f,g,o", "gru_cell": "r,z,n"}
LARGE_R = "R[t][b][j] = (((7*t + 3*b + 5*j) % 11) - 5) / 8, output laid out [T, B, H]"


def uniform(shape, bound):
    return (torch.rand(*shape) * 2 - 1) * bound


def large_r(T, B, H):
    t = torch.arange(T).view(T, 1, 1)
    b = torch.arange(B).view(1, B, 1)
    j = torch.arange(H).view(1, 1, H)
    return (((7 * t + 3 * b + 5 * j) % 11) - 5).float() / 8


class SeqCase:
    """One nn.LSTM / nn.GRU / nn.RNN configuration with its data."""

    def __init__(self, name, cell, seed, I, H, L=1, bidir=False, bias=True, bf=False, T=5, B=2,
                 proj=0, dropout=0.0, lengths=None, large=False, nonlinearity="tanh"):
        self.name, self.cell, self.seed = name, cell, seed
        self.bf, self.T, self.B, self.lengths, self.large = bf, T, B, lengths, large
        torch.manual_seed(seed)
        kw = dict(num_layers=L, bias=bias, batch_first=bf, dropout=dropout, bidirectional=bidir)
        if cell == "lstm":
            self.module = nn.LSTM(I, H, proj_size=proj, **kw)
        elif cell == "rnn":
            self.module = nn.RNN(I, H, nonlinearity=nonlinearity, **kw)
        else:
            self.module = nn.GRU(I, H, **kw)
        self.module.eval()
        D = 2 if bidir else 1
        out_h = proj or H
        self.config = {
            "name": name, "cell": cell, "input_size": I, "hidden_size": H,
            **({"proj_size": proj} if cell == "lstm" else {}),
            **({"nonlinearity": nonlinearity} if cell == "rnn" else {}),
            "num_layers": L, "bidirectional": bidir, "bias": bias, "batch_first": bf,
            "dropout": dropout, "training": False, "seq_len": T, "batch": B, "zero_init": False,
            "seed": seed, "gate_order": GATES[cell],
            "loss": "sum(output*R)",
        }
        if not large:
            self.config["loss_with_state"] = "sum(output*R)+sum(h_n*R_h)" + (
                "+sum(c_n*R_c)" if cell == "lstm" else "")
        else:
            self.config["R_formula"] = LARGE_R
            self.config["stored"] = "no R, R_h, R_c, loss_with_state, grad_with_state (size)"
        self.config["reference_dtype"] = REFERENCE
        self.config["torch"] = torch.__version__

        seq_shape = (B, T) if bf else (T, B)
        self.x = uniform((*seq_shape, I), 1.0)
        self.h0 = uniform((L * D, B, out_h), 0.5)
        self.c0 = uniform((L * D, B, H), 0.5) if cell == "lstm" else None
        self.R = large_r(*seq_shape, D * out_h) if large else uniform((*seq_shape, D * out_h), 1.0)
        self.R_h = uniform((L * D, B, out_h), 1.0)
        self.R_c = uniform((L * D, B, H), 1.0) if cell == "lstm" else None

    def run(self, dtype, with_state):
        m = copy.deepcopy(self.module).to(dtype)
        names = [n for n, _ in m.named_parameters()]
        leaves = {"input": self.x, "h0": self.h0}
        if self.c0 is not None:
            leaves["c0"] = self.c0
        leaves = {k: v.to(dtype).requires_grad_(True) for k, v in leaves.items()}
        x = leaves["input"]
        state = (leaves["h0"], leaves["c0"]) if self.cell == "lstm" else leaves["h0"]
        if self.lengths is not None:
            x = pack_padded_sequence(x, torch.tensor(self.lengths), batch_first=self.bf, enforce_sorted=False)
        out, st = m(x, state)
        if self.lengths is not None:
            out, _ = pad_packed_sequence(out, batch_first=self.bf, total_length=self.T)
        h_n, c_n = st if self.cell == "lstm" else (st, None)
        loss = (out * self.R.to(dtype)).sum()
        if with_state:
            loss = loss + (h_n * self.R_h.to(dtype)).sum()
            if c_n is not None:
                loss = loss + (c_n * self.R_c.to(dtype)).sum()
        wrt = list(leaves.values()) + list(m.parameters())
        grads = torch.autograd.grad(loss, wrt)
        grad = dict(zip(list(leaves) + names, (g.detach() for g in grads)))
        res = {"output": out.detach(), "h_n": h_n.detach(), "loss": loss.item(), "grad": grad}
        if c_n is not None:
            res["c_n"] = c_n.detach()
        return res

    def document(self):
        ref = self.run(torch.float64, False)
        got = self.run(torch.float32, False)
        outputs = ["output", "h_n"] + (["c_n"] if self.cell == "lstm" else [])
        tol = {k: max_abs(got[k], ref[k]) for k in outputs}
        tol["grad"] = max(max_abs(got["grad"][k], ref["grad"][k]) for k in ref["grad"])
        doc = {"config": self.config,
               "params": {n: f32(p) for n, p in self.module.named_parameters()},
               "input": f32(self.x)}
        if self.lengths is not None:
            doc["lengths"] = list(self.lengths)
        doc["h0"] = f32(self.h0)
        if self.c0 is not None:
            doc["c0"] = f32(self.c0)
        for k in outputs:
            doc[k] = f64(ref[k])
        if not self.large:
            doc["R"] = f32(self.R)
        doc["loss"] = ref["loss"]
        doc["grad"] = {k: f64(v) for k, v in ref["grad"].items()}
        if not self.large:
            ref_s = self.run(torch.float64, True)
            got_s = self.run(torch.float32, True)
            tol["grad_with_state"] = max(max_abs(got_s["grad"][k], ref_s["grad"][k]) for k in ref_s["grad"])
            doc["R_h"] = f32(self.R_h)
            if self.R_c is not None:
                doc["R_c"] = f32(self.R_c)
            doc["loss_with_state"] = ref_s["loss"]
            doc["grad_with_state"] = {k: f64(v) for k, v in ref_s["grad"].items()}
        doc["tolerance"] = {"torch_float32_vs_reference_max_abs": tol}
        return doc


class CellCase:
    """One step of nn.LSTMCell / nn.GRUCell: loss = sum(h*R_h) [+ sum(c*R_c)]."""

    def __init__(self, name, cell, seed, I, H, B, bias=True):
        self.name, self.cell = name, cell
        torch.manual_seed(seed)
        self.module = (nn.LSTMCell if cell == "lstm_cell" else nn.GRUCell)(I, H, bias=bias)
        self.lstm = cell == "lstm_cell"
        self.config = {"name": name, "cell": cell, "input_size": I, "hidden_size": H, "bias": bias,
                       "batch": B, "seed": seed, "gate_order": GATES[cell],
                       "loss": "sum(h*R_h)+sum(c*R_c)" if self.lstm else "sum(h*R_h)",
                       "reference_dtype": REFERENCE, "torch": torch.__version__}
        self.x = uniform((B, I), 1.0)
        self.h0 = uniform((B, H), 0.5)
        self.c0 = uniform((B, H), 0.5) if self.lstm else None
        self.R_h = uniform((B, H), 1.0)
        self.R_c = uniform((B, H), 1.0) if self.lstm else None

    def run(self, dtype):
        m = copy.deepcopy(self.module).to(dtype)
        names = [n for n, _ in m.named_parameters()]
        leaves = {"input": self.x, "h0": self.h0, **({"c0": self.c0} if self.lstm else {})}
        leaves = {k: v.to(dtype).requires_grad_(True) for k, v in leaves.items()}
        if self.lstm:
            h, c = m(leaves["input"], (leaves["h0"], leaves["c0"]))
            loss = (h * self.R_h.to(dtype)).sum() + (c * self.R_c.to(dtype)).sum()
        else:
            h, c = m(leaves["input"], leaves["h0"]), None
            loss = (h * self.R_h.to(dtype)).sum()
        grads = torch.autograd.grad(loss, list(leaves.values()) + list(m.parameters()))
        res = {"h": h.detach(), "loss": loss.item(), "grad": dict(zip(list(leaves) + names, grads))}
        if c is not None:
            res["c"] = c.detach()
        return res

    def document(self):
        ref, got = self.run(torch.float64), self.run(torch.float32)
        outputs = ["h", "c"] if self.lstm else ["h"]
        tol = {k: max_abs(got[k], ref[k]) for k in outputs}
        tol["grad"] = max(max_abs(got["grad"][k], ref["grad"][k]) for k in ref["grad"])
        doc = {"config": self.config,
               "params": {n: f32(p) for n, p in self.module.named_parameters()},
               "input": f32(self.x), "h0": f32(self.h0)}
        if self.lstm:
            doc["c0"] = f32(self.c0)
        for k in outputs:
            doc[k] = f64(ref[k])
        doc["R_h"] = f32(self.R_h)
        if self.lstm:
            doc["R_c"] = f32(self.R_c)
        doc["loss"] = ref["loss"]
        doc["grad"] = {k: f64(v.detach()) for k, v in ref["grad"].items()}
        doc["tolerance"] = {"torch_float32_vs_reference_max_abs": tol}
        return doc


def check_dropout_eval(case):
    """In eval mode, dropout between layers does nothing: same result as dropout=0."""
    plain = copy.deepcopy(case.module)
    plain.dropout = 0.0
    a, b = case.run(torch.float64, True), None
    case.module, saved = plain, case.module
    b = case.run(torch.float64, True)
    case.module = saved
    assert torch.equal(a["output"], b["output"]) and a["loss"] == b["loss"]


CASES = [
    SeqCase("proj_l1", "lstm", 2001, I=3, H=5, proj=2),
    SeqCase("proj_l2_bidir_bf", "lstm", 2002, I=3, H=5, L=2, bidir=True, bf=True, T=4, B=3, proj=3),
    SeqCase("lengths_l1", "lstm", 2003, I=3, H=4, T=5, B=3, lengths=[5, 2, 4]),
    SeqCase("lengths_l2_bidir", "lstm", 2004, I=3, H=4, L=2, bidir=True, T=5, B=3, lengths=[5, 2, 4]),
    SeqCase("lengths_l1_bf", "lstm", 2005, I=3, H=4, bf=True, T=5, B=3, lengths=[2, 4, 1]),
    SeqCase("dropout_eval_l2", "lstm", 2006, I=3, H=4, L=2, dropout=0.3),
    SeqCase("gru_l1", "gru", 2007, I=3, H=4),
    SeqCase("gru_l2_bidir_bf", "gru", 2008, I=3, H=4, L=2, bidir=True, bf=True),
    SeqCase("gru_l1_nobias", "gru", 2009, I=3, H=4, bias=False),
    CellCase("lstm_cell", "lstm_cell", 2010, I=4, H=5, B=3),
    CellCase("gru_cell", "gru_cell", 2011, I=4, H=5, B=3),
    SeqCase("l1_large", "lstm", 2012, I=32, H=64, T=20, B=8, large=True),
]


def main():
    setup()
    files = []
    for case in CASES:
        if case.name == "dropout_eval_l2":
            check_dropout_eval(case)
        doc = case.document()
        tol = doc["tolerance"]["torch_float32_vs_reference_max_abs"]
        print(case.name, {k: f"{v:.1e}" for k, v in tol.items()})
        write_json(f"lstm/{case.name}.json", doc, compact=True)
        files.append(f"{case.name}.json")
    write_json("lstm/extra_index.json",
               {"files": files, "generator": "tooling/reference/lstm_cases.py", "torch": torch.__version__},
               expand_depth=1)


if __name__ == "__main__":
    main()
