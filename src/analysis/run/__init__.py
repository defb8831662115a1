"""Running: parameters, the steps' entries (read, compute, validate, write), the DAG runner and the commands.

Modules, by job:
- params (defaults, merging, coercion, validation) and scratch (a notebook's parameters outside the runner);
- steps/ (one entry per notebook), dag (the Step declarations, hashes, records, up-to-date checks);
- pipeline (`run`: the orchestration), kernels (starting, warming, closing kernels), execute (one
  notebook with papermill; a failure in one line), finish (notebook pages, workbook, PDF, index);
- staging (marks, checks, locks, staging copies), swap (the crash-safe swap), errors (one line each);
- provenance (git state and installed packages, shared by the step hashes and the report);
- cli, synthesize, commands (the command line's commands), lab (JupyterLab), explore (`analysis.load`).
"""
