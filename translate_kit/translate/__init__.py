"""Document translation: documents -> sentences -> translation memory -> engine -> documents.

- `plan`: a document's blocks cut into sentences, the language decision asked once per sentence,
  each sentence prepared by the engine and keyed for the memory;
- `documents`: `DocumentTranslator`, which batches sentences across documents, answers what the
  memory knows, sends the rest to the engine and rebuilds each document;
- `jobs`: files in, files out: collecting inputs, the manifest of finished outputs, resuming;
- `views`: a translated document block by block with its sentence pairs, as doors show it.
"""

from .documents import (
    DEFAULT_WINDOW,
    ON_DROPPED,
    ON_FLAG,
    DocumentTranslator,
    DroppedPlaceholderError,
    DroppedPlaceholders,
    FlaggedSentence,
    FlaggedTranslationError,
    RunStats,
    SentenceEngine,
    SentenceResult,
    TranslatedDocument,
    bilingual_jsonl,
)
from .jobs import MANIFEST_NAME, Job, JobSettings, LoadedJob, Manifest, collect_jobs, load_jobs, run_jobs
from .plan import HARD_NEWLINE_FORMATS, DocumentPlan, Sentence, Unit, plan_document
from .views import BlockPair, SentencePair, block_pairs

__all__ = [
    "BlockPair", "DEFAULT_WINDOW", "HARD_NEWLINE_FORMATS", "MANIFEST_NAME", "ON_DROPPED", "ON_FLAG",
    "DocumentPlan", "DocumentTranslator", "DroppedPlaceholderError", "DroppedPlaceholders",
    "FlaggedSentence", "FlaggedTranslationError", "Job", "JobSettings", "LoadedJob", "Manifest",
    "RunStats", "Sentence", "SentenceEngine", "SentencePair", "SentenceResult", "TranslatedDocument",
    "Unit", "bilingual_jsonl", "block_pairs", "collect_jobs", "load_jobs", "plan_document", "run_jobs",
]
