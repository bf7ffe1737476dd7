"""IndicTrans2 models converted to CTranslate2: registry, store, folder validation, resolution, fetching.

A model is usable when its CTranslate2 folder (model.bin, config.json, the two vocabularies)
and its two SentencePiece models are found. Two layouts are accepted:

* the official IndicTrans2 archive layout, `<root>/ct2_int8_model/` (or `ct2_fp16_model/`) whose
  `vocab/model.SRC|TGT` holds the SentencePiece models, falling back to `<root>/fairseq_model/vocab/`;
* a plain CTranslate2 folder holding model.bin etc. with `model.SRC` and `model.TGT` in `vocab/`
  or beside model.bin.

The direction (hin_Deva -> eng_Latn or the reverse) comes from `translate_kit.json`, else the
model's name (`indic-en` / `en-indic`), else the vocabulary sizes: the Indic vocabulary of
IndicTrans2 is about four times the English one, so the larger side is Hindi.

The modules, in the order a model is found and used:

- `registry`: the published models, their shapes and archive URLs;
- `store`: where models are installed under the translate-kit home, remembered file hashes;
- `header`: model.bin's header, read without loading weights;
- `validate`: a model folder checked and described as a `ModelDir`;
- `resolve`: which model a command uses (`resolve_model`);
- `install`: download, verify, unpack and install (`fetch`);
- `report`: the tables and facts `translate-kit models` prints.
"""

from ..paths import HOME_ENV, cache_home, downloads_dir, models_dir
from .header import ModelBinInfo, read_model_bin
from .install import fetch
from .registry import REGISTRY, Archive, KnownModel, ModelShape, default_model_name
from .report import catalogue, describe, describe_known, describe_name, human_size
from .resolve import MODEL_ENV, resolve_model
from .store import cached_sha256, installed_path
from .validate import (
    CT2_SUBFOLDERS,
    FAIRSEQ_FOLDER,
    META_FILE,
    SPM_SRC,
    SPM_TGT,
    ModelDir,
    validate_model_dir,
)

__all__ = [
    "CT2_SUBFOLDERS", "FAIRSEQ_FOLDER", "HOME_ENV", "META_FILE", "MODEL_ENV", "REGISTRY", "SPM_SRC",
    "SPM_TGT", "Archive", "KnownModel", "ModelBinInfo", "ModelDir", "ModelShape", "cache_home",
    "cached_sha256", "catalogue", "default_model_name", "describe", "describe_known", "describe_name",
    "downloads_dir", "fetch", "human_size", "installed_path", "models_dir", "read_model_bin", "resolve_model",
    "validate_model_dir",
]
