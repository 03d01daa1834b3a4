"""The public Python API is the product: every library call a command makes goes through a
name ``import onco_genomics as og`` exports (CNVkit's ``public()`` habit), every exported
name imports and is documented, commands depend on the library only, and the CLI's
defaults are the option dataclasses' defaults."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import importlib.util
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest

import onco_genomics as og

COMMANDS = Path(og.__file__).parent / "commands"

#: library names the commands may import without an ``og`` export, with the reason
NOT_PUBLIC = {
    "parse_k_range": "option-text parsers (omics.subtype and spectrum.extract each have "
                     "one, with different results); the API takes the parsed list",
    "parse_contexts": "option-text parser of --context; the API takes CatalogOptions",
    "EXAMPLES": "the table behind `oncogen example`; the API is og.write_example",
}


def _library_imports(path: Path) -> list[tuple[str, str, int]]:
    """(module, name, line) of every ``from onco_genomics... import name`` in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("onco_genomics"):
            found.extend((node.module or "", alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend((alias.name, "", node.lineno) for alias in node.names
                         if alias.name.startswith("onco_genomics"))
    return found


def _public_objects() -> dict[int, str]:
    return {id(getattr(og, name)): name for name in og.__all__ if name != "__version__"}


def test_every_library_call_of_a_command_is_public_api() -> None:
    public = _public_objects()
    leaks = []
    checked = 0
    for path in sorted(COMMANDS.glob("*.py")):
        for module, name, line in _library_imports(path):
            if module.startswith("onco_genomics.commands") or not name:
                continue
            obj = getattr(importlib.import_module(module), name)
            if name in NOT_PUBLIC or (name.isupper() and not module.split(".")[-1]
                                      .startswith("_")):
                continue  # option choices and constants of a public module
            checked += 1
            if id(obj) not in public:
                leaks.append(f"{path.name}:{line} {module}.{name}")
    assert not leaks, f"commands call library names that `og` does not export: {leaks}"
    assert checked >= 60  # the scan sees the commands' imports (it cannot pass empty)


def test_commands_depend_on_the_library_only() -> None:
    """No command imports the CLI module or another command module (only the shared
    option helpers in commands/_options.py)."""
    bad = []
    for path in sorted(COMMANDS.glob("*.py")):
        for module, name, line in _library_imports(path):
            target = f"{module}.{name}" if name else module
            if module == "onco_genomics.cli" or target.startswith("onco_genomics.cli"):
                bad.append(f"{path.name}:{line} imports {target}")
            elif (module.startswith("onco_genomics.commands")
                  and module != "onco_genomics.commands._options"):
                bad.append(f"{path.name}:{line} imports {target}")
    assert not bad, bad


@pytest.mark.parametrize("name", sorted(set(og.__all__) - {"__version__"}))
def test_every_exported_name_imports_and_is_documented(name: str) -> None:
    obj = getattr(og, name)
    assert name in dir(og)
    if callable(obj) and (inspect.isfunction(obj) or inspect.isclass(obj)):
        doc = inspect.getdoc(obj) or ""
        assert len(doc.split()) >= 3, f"og.{name} has no docstring"
        module = inspect.getmodule(obj)
        assert module is not None and module.__name__.startswith("onco_genomics.")


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        _ = og.not_a_name  # type: ignore[attr-defined]


def test_renamed_and_moved_names_keep_their_old_paths() -> None:
    from onco_genomics.evaluate.compare import format_table
    from onco_genomics.omics import model_dir

    assert og.format_evaluation is format_table
    assert og.save_model is og.save_omics_model is model_dir.save_model
    from onco_genomics.caller import model as caller_model

    assert caller_model.save_model is caller_model.save_caller_model
    assert caller_model.load_model is caller_model.load_caller_model


# --------------------------------------------------------------------------- CLI defaults


def _command(path: str) -> click.Command:
    from onco_genomics.cli import cli

    command: click.Command = cli
    ctx = click.Context(cli)
    for part in path.split():
        assert isinstance(command, click.Group)
        sub = command.get_command(ctx, part)
        assert sub is not None, path
        command = sub
    return command


def _field_defaults(cls: type) -> dict[str, Any]:
    out = {}
    for item in dataclasses.fields(cls):
        if item.default is not dataclasses.MISSING:
            out[item.name] = item.default
        elif item.default_factory is not dataclasses.MISSING:
            out[item.name] = item.default_factory()
    return out


def _options_class(name: str) -> type:
    return getattr(og, name)  # type: ignore[no-any-return]


def _vaf(text: str) -> Any:
    return og.VafSpec.parse(text)


def _rate(text: str) -> float:
    return float(text)


def _contexts(text: str) -> tuple[str, ...]:
    from onco_genomics.spectrum.catalog import parse_contexts

    return tuple(parse_contexts(text))


def _subclones(text: str) -> tuple[float, ...]:
    return tuple(float(x) for x in text.split(",") if x.strip())


#: command -> (options class, CLI parameter -> field where the names differ, converters of a
#: CLI default into the field's value, least number of options compared)
CASES: dict[str, tuple[str, dict[str, str], dict[str, Callable[[Any], Any]], int]] = {
    "simulate": ("SimulationOptions", {},
                 {"vaf": _vaf, "snv_rate": _rate, "indel_rate": _rate,
                  "subclones": _subclones}, 30),
    "train caller": ("TrainOptions", {"no_augment": "augment"},
                     {"no_augment": lambda flag: not flag}, 12),
    "train cup": ("TrainingOptions", {"model_name": "model"}, {}, 9),
    "train subtype": ("TrainingOptions", {"model_name": "model"}, {}, 6),
    "call": ("FilterOptions", {}, {}, 8),
    "features": ("FeatureOptions", {"no_density": "density_bins", "all_filters": "pass_only"},
                 {"no_density": lambda flag: not flag, "all_filters": lambda flag: not flag,
                  "genes": lambda path: () if path is None else path}, 5),
    "signatures fit": ("FitOptions", {}, {}, 10),
    "signatures extract": ("ExtractOptions", {"restarts": "n_restarts"}, {}, 4),
    "spectrum": ("CatalogOptions", {"all_filters": "pass_only"},
                 {"all_filters": lambda flag: not flag,
                  "contexts": _contexts}, 5),
}


@pytest.mark.parametrize("command_path", sorted(CASES))
def test_cli_defaults_are_the_options_defaults(command_path: str) -> None:
    class_name, renamed, convert, least = CASES[command_path]
    defaults = _field_defaults(_options_class(class_name))
    compared = 0
    command = _command(command_path)
    ctx = click.Context(command)
    for param in command.params:
        field = renamed.get(param.name or "", param.name or "")
        if field not in defaults or not isinstance(param, click.Option):
            continue
        value = param.process_value(ctx, param.get_default(ctx))  # type and callback applied
        value = convert.get(param.name or "", lambda v: v)(value)
        if isinstance(value, list):
            value = tuple(value)
        assert value == defaults[field], (
            f"`oncogen {command_path} --{(param.name or '').replace('_', '-')}` defaults to "
            f"{param.default!r}, {class_name}.{field} to {defaults[field]!r}")
        compared += 1
    assert compared >= least, f"only {compared} options of {command_path} matched fields"


def test_cli_choices_are_the_library_names() -> None:
    from onco_genomics.commands import _options
    from onco_genomics.omics.cup import MODEL_NAMES
    from onco_genomics.omics.preprocess import INPUT_TYPES

    assert tuple(_options.CLASSIFIER_MODELS.choices) == MODEL_NAMES
    assert set(_options.INPUT_TYPES.choices) == set(INPUT_TYPES)


def test_old_module_paths_re_export_the_moved_names() -> None:
    """Modules kept for an old import path (docstring "Old path ...") re-export every name
    they list, each the very object of its new home."""
    import pkgutil

    shims = []
    for info in pkgutil.walk_packages(og.__path__, "onco_genomics."):
        if info.name.startswith("onco_genomics.commands"):
            continue
        spec = importlib.util.find_spec(info.name)
        assert spec is not None and spec.origin is not None
        text = Path(spec.origin).read_text()
        doc = ast.get_docstring(ast.parse(text)) or ""
        if doc.startswith("Old path"):
            shims.append(info.name)
    assert {"onco_genomics.evaluate.normalize", "onco_genomics.omics.survival_models",
            "onco_genomics.omics.drug_response_models", "onco_genomics.omics.classifiers",
            "onco_genomics.omics.survival_plots", "onco_genomics.omics.model_dir",
            "onco_genomics.omics.preprocess", "onco_genomics.omics.torch_training"} <= set(shims)
    assert len(shims) >= 18  # 5 survival, 5 drug-response, 4 classification, 3 core, normalize
    for name in shims:
        module = importlib.import_module(name)
        assert module.__all__, name
        for attribute in module.__all__:
            obj = getattr(module, attribute)
            home = getattr(obj, "__module__", None)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                assert home is not None and home != name, f"{name}.{attribute} is not moved"
