"""Sentence embeddings from the bundled all-MiniLM-L6-v2 ONNX model (no torch, no downloads).

The model file is produced by models/export_minilm_onnx.py: BERT encoder, mean pooling over the
attention mask and L2 normalisation are all inside the graph, so `encode` only tokenizes, pads
and runs it.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from prepai_cli.errors import PrepAIError

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
DEFAULT_MODEL = MODELS_DIR / "minilm-l6-v2-int8.onnx"
DEFAULT_TOKENIZER = MODELS_DIR / "minilm-l6-v2-tokenizer.json"
DIMENSIONS = 384
# all-MiniLM-L6-v2 was trained on inputs of at most 256 word pieces; longer text is cut.
MAX_TOKENS = 256
PAD_ID = 0


class Embedder:
    """Encodes texts into L2-normalised 384-dimensional vectors; cosine similarity is a dot product."""

    def __init__(
        self,
        model_path: Path = DEFAULT_MODEL,
        tokenizer_path: Path = DEFAULT_TOKENIZER,
        *,
        threads: int = 1,
        batch_size: int = 32,
    ) -> None:
        started = time.perf_counter()
        for path, what in ((model_path, "embedding model"), (tokenizer_path, "embedding tokenizer")):
            if not path.is_file():
                raise PrepAIError(
                    f"{what} not found at {path}; reinstall prepai or re-create it with models/export_minilm_onnx.py"
                )
        try:
            tokenizer = Tokenizer.from_file(str(tokenizer_path))
        except Exception as exc:  # tokenizers raises a bare Exception on malformed JSON
            raise PrepAIError(f"cannot read embedding tokenizer {tokenizer_path}: {exc}") from exc
        # Padding is done per call (to the longest text in the batch), never to a fixed width.
        tokenizer.no_padding()
        tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer = tokenizer

        options = ort.SessionOptions()
        # One thread: speech recognition runs at the same time and needs the other core.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # Warnings go to stderr and would tear through the full-screen UI.
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types for corrupt files
            raise PrepAIError(f"cannot load embedding model {model_path}: {exc}") from exc
        self._batch_size = batch_size
        self.load_seconds = time.perf_counter() - started

    def encode(self, texts: list[str]) -> np.ndarray:
        """Returns a float32 array of shape (len(texts), 384) with unit-length rows."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        # Batching texts of similar length keeps padding (wasted compute) small.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), self._batch_size):
            rows = order[start : start + self._batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.full((len(rows), width), PAD_ID, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for row, index in enumerate(rows):
                token_ids = encodings[index].ids
                ids[row, : len(token_ids)] = token_ids
                mask[row, : len(token_ids)] = 1
            (vectors,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
            out[rows] = vectors
        return out
