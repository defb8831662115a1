"""Running: parameters, the steps' entries (read, compute, validate, write) and the DAG runner.

Modules: params, steps, pipeline (the DAG), staging (marks, locks, the crash-safe swap),
provenance (git state and installed packages, shared by step hashes and the report) and lab
(JupyterLab for exploring).
"""
