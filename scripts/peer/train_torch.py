#!/usr/bin/python3
"""The PyTorch peer of issue 6: the canonical pizza model (SPEC §1) trained the way the project trains it,
written as a generic PyTorch user would write it, to time the project's training against.

Same model, data and optimiser as src/train/config.ts (preset `pizza`) and src/model/schedule.ts: one layer,
no LayerNorm, p 59, d_model 128, 4 heads of 32, d_mlp 512, ReLU, attention rate α = 0 in the 'mean'
convention (pattern = α·softmax + (1 − α)/n_ctx), only the last position's logits, full batch over the seeded
80 % split, float64 log-softmax, AdamW (lr 1e-3, betas (0.9, 0.98), eps 1e-8, weight decay 1.0) with a
10-step linear warm-up, attention and unembed biases frozen at zero. The initial parameters and the split
come from a port of src/util/rng.ts, so both sides start from the same model (up to the last bit of
libm's log/cos) and see the same pairs.

--variant generic (the default) computes the attention in full (q, k, v, softmax mixed with the constant
pattern) even at α = 0: the work a generic implementation does. --variant fast is the project's own
constant-attention algebra (src/model/schedule_constant.ts, SPEC §3): per-(position, token) tables
G·W_in and G·W_U, W_L = W_out·W_U, one batch-sized product, autograd through it. --models S trains S fast
models (initialisation seeds 0 … S−1, one split) with a leading model dimension: batched products, one
AdamW over the stacked parameters (AdamW is elementwise, so this is S independent optimisers).

Modes (one JSON object on stdout; progress on stderr):
  --check                      torch version and active BLAS; exit 1 unless torch resolves to OpenBLAS
  --bench-steps N              time N full steps (forward, backward, AdamW) after --warmup steps
  --train-to-100 [--max-steps] train until test accuracy is 100 % (evaluated every --eval-every steps)
  --serve                      read step counts from stdin, one a line; run that many steps and print
                               {"ms_per_step": …} (so a benchmark can interleave peers without restarts)
  --print-init N               (no torch) the split and the first N initial values of each tensor,
                               to check the Rng port against src/util/rng.ts
--threads T sets torch's intra-op threads and OpenBLAS's threads (default 1). --d-mlp N (default 512) times
the same model at another MLP width (the benchmark's width scan; the canonical figures use 512).
"""
import argparse
import json
import math
import os
import re
import sys
import time

P, D_MODEL, N_HEADS, D_MLP, N_CTX = 59, 128, 4, 512, 2
D_HEAD = D_MODEL // N_HEADS
ALPHA, FRAC, SEED = 0.0, 0.8, 0
SPLIT_SEED = 0 ^ 0x5EED  # src/train/config.ts splitSeed of data_seed 0
LR, BETAS, EPS, WD, WARMUP = 1e-3, (0.9, 0.98), 1e-8, 1.0, 10
M32 = 0xFFFFFFFF


class Rng:
    """src/util/rng.ts in Python: xoshiro128** seeded through splitmix32, Box–Muller normals."""

    def __init__(self, seed):
        x = seed & M32

        def nxt():
            nonlocal x
            x = (x + 0x9E3779B9) & M32
            z = x
            z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M32
            z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
            return (z ^ (z >> 16)) & M32

        self.s = [nxt(), nxt(), nxt(), nxt()]

    def next_u32(self):
        s = self.s
        r = (_rotl((s[1] * 5) & M32, 7) * 9) & M32
        t = (s[1] << 9) & M32
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 11)
        return r

    def uniform(self):
        return ((self.next_u32() >> 5) * 67108864 + (self.next_u32() >> 6)) / 9007199254740992

    def normal(self):
        u = 1 - self.uniform()
        v = self.uniform()
        return math.sqrt(-2 * math.log(u)) * math.cos(2 * math.pi * v)

    def shuffle(self, a):
        for i in range(len(a) - 1, 0, -1):
            j = math.floor(self.uniform() * (i + 1))
            a[i], a[j] = a[j], a[i]
        return a


def _rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


def split(p, frac, seed):
    """src/train/data.ts split: shuffled pair ids a·p + b, the first round(frac·p²) train, both sorted."""
    ids = Rng(seed).shuffle(list(range(p * p)))
    n = _round_half_up(frac * p * p)
    return sorted(ids[:n]), sorted(ids[n:])


def _round_half_up(x):
    return math.floor(x + 0.5)  # JavaScript's Math.round, not Python's banker's rounding


# src/model/params.ts paramSpecs for this config, in its order (the order the Rng is consumed in).
def param_specs():
    s = 1 / math.sqrt(D_MODEL)
    h, dm, dh = N_HEADS, D_MODEL, D_HEAD
    return [
        ("embed.W_E", (P, dm), s), ("pos_embed.W_pos", (N_CTX, dm), s),
        ("blocks.0.attn.W_Q", (h, dm, dh), s), ("blocks.0.attn.W_K", (h, dm, dh), s),
        ("blocks.0.attn.W_V", (h, dm, dh), s), ("blocks.0.attn.W_O", (h, dh, dm), s),
        ("blocks.0.attn.b_Q", (h, dh), 0), ("blocks.0.attn.b_K", (h, dh), 0), ("blocks.0.attn.b_V", (h, dh), 0),
        ("blocks.0.attn.b_O", (dm,), 0),
        ("blocks.0.mlp.W_in", (dm, D_MLP), s), ("blocks.0.mlp.b_in", (D_MLP,), 0),
        ("blocks.0.mlp.W_out", (D_MLP, dm), s), ("blocks.0.mlp.b_out", (dm,), 0),
        ("unembed.W_U", (dm, P), 1 / math.sqrt(P)), ("unembed.b_U", (P,), 0),
    ]


FROZEN = {"blocks.0.attn.b_Q", "blocks.0.attn.b_K", "blocks.0.attn.b_V", "blocks.0.attn.b_O", "unembed.b_U"}


def init_values(seed):
    """src/model/params.ts initParams as float64 lists (rounded to float32 when they become tensors)."""
    rng = Rng(seed)
    out = {}
    for name, shape, std in param_specs():
        n = math.prod(shape)
        out[name] = [rng.normal() * std for _ in range(n)] if std else [0.0] * n
    return out


def blas_info(torch):
    """Which BLAS the process really uses: Debian's torch calls libblas.so.3, an alternatives symlink."""
    a = torch.ones(64, 64)
    _ = a @ a  # make sure the BLAS is loaded and used
    with open(f"/proc/{os.getpid()}/maps") as f:
        libs = {m.group(0) for m in re.finditer(r"/\S*blas\S*\.so\S*", f.read())}
    real = sorted({os.path.realpath(x) for x in libs})
    kind = "openblas" if any("openblas" in r for r in real) else ("reference" if real else "none")
    built = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    return {"blas": kind, "blas_libs": real, "blas_built_with": built.group(1) if built else None}


class Peer:
    """The model, data and optimiser; step() is one full-batch training step."""

    def __init__(self, torch, models=None):
        """models: None for one model of seed SEED; S for S models (seeds 0 … S−1) stacked on a leading dimension."""
        self.torch = torch
        t = torch
        inits = [init_values(SEED)] if models is None else [init_values(seed) for seed in range(models)]
        self.params = {}
        for name, shape, _ in param_specs():
            x = t.tensor([init[name] for init in inits], dtype=t.float32).reshape(shape if models is None else (models, *shape))
            self.params[name] = x if name in FROZEN else x.requires_grad_(True)
        trainable = [v for k, v in self.params.items() if k not in FROZEN]
        self.opt = t.optim.AdamW(trainable, lr=LR, betas=BETAS, eps=EPS, weight_decay=WD)
        train, test = split(P, FRAC, SPLIT_SEED)
        self.train = self._batch(train)
        self.test = self._batch(test)
        self.steps = 0

    def _batch(self, ids):
        t = self.torch
        ids = t.tensor(ids, dtype=t.int64)
        a, b = ids // P, ids % P
        return t.stack([a, b], dim=1), (a + b) % P

    def forward(self, tokens):
        t, w = self.torch, self.params
        B = tokens.shape[0]
        x0 = w["embed.W_E"][tokens] + w["pos_embed.W_pos"]  # [B, n_ctx, d_model]
        # q, k, v at every position and head: [B, H, n_ctx, d_head]
        q = t.einsum("bnd,hde->bhne", x0, w["blocks.0.attn.W_Q"]) + w["blocks.0.attn.b_Q"][None, :, None]
        k = t.einsum("bnd,hde->bhne", x0, w["blocks.0.attn.W_K"]) + w["blocks.0.attn.b_K"][None, :, None]
        v = t.einsum("bnd,hde->bhne", x0, w["blocks.0.attn.W_V"]) + w["blocks.0.attn.b_V"][None, :, None]
        # Only the last position's query matters (only its logits are read).
        scores = t.einsum("bhe,bhne->bhn", q[:, :, -1], k) / math.sqrt(D_HEAD)
        pattern = ALPHA * t.softmax(scores, dim=-1) + (1 - ALPHA) / N_CTX
        z = t.einsum("bhn,bhne->bhe", pattern, v).reshape(B, N_HEADS * D_HEAD)
        x1 = x0[:, -1] + z @ w["blocks.0.attn.W_O"].reshape(N_HEADS * D_HEAD, D_MODEL) + w["blocks.0.attn.b_O"]
        post = t.relu(x1 @ w["blocks.0.mlp.W_in"] + w["blocks.0.mlp.b_in"])
        x2 = x1 + post @ w["blocks.0.mlp.W_out"] + w["blocks.0.mlp.b_out"]
        return x2 @ w["unembed.W_U"] + w["unembed.b_U"]

    def loss_acc(self, batch):
        tokens, labels = batch
        logits = self.forward(tokens)
        # float64 log-softmax, as the reference implementations compute it (SPEC §1)
        loss = self.torch.nn.functional.cross_entropy(logits.double(), labels)
        acc = (logits[:, :P].argmax(dim=-1) == labels).double().mean()
        return loss, acc

    def step(self):
        self.steps += 1
        for g in self.opt.param_groups:
            g["lr"] = LR * min(1.0, self.steps / WARMUP)  # src/train/config.ts learningRate
        self.opt.zero_grad(set_to_none=True)
        loss, acc = self.loss_acc(self.train)
        loss.backward()
        self.opt.step()
        return loss, acc

    def evaluate(self):
        with self.torch.no_grad():
            loss, acc = self.loss_acc(self.test)
        return float(loss), float(acc)


class FastPeer(Peer):
    """S models (Peer(torch, S): seeds 0 … S−1) through the constant-attention algebra, with a leading model dimension."""

    def forward(self, tokens):
        t, w = self.torch, self.params
        C = 1 / N_CTX  # the constant pattern at α = 0, 'mean' convention
        W_E, W_in, W_U = w["embed.W_E"], w["blocks.0.mlp.W_in"], w["unembed.W_U"]
        W_OV = t.einsum("shde,shef->sdf", w["blocks.0.attn.W_V"], w["blocks.0.attn.W_O"])
        G0 = C * t.bmm(W_E, W_OV)  # G_j = C·W_E·W_OV, plus W_E at the last position
        G1 = G0 + W_E
        kappa = (N_CTX * C * t.einsum("she,shef->sf", w["blocks.0.attn.b_V"], w["blocks.0.attn.W_O"]) + w["blocks.0.attn.b_O"]
                 + w["pos_embed.W_pos"][:, -1] + C * t.bmm(w["pos_embed.W_pos"].sum(1, keepdim=True), W_OV)[:, 0])
        P0, P1 = t.bmm(G0, W_in), t.bmm(G1, W_in)
        pre_const = t.bmm(kappa[:, None], W_in)[:, 0] + w["blocks.0.mlp.b_in"]
        W_L = t.bmm(w["blocks.0.mlp.W_out"], W_U)
        Q0, Q1 = t.bmm(G0, W_U), t.bmm(G1, W_U)
        logit_const = t.bmm((kappa + w["blocks.0.mlp.b_out"])[:, None], W_U)[:, 0] + w["unembed.b_U"]
        a, b = tokens[:, 0], tokens[:, 1]
        post = t.relu(P0[:, a] + P1[:, b] + pre_const[:, None])
        return t.bmm(post, W_L) + Q0[:, a] + Q1[:, b] + logit_const[:, None]  # [S, B, p]

    def loss_acc(self, batch):
        tokens, labels = batch
        logits = self.forward(tokens)
        S = logits.shape[0]
        # Each model's mean loss (float64 log-softmax); their sum has each model's gradient.
        losses = self.torch.nn.functional.cross_entropy(logits.double().reshape(-1, P), labels.repeat(S), reduction="none").reshape(S, -1).mean(1)
        acc = (logits.argmax(dim=-1) == labels).double().mean(1)
        return losses.sum(), acc


def make_peer(torch, variant, models):
    if variant == "generic":
        if models != 1:
            sys.exit("--models needs --variant fast")
        return Peer(torch)
    return FastPeer(torch, models)


def serve(peer):
    """Step counts from stdin, one a line: run them and print the mean step time."""
    for line in sys.stdin:
        n = int(line)
        t0 = time.perf_counter()
        for _ in range(n):
            loss, _ = peer.step()
        float(loss)
        print(json.dumps({"ms_per_step": (time.perf_counter() - t0) * 1e3 / n}), flush=True)


def keep_freed_memory():
    """Let glibc keep freed blocks for reuse instead of returning each step's large tensors to the kernel.

    By default every tensor above 128 KiB is its own mmap, unmapped when freed, so each step faults its
    activations in afresh; on this project's sandboxed machines that made the fast step 13–113 ms (median
    45) where, with memory kept, it is a steady 13 ms. A peer should run at its best, so it gets this."""
    import ctypes

    libc = ctypes.CDLL("libc.so.6")
    M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
    for option, value in ((M_MMAP_THRESHOLD, 1 << 30), (M_TRIM_THRESHOLD, (1 << 31) - 1), (M_TOP_PAD, 1 << 27)):
        if not libc.mallopt(option, value):
            sys.exit(f"mallopt({option}, {value}) failed")


def import_torch(threads):
    keep_freed_memory()
    # OpenBLAS reads its thread count when it loads; torch's own pool follows set_num_threads.
    os.environ["OPENBLAS_NUM_THREADS"] = str(threads)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(SEED)
    return torch


def describe(torch, threads):
    return {"torch_version": torch.__version__, "python": sys.executable, "threads": torch.get_num_threads(),
            "requested_threads": threads, **blas_info(torch)}


def bench(torch, threads, steps, warmup, peer):
    first = float(peer.step()[0])
    for _ in range(warmup - 1):
        peer.step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        loss, _ = peer.step()
        float(loss)  # the step is synchronous on the CPU; reading the loss is what a training loop does
        times.append((time.perf_counter() - t0) * 1e3)
    s = sorted(times)
    return {"mode": "bench", **describe(torch, threads), "steps": steps, "warmup": warmup,
            "step_ms_median": s[len(s) // 2], "step_ms_mean": sum(s) / len(s), "step_ms_min": s[0],
            "batch": len(peer.train[1]), "loss_first": first, "loss_last": float(loss)}


def train_to_100(torch, threads, max_steps, eval_every):
    peer = Peer(torch)
    t0 = time.perf_counter()
    reached = None
    train_loss = train_acc = float("nan")
    test_loss = test_acc = float("nan")
    while peer.steps < max_steps:
        loss, acc = peer.step()
        if peer.steps % eval_every == 0:
            train_loss, train_acc = float(loss), float(acc)
            test_loss, test_acc = peer.evaluate()
            print(f"step {peer.steps} train {train_loss:.3e} {train_acc:.4f} test {test_loss:.3e} {test_acc:.4f} "
                  f"{time.perf_counter() - t0:.1f}s", file=sys.stderr, flush=True)
            if test_acc == 1.0:
                reached = peer.steps
                break
    wall = time.perf_counter() - t0
    return {"mode": "train_to_100", **describe(torch, threads), "reached": reached is not None,
            "steps": peer.steps, "wall_s": wall, "step_ms_mean": wall * 1e3 / peer.steps,
            "eval_every": eval_every, "max_steps": max_steps, "train_loss": train_loss, "train_acc": train_acc,
            "test_loss": test_loss, "test_acc": test_acc}


def main():
    global D_MLP
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--bench-steps", type=int, metavar="N")
    mode.add_argument("--train-to-100", action="store_true")
    mode.add_argument("--print-init", type=int, metavar="N")
    mode.add_argument("--serve", action="store_true")
    ap.add_argument("--variant", choices=["generic", "fast"], default="generic")
    ap.add_argument("--models", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--max-steps", type=int, default=20000)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--d-mlp", type=int, default=D_MLP)
    a = ap.parse_args()
    for flag, v in (("threads", a.threads), ("warmup", a.warmup), ("max-steps", a.max_steps),
                    ("eval-every", a.eval_every), ("bench-steps", a.bench_steps), ("print-init", a.print_init), ("models", a.models), ("d-mlp", a.d_mlp)):
        if v is not None and v < 1:
            ap.error(f"--{flag} {v}: expected an integer ≥ 1")
    D_MLP = a.d_mlp

    if a.print_init is not None:
        train, test = split(P, FRAC, SPLIT_SEED)
        init = init_values(SEED)
        out = {"train": train, "test": test, "init": {k: v[: a.print_init] for k, v in init.items()}}
    else:
        torch = import_torch(a.threads)
        if a.check:
            out = {"mode": "check", **describe(torch, a.threads)}
            if out["blas"] != "openblas":
                print(json.dumps(out))
                sys.exit(f"torch's BLAS is {out['blas']} ({out['blas_libs']}), not OpenBLAS: install libopenblas0-pthread")
        elif a.serve:
            serve(make_peer(torch, a.variant, a.models))
            return
        elif a.bench_steps is not None:
            out = bench(torch, a.threads, a.bench_steps, a.warmup, make_peer(torch, a.variant, a.models))
        else:
            out = train_to_100(torch, a.threads, a.max_steps, a.eval_every)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
