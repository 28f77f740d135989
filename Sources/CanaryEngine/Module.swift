// Module CanaryEngine — see ../shared/DESIGN.md.
