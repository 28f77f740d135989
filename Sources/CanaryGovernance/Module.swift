// Module CanaryGovernance — see ../shared/DESIGN.md.
