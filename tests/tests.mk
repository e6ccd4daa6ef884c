# tests/tests.mk - core tests and test infrastructure.
