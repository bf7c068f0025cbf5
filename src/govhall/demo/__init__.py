"""Demo data sets served by ``make run DEMO=...`` (docs/onboarding.md) and the ``govhall demo load``
command. The Lu'an demo, the default (``luan.py``), orders the demo parts each context provides
(``demo/catalog.py``, ``identity.py``, ``licenses.py``, ``cases.py``, ``sharing.py``, and the
``demo.py`` of the contexts added since: feedback, supervision); the Guang'an district demo (``guangan.py``) is a real published list, loaded
through the onboarding import exactly as an operator would load it. The demo app is the top layer:
no context imports it."""
