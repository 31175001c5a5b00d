"""The demo's model files in PyTorch: a CharLM module whose children are nn.Embedding, nn.LSTM
and nn.Linear under the names the demo writes (embed, lstm, head), loaded with
load_state_dict(strict=True) from a safetensors file the demo downloaded (or
model/pretrained.safetensors).

  /usr/bin/python3 apps/demo/scripts/pytorch.py sample FILE [--prompt "ROMEO:\n"] [--length 300]
  /usr/bin/python3 apps/demo/scripts/pytorch.py fixture     (writes test/fixtures/pytorch-logits.json)

With the `safetensors` package, `safetensors.torch.load_file(FILE)` gives the same dict; this
script reads the file itself (8-byte header length, JSON header, little-endian data) so that it
needs nothing but torch. `fixture` records what PyTorch computes from the pretrained weights for
a fixed text, and test/pytorch.test.ts checks that Gated computes the same: proof that the file
PyTorch reads is the model the page runs. Deterministic (one thread, no randomness).
"""

import argparse
import json
import os
import struct

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
PRETRAINED = os.path.join(HERE, "..", "model", "pretrained.safetensors")
FIXTURE = os.path.join(HERE, "..", "test", "fixtures", "pytorch-logits.json")
FIXTURE_TEXT = "ROMEO:\nBut soft, what light through yonder window breaks?\n"

DTYPES = {"F32": torch.float32, "I32": torch.int32, "BOOL": torch.bool}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    metadata = header.pop("__metadata__", {})
    data = raw[8 + n :]
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        t = torch.frombuffer(bytearray(data[begin:end]), dtype=DTYPES[entry["dtype"]])
        tensors[name] = t.reshape(entry["shape"]).clone()
    return tensors, metadata


class CharLM(nn.Module):
    def __init__(self, vocab, embed_size, hidden_size, num_layers):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed_size)
        self.lstm = nn.LSTM(embed_size, hidden_size, num_layers=num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab)

    def forward(self, ids, state=None):
        out, state = self.lstm(self.embed(ids), state)
        return self.head(out), state


def load(path):
    tensors, metadata = read_safetensors(path)
    config = json.loads(metadata["config"])
    model = CharLM(len(config["chars"]), config["embedSize"], config["hiddenSize"], config["numLayers"])
    model.load_state_dict(tensors, strict=True)
    model.eval()
    return model, config["chars"]


def sample(path, prompt, length, temperature):
    model, chars = load(path)
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([[index[c] for c in prompt if c in index]])
    out, state = prompt, None
    torch.manual_seed(0)
    with torch.no_grad():
        for _ in range(length):
            logits, state = model(ids, state)
            p = torch.softmax(logits[0, -1] / temperature, dim=-1)
            nxt = int(torch.multinomial(p, 1))
            out += chars[nxt]
            ids = torch.tensor([[nxt]])
    print(out)


def fixture():
    model, chars = load(PRETRAINED)
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([[index[c] for c in FIXTURE_TEXT]])
    with torch.no_grad():
        logits, (h, c) = model(ids)
    doc = {
        "what": "logits at every position and final h, c of model/pretrained.safetensors loaded into PyTorch's nn.LSTM (scripts/pytorch.py fixture)",
        "torch": torch.__version__,
        "text": FIXTURE_TEXT,
        "logits": [[float(f"{v:.7g}") for v in row] for row in logits[0].tolist()],
        "h": [[float(f"{v:.7g}") for v in row] for row in h[:, 0].tolist()],
        "c": [[float(f"{v:.7g}") for v in row] for row in c[:, 0].tolist()],
    }
    with open(FIXTURE, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.relpath(FIXTURE)}")


if __name__ == "__main__":
    torch.set_num_threads(1)
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sample")
    s.add_argument("file")
    s.add_argument("--prompt", default="ROMEO:\n")
    s.add_argument("--length", type=int, default=300)
    s.add_argument("--temperature", type=float, default=0.7)
    sub.add_parser("fixture")
    args = parser.parse_args()
    if args.command == "sample":
        sample(args.file, args.prompt.encode().decode("unicode_escape"), args.length, args.temperature)
    else:
        fixture()
