// Module CanaryArithmetic — see ../shared/DESIGN.md.
