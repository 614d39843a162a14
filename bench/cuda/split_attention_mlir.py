"""Writes a one-device attention split into key blocks by hand (`seq.attention_partial` merged
by `seq.lse_merge`), the shape a ring or all-gather-KV step gives each rank, so that the block
forward and backward can be run and checked on one GPU.

Queries are two halves. The first half meets keys in two blocks, one of them held out of token
order (chunks 3, 0: its keys are gathered into order, and their gradients scattered back); the
second half meets chunk 0 unmasked and chunks 1..3 through a bottom-right diagonal.

With --zigzag N instead: one `seq.attention_partial` over every token held in the order a
Ulysses rank holds them after its all-to-all over N ranks of a zigzag split (chunks 0, 2N-1,
1, 2N-2, ...), queries and keys alike: the attention each Ulysses rank runs.

--window W gives every block a causal sliding window of W tokens.

--docs adds segment ids (packed documents): the program takes positions (unused) and segment ids
after q, k and v (`seqc-run --segments`), and every block gets its rows' ids.

usage: python3 split_attention_mlir.py TOKENS [HEADS KV_HEADS HEAD_DIM] [--zigzag N] [--window W] [--docs] > out.mlir
"""
import math
import sys

args = sys.argv[1:]
ZIGZAG = WINDOW = 0
DOCS = "--docs" in args
if DOCS:
    args.remove("--docs")
if "--window" in args:
    i = args.index("--window")
    WINDOW = int(args[i + 1])
    del args[i:i + 2]
if "--zigzag" in args:
    i = args.index("--zigzag")
    ZIGZAG = int(args[i + 1])
    del args[i:i + 2]
S = int(args[0])
H, HK, D = (int(x) for x in args[1:4]) if len(args) >= 4 else (32, 8, 128)
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
    """K, V, their token indices (and segment ids) for a list of chunks, in that order."""
    srcs = [("%k", KD, "bf16"), ("%v", KD, "bf16"), ("%ti", None, "i32")] + ([("%seg", None, "i32")] if DOCS else [])
    parts = [tuple(slice_(x, c * C, C, S, cols, dt) for x, cols, dt in srcs) for c in chunks]
    if len(parts) == 1:
        return (*parts[0][:3], C, *parts[0][3:])
    cols = list(zip(*parts))
    return (*(concat(p, C, w, dt) for p, (_, w, dt) in zip(cols[:3], srcs)), C * len(parts), *(concat(p, C, None, "i32") for p in cols[3:]))


def partial(q, qi, rows, k, v, ki, cols, qs=None, ks=None):
    window = f", window = {WINDOW} : i64" if WINDOW else ""
    s = 1 if qs else 0
    attrs = f'{{causal = true, head_dim = {D} : i64, num_heads = {H} : i64, num_kv_heads = {HK} : i64, scale = {scale!r} : f64{window}, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, {s}, {s}>}}'
    segs = f", {t(rows, None, 'i32')}, {t(cols, None, 'i32')}" if qs else ""
    ty = f"({t(rows, HD)}, {t(cols, KD)}, {t(cols, KD)}, {t(rows, None, 'i32')}, {t(cols, None, 'i32')}{segs}) -> ({t(rows, HD, 'f32')}, {t(rows, H, 'f32')})"
    global n
    n += 1
    ops = ", ".join([q, k, v, qi, ki] + ([qs, ks] if qs else []))
    out.append(f'    %p{n}:2 = "seq.attention_partial"({ops}) {attrs} : {ty}')
    return f"%p{n}"


def merged(q, qi, rows, blocks, qs=None):
    def one(b):
        k, v, ki, cols, *ks = keys(b)
        return partial(q, qi, rows, k, v, ki, cols, qs, ks[0] if ks else None)
    ps = [one(b) for b in blocks]
    global n
    n += 1
    ty = f"({t(rows, HD, 'f32')}, {t(rows, H, 'f32')}, {t(rows, HD, 'f32')}, {t(rows, H, 'f32')}) -> ({t(rows, HD, 'f32')}, {t(rows, H, 'f32')})"
    out.append(f'    %m{n}:2 = "seq.lse_merge"({ps[0]}#0, {ps[0]}#1, {ps[1]}#0, {ps[1]}#1) : {ty}')
    return emit(f'"seq.convert"(%m{n}#0)', f"({t(rows, HD, 'f32')}) -> {t(rows, HD)}")


def zigzag(n):
    """The whole attention over tokens in a Ulysses rank's zigzag order (2n chunks)."""
    c = S // (2 * n)
    order = [x for r in range(n) for x in (r, 2 * n - 1 - r)]
    parts = lambda src, cols, dt: concat([slice_(src, i * c, c, S, cols, dt) for i in order], c, cols, dt)
    q, k, v, ti = parts("%q", HD, "bf16"), parts("%k", KD, "bf16"), parts("%v", KD, "bf16"), parts("%ti", None, "i32")
    seg = parts("%seg", None, "i32") if DOCS else None
    p = partial(q, ti, S, k, v, ti, S, seg, seg)
    o = emit(f'"seq.convert"({p}#0)', f"({t(S, HD, 'f32')}) -> {t(S, HD)}")
    # Back to token order, so that the result is the plain attention's.
    back = [order.index(i) for i in range(2 * n)]
    return concat([slice_(o, i * c, c, S, HD) for i in back], c, HD)


half = S // 2
out.append(f'    %ti = "seq.token_index"() {{axis = "ring", global_size = {S} : i64, layout = "block", num_shards = 1 : i64}} : () -> {t(S, None, "i32")}')
if ZIGZAG:
    assert S % (2 * ZIGZAG) == 0
    o = zigzag(ZIGZAG)
else:
    qa, qb = slice_("%q", 0, half, S, HD), slice_("%q", half, half, S, HD)
    ia, ib = slice_("%ti", 0, half, S, None, "i32"), slice_("%ti", half, half, S, None, "i32")
    sa, sb = (slice_("%seg", 0, half, S, None, "i32"), slice_("%seg", half, half, S, None, "i32")) if DOCS else (None, None)
    oa = merged(qa, ia, half, [[3, 0], [1, 2]], sa)
    ob = merged(qb, ib, half, [[0], [1, 2, 3]], sb)
    o = concat([oa, ob], half, HD)
how = f"in a Ulysses rank's zigzag order over {ZIGZAG} ranks" if ZIGZAG else "split into key blocks"
how += f", window {WINDOW}" if WINDOW else ""
how += ", packed documents (segment ids)" if DOCS else ""
print(f"// Attention of {H}/{HK} heads of {D} over {S} tokens, {how} by hand (bench/cuda/split_attention_mlir.py).")
print('module attributes {seq.devices = 1 : i64, seq.mesh = "ring=1"} {')
docs_args = f", %pos: {t(S, None, 'i32')}, %seg: {t(S, None, 'i32')}" if DOCS else ""
print(f"  func.func @forward(%q: {t(S, HD)}, %k: {t(S, KD)}, %v: {t(S, KD)}{docs_args}) -> {t(S, HD)} {{")
print("\n".join(out))
print(f"    return {o} : {t(S, HD)}")
print("  }")
print("}")
