"""Expression builders: compose classes, then ``compile()`` for ``policy["expressions"]``,
``expression_read``/``expression_write`` operations and ``index_expr_create``.

Every class of the submodules is available here as well.
"""

from .resources import ResultType  # noqa: F401
from .base import *  # noqa: F401,F403
from .bitwise import *  # noqa: F401,F403
from .hll import *  # noqa: F401,F403
from .list import *  # noqa: F401,F403
from .map import *  # noqa: F401,F403
from .arithmetic import *  # noqa: F401,F403
from .bitwise_operators import *  # noqa: F401,F403
from .string import *  # noqa: F401,F403
