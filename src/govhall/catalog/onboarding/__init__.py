"""Onboarding a region's real catalogue (docs/onboarding.md): reading published codes, the
onboarding import (CSV, Excel, JSON; dry run, then commit) and the completeness dashboard."""
