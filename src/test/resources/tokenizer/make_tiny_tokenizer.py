"""Writes tiny-bpe.json: a hand-made byte-level BPE tokenizer for tests (no download).

Vocabulary: the 256 byte symbols (GPT-2 style byte->printable-char map), then one token per merge below.
Added tokens: an unrelated "<|endoftext|>" plus three of the project's special tokens, so tests cover both
"special token found in the file" and "special token appended after the vocabulary".
Run: python3 make_tiny_tokenizer.py > tiny-bpe.json
"""
import json

def byte_symbols():
    # Printable bytes map to themselves; the others to code points from 256 up, in byte order.
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table

SYM = byte_symbols()
WORDS = ["the", " the", " and", " to", " of", "ing", " is", "def", " return", " answer", " print",
         "    ", "\n", " =", " +", "12", "00"]

vocab, merges = {}, []
for b in range(256):
    vocab[SYM[b]] = b
for word in WORDS:
    symbols = [SYM[b] for b in word.encode("utf-8")]
    left = symbols[0]
    for right in symbols[1:]:
        merged = left + right
        if merged not in vocab:
            merges.append(left + " " + right)
            vocab[merged] = len(vocab)
        left = merged

added = ["<|endoftext|>", "<think>", "</think>", "<|end|>"]
added_tokens = [{"id": len(vocab) + i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                 "normalized": False, "special": True} for i, t in enumerate(added)]
byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True}
print(json.dumps({
    "version": "1.0", "truncation": None, "padding": None, "added_tokens": added_tokens,
    "normalizer": None, "pre_tokenizer": byte_level, "post_processor": None, "decoder": byte_level,
    "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
              "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
              "vocab": vocab, "merges": merges},
}, ensure_ascii=False, indent=1))
