"""The steps' entries, one module per notebook: read validated inputs, compute, validate the outputs,
write them (`clean.run(P)`, `describe.run(P)`, ...). Each module imports only what its step uses."""
