// Module CanaryStore — see ../shared/DESIGN.md.
