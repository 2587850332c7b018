"""Number theory, combinatorics and exact linear algebra with sympy."""

from __future__ import annotations

from typing import Any, Literal

from dive.tools.base import ToolError, tool

_PKG = "sympy"
_BIG = 10**30  # keep factorisation and primality fast enough for an interactive tool
_MATRIX = "Square matrix as a list of rows of numbers, e.g. [[2, 1], [1, 3]]."


def _int(n: int, name: str = "n", low: int = 1, high: int = _BIG) -> int:
    if not low <= n <= high:
        raise ToolError(f"{name} must be an integer in {low}..{high:.0e}, got {n}")
    return n


def _matrix(rows: list[list[float]]) -> Any:
    import sympy

    if not rows or len(rows) > 8 or any(len(r) != len(rows) for r in rows):
        raise ToolError("matrix must be square, 1x1 up to 8x8, given as a list of equal-length rows")
    return sympy.Matrix([[sympy.nsimplify(v) for v in r] for r in rows])


@tool(
    "science.sympy.factorint",
    "P",
    params={"n": "Positive integer to factor (up to 1e30), e.g. 4294967297."},
    examples=[{"n": 4294967297}, {"n": 360}],
    bad_examples=[{"n": 0}],
    package=_PKG,
    accepts={"n": "number"},
    produces={"prime_factors": "number"},
)
def factorint(n: int) -> dict[str, Any]:
    """Prime factorisation of an integer: primes with exponents, number of distinct prime factors
    and whether n is squarefree."""
    import sympy

    f = sympy.factorint(_int(n, low=2))
    return {
        "n": n,
        "factorization": {str(p): e for p, e in f.items()},
        "prime_factors": list(f),
        "distinct_primes": len(f),
        "squarefree": all(e == 1 for e in f.values()),
        "expression": " * ".join(f"{p}^{e}" if e > 1 else str(p) for p, e in f.items()),
    }


@tool(
    "science.sympy.is_prime",
    "P",
    params={"n": "Integer to test (up to 1e30), e.g. 2147483647."},
    examples=[{"n": 2147483647}, {"n": 561}],
    bad_examples=[{"n": -7}],
    package=_PKG,
    accepts={"n": "number"},
    produces={"next_prime": "number", "previous_prime": "number"},
)
def is_prime(n: int) -> dict[str, Any]:
    """Whether an integer is prime, with the nearest primes below and above it."""
    import sympy

    _int(n, low=0)
    return {
        "n": n,
        "is_prime": bool(sympy.isprime(n)),
        "previous_prime": int(sympy.prevprime(n)) if n > 2 else None,
        "next_prime": int(sympy.nextprime(n)),
    }


@tool(
    "science.sympy.nth_prime",
    "P",
    params={"n": "Index of the prime, 1-based (1..10,000,000), e.g. 1000."},
    examples=[{"n": 1000}, {"n": 1}],
    bad_examples=[{"n": 0}],
    package=_PKG,
    accepts={"n": "number"},
    produces={"prime": "number"},
)
def nth_prime(n: int) -> dict[str, Any]:
    """The n-th prime number (prime(1) = 2)."""
    import sympy

    return {"n": n, "prime": int(sympy.prime(_int(n, high=10_000_000)))}


@tool(
    "science.sympy.prime_count",
    "P",
    params={"x": "Upper bound (1..1e10), e.g. 1000000."},
    examples=[{"x": 1000000}],
    bad_examples=[{"x": 10**15}],
    package=_PKG,
    accepts={"x": "number"},
    produces={"count": "number"},
)
def prime_count(x: int) -> dict[str, Any]:
    """pi(x): how many primes are <= x, compared with the estimate x/ln(x)."""
    import math

    import sympy

    c = int(sympy.primepi(_int(x, "x", high=10**10)))
    return {"x": x, "count": c, "x_over_ln_x": round(x / math.log(x), 3) if x > 1 else None}


@tool(
    "science.sympy.gcd_lcm",
    "P",
    params={"numbers": "Two or more positive integers, e.g. [84, 126, 210]."},
    examples=[{"numbers": [84, 126, 210]}],
    bad_examples=[{"numbers": [5]}],
    package=_PKG,
    produces={"gcd": "number", "lcm": "number"},
)
def gcd_lcm(numbers: list[int]) -> dict[str, Any]:
    """Greatest common divisor and least common multiple of a list of integers."""
    import sympy

    if len(numbers) < 2 or any(n == 0 for n in numbers):
        raise ToolError("give at least two non-zero integers")
    return {"numbers": numbers, "gcd": int(sympy.gcd(numbers)), "lcm": int(sympy.lcm(numbers))}


@tool(
    "science.sympy.divisors",
    "P",
    params={"n": "Positive integer (up to 1e15), e.g. 28."},
    examples=[{"n": 28}, {"n": 360}],
    bad_examples=[{"n": 0}],
    package=_PKG,
    accepts={"n": "number"},
    produces={"divisor_count": "number"},
)
def divisors(n: int) -> dict[str, Any]:
    """Divisors of n (first 50), their count and sum, and whether n is perfect, abundant or deficient."""
    import sympy

    d = sympy.divisors(_int(n, high=10**15))
    s = sum(d) - n
    kind = "perfect" if s == n else ("abundant" if s > n else "deficient")
    return {
        "n": n,
        "divisors": d[:50],
        "divisor_count": len(d),
        "divisor_sum": sum(d),
        "classification": kind,
    }


@tool(
    "science.sympy.totient",
    "P",
    params={"n": "Positive integer (up to 1e30), e.g. 36."},
    examples=[{"n": 36}],
    bad_examples=[{"n": -3}],
    package=_PKG,
    accepts={"n": "number"},
    produces={"totient": "number"},
)
def totient(n: int) -> dict[str, Any]:
    """Euler's totient phi(n) (integers <= n coprime to n) and Carmichael's lambda(n)."""
    import sympy

    _int(n)
    return {"n": n, "totient": int(sympy.totient(n)), "carmichael_lambda": int(sympy.reduced_totient(n))}


@tool(
    "science.sympy.modular",
    "P",
    params={
        "base": "Base integer, e.g. 3.",
        "exponent": "Exponent; -1 asks for the modular inverse, e.g. 200.",
        "modulus": "Modulus >= 2, e.g. 1000000007.",
    },
    examples=[
        {"base": 3, "exponent": 200, "modulus": 1000000007},
        {"base": 17, "exponent": -1, "modulus": 3120},
    ],
    bad_examples=[{"base": 6, "exponent": -1, "modulus": 9}],
    package=_PKG,
    produces={"result": "number"},
)
def modular(base: int, exponent: int, modulus: int) -> dict[str, Any]:
    """Modular exponentiation base^exponent mod modulus (exponent -1 gives the modular inverse)."""
    import sympy

    _int(modulus, "modulus", low=2)
    if exponent < 0:
        if sympy.gcd(base, modulus) != 1:
            raise ToolError(
                f"{base} has no inverse modulo {modulus}: they share factor {sympy.gcd(base, modulus)}"
            )
        return {
            "result": int(sympy.mod_inverse(base, modulus))
            if exponent == -1
            else pow(base, exponent, modulus)
        }
    return {"result": pow(base, exponent, modulus)}


@tool(
    "science.sympy.combinatorics",
    "P",
    params={"n": "Number of items (0..10,000), e.g. 52.", "k": "Number chosen (0..n), e.g. 5."},
    examples=[{"n": 52, "k": 5}],
    bad_examples=[{"n": 5, "k": 7}],
    package=_PKG,
    accepts={"n": "number"},
    produces={"combinations": "number"},
)
def combinatorics(n: int, k: int) -> dict[str, Any]:
    """Counts for choosing k of n items: combinations C(n,k), permutations P(n,k), multisets
    C(n+k-1,k), and n! (as exact integers; digits only when huge)."""
    import math

    if not (0 <= k <= n <= 10_000):
        raise ToolError("need 0 <= k <= n <= 10000")

    def show(v: int) -> int | str:
        return v if v < 10**15 else f"{str(v)[:12]}... ({len(str(v))} digits)"

    return {
        "n": n,
        "k": k,
        "combinations": show(math.comb(n, k)),
        "permutations": show(math.perm(n, k)),
        "multisets": show(math.comb(n + k - 1, k)),
        "n_factorial": show(math.factorial(n)),
    }


@tool(
    "science.sympy.integer_sequence",
    "P",
    params={
        "sequence": "One of fibonacci, lucas, catalan, bell, partition, harmonic (as fraction).",
        "n": "Index n (0..1000), e.g. 30.",
    },
    examples=[{"sequence": "fibonacci", "n": 30}, {"sequence": "catalan", "n": 10}],
    bad_examples=[{"sequence": "fibonacci", "n": 5000}],
    package=_PKG,
    produces={"value": "number"},
)
def integer_sequence(
    sequence: Literal["fibonacci", "lucas", "catalan", "bell", "partition", "harmonic"], n: int
) -> dict[str, Any]:
    """The n-th term of a classic sequence (Fibonacci, Lucas, Catalan, Bell, integer partitions, harmonic)."""
    import sympy

    _int(n, low=0, high=1000)
    fn = {
        "fibonacci": sympy.fibonacci,
        "lucas": sympy.lucas,
        "catalan": sympy.catalan,
        "bell": sympy.bell,
        "partition": sympy.npartitions,
        "harmonic": sympy.harmonic,
    }[sequence]
    v = fn(n)
    value: Any = int(v) if getattr(v, "is_Integer", isinstance(v, int)) else str(v)
    return {"sequence": sequence, "n": n, "value": value}


@tool(
    "science.sympy.matrix_determinant",
    "P",
    params={"matrix": _MATRIX},
    examples=[{"matrix": [[2, 1], [1, 3]]}, {"matrix": [[1, 2, 3], [4, 5, 6], [7, 8, 10]]}],
    bad_examples=[{"matrix": [[1, 2, 3], [4, 5, 6]]}],
    package=_PKG,
    produces={"determinant": "number"},
)
def matrix_determinant(matrix: list[list[float]]) -> dict[str, Any]:
    """Exact determinant, trace and rank of a square matrix."""
    m = _matrix(matrix)
    det = m.det()
    return {
        "determinant": float(det),
        "determinant_exact": str(det),
        "trace": float(m.trace()),
        "rank": m.rank(),
    }


@tool(
    "science.sympy.matrix_inverse",
    "P",
    params={"matrix": _MATRIX},
    examples=[{"matrix": [[2, 1], [1, 3]]}],
    bad_examples=[{"matrix": [[1, 2], [2, 4]]}],
    package=_PKG,
    produces={"determinant": "number"},
)
def matrix_inverse(matrix: list[list[float]]) -> dict[str, Any]:
    """Exact inverse of a non-singular square matrix (entries as fractions and floats)."""
    m = _matrix(matrix)
    if m.det() == 0:
        raise ToolError("the matrix is singular (determinant 0) and has no inverse")
    inv = m.inv()
    return {
        "determinant": float(m.det()),
        "inverse": [[float(v) for v in inv.row(i)] for i in range(inv.rows)],
        "inverse_exact": [[str(v) for v in inv.row(i)] for i in range(inv.rows)],
    }


@tool(
    "science.sympy.matrix_eigen",
    "P",
    params={"matrix": _MATRIX},
    examples=[{"matrix": [[2, 1], [1, 2]]}, {"matrix": [[4, 1, 0], [1, 4, 1], [0, 1, 4]]}],
    bad_examples=[{"matrix": []}],
    package=_PKG,
    produces={"eigenvalues": "number"},
)
def matrix_eigen(matrix: list[list[float]]) -> dict[str, Any]:
    """Eigenvalues (exact and numeric, with algebraic multiplicity) and eigenvectors of a square matrix."""
    import sympy

    m = _matrix(matrix)
    out = []
    for val, mult, vecs in m.eigenvects():
        num = complex(sympy.N(val))
        out.append(
            {
                "value": str(val),
                "numeric": num.real if abs(num.imag) < 1e-12 else str(num),
                "multiplicity": mult,
                "eigenvectors": [[str(x) for x in v] for v in vecs],
            }
        )
    return {"eigen": out, "eigenvalues": [e["numeric"] for e in out]}
