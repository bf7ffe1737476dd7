"""Translation with a model on CTranslate2: sentences in, translations out.

The flow per call: the model family's preparation (translate_kit.families; IndicTrans2's is
translate_kit.indictrans) -> SentencePiece pieces in chunks that fit the model (translate_kit.spm)
-> the family's language tokens and `</s>` -> length-sorted token batches -> CTranslate2 beam
search (from the family's target prefix, if any) -> pieces joined -> the family's restoring
(placeholders or checked entities, detokenised). Every sentence comes back, in order, with its
score and the values (numbers, URLs, glossary terms) the model dropped.

The engine owns both ends of that flow: `prepare` (text -> what the model reads, also what the
translation memory keys on) and `translate_prepared` (-> final text), both through the model's
family, the pluggable text <-> tokens step. Documents and plain text go through
translate_kit.translate.

One length limit, the model's: IndicTrans2 has 256 source positions, which hold the two tags, the
pieces and the `</s>` the converted model appends, so a chunk has at most 253 pieces; the decoder
has 256 positions too. IndicTrans2's own engine cut sentences at 256 pieces but let CTranslate2
truncate at 160; here nothing is truncated: a longer sentence is cut into chunks at punctuation
or between words, translated, and rejoined.

Defaults, chosen by measurement (eval/bench_pipeline.py; results and commands in
eval/results/bench_pipeline.md; a dist-200M-shaped model, int8, 2-core CPU, newsdev2014.hi):
- beam 5 reproduces IndicTrans2; `FAST` (beam 1) is the speed preset, about 2.4x faster.
- threads: two workers of half the cores each (`thread_layout`): on many small batches, 1.4-1.8x
  the tokens/s of one two-thread worker at beam 5; two lose only on few large batches.
- batches of about a second of measured work (translate_kit.sizing), at most `max_batch_tokens=512`
  padded source tokens per worker (the memory ceiling: the decoder's caches, about 74 KB per
  position and beam in the dist-200M shape; 512 ran at 314 tokens/s, 960 MiB peak, at beam 5 with
  two workers on 520 sentences, 1.68x IndicTrans2's call at 0.22x its 4.3 GiB; 576-768 no faster).
- repetition guards: `no_repeat_ngram_size=4` (what Wikimedia's MinT runs IndicTrans2 with) and
  a decode length cap of 2 x source pieces + 10, so a looping sentence stops early instead of
  filling 256 positions.
"""

from __future__ import annotations

import math
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, partial
from itertools import accumulate
from typing import Any

import ctranslate2

from .errors import ModelError, TranslateKitError
from .families import Family, Prepared
from .languages import needs_translation
from .models import ModelDir, resolve_model
from .sizing import TARGET_SECONDS, CallSizer, Stopwatch

MAX_POSITIONS = 256
MAX_SOURCE_PIECES = MAX_POSITIONS - 3  # IndicTrans2: two language tags and </s> share the 256 positions
DEFAULT_BATCH_TOKENS = 512
LENGTH_BUCKET = 16


@dataclass(frozen=True)
class DecodeOptions:
    """How to decode. The defaults reproduce IndicTrans2's beam search with guards against loops.

    A chunk of n source pieces decodes at most `min(max_decoding_length, decode_ratio * n' +
    decode_margin)` tokens, n' being the pieces its padded length holds (the sequence's length rounded
    up to a multiple of LENGTH_BUCKET, less the family's other tokens); `decode_ratio=None`
    disables the relative cap. Benchmarks pin output lengths with `min_decoding_length ==
    max_decoding_length` and `decode_ratio=None`.

    `batch_invariant` decodes every sentence padded to its length bucket, so its translation never
    depends on the sentences batched with it (see `Translator.decode_stream`): a run on a cluster,
    in other windows or with other batch sizes then writes the same bytes as a local run. It costs
    about a fifth of the decoding speed at 512-token batches, less at larger ones
    (eval/results/batch_invariance.md), so it is asked for, not the default.
    """

    beam_size: int = 5
    max_batch_tokens: int = DEFAULT_BATCH_TOKENS
    no_repeat_ngram_size: int = 4
    repetition_penalty: float = 1.0
    length_penalty: float = 1.0
    decode_ratio: float | None = 2.0
    decode_margin: int = 10
    max_decoding_length: int = MAX_POSITIONS
    min_decoding_length: int = 0
    batch_invariant: bool = False
    call_seconds: float | None = TARGET_SECONDS  # seconds per batch (sizing); None: max_batch_tokens

    def __post_init__(self) -> None:
        if self.beam_size < 1:
            raise ValueError("beam_size must be at least 1")
        if self.max_batch_tokens < 1:
            raise ValueError("max_batch_tokens must be positive")
        if not 1 <= self.max_decoding_length <= MAX_POSITIONS:
            raise ValueError(f"max_decoding_length must be between 1 and {MAX_POSITIONS}")
        if not 0 <= self.min_decoding_length <= self.max_decoding_length:
            raise ValueError("min_decoding_length must be between 0 and max_decoding_length")
        if self.decode_ratio is not None and self.decode_ratio <= 0:
            raise ValueError("decode_ratio must be positive (or None)")

    def decode_cap(self, longest_source: int) -> int:
        """The most tokens to generate for a chunk of `longest_source` source pieces."""
        if self.decode_ratio is None:
            return self.max_decoding_length
        relative = math.ceil(self.decode_ratio * longest_source) + self.decode_margin
        return max(self.min_decoding_length, min(self.max_decoding_length, relative))


FAST = DecodeOptions(beam_size=1)


@dataclass(frozen=True)
class Translation:
    """One sentence's translation. `score` is the mean log-probability per output token (0.0 when
    nothing was decoded); `dropped` lists the placeholder values (numbers, URLs...) the model lost."""

    source: str
    text: str
    score: float
    dropped: tuple[str, ...] = ()


def thread_layout(threads: int | None = None) -> tuple[int, int]:
    """(inter_threads, intra_threads) for `threads` cores (default: all available).

    Two workers of half the cores each, measured faster than one worker on all cores when the
    input is cut into many batches (see the module docstring); one worker on a single core.
    """
    threads = threads or available_cores()
    inter = 2 if threads >= 2 else 1
    return inter, threads // inter


def available_cores() -> int:
    """CPU cores this process may run on (the affinity mask, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _supported_types(device: str) -> str:
    """The compute types `device` offers, as a hint after an error (empty for an unknown device)."""
    try:
        types = sorted(ctranslate2.get_supported_compute_types(device))
    except (ValueError, RuntimeError):
        return ""
    return f" (supported on {device}: {', '.join(types)})"


class Translator:
    """A model loaded into CTranslate2, with its family (how text becomes its tokens and back).

    `Translator.load("indictrans2-indic-en-dist-200M")` or `Translator.load("/path/to/model")`;
    then `translate(sentences)`; documents and plain text go through translate_kit.translate.
    """

    def __init__(
        self,
        model: ModelDir,
        *,
        device: str = "cpu",
        compute_type: str = "int8",
        threads: int | None = None,
        inter_threads: int | None = None,
        intra_threads: int | None = None,
    ):
        self.model = model  # the validated model folder
        self.device = device
        self.compute_type = compute_type
        self.inter_threads = inter_threads or thread_layout(threads)[0]
        self.intra_threads = intra_threads or max(1, (threads or available_cores()) // self.inter_threads)
        try:
            self.ct2 = ctranslate2.Translator(
                str(model.path), device=device, compute_type=compute_type,
                inter_threads=self.inter_threads, intra_threads=self.intra_threads,
            )
        except ValueError as exc:  # unknown device or compute type
            raise TranslateKitError(
                f"cannot run {model.path} on {device} as {compute_type}: {exc}{_supported_types(device)}"
            ) from None
        except RuntimeError as exc:  # unreadable or corrupt model.bin
            raise ModelError(f"cannot load model {model.path}: {exc}") from None
        self.family: Family = model.load_family()
        self._sizers: dict[DecodeOptions, CallSizer] = {}

    def sizer(self, options: DecodeOptions) -> CallSizer:
        """The call sizer of one decoding setup (what changes the work per token), kept across calls."""
        setup = replace(options, max_batch_tokens=DEFAULT_BATCH_TOKENS)  # the ceiling is not the rate
        return self._sizers.setdefault(setup, CallSizer(self.inter_threads, options.call_seconds))

    @classmethod
    def load(
        cls,
        name_or_path: str | os.PathLike[str] | None = None,
        *,
        src: str | None = None,
        tgt: str | None = None,
        device: str = "cpu",
        compute_type: str = "int8",
        threads: int | None = None,
        inter_threads: int | None = None,
        intra_threads: int | None = None,
        download: bool = True,
    ) -> Translator:
        """Resolve a model (folder, registry name, $TRANSLATE_KIT_MODEL or the default for src->tgt)
        through translate_kit.models and load it."""
        model = resolve_model(name_or_path, src, tgt, download=download)
        return cls(model, device=device, compute_type=compute_type, threads=threads,
                   inter_threads=inter_threads, intra_threads=intra_threads)

    @property
    def src(self) -> str:
        return self.model.src

    @property
    def tgt(self) -> str:
        return self.model.tgt

    @cached_property
    def fingerprint(self) -> str:
        return self.model.fingerprint()

    @property
    def codec(self):
        """The family's SentencePiece models."""
        return self.family.codec

    def prepare(self, sentences: Iterable[str], glossary: Mapping[str, str] | None = None) -> list[Prepared]:
        """The family's preparation of each sentence for this model's direction."""
        return [self.family.prepare(sentence, self.src, self.tgt, glossary) for sentence in sentences]

    def translate(
        self,
        sentences: Sequence[str],
        options: DecodeOptions | None = None,
        glossary: Mapping[str, str] | None = None,
        *,
        passthrough: bool = True,
    ) -> list[Translation]:
        """Translate sentences, one Translation each, in order.

        With `passthrough`, a sentence that `needs_translation` rejects (no letters, or already in
        the target language) is returned unchanged with score 0.0.
        """
        todo = [i for i, sentence in enumerate(sentences)
                if not passthrough or needs_translation(sentence, self.src, self.tgt)]
        done = self.translate_prepared(self.prepare([sentences[i] for i in todo], glossary), options)
        results = [Translation(source=s, text=s, score=0.0) for s in sentences]
        for index, translation in zip(todo, done, strict=True):
            results[index] = replace(translation, source=sentences[index])
        return results

    def translate_prepared(
        self, prepared: Sequence[Prepared], options: DecodeOptions | None = None
    ) -> list[Translation]:
        """Translate already prepared sentences (`source` of each result is the prepared text)."""
        results: list[Translation | None] = [None] * len(prepared)
        for done in self.translate_stream(prepared, options):
            for index, translation in done:
                results[index] = translation
        return results  # type: ignore[return-value]  # every index is yielded once

    def translate_stream(
        self, prepared: Sequence[Prepared], options: DecodeOptions | None = None
    ) -> Iterator[list[tuple[int, Translation]]]:
        """Translate prepared sentences, yielding `(index, translation)` pairs batch by batch, as
        soon as every chunk of a sentence is decoded, so callers can store and report finished work
        while the workers go on with the next batches. Each index is yielded exactly once."""
        options = options or DecodeOptions()
        chunks = [self.family.encode(item, MAX_POSITIONS) for item in prepared]
        owner = [i for i, parts in enumerate(chunks) for _ in parts]
        sources = [chunk for parts in chunks for chunk in parts]
        prefixes = [self.family.target_prefix(prepared[i]) for i in owner]
        decoded: dict[int, list[tuple[list[str], float] | None]] = {}
        first = list(accumulate((len(parts) for parts in chunks), initial=0))  # each one's first chunk
        for item in (i for i, parts in enumerate(chunks) if not parts):
            yield [(item, self._finish(prepared[item], []))]
        for batch in self.decode_stream(sources, options, prefixes):
            done = []
            for position, output in batch:
                item = owner[position]
                parts = decoded.setdefault(item, [None] * len(chunks[item]))
                parts[position - first[item]] = output
                if all(part is not None for part in parts):
                    done.append((item, self._finish(prepared[item], decoded.pop(item))))
            if done:
                yield done

    def decode_cost(self, item: Prepared, invariant: bool) -> tuple[int, int]:
        """(group, tokens) of a prepared sentence, for a batcher that packs sentences of many
        callers: each chunk costs its length rounded up to its length bucket. Decoded
        batch-invariantly, it is padded to its bucket and shares token batches only with its bucket
        (the longest of its chunks' buckets is its group); otherwise any sentences share them (group 0)."""
        appended = int(self.family.model_appends_eos)
        lengths = [len(chunk) + appended for chunk in self.family.encode(item, MAX_POSITIONS)]
        padded = [length_bucket(length) for length in lengths] or [LENGTH_BUCKET]
        return (max(padded) if invariant else 0), sum(padded)

    def _finish(self, item: Prepared, decoded: list[tuple[list[str], float]]) -> Translation:
        restored = self.family.finish([pieces for pieces, _ in decoded], item)
        return Translation(item.text, restored.text, _mean_score(decoded), restored.dropped)

    def decode(
        self,
        sources: Sequence[Sequence[str]],
        options: DecodeOptions,
        prefixes: Sequence[Sequence[str] | None] | None = None,
    ) -> list[tuple[list[str], float]]:
        """Beam search over token sequences (tags included): (output pieces, score) for each, in order.
        See `decode_stream`."""
        outputs: list[tuple[list[str], float]] = [([], 0.0)] * len(sources)
        for batch in self.decode_stream(sources, options, prefixes):
            for index, output in batch:
                outputs[index] = output
        return outputs

    def decode_stream(
        self,
        sources: Sequence[Sequence[str]],
        options: DecodeOptions,
        prefixes: Sequence[Sequence[str] | None] | None = None,
    ) -> Iterator[list[tuple[int, tuple[list[str], float]]]]:
        """Beam search over token sequences (tags included), yielding each batch's `(index, (output
        pieces, score))` pairs as the batch is decoded.

        `prefixes` gives each sequence's forced target start (NLLB's language token), or None; it is
        not part of the returned pieces, and the length limits count the tokens after it, so a
        pinned length means the same number of decoded tokens in every family.

        Each sequence decodes at most its own cap, `options.decode_cap` of the pieces its length
        bucket holds, so a translation never depends on the length of the sentences beside it. A
        batch runs to the cap of its longest member; a shorter member still decoding near its own cap
        (a loop, or a pinned length) is decoded again alone at its own cap (`_redecode`), which gives
        what a batch of its own would: beam search stops a sentence when its best beam ends, at the
        same step whatever the batch's cap, unless that step is the cap's last (mixing lengths keeps
        batches full).

        CTranslate2 pads a batch to its longest sequence, and the padded length changes the rounding
        of attention sums, so a sentence can still translate differently beside other sentences (7
        scores and 3 outputs of 200 sentences on a dist-200M-shaped model,
        eval/results/batch_invariance.md). With `options.batch_invariant`, batches hold one length
        bucket and every sequence is decoded padded to its bucket's full length: a filler row of
        that length (its output discarded) joins a batch whose longest member is shorter, and a
        sentence's translation and score depend on the sentence alone.

        Sequences are sorted longest first and cut into batches of about a second of work (`sizer`),
        at most `options.max_batch_tokens` padded tokens; up to two per worker are in flight.
        """
        order = sorted(range(len(sources)), key=lambda i: len(sources[i]), reverse=True)
        prefixes = prefixes if prefixes is not None and any(prefixes) else None
        parallel = self.inter_threads > 1  # one worker is fastest with plain calls
        pending: deque[tuple[list[int], int, Any]] = deque()
        appended = int(self.family.model_appends_eos)
        lengths = [len(source) + appended for source in sources]  # as CTranslate2 sees them
        caps = [options.decode_cap(length_bucket(length) - self.family.overhead) for length in lengths]
        job = _Job(sources, prefixes, lengths, caps, options)
        watch = Stopwatch(sizer := self.sizer(options))
        for batch in _token_batches(order, lengths, options, partial(sizer.budget, options.max_batch_tokens)):
            pending.append(self._submit(job, batch, parallel))
            while pending and (len(pending) >= 2 * self.inter_threads or not parallel):
                yield self._timed(job, pending.popleft(), parallel, watch)
        while pending:
            yield self._timed(job, pending.popleft(), parallel, watch)

    def _timed(self, job: _Job, submitted: tuple[list[int], int, Any], parallel: bool,
               watch: Stopwatch) -> list[tuple[int, tuple[list[str], float]]]:
        """Collect a submitted batch, telling the sizer the padded tokens it held."""
        done = _collect(*submitted, parallel)
        watch.collected(len(done) * max(job.lengths[done[0][0]], job.options.min_decoding_length))
        return self._redecode(job, done)

    def _submit(self, job: _Job, batch: list[int], parallel: bool) -> tuple[list[int], int, Any]:
        """Start one batch at the cap of its longest member (batch-invariant: padded to its bucket by
        a filler row if needed): (batch, forced, results)."""
        options, sources = job.options, job.sources
        longest = list(sources[batch[0]])
        bucket = length_bucket(job.lengths[batch[0]])
        rows = [list(sources[i]) for i in batch]
        if options.batch_invariant and job.lengths[batch[0]] < bucket:
            rows.append(longest + longest[-1:] * (bucket - job.lengths[batch[0]]))
        starts = None
        if job.prefixes:
            starts = [list(job.prefixes[i] or ()) for i in batch]
            starts += starts[:1] * (len(rows) - len(batch))
        forced = len(job.prefixes[batch[0]] or ()) if job.prefixes else 0
        cap = max(job.caps[i] for i in batch)
        minimum = min(options.min_decoding_length, cap)
        results = self.ct2.translate_batch(
            rows,
            target_prefix=starts,
            asynchronous=parallel,
            beam_size=options.beam_size,
            num_hypotheses=1,
            length_penalty=options.length_penalty,
            repetition_penalty=options.repetition_penalty,
            no_repeat_ngram_size=options.no_repeat_ngram_size,
            max_decoding_length=cap + forced,
            min_decoding_length=minimum + forced if minimum else 0,
            max_input_length=0,  # chunks already fit; never let CTranslate2 truncate
            return_scores=True,
        )
        return batch, forced, results

    def _redecode(
        self, job: _Job, done: list[tuple[int, tuple[list[str], float]]]
    ) -> list[tuple[int, tuple[list[str], float]]]:
        """A collected batch, its members that ran to within a token of their own cap below the
        batch's decoded again at their own cap, in batches of one cap (see `decode_stream`)."""
        cap = max(job.caps[index] for index, _ in done)
        overran = [
            index
            for index, (pieces, _) in done
            if job.caps[index] < cap and len(pieces) >= job.caps[index] - 1
        ]
        again: dict[int, tuple[list[str], float]] = {}
        for own in sorted({job.caps[index] for index in overran}):
            group = [index for index in overran if job.caps[index] == own]  # longest first, as batched
            ceiling = partial(int, job.options.max_batch_tokens)  # a fixed budget: one cap's few rows
            for batch in _token_batches(group, job.lengths, job.options, ceiling):
                again.update(_collect(*self._submit(job, batch, parallel=False), parallel=False))
        return [(index, again.get(index, output)) for index, output in done]


@dataclass(frozen=True)
class _Job:
    """One `decode_stream` call's inputs: sequences, forced starts, lengths as CTranslate2 sees
    them (with its `</s>`), own decode caps, options."""

    sources: Sequence[Sequence[str]]
    prefixes: Sequence[Sequence[str] | None] | None
    lengths: list[int]
    caps: list[int]
    options: DecodeOptions


def _collect(
    batch: list[int], forced: int, results: Any, parallel: bool
) -> list[tuple[int, tuple[list[str], float]]]:
    """A submitted batch's (index, (pieces after the forced prefix, score)) pairs, filler dropped."""
    done = []
    for index, result in zip(batch, results, strict=False):  # the filler row comes last
        while parallel and not result.done():  # polled: a Ctrl-C is handled at once, not after the call
            time.sleep(0.01)
        result = result.result() if parallel else result
        done.append((index, (result.hypotheses[0][forced:], result.scores[0])))
    return done


def length_bucket(length: int) -> int:
    """`length` rounded up to a multiple of LENGTH_BUCKET: the length a sequence's decode cap follows
    (and, batch-invariant, the length it is padded to).

    A sentence's decode cap depends on its own length only, never on the batch it lands in, or its
    translation would change with the text around it. Rounding to 16 gives few distinct caps, so the
    sentences decoded again at their own cap share batches, and batch-invariant batches (one bucket
    each) do not fragment into one batch per exact length.
    """
    return -(-length // LENGTH_BUCKET) * LENGTH_BUCKET


def _token_batches(
    order: Sequence[int], lengths: Sequence[int], options: DecodeOptions, budget: Callable[[], int]
) -> Iterable[list[int]]:
    """Consecutive runs of `order` (longest first) of at most `budget()` padded tokens, asked anew
    for each batch as the generator is drawn (the sizer learns between batches): rows x the
    longest; batch-invariant, within one length bucket, rows x the bucket, a filler row counted
    when the longest member is shorter than its bucket. A sequence over the budget gets a batch.

    A row never counts less than `options.min_decoding_length`: its memory is its positions in the
    decoder's caches (beams x (source + output positions) x layers), and a forced output length
    holds at least that many whatever the source's length. Without a minimum, output lengths
    follow source lengths and the source tokens measure a batch's memory alone.
    """
    batch: list[int] = []
    bucket = width = filler = 0
    limit = budget()
    for index in order:
        length = lengths[index]
        other_bucket = options.batch_invariant and length_bucket(length) != bucket
        if batch and (other_bucket or (len(batch) + 1 + filler) * width > limit):
            yield batch
            batch = []
            limit = budget()
        if not batch:
            bucket = length_bucket(length)
            width = max(bucket if options.batch_invariant else length, options.min_decoding_length)
            filler = int(options.batch_invariant and length < bucket)
        batch.append(index)
    if batch:
        yield batch


def _mean_score(decoded: Sequence[tuple[list[str], float]]) -> float:
    """Token-weighted mean of the chunks' per-token scores (0.0 when nothing was decoded)."""
    total = sum(len(pieces) for pieces, _ in decoded)
    if not total:
        return 0.0
    return sum(score * len(pieces) for pieces, score in decoded) / total
