"""Type stubs of aerospike_helpers.expressions: every class of the submodules."""

from .resources import ResultType as ResultType
from .base import *
from .bitwise import *
from .hll import *
from .list import *
from .map import *
from .arithmetic import *
from .bitwise_operators import *
from .string import *
