"""AMC Photo Search desktop application (installed as ``amc_app``): a thin layer over amc_core."""
