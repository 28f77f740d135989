// Module CanaryEconomics — see ../shared/DESIGN.md.
