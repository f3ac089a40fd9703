"""The embedding model's transformer run by ONNX Runtime on the CPU, for needs: the same vectors as torch, faster.

A server encodes one short text at a time (a need). For that PyTorch's eager forward pass spends much of its time
dispatching operators; ONNX Runtime runs the same graph more than twice as fast (one need on these 2 cores with one
thread: p50 5.9 ms instead of 13.5; ``benchmarks/results/encoder.md``). Batches of 64 long texts (building the
index) run at about the same speed either way (21.9 and 23.3 texts a second), so the embedder keeps torch for those.

The graph is exported from the loaded model by ``torch.onnx.export`` (its weights: nothing is downloaded) once per
model, into a folder (by default the data folder's ``models/``), under a name made from a fingerprint of the weights
and configuration. Each time it is loaded it is checked against torch on probe texts (short, several sentences,
longer than the model's token limit): a file whose vectors differ is refused. Only models of the usual
sentence-transformers shape are supported: a Hugging Face transformer, mean pooling, optionally normalisation.

Tokenisation uses a private copy of the model's fast tokenizer with its truncation set once, so concurrent
callers never change each other's settings (the shared Hugging Face wrapper does, on every call); an ONNX Runtime
session may run from several threads at once. Nothing here holds a lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from graph.errors import ConfigurationError
from graph.search.encoding import Forward

INPUTS = ("input_ids", "token_type_ids", "attention_mask")  # the order the exported graph takes them in
MIN_COSINE = 0.9999  # ONNX Runtime against torch on the probes; measured 0.99999994 for all-MiniLM-L6-v2
PROBES = (
    "x-ray diffraction of thin films",
    "We need cryo-electron microscopy. Our samples are membrane proteins; a mentor in structural biology helps too.",
    " ".join(["Long needs are cut at the model's token limit, as torch cuts them."] * 40),
)


class OnnxEncoder:
    """A sentence-transformers model's transformer and mean pooling, run by ONNX Runtime."""

    def __init__(self, session: Any, tokenizer: Any, inputs: Sequence[str], pad_id: int, normalise: bool) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self._inputs = tuple(inputs)
        self._pad_id = pad_id
        self._normalise = normalise

    @classmethod
    def prepare(cls, model: Any, folder: Path, threads: int | None = None) -> OnnxEncoder:
        """The encoder for ``model`` (a loaded ``SentenceTransformer``), exporting its graph into ``folder`` if no
        export for these weights is there yet. ``threads``: ONNX Runtime's threads per call (None: one per core).

        Raises ``ConfigurationError`` when the model is not of the supported shape or ONNX Runtime is missing.
        """
        try:
            import onnxruntime  # type: ignore[import-untyped]
            import tokenizers
        except ImportError as e:
            raise ConfigurationError(f"ONNX Runtime is not installed ({e}); pip install onnxruntime") from e
        transformer, normalise = _supported_parts(model)
        hf_tokenizer = transformer.tokenizer
        inputs = [name for name in INPUTS if name in hf_tokenizer.model_input_names]
        if "input_ids" not in inputs or "attention_mask" not in inputs:
            raise ConfigurationError(
                f"the model's tokenizer gives {hf_tokenizer.model_input_names}; need input_ids and attention_mask"
            )
        path = folder / f"{_fingerprint(transformer)}.onnx"
        if not path.exists():
            _export(transformer, inputs, path)
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.inter_op_num_threads = 1
        if threads is not None:
            options.intra_op_num_threads = threads
        try:
            session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as e:  # a truncated or foreign file: export again next time
            path.unlink(missing_ok=True)
            raise ConfigurationError(f"cannot load the exported model {path.name}: {e}; it was removed") from e
        tokenizer = tokenizers.Tokenizer.from_str(hf_tokenizer.backend_tokenizer.to_str())
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=int(transformer.max_seq_length))
        pad_id = hf_tokenizer.pad_token_id if hf_tokenizer.pad_token_id is not None else 0
        return cls(session, tokenizer, inputs, int(pad_id), normalise)

    def forward(self, texts: Sequence[str]) -> list[Forward]:
        """Each text's pooled vector (normalised), its tokens' embeddings and their character offsets."""
        encodings = [self._tokenizer.encode(t) for t in texts]
        width = max(len(e.ids) for e in encodings)
        feeds = {name: np.zeros((len(texts), width), dtype=np.int64) for name in self._inputs}
        feeds["input_ids"].fill(self._pad_id)
        for row, encoding in enumerate(encodings):
            n = len(encoding.ids)
            feeds["input_ids"][row, :n] = encoding.ids
            feeds["attention_mask"][row, :n] = encoding.attention_mask
            if "token_type_ids" in feeds:
                feeds["token_type_ids"][row, :n] = encoding.type_ids
        (hidden,) = self._session.run(["token_embeddings"], feeds)
        results = []
        for row, encoding in enumerate(encodings):
            mask = feeds["attention_mask"][row].astype(bool)
            tokens = np.asarray(hidden[row][: len(encoding.ids)], dtype=np.float32)
            vector = hidden[row][mask].mean(axis=0).astype(np.float32)
            if self._normalise:
                vector /= max(float(np.linalg.norm(vector)), 1e-12)
            results.append((vector, tokens, np.asarray(encoding.offsets, dtype=np.int64).reshape(-1, 2)))
        return results

    def check_against(self, reference: Callable[[Sequence[str]], list[Forward]]) -> float:
        """The lowest cosine between this encoder's and ``reference``'s vectors of the probe texts, alone and as one
        batch (padding included); raises ``ConfigurationError`` below ``MIN_COSINE`` or if the tokens differ."""
        lowest = 1.0
        for texts in [[p] for p in PROBES] + [list(PROBES)]:
            for (ours, our_tokens, our_offsets), (theirs, their_tokens, _) in zip(
                self.forward(texts), reference(texts), strict=True
            ):
                if len(our_tokens) != len(their_tokens) or len(our_offsets) != len(our_tokens):
                    raise ConfigurationError(
                        f"ONNX encoder tokenises differently from the model ({len(our_tokens)} "
                        f"tokens against {len(their_tokens)})"
                    )
                lowest = min(lowest, float(ours @ theirs / max(np.linalg.norm(ours) * np.linalg.norm(theirs), 1e-12)))
        if lowest < MIN_COSINE:
            raise ConfigurationError(
                f"ONNX encoder's vectors differ from the model's (cosine {lowest:.6f} < {MIN_COSINE})"
            )
        return lowest


def _supported_parts(model: Any) -> tuple[Any, bool]:
    """The model's transformer module, and whether its vectors are normalised; refuses other shapes."""
    modules = list(model)
    names = [type(m).__name__ for m in modules]
    pooling = modules[1].get_config_dict() if len(modules) > 1 and names[1] == "Pooling" else {}
    if (
        not modules
        or names[0] != "Transformer"
        or not hasattr(modules[0], "auto_model")
        or pooling.get("pooling_mode", "mean" if pooling.get("pooling_mode_mean_tokens") else None) != "mean"
        or names[2:] not in ([], ["Normalize"])
    ):
        raise ConfigurationError(
            f"ONNX encoding supports transformer + mean pooling (+ normalise); the model is {' + '.join(names)}"
        )
    return modules[0], names[2:] == ["Normalize"]


def _fingerprint(transformer: Any) -> str:
    """A name for the export of these weights and this configuration (and of the exporter's torch version)."""
    import torch

    digest = hashlib.blake2b(digest_size=12)
    digest.update(json.dumps([torch.__version__, transformer.max_seq_length]).encode())
    digest.update(transformer.auto_model.config.to_json_string().encode())
    for name, tensor in sorted(transformer.auto_model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def _export(transformer: Any, inputs: Sequence[str], path: Path) -> None:
    """Export ``transformer``'s model (token embeddings of any batch and length) to ``path``, atomically."""
    import torch

    auto_model = transformer.auto_model

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = auto_model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.model(**dict(zip(inputs, tensors, strict=True))).last_hidden_state  # type: ignore[no-any-return]

    example = transformer.tokenizer(["a need", "a need of a few more words"], padding=True, return_tensors="pt")
    batch = torch.export.Dim("batch", min=1, max=4096)
    sequence = torch.export.Dim("sequence", min=2, max=max(3, int(transformer.max_seq_length)))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".partial-{os.getpid()}")
    exporter_log = logging.getLogger("torch.onnx")
    level = exporter_log.level
    exporter_log.setLevel(logging.ERROR)  # it warns about optional operators (torchvision's) it skips
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):  # progress lines, deprecations
            warnings.simplefilter("ignore")
            program = torch.onnx.export(
                TokenEmbeddings().eval(),
                tuple(example[name] for name in inputs),
                input_names=list(inputs),
                output_names=["token_embeddings"],
                dynamic_shapes=(tuple({0: batch, 1: sequence} for _ in inputs),),
                dynamo=True,
            )
            if program is None:  # only when asked to write the file itself
                raise ConfigurationError("torch.onnx.export returned no program")
            program.save(str(partial))
        os.replace(partial, path)
    except Exception as e:
        raise ConfigurationError(f"cannot export the embedding model to ONNX: {type(e).__name__}: {e}") from e
    finally:
        exporter_log.setLevel(level)
        partial.unlink(missing_ok=True)


__all__ = ["OnnxEncoder"]
