"""The demo loader and its data sets, served by ``make run DEMO=...`` and ``govhall demo load``
(docs/onboarding.md): the Lu'an demo, the default (demo/catalog.py, with the people, cases, licences and
sharing of demo/identity.py, cases.py, licenses.py, sharing.py), and the Guang'an district demo
(demo/guangan.py): a real published list, loaded through the onboarding import exactly as an operator
would load it. Everything here calls the contexts' services; no context imports this app."""
