"""What an estimator exposes to be explained: the protocol :func:`explain_model` dispatches on.

An estimator (or a Pipeline's final step) is explained through the first of these it
satisfies; each is a :class:`typing.Protocol` checked at run time, so a user's own
estimator joins by exposing the same attributes, without subclassing anything:

1. :class:`WeightedSum`: an ensemble whose output is ``sum(coefficient * member output)``;
   each member is explained on its own and the values are summed with the coefficients.
2. :class:`TreeModel`: an xgboost ``booster_`` (tree SHAP on the margin). With
   ``design_matrix`` (a model over (cell line, drug) pairs) it is explained per drug.
3. :class:`TorchModel`: ``torch_module_`` (a module mapping the tensor of
   :meth:`TorchModel.to_tensor` to the model's outputs) and ``to_tensor(X)``; optionally
   ``tensor_feature_index_`` when tensor column ``j`` holds input feature
   ``tensor_feature_index_[j]`` (the 1D-CNN reorders genes).
4. :class:`LinearModel`: ``coef_`` (outputs x features) and ``intercept_``; optionally
   ``standardise(X)``, the inputs the coefficients multiply when they are not ``X`` itself.

Outputs are named by ``classes_`` (classifiers), ``output_names_`` or ``drugs_``; a model
may carry ``background_`` (training samples used as the SHAP background).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

__all__ = ["LinearModel", "TorchModel", "TreeModel", "WeightedSum"]


@runtime_checkable
class WeightedSum(Protocol):
    """An ensemble: ``explain_components_`` is ``[(coefficient, member), ...]``."""

    explain_components_: list[tuple[float, Any]]


@runtime_checkable
class TreeModel(Protocol):
    """A gradient-boosted tree model: ``booster_`` is an ``xgboost.Booster``."""

    booster_: Any


@runtime_checkable
class TorchModel(Protocol):
    """A torch network: ``torch_module_(to_tensor(X))`` gives the outputs explained."""

    torch_module_: Any

    def to_tensor(self, X: Any) -> Any:
        """The input tensor of ``torch_module_`` for samples ``X`` (all input features)."""
        ...


@runtime_checkable
class LinearModel(Protocol):
    """A linear model: outputs = ``standardise(X) @ coef_.T + intercept_`` (``X`` itself
    when the model has no ``standardise``)."""

    coef_: Any
    intercept_: Any
