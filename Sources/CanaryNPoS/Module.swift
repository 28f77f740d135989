// Module CanaryNPoS — see ../shared/DESIGN.md.
