"""The base layer: errors, the column declarations and table contracts, and everything that reads or
writes files (exports, codebooks, reference data, atomic outputs). It imports no other layer."""
