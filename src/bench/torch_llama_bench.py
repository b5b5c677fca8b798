"""PyTorch CPU reference for `posttrain bench --shape`: the same Llama-family shape with random weights,
trained with AdamW on random tokens (mb x T, every position a target), and greedy KV-cached decoding.
Plain torch (no transformers): RMSNorm, rotate_half RoPE, grouped-query attention, SwiGLU.

  /usr/bin/python3 src/bench/torch_llama_bench.py --shape smollm2-135m --threads 2
Needs Debian's python3-torch and libopenblas0-pthread (without it torch runs on reference BLAS)."""
import argparse, json, math, resource, time
import torch
import torch.nn.functional as F

SHAPES = {  # vocab, d, layers, heads, kv heads, d_ff, rope theta, tied, qkv bias
    "smollm2-135m": (49152, 576, 30, 9, 3, 1536, 100000.0, True, False),
    "smollm2-360m": (49152, 960, 32, 15, 5, 2560, 100000.0, True, False),
    "qwen2.5-0.5b": (151936, 896, 24, 14, 2, 4864, 1000000.0, True, True),
}


class Block(torch.nn.Module):
    def __init__(s, d, h, kv, ff, bias):
        super().__init__()
        s.h, s.kv, s.hd = h, kv, d // h
        s.g1, s.g2 = torch.nn.Parameter(torch.ones(d)), torch.nn.Parameter(torch.ones(d))
        s.qkv = torch.nn.Linear(d, (h + 2 * kv) * s.hd, bias=bias)
        s.o = torch.nn.Linear(d, d, bias=False)
        s.gu = torch.nn.Linear(d, 2 * ff, bias=False)
        s.down = torch.nn.Linear(ff, d, bias=False)

    @staticmethod
    def rms(x, g):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * g

    def forward(s, x, cos, sin, cache=None):
        b, t, d = x.shape
        q, k, v = s.qkv(s.rms(x, s.g1)).split([s.h * s.hd, s.kv * s.hd, s.kv * s.hd], -1)
        q = q.view(b, t, s.h, s.hd).transpose(1, 2)
        k = k.view(b, t, s.kv, s.hd).transpose(1, 2)
        v = v.view(b, t, s.kv, s.hd).transpose(1, 2)
        rot = lambda z: torch.cat([-z[..., s.hd // 2:], z[..., :s.hd // 2]], -1)
        q, k = q * cos + rot(q) * sin, k * cos + rot(k) * sin
        if cache is not None:
            if "k" in cache:
                k, v = torch.cat([cache["k"], k], 2), torch.cat([cache["v"], v], 2)
            cache["k"], cache["v"] = k, v
        k = k.repeat_interleave(s.h // s.kv, 1)
        v = v.repeat_interleave(s.h // s.kv, 1)
        s_ = q @ k.transpose(-1, -2) / math.sqrt(s.hd)   # torch 1.13 (Debian) has no scaled_dot_product_attention
        if t > 1:
            s_ = s_ + torch.full((t, k.shape[2]), float("-inf")).triu(k.shape[2] - t + 1)
        att = s_.softmax(-1) @ v
        x = x + s.o(att.transpose(1, 2).reshape(b, t, d))
        gate, up = s.gu(s.rms(x, s.g2)).chunk(2, -1)
        return x + s.down(F.silu(gate) * up)


class Model(torch.nn.Module):
    def __init__(s, vocab, d, layers, h, kv, ff, theta, tied, bias):
        super().__init__()
        s.emb = torch.nn.Embedding(vocab, d)
        s.blocks = torch.nn.ModuleList(Block(d, h, kv, ff, bias) for _ in range(layers))
        s.gn = torch.nn.Parameter(torch.ones(d))
        s.head = torch.nn.Linear(d, vocab, bias=False)
        if tied:
            s.head.weight = s.emb.weight
        hd = d // h
        s.inv = 1.0 / theta ** (torch.arange(0, hd, 2).float() / hd)

    def rope(s, pos):
        f = torch.outer(pos.float(), s.inv)
        e = torch.cat([f, f], -1)
        return e.cos(), e.sin()

    def forward(s, ids, start=0, caches=None):
        cos, sin = s.rope(torch.arange(start, start + ids.shape[1]))
        x = s.emb(ids)
        for i, blk in enumerate(s.blocks):
            x = blk(x, cos, sin, None if caches is None else caches[i])
        return s.head(Block.rms(x, s.gn))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", default="smollm2-135m")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--minibatch", type=int, default=4)
    ap.add_argument("--seq-len", type=int, default=256)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--prompt-len", type=int, default=32)
    ap.add_argument("--new-tokens", type=int, default=64)
    ap.add_argument("--sample-batch", type=int, default=8)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    m = Model(*SHAPES[a.shape])
    opt = torch.optim.AdamW(m.parameters(), lr=1e-4)
    vocab = SHAPES[a.shape][0]
    ids = torch.randint(vocab, (a.minibatch, a.seq_len))
    tgt = torch.randint(vocab, (a.minibatch, a.seq_len))

    def step():
        opt.zero_grad()
        F.cross_entropy(m(ids).view(-1, vocab), tgt.view(-1)).backward()
        opt.step()

    step()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(a.steps):
        step()
    sec, cpu = time.perf_counter() - t0, time.process_time() - c0
    tokens = a.minibatch * a.seq_len * a.steps
    # per wall second, and per CPU second x threads (what the work costs on a shared machine, as bench reports)
    out = {"torch": torch.__version__, "threads": a.threads, "shape": a.shape,
           "params": sum(p.numel() for p in m.parameters()),
           "train.tokens_per_s": tokens / sec, "train.tokens_per_cpu_s_x_threads": tokens / cpu * a.threads,
           "train.step_s": sec / a.steps}

    @torch.no_grad()
    def sample(n):
        prompt = torch.randint(vocab, (n, a.prompt_len))
        caches = [dict() for _ in m.blocks]
        t0, c0 = time.perf_counter(), time.process_time()
        logits = m(prompt, 0, caches)
        pos = a.prompt_len
        for _ in range(a.new_tokens - 1):
            nxt = logits[:, -1].argmax(-1, keepdim=True)
            logits = m(nxt, pos, caches)
            pos += 1
        return n * a.new_tokens / (time.perf_counter() - t0), n * a.new_tokens / (time.process_time() - c0) * a.threads

    sample(1)
    out["sample.single_tokens_per_s"], out["sample.single_tokens_per_cpu_s_x_threads"] = sample(1)
    out["sample.batch_tokens_per_s"], out["sample.batch_tokens_per_cpu_s_x_threads"] = sample(a.sample_batch)
    out["memory.peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
