"""Case handling pages for staff (the workbench, under /console/cases/): queue, acceptance, handling steps,
decision, delivery. Thin views over the cases context's services and selectors."""
