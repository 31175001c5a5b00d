"""Cases for the v1.1 sequence kernels (GRU and projected LSTMs), in the golden LSTM format of
lstm_cases.py: multi-layer, bidirectional, packed lengths and initial states, forward and
gradients; two golden-sized cases (checked like the golden set) and two beyond the golden sizes
(odd widths, long sequences, three layers), which the conformance suite checks to 1e-5 relative.
Also the `nn.RNN` cases (tanh and relu, one and two layers, both directions, batch-first, packed
lengths, initial states, no bias) for Gated's `RNN` layer, in the same format.

Each file holds one loss, the one with the final states, `loss_with_state = sum(output*R) +
sum(h_n*R_h) [+ sum(c_n*R_c)]`, with R given by the formula of l1_large (config.R_formula): the
published conformance suite must pack under 1 MB, so nothing is stored twice.

Writes fixtures/lstm/v11_<name>.json and fixtures/lstm/v11_index.json, fixtures/lstm/rnn_<name>.json
and fixtures/lstm/rnn_index.json.
Run: /usr/bin/python3 tooling/reference/recurrent_cases.py

Inputs and weights are float32; the expected values are computed in float64 from those exact
values; `tolerance` records how far PyTorch's own float32 computation is from them.
"""

import sys

sys.dont_write_bytecode = True

import torch  # noqa: E402

from common import f32, f64, max_abs, setup, write_json  # noqa: E402
from lstm_cases import LARGE_R, SeqCase  # noqa: E402


class StateCase(SeqCase):
    """A sequence case with R from the formula and only the loss with the final states."""

    def __init__(self, name, cell, seed, agreement, **kw):
        super().__init__(name, cell, seed, large=True, **kw)
        self.config["agreement"] = agreement
        self.config["R_formula"] = LARGE_R
        self.config["stored"] = "only the loss with the final states (R from R_formula); no loss, grad"
        del self.config["loss"]
        self.config["loss_with_state"] = "sum(output*R)+sum(h_n*R_h)" + ("+sum(c_n*R_c)" if cell == "lstm" else "")

    def document(self):
        ref = self.run(torch.float64, True)
        got = self.run(torch.float32, True)
        outputs = ["output", "h_n"] + (["c_n"] if self.cell == "lstm" else [])
        tol = {k: max_abs(got[k], ref[k]) for k in outputs}
        tol["grad_with_state"] = max(max_abs(got["grad"][k], ref["grad"][k]) for k in ref["grad"])
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
        doc["R_h"] = f32(self.R_h)
        if self.R_c is not None:
            doc["R_c"] = f32(self.R_c)
        doc["loss_with_state"] = ref["loss"]
        doc["grad_with_state"] = {k: f64(v) for k, v in ref["grad"].items()}
        doc["tolerance"] = {"torch_float32_vs_reference_max_abs": tol}
        return doc


# `agreement`: "golden" (absolute, as the other cases) or "relative" (max |got - want| <=
# 1e-5 * max |want| for each compared tensor).
CASES = [
    StateCase("v11_gru_l2_bidir_lengths", "gru", 3001, "golden", I=2, H=3, L=2, bidir=True, T=5, B=3, lengths=[5, 2, 4]),
    StateCase("v11_proj_l2_bidir_lengths", "lstm", 3002, "golden", I=2, H=4, L=2, bidir=True, T=5, B=3, proj=2, lengths=[5, 3, 1]),
    StateCase("v11_gru_l3_bidir_long", "gru", 3003, "relative", I=2, H=3, L=3, bidir=True, T=40, B=2, lengths=[40, 17]),
    StateCase("v11_proj_l3_bidir_long", "lstm", 3004, "relative", I=2, H=5, L=3, bidir=True, T=40, B=2, proj=3, lengths=[27, 40]),
]

RNN_CASES = [
    StateCase("rnn_tanh_l1", "rnn", 3101, "golden", I=3, H=4, T=5, B=2),
    StateCase("rnn_relu_l2_bidir_lengths", "rnn", 3102, "golden", I=2, H=3, L=2, bidir=True, T=5, B=3,
              lengths=[5, 2, 4], nonlinearity="relu"),
    StateCase("rnn_tanh_l2_bidir_bf_lengths", "rnn", 3103, "golden", I=2, H=4, L=2, bidir=True, bf=True, T=6,
              B=3, lengths=[3, 6, 1]),
    StateCase("rnn_relu_l1_bf_nobias", "rnn", 3104, "golden", I=3, H=5, bias=False, bf=True, T=4, B=2,
              nonlinearity="relu"),
]


def write_cases(cases, index):
    files = []
    for case in cases:
        doc = case.document()
        tol = doc["tolerance"]["torch_float32_vs_reference_max_abs"]
        print(case.name, {k: f"{v:.1e}" for k, v in tol.items()})
        write_json(f"lstm/{case.name}.json", doc, compact=True)
        files.append(f"{case.name}.json")
    write_json(f"lstm/{index}",
               {"files": files, "generator": "tooling/reference/recurrent_cases.py", "torch": torch.__version__},
               expand_depth=1)


def main():
    setup()
    write_cases(CASES, "v11_index.json")
    write_cases(RNN_CASES, "rnn_index.json")


if __name__ == "__main__":
    main()
