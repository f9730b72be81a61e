"""Load a project checkpoint with nothing but the safetensors format and numpy, run the model on all p^2
pairs and print its accuracy and mean loss as JSON. Shows that checkpoints are usable from Python
(TransformerLens names and shapes; the config is JSON in the safetensors metadata, SPEC section 2).

usage: python3 scripts/load_checkpoint.py model.safetensors
"""
import json
import struct
import sys

import numpy as np


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, t in header.items():
        assert t["dtype"] == "F32", (name, t["dtype"])
        s, e = t["data_offsets"]
        tensors[name] = np.frombuffer(data[8 + n + s : 8 + n + e], dtype="<f4").reshape(t["shape"]).astype(np.float64)
    return json.loads(meta["config"]), tensors


def forward(cfg, w):
    p, n = cfg["p"], cfg["n_ctx"]
    a, b = np.divmod(np.arange(p * p), p)
    cols = [a, b + p if cfg["diff_vocab"] else b]
    if cfg["eq_token"]:
        cols.append(np.full(p * p, cfg["d_vocab"] - 1))
    tokens = np.stack(cols, axis=1)
    x0 = w["embed.W_E"][tokens] + w["pos_embed.W_pos"][None]  # [B, n, d_model]
    q = np.einsum("bm,hme->bhe", x0[:, -1], w["blocks.0.attn.W_Q"]) + w["blocks.0.attn.b_Q"]
    k = np.einsum("bjm,hme->bhje", x0, w["blocks.0.attn.W_K"]) + w["blocks.0.attn.b_K"][:, None]
    v = np.einsum("bjm,hme->bhje", x0, w["blocks.0.attn.W_V"]) + w["blocks.0.attn.b_V"][:, None]
    scores = np.einsum("bhe,bhje->bhj", q, k) / np.sqrt(cfg["d_head"])
    sm = np.exp(scores - scores.max(-1, keepdims=True))
    sm /= sm.sum(-1, keepdims=True)
    const = 1.0 if cfg["attention_convention"] == "sum" else 1.0 / n
    alpha = cfg["attention_rate"]
    pattern = alpha * sm + (1 - alpha) * const
    z = np.einsum("bhj,bhje->bhe", pattern, v)
    x1 = x0[:, -1] + np.einsum("bhe,hem->bm", z, w["blocks.0.attn.W_O"]) + w["blocks.0.attn.b_O"]
    pre = x1 @ w["blocks.0.mlp.W_in"] + w["blocks.0.mlp.b_in"]
    if cfg["act_fn"] == "relu":
        post = np.maximum(pre, 0)
    else:
        from math import erf

        post = 0.5 * pre * (1 + np.vectorize(erf)(pre / np.sqrt(2)))
    x2 = x1 + post @ w["blocks.0.mlp.W_out"] + w["blocks.0.mlp.b_out"]
    logits = x2 @ w["unembed.W_U"] + w["unembed.b_U"]
    labels = (a + b) % p
    shifted = logits - logits.max(-1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
    loss = -logp[np.arange(p * p), labels].mean()
    accuracy = (logits[:, :p].argmax(-1) == labels).mean()
    return float(accuracy), float(loss)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    cfg, w = load(sys.argv[1])
    accuracy, loss = forward(cfg, w)
    print(json.dumps({"accuracy": accuracy, "loss": loss}))
