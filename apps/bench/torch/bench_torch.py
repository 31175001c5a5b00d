#!/usr/bin/python3
"""PyTorch peer of Gated's benchmark harness: on the CPU, and on CUDA (cuDNN's RNNs) when asked.

Run by the Node runner (apps/bench/src/node/torch.ts) as a worker: it reads one JSON request per
line on stdin and answers one JSON line on stdout. The workloads are the harness's: the same
deterministic weights and data (`uniform` reproduces apps/bench/src/core/prng.ts bit for bit),
torch.nn.LSTM + MSE + Adam for a train step, `torch.no_grad()` inference, and the micro-benchmarks
(torch.mm, nn.LSTMCell, one Adam step). Before timing, the outputs are compared with backend-ts's,
which the runner wrote to raw float32 files; a pair that disagrees is not timed.

A pair is a session, timed one step per request so the runner can interleave it with the other
targets (apps/bench/src/core/interleave.ts):

  {"id": 1, "op": "open", "session": 7, "spec": {...}, "threads": 2, "device": "cpu" | "cuda", "method": {...},
   "reference": {"block": null, "files": {"output": "/tmp/...f32"}}, "tolerances": {"output": 1e-4}}
      -> {"id": 1, "ok": true, "check": {...}, "threads": 2}   (outputs checked, step ready)
  {"id": 2, "op": "step", "session": 7}  -> {"id": 2, "ok": true, "ms": 12.3}   (one step, timed here)
  {"id": 3, "op": "close", "session": 7} -> {"id": 3, "ok": true}
  any failure -> {"id": n, "ok": false, "reason": "..."}

Standalone: `/usr/bin/python3 bench_torch.py --selftest` prints the first values of each stream.
"""
import json
import math
import sys
import time

import numpy as np

try:
    import torch
    import torch.nn.functional as F
except Exception as error:  # pragma: no cover - reported to the runner
    print(json.dumps({"ready": False, "reason": f"import torch failed: {error}"}), flush=True)
    sys.exit(0)

SEED = 1234
STREAM = {"weightIh": 1, "weightHh": 2, "biasIh": 3, "biasHh": 4, "x": 5, "target": 6,
          "matA": 7, "matB": 8, "h0": 9, "c0": 10, "grad": 11, "weightHr": 12}
M32 = 0xFFFFFFFF


def hash32_scalar(x):
    x &= M32
    x ^= x >> 16
    x = (x * 0x7FEB352D) & M32
    x ^= x >> 15
    x = (x * 0x846CA68B) & M32
    x ^= x >> 16
    return x


def hash32(x):
    """lowbias32 on a uint32 array (numpy wraps uint32 products mod 2**32)."""
    x = x ^ (x >> np.uint32(16))
    x = x * np.uint32(0x7FEB352D)
    x = x ^ (x >> np.uint32(15))
    x = x * np.uint32(0x846CA68B)
    x = x ^ (x >> np.uint32(16))
    return x


def uniform(n, stream, scale, seed=SEED):
    """n float32 values uniform in [-scale, scale): prng.ts `uniform`, bit for bit."""
    base = hash32_scalar(seed) ^ hash32_scalar((stream + 0x632BE5AB) & M32)
    idx = ((np.arange(n, dtype=np.uint64) + np.uint64(base)) & np.uint64(M32)).astype(np.uint32)
    with np.errstate(over="ignore"):
        h = hash32(idx)
    u = (h >> np.uint32(8)).astype(np.float64) / 16777216.0
    return torch.from_numpy(((u * 2.0 - 1.0) * scale).astype(np.float32))


def blas_name():
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            text = maps.read()
    except OSError:
        return "unknown"
    if "openblas" in text:
        return "OpenBLAS (openmp)" if "openblas-openmp" in text else "OpenBLAS"
    if "libblas" in text:
        return "reference BLAS (slow: apt-get install libopenblas0-openmp)"
    return "none loaded yet"


def relative_error(actual, reference):
    actual = actual.reshape(-1)
    reference = reference.reshape(-1)
    if actual.shape != reference.shape:
        return math.inf
    diff = float(np.max(np.abs(actual - reference))) if reference.size else 0.0
    if math.isnan(diff):
        return math.inf
    scale = float(np.max(np.abs(reference))) if reference.size else 0.0
    return diff / scale if scale > 0 else diff


class Skip(Exception):
    pass


class Device:
    """Where a session runs. CUDA runs in float32 with TF32 off (set in main), so that it computes
    what the other backends compute (TF32 would round the products' inputs to 10 bits)."""

    def __init__(self, name):
        self.device = torch.device(name)

    def on(self, t):
        return t.to(self.device)

    @staticmethod
    def host(t):
        return t.detach().cpu().numpy().copy()

    def synced(self, step):
        """A step that returns when the GPU has finished it (CUDA work is asynchronous)."""
        if self.device.type != "cuda":
            return step

        def run():
            step()
            torch.cuda.synchronize()
        return run


def lstm_case(spec, dev):
    """nn.LSTM (proj_size when spec["proj"]) or nn.GRU with the harness's weights (data.ts)."""
    T, B, I, H = spec["seq"], spec["batch"], spec["input"], spec["hidden"]
    if spec.get("returnGates"):
        raise Skip("keeping every step's gates is a Gated-only comparison (contract v1.1's inference mode)")
    gru = spec.get("cell") == "gru"
    P = spec.get("proj") or 0
    G = 3 if gru else 4
    out = P or H
    bound = 1.0 / math.sqrt(H)
    layer = torch.nn.GRU(I, H) if gru else torch.nn.LSTM(I, H, proj_size=P)
    with torch.no_grad():
        layer.weight_ih_l0.copy_(uniform(G * H * I, STREAM["weightIh"], bound).view(G * H, I))
        layer.weight_hh_l0.copy_(uniform(G * H * out, STREAM["weightHh"], bound).view(G * H, out))
        layer.bias_ih_l0.copy_(uniform(G * H, STREAM["biasIh"], bound))
        layer.bias_hh_l0.copy_(uniform(G * H, STREAM["biasHh"], bound))
        if P:
            layer.weight_hr_l0.copy_(uniform(P * H, STREAM["weightHr"], bound).view(P, H))
    layer = layer.to(dev.device)
    x = dev.on(uniform(T * B * I, STREAM["x"], 1.0).view(T, B, I))
    if spec["mode"] == "train":
        y = dev.on(uniform(T * B * out, STREAM["target"], 1.0).view(T, B, out))
        opt = torch.optim.Adam(layer.parameters(), lr=1e-3)

        def outputs():
            result, _ = layer(x)
            F.mse_loss(result, y).backward()
            answer = {"output": dev.host(result), "dWeightHh": dev.host(layer.weight_hh_l0.grad)}
            layer.zero_grad(set_to_none=True)
            return answer

        def step():
            result, _ = layer(x)
            loss = F.mse_loss(result, y)
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
    else:
        def outputs():
            with torch.no_grad():
                result, _ = layer(x)
            return {"output": dev.host(result)}

        def step():
            with torch.no_grad():
                layer(x)
    return outputs, dev.synced(step)


def micro_case(spec, dev):
    op = spec["op"]
    if op == "matmul":
        m, k, n = spec["m"], spec["k"], spec["n"]
        a = dev.on(uniform(m * k, STREAM["matA"], 1.0).view(m, k))
        b = dev.on(uniform(k * n, STREAM["matB"], 1.0).view(k, n))
        return (lambda: {"y": dev.host(torch.mm(a, b))}), dev.synced(lambda: torch.mm(a, b))
    if op == "cell":
        B, I, H = spec["batch"], spec["input"], spec["hidden"]
        bound = 1.0 / math.sqrt(H)
        cell = torch.nn.LSTMCell(I, H)
        with torch.no_grad():
            cell.weight_ih.copy_(uniform(4 * H * I, STREAM["weightIh"], bound).view(4 * H, I))
            cell.weight_hh.copy_(uniform(4 * H * H, STREAM["weightHh"], bound).view(4 * H, H))
            cell.bias_ih.copy_(uniform(4 * H, STREAM["biasIh"], bound))
            cell.bias_hh.copy_(uniform(4 * H, STREAM["biasHh"], bound))
        cell = cell.to(dev.device)
        x = dev.on(uniform(B * I, STREAM["x"], 1.0).view(B, I))
        h0 = dev.on(uniform(B * H, STREAM["h0"], 1.0).view(B, H))
        c0 = dev.on(uniform(B * H, STREAM["c0"], 1.0).view(B, H))

        def outputs():
            with torch.no_grad():
                h, c = cell(x, (h0, c0))
            return {"h": dev.host(h), "c": dev.host(c)}

        def step():
            with torch.no_grad():
                cell(x, (h0, c0))
        return outputs, dev.synced(step)
    if op == "adam":
        n = spec["size"]
        p = torch.nn.Parameter(dev.on(uniform(n, STREAM["weightIh"], 1.0)))
        p.grad = dev.on(uniform(n, STREAM["grad"], 1.0))
        opt = torch.optim.Adam([p], lr=1e-3)

        def outputs():
            opt.step()
            return {"param": dev.host(p)}
        return outputs, dev.synced(opt.step)
    if op == "cell-pointwise":
        raise Skip("PyTorch's fused pointwise LSTM cell (_thnn_fused_lstm_cell) has no public API; its cell is measured as `cell`")
    raise Skip(f"unknown micro-benchmark {op}")


def check(spec, outputs, reference, tolerances):
    block = reference.get("block")
    worst_ratio, worst_error, worst_tol = -1.0, 0.0, 1e-4
    failures = []
    compared = []
    for key, path in reference["files"].items():
        ref = np.fromfile(path, dtype=np.float32)
        actual = outputs.get(key)
        if actual is None:
            error = math.inf
        else:
            if block is not None and key == "output":
                actual = actual[: block["seq"], : block["batch"], :]
            error = relative_error(np.asarray(actual, dtype=np.float32), ref)
        tol = tolerances.get(key, 1e-4)
        compared.append(key)
        if not error <= tol:
            failures.append(f"{key}: error {error:.2e} > {tol:.0e}")
        ratio = error / tol
        if not ratio <= worst_ratio:
            worst_ratio, worst_error, worst_tol = ratio, error, tol
    return failures, worst_error, worst_tol, " + ".join(compared)


SESSIONS = {}


def open_session(request):
    spec = request["spec"]
    dev = Device(request.get("device", "cpu"))
    if dev.device.type == "cuda" and not torch.cuda.is_available():
        raise Skip("CUDA is not available to this PyTorch")
    torch.set_num_threads(int(request["threads"]))
    torch.manual_seed(0)
    outputs_fn, step = micro_case(spec, dev) if spec["kind"] == "micro" else lstm_case(spec, dev)
    t0 = time.perf_counter()
    outputs = outputs_fn()
    check_ms = (time.perf_counter() - t0) * 1000.0
    limit = request["method"].get("maxCheckMs")
    if limit is not None and check_ms > limit:
        raise Skip(f"its check step took {check_ms / 1000:.1f} s (first run), over this run's {limit / 1000:.1f} s limit: not timed")
    failures, error, tol, compared = check(spec, outputs, request["reference"], request["tolerances"])
    if failures:
        raise Skip(f"output differs from backend-ts ({'; '.join(failures)}): not timed")
    SESSIONS[request["session"]] = (step, int(request["threads"]))
    return {"check": {"status": "pass", "maxError": error, "tolerance": tol, "compared": compared},
            "threads": torch.get_num_threads()}


def time_step(request):
    step, threads = SESSIONS[request["session"]]
    # One worker serves every thread count (torch and torch-1t): set this session's before timing.
    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    step()
    return {"ms": (time.perf_counter() - t0) * 1000.0}


def handle(request):
    op = request.get("op")
    if op == "open":
        return open_session(request)
    if op == "step":
        return time_step(request)
    if op == "close":
        SESSIONS.pop(request["session"], None)
        return {}
    raise Skip(f"unknown request {op}")


def main():
    if "--selftest" in sys.argv:
        for name, stream in STREAM.items():
            print(name, uniform(4, stream, 1.0).tolist())
        return
    torch.set_grad_enabled(True)
    torch.zeros(1) @ torch.zeros(1)  # loads BLAS so blas_name() sees it
    torch.mm(torch.zeros(2, 2), torch.zeros(2, 2))
    cuda = None
    if torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        cuda = f"{torch.cuda.get_device_name(0)}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}"
    print(json.dumps({"ready": True, "torch": torch.__version__, "blas": blas_name(),
                      "maxThreads": torch.get_num_threads(), "python": sys.version.split()[0], "cuda": cuda}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            answer = {"id": request["id"], "ok": True, **handle(request)}
        except Skip as skip:
            answer = {"id": request["id"], "ok": False, "reason": str(skip)}
        except Exception as error:  # a failure of one pair must not end the worker
            answer = {"id": request["id"], "ok": False, "reason": f"failed: {type(error).__name__}: {error}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
