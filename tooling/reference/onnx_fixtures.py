"""ONNX files exported by PyTorch's torch.onnx.export, with inputs and PyTorch's outputs, for
@gated/onnx's import tests (packages/onnx/test/fixtures/torch/). Each case writes <name>.onnx
(exported with dynamic batch and sequence axes from one example shape) and <name>.json: the
inputs of a run at a *different* shape than the export's example (so the dynamic axes are
exercised), and PyTorch's float32 outputs for them; the acceptance case (two-layer bidirectional
LSTM with lengths) also writes its nn.LSTM state dict as <name>.safetensors. CI never runs this;
the tests read the files.

    /usr/bin/python3 tooling/reference/onnx_fixtures.py
"""

import io
import os

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from common import ROOT, dumps, f32, setup
from safetensors_reference import serialize

OUT = os.path.join(ROOT, "packages", "onnx", "test", "fixtures", "torch")


class Packed(nn.Module):
    """A recurrent module run on a padded batch with per-sequence lengths (pack/pad around it)."""

    def __init__(self, rnn, sorted_lengths=False):
        super().__init__()
        self.rnn = rnn
        self.sorted_lengths = sorted_lengths

    def forward(self, x, lengths):
        packed = pack_padded_sequence(x, lengths, batch_first=self.rnn.batch_first, enforce_sorted=self.sorted_lengths)
        y, state = self.rnn(packed)
        total = x.shape[1] if self.rnn.batch_first else x.shape[0]
        y, _ = pad_packed_sequence(y, batch_first=self.rnn.batch_first, total_length=total)
        return (y, *state) if isinstance(state, tuple) else (y, state)


class WithState(nn.Module):
    """A recurrent module given its initial state as graph inputs."""

    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn

    def forward(self, x, *state):
        y, out = self.rnn(x, state if len(state) == 2 else state[0])
        return (y, *out) if isinstance(out, tuple) else (y, out)


class Plain(nn.Module):
    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn

    def forward(self, x):
        y, out = self.rnn(x)
        return (y, *out) if isinstance(out, tuple) else (y, out)


class CharLM(nn.Module):
    """Embedding -> LSTM (batch_first) -> Linear: logits of the next token at every position."""

    def __init__(self, vocab, embed, hidden):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, ids):
        y, _ = self.lstm(self.embed(ids))
        return self.head(y)


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float32)


def lengths_of(values):
    return torch.tensor(values, dtype=torch.int64)


def state(layers_dirs, batch, hidden):
    return randn(layers_dirs, batch, hidden)


def recurrent_axes(batch_first):
    return {0: "batch", 1: "sequence"} if batch_first else {0: "sequence", 1: "batch"}


def cases():
    """(name, module, names of inputs, export example, test inputs, names of outputs, dynamic axes)."""
    out = []

    torch.manual_seed(1)
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    out.append(("lstm_2layer_bidirectional_lengths", Packed(lstm), ["x", "lengths"],
                (randn(5, 1, 3), lengths_of([5])),
                (randn(6, 3, 3), lengths_of([4, 6, 2])),
                ["y", "h", "c"], {"x": recurrent_axes(False), "lengths": {0: "batch"}}))

    torch.manual_seed(2)
    lstm = nn.LSTM(3, 5, batch_first=True)
    out.append(("lstm_batch_first_initial_state", WithState(lstm), ["x", "h0", "c0"],
                (randn(2, 4, 3), state(1, 2, 5), state(1, 2, 5)),
                (randn(3, 6, 3), state(1, 3, 5), state(1, 3, 5)),
                ["y", "h", "c"], {"x": recurrent_axes(True), "h0": {1: "batch"}, "c0": {1: "batch"}}))

    torch.manual_seed(3)
    lstm = nn.LSTM(4, 3, num_layers=2, bias=False)
    out.append(("lstm_2layer_no_bias", Plain(lstm), ["x"],
                (randn(4, 2, 4),), (randn(7, 1, 4),),
                ["y", "h", "c"], {"x": recurrent_axes(False)}))

    torch.manual_seed(4)
    gru = nn.GRU(4, 3, num_layers=2, bidirectional=True)
    out.append(("gru_2layer_bidirectional_initial_state", WithState(gru), ["x", "h0"],
                (randn(5, 2, 4), state(4, 2, 3)),
                (randn(3, 4, 4), state(4, 4, 3)),
                ["y", "h"], {"x": recurrent_axes(False), "h0": {1: "batch"}}))

    torch.manual_seed(5)
    gru = nn.GRU(3, 4, batch_first=True)
    out.append(("gru_batch_first_lengths", Packed(gru), ["x", "lengths"],
                (randn(1, 5, 3), lengths_of([5])),
                (randn(3, 4, 3), lengths_of([2, 4, 3])),
                ["y", "h"], {"x": recurrent_axes(True), "lengths": {0: "batch"}}))

    torch.manual_seed(6)
    model = CharLM(11, 6, 8)
    out.append(("char_lm", model, ["ids"],
                (torch.randint(0, 11, (2, 5)),),
                (torch.randint(0, 11, (3, 7)),),
                ["logits"], {"ids": {0: "batch", 1: "sequence"}}))

    torch.manual_seed(7)
    mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 5), nn.Tanh(), nn.Linear(5, 2), nn.Sigmoid())
    out.append(("mlp", mlp, ["x"], (randn(3, 4),), (randn(6, 4),), ["y"], {"x": {0: "batch"}}))

    torch.manual_seed(8)
    rnn = nn.RNN(3, 4)
    out.append(("rnn_tanh", Plain(rnn), ["x"], (randn(4, 2, 3),), (randn(5, 3, 3),), ["y", "h"], {"x": recurrent_axes(False)}))

    torch.manual_seed(9)
    rnn = nn.RNN(3, 4, num_layers=2, bidirectional=True, nonlinearity="relu", batch_first=True)
    out.append(("rnn_relu_2layer_bidirectional_lengths", Packed(rnn), ["x", "lengths"],
                (randn(1, 5, 3), lengths_of([5])),
                (randn(3, 6, 3), lengths_of([4, 6, 2])),
                ["y", "h"], {"x": recurrent_axes(True), "lengths": {0: "batch"}}))
    return out


# Cases whose recurrent module's state dict is also written as safetensors (scale-out path 1).
SAFETENSORS = {"lstm_2layer_bidirectional_lengths"}


# torch.onnx.export builds the zero initial state of a packed run as a constant of the example's
# batch size, expanded to the run's: exported from a batch of 1 it broadcasts to any batch (what
# PyTorch's own export warning recommends), so the packed cases' examples have one sequence.
def export(module, names, example, outputs, axes, opset):
    buffer = io.BytesIO()
    torch.onnx.export(module, example, buffer, input_names=names, output_names=outputs,
                      dynamic_axes={**axes, **{o: {} for o in outputs}}, opset_version=opset)
    return buffer.getvalue()


def tensor_json(t):
    if t.dtype == torch.int64:
        return {"dtype": "int64", "shape": list(t.shape), "values": t.flatten().tolist()}
    return {"dtype": "float32", "shape": list(t.shape), "values": f32(t.flatten())}


def main():
    setup()
    os.makedirs(OUT, exist_ok=True)
    index = []
    for name, module, names, example, test, outputs, axes in cases():
        module.eval()
        data = export(module, names, example, outputs, axes, opset=14)
        with open(os.path.join(OUT, f"{name}.onnx"), "wb") as fh:
            fh.write(data)
        with torch.no_grad():
            result = module(*test)
        result = result if isinstance(result, tuple) else (result,)
        record = {
            "name": name,
            "torch": torch.__version__,
            "opset": 14,
            "inputs": {n: tensor_json(t) for n, t in zip(names, test)},
            "outputs": {n: tensor_json(t) for n, t in zip(outputs, result)},
        }
        path = os.path.join(OUT, f"{name}.json")
        with open(path, "w", encoding="ascii", newline="\n") as fh:
            fh.write(dumps(record, expand_depth=3) + "\n")
        index.append(name)
        print(f"wrote {name}.onnx ({len(data)} bytes) and {name}.json")
        if name in SAFETENSORS:
            # The same weights the other way docs/scale-out.md describes: a state dict file.
            weights = serialize({k: v.detach() for k, v in module.rnn.state_dict().items()}, {"format": "pt"})
            with open(os.path.join(OUT, f"{name}.safetensors"), "wb") as fh:
                fh.write(weights)
            print(f"wrote {name}.safetensors ({len(weights)} bytes)")
    with open(os.path.join(OUT, "index.json"), "w", encoding="ascii", newline="\n") as fh:
        fh.write(dumps({"torch": torch.__version__, "cases": index}) + "\n")


if __name__ == "__main__":
    main()
