"""What list and map expressions share: how operands, ctx, policy and return type are laid out."""

from .base import _bin_operand
from .resources import ReturnType, _BaseExpr, _GenericExpr, _Keys

# Return type of removals: nothing, or everything-but when inverted. Same bit for lists and maps.
_RETURN_NONE = 0
_INVERTED = ReturnType.LIST_RETURN_INVERTED


class _CdtExpr(_BaseExpr):
    """Base of list/map expressions; subclasses name the bin class that reads a bin by name."""

    _bin_class = None
    _policy_key = None

    def _set(self, ctx, fixed, operands, bin):
        if ctx is not None:
            fixed[_Keys.CTX_KEY] = ctx
        self._fixed = fixed
        self._children = tuple(operands) + (_bin_operand(bin, self._bin_class),)

    def _modify(self, ctx, policy, policy_marker, operands, bin):
        # The policy goes both in the fixed part and in a marker node that picks the C builder.
        in_marker = {self._policy_key: policy} if policy is not None else {}
        fixed = dict(in_marker)
        marker = _GenericExpr(policy_marker, 0, in_marker)
        self._set(ctx, fixed, tuple(operands) + (marker,), bin)

    def _select(self, ctx, return_type, inverted, operands, bin):
        self._set(ctx, {_Keys.RETURN_TYPE_KEY: return_type | _INVERTED if inverted else return_type}, operands, bin)

    def _select_one(self, ctx, return_type, value_type, operands, bin):
        self._set(ctx, {_Keys.VALUE_TYPE_KEY: value_type, _Keys.RETURN_TYPE_KEY: return_type}, operands, bin)

    def _remove(self, ctx, inverted, operands, bin):
        self._set(ctx, {_Keys.RETURN_TYPE_KEY: _INVERTED if inverted else _RETURN_NONE}, operands, bin)

    def _plain(self, ctx, operands, bin):
        # Single-item removals, size and clear: no return type.
        self._set(ctx, {}, operands, bin)
