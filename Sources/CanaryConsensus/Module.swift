// Module CanaryConsensus — see ../shared/DESIGN.md.
