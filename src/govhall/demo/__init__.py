"""Demo data sets served by ``make run DEMO=...`` (docs/onboarding.md). The Lu'an demo, still the
default, lives in govhall.catalog.demo; this app holds the Guang'an district demo: a real published
list, loaded through the onboarding import exactly as an operator would load it."""
