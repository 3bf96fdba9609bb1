pytest_plugins = ["tandem.core.testing.fixtures"]
