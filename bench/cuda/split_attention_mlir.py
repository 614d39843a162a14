"""Writes a one-device attention split into key blocks by hand (`seq.attention_partial` merged
by `seq.lse_merge`), the shape a ring or all-gather-KV step gives each rank, so that the block
forward and backward can be run and checked on one GPU.

Queries are two halves. The first half meets keys in two blocks, one of them held out of token
order (chunks 3, 0: its keys are gathered into order, and their gradients scattered back); the
second half meets chunk 0 unmasked and chunks 1..3 through a bottom-right diagonal.

usage: python3 split_attention_mlir.py TOKENS [HEADS KV_HEADS HEAD_DIM] > out.mlir
"""
import math
import sys

S = int(sys.argv[1])
H, HK, D = (int(x) for x in sys.argv[2:5]) if len(sys.argv) >= 5 else (32, 8, 128)
assert S % 4 == 0
C, HD, KD = S // 4, H * D, HK * D
scale = 1.0 / math.sqrt(D)
out = []
n = 0


def emit(rhs, ty):
    global n
    n += 1
    out.append(f"    %x{n} = {rhs} : {ty}")
    return f"%x{n}"


def t(rows, cols=None, dt="bf16"):
    return f"tensor<{rows}x{cols}x{dt}>" if cols else f"tensor<{rows}x{dt}>"


def slice_(x, start, size, rows, cols=None, dt="bf16"):
    return emit(f'"seq.slice"({x}) {{dim = 0 : i64, start = {start} : i64, size = {size} : i64}}', f"({t(rows, cols, dt)}) -> {t(size, cols, dt)}")


def concat(parts, rows, cols=None, dt="bf16"):
    """One concatenation of equal parts (the dialect's variadic operands share one type)."""
    ins = ", ".join(t(rows, cols, dt) for _ in parts)
    return emit(f'"seq.concat"({", ".join(parts)}) {{dim = 0 : i64}}', f"({ins}) -> {t(rows * len(parts), cols, dt)}")


def keys(chunks):
    """K, V and their token indices for a list of chunks, in that order."""
    parts = [(slice_("%k", c * C, C, S, KD), slice_("%v", c * C, C, S, KD), slice_("%ti", c * C, C, S, None, "i32")) for c in chunks]
    if len(parts) == 1:
        return (*parts[0], C)
    k, v, i = zip(*parts)
    return concat(k, C, KD), concat(v, C, KD), concat(i, C, None, "i32"), C * len(parts)


def partial(q, qi, rows, k, v, ki, cols):
    attrs = f'{{causal = true, head_dim = {D} : i64, num_heads = {H} : i64, num_kv_heads = {HK} : i64, scale = {scale!r} : f64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0>}}'
    ty = f"({t(rows, HD)}, {t(cols, KD)}, {t(cols, KD)}, {t(rows, None, 'i32')}, {t(cols, None, 'i32')}) -> ({t(rows, HD, 'f32')}, {t(rows, H, 'f32')})"
    global n
    n += 1
    out.append(f'    %p{n}:2 = "seq.attention_partial"({q}, {k}, {v}, {qi}, {ki}) {attrs} : {ty}')
    return f"%p{n}"


def merged(q, qi, rows, blocks):
    ps = [partial(q, qi, rows, *keys(b)) for b in blocks]
    global n
    n += 1
    ty = f"({t(rows, HD, 'f32')}, {t(rows, H, 'f32')}, {t(rows, HD, 'f32')}, {t(rows, H, 'f32')}) -> ({t(rows, HD, 'f32')}, {t(rows, H, 'f32')})"
    out.append(f'    %m{n}:2 = "seq.lse_merge"({ps[0]}#0, {ps[0]}#1, {ps[1]}#0, {ps[1]}#1) : {ty}')
    return emit(f'"seq.convert"(%m{n}#0)', f"({t(rows, HD, 'f32')}) -> {t(rows, HD)}")


half = S // 2
out.append(f'    %ti = "seq.token_index"() {{axis = "ring", global_size = {S} : i64, layout = "block", num_shards = 1 : i64}} : () -> {t(S, None, "i32")}')
qa, qb = slice_("%q", 0, half, S, HD), slice_("%q", half, half, S, HD)
ia, ib = slice_("%ti", 0, half, S, None, "i32"), slice_("%ti", half, half, S, None, "i32")
oa = merged(qa, ia, half, [[3, 0], [1, 2]])
ob = merged(qb, ib, half, [[0], [1, 2, 3]])
o = concat([oa, ob], half, HD)
print(f"// Attention of {H}/{HK} heads of {D} over {S} tokens, split into key blocks by hand (bench/cuda/split_attention_mlir.py).")
print('module attributes {seq.devices = 1 : i64, seq.mesh = "ring=1"} {')
print(f"  func.func @forward(%q: {t(S, HD)}, %k: {t(S, KD)}, %v: {t(S, KD)}) -> {t(S, HD)} {{")
print("\n".join(out))
print(f"    return {o} : {t(S, HD)}")
print("  }")
print("}")
