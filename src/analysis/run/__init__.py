"""Running: parameters, the steps' entries (read, compute, validate, write) and the DAG runner.

Modules: params, steps, pipeline, lab (JupyterLab for exploring).
"""
