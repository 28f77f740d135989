// Module CanaryScenario — see ../shared/DESIGN.md.
