from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from govhall.crypto import policy as seal_policy
from govhall.identity import hooks as identity_hooks


class CatalogConfig(AppConfig):
    name = "govhall.catalog"
    label = "catalog"
    verbose_name = _("Service catalogue")

    def ready(self) -> None:
        from . import permissions, tasks  # noqa: F401  (registers permissions and periodic jobs)
        from .scope import is_organ_staff, seal_manager_organs

        def known_item_codes(codes):  # the selectors (and the search index) load on the first call
            from .selectors import known_item_codes

            return known_item_codes(codes)

        # crypto sits below the catalogue: it learns here which organs' seals an actor manages
        seal_policy.register_directory(managed_organs=seal_manager_organs, is_staff_of=is_organ_staff)
        # identity checks the item codes of an agent mandate against the catalogue, registered here
        identity_hooks.register_item_codes(known_item_codes)
