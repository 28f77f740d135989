// Module CanaryChain — see ../shared/DESIGN.md.
