#!/usr/bin/python3
"""pizza-quadrature checkpoints in Python.

    import sys; sys.path.insert(0, "python")          # from the repository root
    import pizza_quadrature as pq
    config, params = pq.load("results/pizza-seed0/model.safetensors")
    logits = pq.forward(config, params)              # PyTorch, float64: [p*p, d_vocab_out], row a*p + b

`load` reads both layouts (SPEC section 2): the project's (TransformerLens names and shapes, the model config
as JSON in the safetensors metadata) and Zhong et al.'s (fixtures/zhong-pizza/), which it converts exactly as
src/io/checkpoint.ts does. It needs numpy only. `config` has the project's keys (p, d_model, n_heads, d_head,
d_mlp, n_ctx, d_vocab, d_vocab_out, attention_rate, attention_convention, act_fn, eq_token, diff_vocab);
`params` maps TransformerLens state-dict names (embed.W_E, blocks.0.attn.W_Q, blocks.0.mlp.W_in, ...) to
float32 arrays in TransformerLens shapes.

`forward` (needs PyTorch) runs the model as the project defines it: one layer, no LayerNorm, attention
pattern alpha*softmax + (1 - alpha)*C at the last position (C all ones for the 'sum' convention, 1/n_ctx for
'mean'). `to_hooked_transformer` builds a TransformerLens HookedTransformer, for those who have it.

Command line: python3 python/pizza_quadrature.py model.safetensors [--logits out.f64]
prints {"accuracy", "loss"} over all p^2 pairs as JSON; --logits also writes the logits (raw little-endian
float64, [p*p, d_vocab_out]).
"""
import argparse
import json
import struct
import sys

import numpy as np

NAMES = [
    "embed.W_E", "pos_embed.W_pos",
    "blocks.0.attn.W_Q", "blocks.0.attn.W_K", "blocks.0.attn.W_V", "blocks.0.attn.W_O",
    "blocks.0.attn.b_Q", "blocks.0.attn.b_K", "blocks.0.attn.b_V", "blocks.0.attn.b_O",
    "blocks.0.mlp.W_in", "blocks.0.mlp.b_in", "blocks.0.mlp.W_out", "blocks.0.mlp.b_out",
    "unembed.W_U", "unembed.b_U",
]


def read_safetensors(path):
    """(metadata dict, {name: float32 array}) of a safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, t in header.items():
        if t["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} is {t['dtype']}, expected F32")
        s, e = t["data_offsets"]
        tensors[name] = np.frombuffer(data[8 + n + s : 8 + n + e], dtype="<f4").reshape(t["shape"])
    return meta, tensors


def load(path):
    """(config, params) of a checkpoint in the project's layout or Zhong et al.'s."""
    meta, t = read_safetensors(path)
    if "config" not in meta:
        raise ValueError(f"{path}: no model config in the safetensors metadata (key 'config')")
    raw = json.loads(meta["config"])
    if "attn_coeff" not in raw:
        return raw, {name: t[name] for name in NAMES}
    return _zhong(raw, t, path)


def _zhong(raw, t, path):
    """Zhong et al.'s layout converted to the project's (src/io/checkpoint.ts, zhongConfig and zhongParams)."""
    if raw.get("n_layers", 1) != 1:
        raise ValueError(f"{path}: n_layers = {raw['n_layers']}; only one-layer models are supported")
    p, d_model, n_heads = raw["C"], raw["d_model"], raw["n_heads"]
    eq_token, diff_vocab = bool(raw.get("eqn_sign")), bool(raw.get("diff_vocab"))
    d_head, d_mlp = t["blocks.0.attn.W_Q"].shape[1], t["blocks.0.mlp.W_in"].shape[0]
    config = {
        "p": p, "d_model": d_model, "n_heads": n_heads, "d_head": d_head, "d_mlp": d_mlp,
        "n_ctx": 3 if eq_token else 2, "d_vocab": (2 * p if diff_vocab else p) + (1 if eq_token else 0),
        "d_vocab_out": t["unembed.W_U"].shape[1], "attention_rate": raw["attn_coeff"],
        "attention_convention": "sum", "act_fn": str(raw.get("act_fn", "ReLU")).lower(),
        "eq_token": eq_token, "diff_vocab": diff_vocab,
    }
    swap = lambda x: np.ascontiguousarray(np.swapaxes(x, -1, -2))
    zeros = lambda *shape: np.zeros(shape, dtype=np.float32)
    params = {
        "embed.W_E": swap(t["embed.W_E"]),
        "pos_embed.W_pos": t["pos_embed.W_pos"],
        "blocks.0.attn.W_Q": swap(t["blocks.0.attn.W_Q"]),
        "blocks.0.attn.W_K": swap(t["blocks.0.attn.W_K"]),
        "blocks.0.attn.W_V": swap(t["blocks.0.attn.W_V"]),
        # Theirs is [d_model, n_heads*d_head]; ours [n_heads, d_head, d_model] is its transpose.
        "blocks.0.attn.W_O": swap(t["blocks.0.attn.W_O"]).reshape(n_heads, d_head, d_model),
        "blocks.0.attn.b_Q": zeros(n_heads, d_head),
        "blocks.0.attn.b_K": zeros(n_heads, d_head),
        "blocks.0.attn.b_V": zeros(n_heads, d_head),
        "blocks.0.attn.b_O": zeros(d_model),
        "blocks.0.mlp.W_in": swap(t["blocks.0.mlp.W_in"]),
        "blocks.0.mlp.b_in": t["blocks.0.mlp.b_in"],
        "blocks.0.mlp.W_out": swap(t["blocks.0.mlp.W_out"]),
        "blocks.0.mlp.b_out": t["blocks.0.mlp.b_out"],
        "unembed.W_U": t["unembed.W_U"],
        "unembed.b_U": zeros(config["d_vocab_out"]),
    }
    return config, params


def all_pairs(config):
    """Tokens [p*p, n_ctx] of every pair (a, b), row a*p + b, and the answers (a + b) mod p."""
    p = config["p"]
    a, b = np.divmod(np.arange(p * p), p)
    cols = [a, b + p if config["diff_vocab"] else b]
    if config["eq_token"]:
        cols.append(np.full(p * p, config["d_vocab"] - 1))
    return np.stack(cols, axis=1), (a + b) % p


def forward(config, params, tokens=None):
    """Logits [batch, d_vocab_out] at the last position, in float64 PyTorch (all p^2 pairs by default)."""
    import torch

    w = {k: torch.from_numpy(np.asarray(v, dtype=np.float64)) for k, v in params.items()}
    tok = torch.from_numpy(all_pairs(config)[0] if tokens is None else np.asarray(tokens))
    x0 = w["embed.W_E"][tok] + w["pos_embed.W_pos"]  # [B, n_ctx, d_model]
    q = torch.einsum("bm,hme->bhe", x0[:, -1], w["blocks.0.attn.W_Q"]) + w["blocks.0.attn.b_Q"]
    k = torch.einsum("bjm,hme->bhje", x0, w["blocks.0.attn.W_K"]) + w["blocks.0.attn.b_K"][:, None]
    v = torch.einsum("bjm,hme->bhje", x0, w["blocks.0.attn.W_V"]) + w["blocks.0.attn.b_V"][:, None]
    scores = torch.einsum("bhe,bhje->bhj", q, k) / config["d_head"] ** 0.5
    alpha = config["attention_rate"]
    constant = 1.0 if config["attention_convention"] == "sum" else 1.0 / config["n_ctx"]
    pattern = alpha * torch.softmax(scores, dim=-1) + (1 - alpha) * constant
    z = torch.einsum("bhj,bhje->bhe", pattern, v)
    x1 = x0[:, -1] + torch.einsum("bhe,hem->bm", z, w["blocks.0.attn.W_O"]) + w["blocks.0.attn.b_O"]
    pre = x1 @ w["blocks.0.mlp.W_in"] + w["blocks.0.mlp.b_in"]
    post = torch.relu(pre) if config["act_fn"] == "relu" else torch.nn.functional.gelu(pre)
    x2 = x1 + post @ w["blocks.0.mlp.W_out"] + w["blocks.0.mlp.b_out"]
    return x2 @ w["unembed.W_U"] + w["unembed.b_U"]


def accuracy_and_loss(config, logits):
    """Accuracy (argmax over the first p logits) and mean cross-entropy over all p^2 pairs."""
    import torch

    labels = torch.from_numpy(all_pairs(config)[1])
    accuracy = (logits[:, : config["p"]].argmax(-1) == labels).double().mean().item()
    loss = torch.nn.functional.cross_entropy(logits, labels).item()
    return accuracy, loss


def to_hooked_transformer(config, params):
    """A TransformerLens HookedTransformer with these weights (needs transformer_lens; untested here).

    TransformerLens attends with a plain causal softmax, so for attention_rate alpha < 1 a permanent hook on
    blocks.0.attn.hook_pattern mixes in the constant pattern at the last position, as the project's model
    does; the logits to read are those at the last position, model(tokens)[:, -1]. Tokens: all_pairs(config)[0].
    """
    import torch
    from transformer_lens import HookedTransformer, HookedTransformerConfig

    cfg = HookedTransformerConfig(
        n_layers=1, d_model=config["d_model"], n_heads=config["n_heads"], d_head=config["d_head"],
        d_mlp=config["d_mlp"], n_ctx=config["n_ctx"], d_vocab=config["d_vocab"],
        d_vocab_out=config["d_vocab_out"], act_fn=config["act_fn"], normalization_type=None,
    )
    model = HookedTransformer(cfg)
    model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in params.items()}, strict=False)
    alpha = config["attention_rate"]
    if alpha != 1:
        constant = 1.0 if config["attention_convention"] == "sum" else 1.0 / config["n_ctx"]

        def mix(pattern, hook):
            pattern[:, :, -1, :] = alpha * pattern[:, :, -1, :] + (1 - alpha) * constant
            return pattern

        model.blocks[0].attn.hook_pattern.add_perma_hook(mix)
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 python/pizza_quadrature.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint", help="safetensors checkpoint (the project's layout or Zhong et al.'s)")
    parser.add_argument("--logits", metavar="FILE", help="also write the logits there (raw float64, [p*p, d_vocab_out])")
    args = parser.parse_args(argv)
    try:
        config, params = load(args.checkpoint)
    except (OSError, ValueError, KeyError) as e:
        print(f"error: {args.checkpoint}: {e}", file=sys.stderr)
        sys.exit(2)
    logits = forward(config, params)
    if args.logits:
        logits.numpy().astype("<f8").tofile(args.logits)
    accuracy, loss = accuracy_and_loss(config, logits)
    print(json.dumps({"accuracy": accuracy, "loss": loss}))


if __name__ == "__main__":
    main()
