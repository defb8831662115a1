"""Reproducible analysis of SKR's 2019 survey of municipalities' information-security work.

Modules: codebook, reference, io, clean, survey, models, figures, report, params, pipeline, synthetic.
"""

__version__ = "0.1.0"
