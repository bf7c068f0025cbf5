"""Search support tables: the citizen vocabulary, anonymous query statistics and the index change log.

Imported by catalog/models.py, so Django sees them as catalogue models.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SynonymKind(models.TextChoices):
    SYNONYM = "synonym", _("synonym (everyday word → catalogue words)")
    ALIAS = "alias", _("item alias (everyday word → one item)")


class SearchSynonym(models.Model):
    """One entry of the citizen vocabulary (检索词表): an everyday word (口语) and the catalogue's
    words for it (规范词), or an alias of one item. Written only by catalog/services_vocabulary.py.

    ``region`` empty: the entry applies everywhere; otherwise in that region and below. An alias
    expands to the item's current name, so it also finds items of the same name in other regions.
    """

    term = models.CharField(_("everyday word"), max_length=50)
    canonical = models.JSONField(_("catalogue words"), default=list)
    kind = models.CharField(_("kind"), max_length=10, choices=SynonymKind.choices, default=SynonymKind.SYNONYM)
    item = models.ForeignKey("catalog.ImplementationItem", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="search_aliases", verbose_name=_("item"))
    region = models.ForeignKey("catalog.Region", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("region"))
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["term", "id"]
        constraints = [
            models.UniqueConstraint(fields=["term"], condition=Q(region__isnull=True, item__isnull=True),
                                    name="synonym_term_unique_everywhere"),
            models.UniqueConstraint(fields=["term", "region"], condition=Q(region__isnull=False, item__isnull=True),
                                    name="synonym_term_unique_in_region"),
            models.UniqueConstraint(fields=["term", "item"], condition=Q(item__isnull=False),
                                    name="synonym_alias_unique"),
            models.CheckConstraint(condition=Q(kind="synonym", item__isnull=True) | Q(kind="alias", item__isnull=False),
                                   name="synonym_alias_has_item"),
        ]

    def __str__(self) -> str:
        return f"{self.term} → {' | '.join(self.canonical)}"


class SearchQueryStat(models.Model):
    """How often a normalised query was searched, found nothing, and led to a click.

    No user, session, address or time of day is kept: the query text (normalised, at most 50
    characters; queries that look like identity card, phone or other long numbers are never stored)
    and day-granular first and last dates.
    """

    query = models.CharField(_("query"), max_length=50, unique=True)
    searches = models.PositiveIntegerField(_("searches"), default=0)
    zero_results = models.PositiveIntegerField(_("searches without results"), default=0)
    clicks = models.PositiveIntegerField(_("result clicks"), default=0)
    first_seen = models.DateField(_("first seen"))
    last_seen = models.DateField(_("last seen"))

    class Meta:
        ordering = ["-searches", "query"]

    def __str__(self) -> str:
        return self.query


class SearchChange(models.Model):
    """Append-only log of search index and vocabulary changes. Each process keeps the index in memory
    (catalog/search/engine.py) and compares the newest row with what it loaded: one indexed lookup
    per search tells whether an item was (re)indexed or the vocabulary changed anywhere."""

    ENTRY, VOCABULARY = "entry", "vocab"
    kind = models.CharField(max_length=5)
    item_id = models.BigIntegerField(null=True)  # the ImplementationItem re-indexed (its entry may be gone)
    token = models.BigIntegerField()  # random: tells apart rows that reuse an id after a rollback

    class Meta:
        indexes = [models.Index(fields=["item_id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.item_id or ''}"
