"""Save and load omics models as a directory of JSON metadata plus weight files.

A model directory holds ``model.json``::

    {"format": "oncogen-model", "format_version": 1, "kind": "cup/xgboost",
     "oncogen_version": "0.1.0", "payload": {...}, "card": {...}}

and the weight files its estimator wrote (torch ``state_dict`` ``.pt`` files loaded with
``weights_only=True``, xgboost ``.json``, linear coefficients in JSON, ``.npy`` arrays read
with ``allow_pickle=False``). Nothing is ever unpickled.

The kinds oncogen ships are listed in :data:`MODEL_KINDS` (kind -> "module:Class"), so
loading a model imports only the module of its kind: a Coxnet model loads without torch.
An estimator joins the registry with :func:`register_model_kind` (and, when it ships with
oncogen, a line in :data:`MODEL_KINDS`) and implements::

    model_kind: ClassVar[str]
    def save_payload(self, directory: Path) -> dict[str, Any]: ...
    @classmethod
    def load_payload(cls, directory: Path, payload: dict[str, Any]) -> Self: ...

An sklearn :class:`~sklearn.pipeline.Pipeline` whose steps are all registered (the
preprocessing transformers of :mod:`onco_genomics.omics.core.preprocess` are) is saved as a
pipeline: the model kind is its final step's kind and each step writes into its own
sub-directory ``steps/<index>-<name>/``.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import pickle
import re
import shutil
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

from onco_genomics import __version__
from onco_genomics.errors import ModelError
from onco_genomics.io.atomic import make_temp_folder, replace_folder

log = logging.getLogger(__name__)

MODEL_FORMAT = "oncogen-model"
MODEL_FORMAT_VERSION = 1
MODEL_FILE = "model.json"
CARD_FILE = "MODEL_CARD.md"

#: model kind -> class; filled by :func:`register_model_kind` (and on first use of a kind
#: of :data:`MODEL_KINDS`)
_REGISTRY: dict[str, type[Any]] = {}

_OMICS = "onco_genomics.omics"

#: every model kind oncogen ships -> "module:Class" that defines it (imported when a model of
#: that kind is loaded, and only then: a Coxnet model loads without importing torch)
MODEL_KINDS: dict[str, str] = {
    "preprocess/gene-ids": f"{_OMICS}.core.preprocess:GeneIdHarmoniser",
    "preprocess/align": f"{_OMICS}.core.preprocess:GeneAligner",
    "preprocess/normalise": f"{_OMICS}.core.preprocess:ExpressionNormaliser",
    "preprocess/select": f"{_OMICS}.core.preprocess:FeatureSelector",
    "classifier/mlp": f"{_OMICS}.classification.estimators:MLPClassifier",
    "classifier/cnn1d": f"{_OMICS}.classification.estimators:CNN1DClassifier",
    "classifier/xgboost": f"{_OMICS}.classification.estimators:XGBoostClassifier",
    "classifier/logistic": f"{_OMICS}.classification.estimators:LogisticClassifier",
    "survival/coxnet": f"{_OMICS}.survival.coxnet:CoxnetSurvival",
    "survival/deepsurv": f"{_OMICS}.survival.deep:DeepSurv",
    "survival/autoencoder-cox": f"{_OMICS}.survival.deep:AutoencoderCox",
    "survival/xgboost-cox": f"{_OMICS}.survival.xgboost_cox:XGBoostCox",
    "survival/ensemble-cox": f"{_OMICS}.survival.ensemble:EnsembleCox",
    "drug-response/per-drug-mean": f"{_OMICS}.drug_response.linear:PerDrugMean",
    "drug-response/elastic-net": f"{_OMICS}.drug_response.linear:PerDrugElasticNet",
    "drug-response/lowrank-elastic-net": f"{_OMICS}.drug_response.linear:LowRankElasticNet",
    "drug-response/xgboost": f"{_OMICS}.drug_response.boosted:XGBoostDrugResponse",
    "drug-response/multitask": f"{_OMICS}.drug_response.multitask:MultitaskDrugResponse",
}

#: the card keys every saved model must carry
CARD_KEYS: tuple[str, ...] = ("feature_names", "preprocessing", "training_data", "metrics")


@runtime_checkable
class SavableModel(Protocol):
    """What :func:`save_model` needs from an estimator or transformer."""

    model_kind: ClassVar[str]

    def save_payload(self, directory: Path) -> dict[str, Any]:
        """Write weight files into ``directory``; return JSON-able metadata."""
        ...


T = TypeVar("T", bound=type)


def register_model_kind(cls: T) -> T:
    """Class decorator: make ``cls`` loadable by :func:`load_model` under ``cls.model_kind``.

    Examples
    --------
    >>> @register_model_kind
    ... class Constant:
    ...     model_kind = "example/constant"
    ...     def save_payload(self, directory): return {}
    ...     @classmethod
    ...     def load_payload(cls, directory, payload): return cls()
    >>> "example/constant" in registered_kinds()
    True
    """
    kind = getattr(cls, "model_kind", None)
    if not isinstance(kind, str) or not kind:
        raise TypeError(f"{cls.__name__} needs a non-empty class attribute model_kind: str")
    for method in ("save_payload", "load_payload"):
        if not callable(getattr(cls, method, None)):
            raise TypeError(f"{cls.__name__} must define {method}() to be registered")
    previous = _REGISTRY.get(kind)
    if previous is not None and previous.__qualname__ != cls.__qualname__:
        raise TypeError(f"model kind {kind!r} is already registered by {previous.__qualname__}")
    _REGISTRY[kind] = cls
    return cls


def registered_kinds() -> list[str]:
    """Every loadable model kind: the shipped :data:`MODEL_KINDS` and any registered since."""
    return sorted({*MODEL_KINDS, *_REGISTRY})


def model_class(kind: str) -> type[Any]:
    """The class of ``kind``, importing its module from :data:`MODEL_KINDS` if needed;
    :class:`ModelError` if unknown."""
    if kind not in _REGISTRY and kind in MODEL_KINDS:
        import importlib

        module, _, name = MODEL_KINDS[kind].partition(":")
        cls = getattr(importlib.import_module(module), name)
        if getattr(cls, "model_kind", None) != kind or _REGISTRY.get(kind) is not cls:
            raise TypeError(f"MODEL_KINDS names {MODEL_KINDS[kind]} for {kind!r}, but that "
                            "class does not register that kind")
    if kind not in _REGISTRY:
        raise ModelError(
            f"unknown model kind {kind!r}; expected one of {', '.join(registered_kinds())}. "
            "The model was probably written by a newer oncogen: upgrade oncogen.")
    return _REGISTRY[kind]


def _jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays and paths so ``json.dumps`` accepts them."""
    import numpy as np

    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    return value


def _is_pipeline(model: Any) -> bool:
    from sklearn.pipeline import Pipeline

    return isinstance(model, Pipeline)


def _save_one(model: Any, directory: Path) -> tuple[str, dict[str, Any]]:
    if not isinstance(model, SavableModel) or type(model).model_kind not in _REGISTRY:
        raise ModelError(
            f"cannot save a {type(model).__name__}: expected an estimator registered with "
            "@register_model_kind (save_payload/load_payload); wrap it or register it.")
    directory.mkdir(parents=True, exist_ok=True)
    return type(model).model_kind, _jsonable(model.save_payload(directory))


def save_omics_model(model: Any, directory: str | os.PathLike[str], *,
                     card: Mapping[str, Any], overwrite: bool = True) -> Path:
    """Write ``model`` and its card into ``directory`` atomically.

    Parameters
    ----------
    model
        A registered estimator, or an sklearn ``Pipeline`` of registered steps.
    directory
        Target directory; written into a temporary sibling, then renamed into place.
    card
        Model card: must hold ``feature_names`` (ordered), ``preprocessing``,
        ``training_data`` and ``metrics``; ``classes`` or ``targets`` as the model has them.
        ``created`` is added when absent.
    overwrite
        Replace an existing model directory (otherwise :class:`ModelError`).

    Returns
    -------
    Path
        The model directory.
    """
    target = Path(directory)
    missing = [key for key in CARD_KEYS if key not in card]
    if missing:
        raise ModelError(f"model card lacks {', '.join(missing)}; expected keys {CARD_KEYS}")
    if "classes" not in card and "targets" not in card:
        raise ModelError("model card needs 'classes' (classifiers) or 'targets' (regressors)")
    if target.exists() and not overwrite:
        raise ModelError(f"{target} exists; choose another directory or allow overwriting")
    tmp = make_temp_folder(target)  # umask permissions: shared model folders stay readable
    payload: dict[str, Any]
    try:
        if _is_pipeline(model):
            steps = []
            for index, (name, step) in enumerate(model.steps):
                sub = f"steps/{index}-{name}"
                kind, payload = _save_one(step, tmp / sub)
                steps.append({"name": name, "kind": kind, "dir": sub, "payload": payload})
            kind = steps[-1]["kind"]
            payload = {"pipeline": steps}
        else:
            kind, payload = _save_one(model, tmp)
        full_card = dict(card)
        full_card.setdefault(
            "created", datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"))
        document = {
            "format": MODEL_FORMAT,
            "format_version": MODEL_FORMAT_VERSION,
            "kind": kind,
            "oncogen_version": __version__,
            "payload": payload,
            "card": _jsonable(full_card),
        }
        (tmp / MODEL_FILE).write_text(json.dumps(document, indent=1) + "\n")
        replace_folder(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("saved %s model to %s", kind, target)
    return target


def read_model_document(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check ``model.json`` (format, version); no weights are loaded."""
    path = Path(directory)
    meta = path / MODEL_FILE
    if not meta.is_file():
        raise ModelError(
            f"expected an oncogen model directory containing {MODEL_FILE}, found "
            f"{'no such directory' if not path.exists() else 'no ' + MODEL_FILE} at {path}; "
            "pass the directory written by `oncogen train ...` or listed by `oncogen models list`")
    try:
        document = json.loads(meta.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise damaged(meta, f"not valid JSON: {err}") from None
    if not isinstance(document, dict) or document.get("format") != MODEL_FORMAT:
        raise ModelError(f"{meta} is not an oncogen model (expected format {MODEL_FORMAT!r})")
    version = document.get("format_version")
    if not isinstance(version, int) or version > MODEL_FORMAT_VERSION:
        raise ModelError(
            f"{meta} has format_version {version!r}; this oncogen reads up to "
            f"{MODEL_FORMAT_VERSION}. Upgrade oncogen to load it.")
    for key in ("kind", "payload"):
        if key not in document:
            raise ModelError(f"{meta} lacks {key!r}; the model file is damaged")
    return document


#: what a damaged or hand-edited model folder raises while its payload is read: missing
#: keys or files, wrong types or shapes, unreadable weights (torch, numpy, xgboost)
_DAMAGE_ERRORS: tuple[type[BaseException], ...] = (
    KeyError, IndexError, ValueError, TypeError, AttributeError, RuntimeError, EOFError,
    OSError, pickle.UnpicklingError, zipfile.BadZipFile, json.JSONDecodeError)


def damaged(path: str | os.PathLike[str], detail: str) -> ModelError:
    """The one-line :class:`ModelError` for a damaged model file or folder."""
    detail = " ".join(str(detail).split())
    if len(detail) > 160:
        detail = detail[:157] + "..."
    return ModelError(f"the model file is damaged: {path} ({detail}); re-copy the whole model "
                      "folder, or retrain it with `oncogen train ...`")


def _describe(err: BaseException) -> str:
    if isinstance(err, KeyError):
        return f"missing entry {err.args[0]!r}" if err.args else "a missing entry"
    if isinstance(err, FileNotFoundError):
        return f"missing file {Path(str(err.filename)).name}"
    if isinstance(err, pickle.UnpicklingError):
        return "not a plain tensor file"  # never repeat torch's weights_only=False advice
    text = str(err)
    if isinstance(err, RuntimeError) and "loading state_dict" in text:
        # torch lists every key and shape over dozens of lines: name one of each
        missing = re.search(r"Missing key\(s\)[^:]*:\s*\"([^\"]+)\"", text)
        unexpected = re.search(r"Unexpected key\(s\)[^:]*:\s*\"([^\"]+)\"", text)
        mismatch = re.search(r"size mismatch for ([^:]+):", text)
        parts = [f"{label} tensors (e.g. {found.group(1)})" for label, found in (
            ("missing", missing), ("unexpected", unexpected), ("wrong-shape", mismatch))
            if found is not None]
        return "the weights do not fit the network: " + "; ".join(parts or ["other keys"])
    return f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"


def _load_one(kind: str, directory: Path, payload: Any) -> Any:
    cls = model_class(kind)
    if not isinstance(payload, dict):
        raise damaged(directory / MODEL_FILE, f"the {kind} payload is not a JSON object")
    try:
        return cls.load_payload(directory, payload)
    except ModelError:
        raise
    except _DAMAGE_ERRORS as err:
        raise damaged(directory, _describe(err)) from None


def _check_fitted_shapes(estimator: Any, card: Mapping[str, Any], path: Path) -> None:
    """A classifier's fitted arrays against each other and its card: a hand-edited length
    would broadcast silently. (Survival and drug-response models keep arrays over their
    selected features; their prediction check in :func:`check_loaded_model` covers them.)
    """
    import numpy as np

    n = getattr(estimator, "n_features_in_", None)
    classes = getattr(estimator, "classes_", None)
    if classes is None or n is None:
        return
    n_classes = len(classes)
    expected: dict[str, tuple[int | None, ...]] = {
        "mean_": (n,), "scale_": (n,), "background_": (None, n), "coef_": (n_classes, n),
        "intercept_": (n_classes,)}
    for attr, shape in expected.items():
        if not hasattr(estimator, attr):
            continue
        value = np.asarray(getattr(estimator, attr))
        if value.dtype.kind not in "fiu":
            raise damaged(path, f"{attr.rstrip('_')} holds {value.dtype} values, expected "
                                "numbers")
        if value.ndim != len(shape) or any(
                want is not None and got != want for got, want in zip(value.shape, shape,
                                                                       strict=True)):
            want = tuple("any" if s is None else s for s in shape)
            raise damaged(path, f"{attr.rstrip('_')} has shape {value.shape}, expected "
                                f"{want} for {n} features"
                                + (f" and {n_classes} classes" if n_classes else ""))
    card_classes = card.get("classes")
    if classes is not None and isinstance(card_classes, list) and [
            str(c) for c in classes] != [str(c) for c in card_classes]:
        raise damaged(path, f"its classes {list(classes)[:5]} differ from its card's "
                            f"{card_classes[:5]}")


def check_loaded_model(model: Any, card: Mapping[str, Any], path: Path) -> None:
    """Check a loaded model against its card before use: one prediction on a zero row.

    A classifier must give one probability per class of the card, a survival model one
    risk per sample; weights or coefficients of the wrong shape, or a card whose features
    do not fit the model, make the model file damaged (:class:`ModelError`), instead of an
    ``IndexError`` during the user's prediction.
    """
    import numpy as np
    import pandas as pd

    names = card.get("feature_names")
    if not isinstance(names, list) or not names:
        raise damaged(path / MODEL_FILE, "the card lists no feature_names")
    _check_fitted_shapes(model.steps[-1][1] if hasattr(model, "steps") else model, card, path)
    kind = "classifier" if hasattr(model, "predict_proba") else (
        "survival" if str(getattr(model, "model_kind", "") or
                          getattr(getattr(model, "steps", [[None, None]])[-1][1],
                                  "model_kind", "")).startswith("survival/") else None)
    if kind is None:
        return
    row = pd.DataFrame(np.zeros((1, len(names))), columns=[str(n) for n in names])
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            output = np.asarray(model.predict_proba(row) if kind == "classifier"
                                else model.predict(row))
    except ModelError:
        raise
    except _DAMAGE_ERRORS as err:
        raise damaged(path, f"its weights do not fit its {len(names)} features: "
                            f"{_describe(err)}") from None
    classes = card.get("classes")
    if kind == "classifier" and isinstance(classes, list) and output.shape != (1, len(classes)):
        raise damaged(path, f"expected one probability for each of its {len(classes)} "
                            f"classes, found shape {output.shape}")
    if kind == "survival" and output.reshape(-1).shape != (1,):
        raise damaged(path, f"expected one risk score per sample, found shape {output.shape}")


#: the old name of :func:`save_omics_model` (the caller's save is ``caller.model.save_model``)
save_model = save_omics_model


def load_model(directory: str | os.PathLike[str], *, expect_kind: str | None = None) -> Any:
    """Load a model written by :func:`save_model`.

    Parameters
    ----------
    directory
        The model directory.
    expect_kind
        A kind or a kind prefix ending in ``/`` (``"cup/"``); anything else is a
        :class:`ModelError`, so a survival model is never used as a CUP classifier.

    Returns
    -------
    object
        The estimator or Pipeline, with ``model_card_`` (dict) and ``model_dir_`` set.
    """
    path = Path(directory)
    document = read_model_document(path)
    kind = document["kind"]
    if expect_kind is not None and not (
            kind == expect_kind or (expect_kind.endswith("/") and kind.startswith(expect_kind))):
        raise ModelError(f"expected a {expect_kind!r} model, found a {kind!r} model in {path}")
    payload = document["payload"]
    card = document.get("card", {})
    if not isinstance(payload, dict) or not isinstance(card, dict):
        raise damaged(path / MODEL_FILE, "'payload' and 'card' must be JSON objects")
    if "pipeline" in payload:
        from sklearn.pipeline import Pipeline

        try:
            steps = [(str(step["name"]), _load_one(str(step["kind"]), path / str(step["dir"]),
                                                   step["payload"]))
                     for step in payload["pipeline"]]
        except (KeyError, TypeError) as err:
            raise damaged(path / MODEL_FILE, f"a pipeline step is incomplete "
                                             f"({_describe(err)})") from None
        if not steps:
            raise damaged(path / MODEL_FILE, "the pipeline has no steps")
        model: Any = Pipeline(steps)
    else:
        model = _load_one(kind, path, payload)
    check_loaded_model(model, card, path)
    model.model_card_ = card
    model.model_dir_ = path
    return model


def load_torch_state(path: Path) -> dict[str, Any]:
    """Load a torch ``state_dict`` safely (``weights_only=True``)."""
    import torch

    if not path.is_file():
        raise ModelError(f"expected weight file {path}; the model directory is incomplete")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:
        # torch's message advises weights_only=False: never for a file a user was sent
        raise damaged(path, "it holds objects other than tensors, which oncogen does not "
                            "load") from None
    except (RuntimeError, EOFError, ValueError, OSError, zipfile.BadZipFile) as err:
        raise damaged(path, f"not a readable tensor file: {_describe(err)}") from None
    if not isinstance(state, dict) or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()):
        raise damaged(path, "expected a state_dict of named tensors")
    return state


def load_state_dict(module: Any, state: Mapping[str, Any], path: Path) -> None:
    """``module.load_state_dict(state)``; a mismatch is one line, not torch's key dump."""
    expected = module.state_dict()
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    wrong = [k for k in expected if k in state
             and tuple(state[k].shape) != tuple(expected[k].shape)]
    if missing or unexpected or wrong:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing (e.g. {missing[0]})")
        if unexpected:
            parts.append(f"{len(unexpected)} unexpected (e.g. {unexpected[0]})")
        if wrong:
            key = wrong[0]
            parts.append(f"{len(wrong)} of the wrong shape (e.g. {key}: "
                         f"{tuple(state[key].shape)} instead of {tuple(expected[key].shape)})")
        raise damaged(path, "the weights do not fit the network: " + ", ".join(parts) +
                      " tensors")
    module.load_state_dict(state)


def load_xgboost_booster(path: Path) -> Any:
    """Load an xgboost ``Booster`` from its JSON model file (no pickle)."""
    import xgboost

    if not path.is_file():
        raise ModelError(f"expected xgboost model file {path}; the model directory is "
                         "incomplete: copy the whole directory")
    booster = xgboost.Booster()
    try:
        booster.load_model(str(path))
    except xgboost.core.XGBoostError as err:
        raise damaged(path, f"not a readable xgboost model: {str(err).splitlines()[0]}") from None
    return booster


class BoosterFile:
    """Mixin of the xgboost estimators: their ``booster_`` saved as xgboost's JSON model
    file ``booster_file`` beside ``model.json`` and loaded back with
    :func:`load_xgboost_booster` (checked, no pickle). Each estimator keeps its own file
    name, so model folders written before the mixin load unchanged."""

    booster_file: ClassVar[str] = "booster.json"
    booster_: Any

    def save_booster(self, directory: Path) -> str:
        """Write ``booster_`` into ``directory``; return the file name for the payload."""
        self.booster_.save_model(str(directory / self.booster_file))
        return self.booster_file

    def load_booster(self, directory: Path, name: str) -> None:
        """Set ``booster_`` from the file ``name`` (as the payload recorded it)."""
        if Path(name).name != name:
            raise damaged(directory / MODEL_FILE, f"booster file {name!r} is not a plain name")
        self.booster_ = load_xgboost_booster(directory / name)


# ---------------------------------------------------------------------------------------
# Shipped models
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ShippedModel:
    """A model shipped as package data in ``onco_genomics/data/models/<name>/``."""

    name: str
    path: Path
    kind: str
    oncogen_version: str
    card: dict[str, Any] = field(default_factory=dict)
    card_text: str = ""

    def __post_init__(self) -> None:
        if not self.name or not self.kind:
            raise ValueError("a shipped model needs a name and a kind")

    def summary(self) -> str:
        """One line: name, kind, classes/targets, what it was trained on."""
        if not self.card:  # a model kind without an omics card (e.g. the caller)
            return f"{self.name}\t{self.kind}\t-\t-\tsee MODEL_CARD.md"
        labels = self.card.get("classes") or self.card.get("targets") or []
        data = self.card.get("training_data", {})
        described = data.get("name") or data.get("description") or ""
        return (f"{self.name}\t{self.kind}\t{len(self.card.get('feature_names', []))} features\t"
                f"{len(labels)} {'classes' if 'classes' in self.card else 'targets'}\t{described}")


def shipped_models_root() -> Path:
    """Folder of the models shipped with the package."""
    return Path(str(resources.files("onco_genomics") / "data" / "models"))


def list_models(root: str | os.PathLike[str] | None = None) -> list[ShippedModel]:
    """The models under ``root`` (default: the shipped ones), sorted by name."""
    base = Path(root) if root is not None else shipped_models_root()
    if not base.is_dir():
        return []
    models = []
    for sub in sorted(base.iterdir()):
        if not (sub / MODEL_FILE).is_file():
            continue
        try:
            document = json.loads((sub / MODEL_FILE).read_text())
        except json.JSONDecodeError as err:
            raise ModelError(f"{sub / MODEL_FILE} is not valid JSON ({err})") from err
        if document.get("format") != MODEL_FORMAT or "kind" not in document:
            log.warning("%s is not an oncogen model directory; not listed", sub)
            continue
        card_path = sub / CARD_FILE
        models.append(ShippedModel(
            name=sub.name, path=sub, kind=document["kind"],
            oncogen_version=str(document.get("oncogen_version", "?")),
            card=document.get("card", {}),
            card_text=card_path.read_text() if card_path.is_file() else ""))
    return models


def shipped_model_path(name: str) -> Path:
    """Path of a shipped model by name; :class:`ModelError` listing the names if unknown."""
    path = shipped_models_root() / name
    if not (path / MODEL_FILE).is_file():
        names = [m.name for m in list_models()]
        raise ModelError(f"no shipped model named {name!r}; shipped: {', '.join(names) or 'none'}")
    return path

