"""The add-in tests use the `synced` fixture and `sandbox_issues` of tests/conftest.py."""
