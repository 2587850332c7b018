"""Biology-domain tools: genes, sequences, proteins, chemistry and lab calculations over shipped data.

Importing this package registers every tool and seed source; no data is read until a tool runs.
"""

from dive.tools.biology import (  # noqa: F401
    align,
    biodata,
    chem,
    chemdata,
    codons,
    elements,
    formula,
    genes,
    genes_region,
    labcalc,
    primers,
    protein,
    registry,
    restriction,
    seeds,
    seq,
    seqalgo,
    seqextra,
)
