// Module CanaryStaking — see ../shared/DESIGN.md.
