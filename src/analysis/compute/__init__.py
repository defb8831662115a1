"""Computation: data in, numbers out. Nothing here formats text for a reader or writes a file.

Modules: codebook, reference, clean, survey, models, disclosure, synthetic.
"""
