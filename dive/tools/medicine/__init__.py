"""Medicine-domain tools: ICD-10-CM / ICD-9-CM coding, drug dictionary, comorbidity indices, clinical
calculators and pharmacokinetics. Importing this package registers every tool and seed source."""

from dive.tools.medicine import (  # noqa: F401
    drugs,
    drugs_chemistry,
    elixhauser,
    icd9cm,
    icd10cm,
    icd10cm_notes,
    icd10cm_seventh,
    labunits,
    medcalc_body,
    medcalc_kidney,
    medcalc_lab,
    medcalc_scores,
    pharmacokinetics,
    seeds,
)
